// Builds the plugin: compiles plugin.wat and stamps the identity into the `cc_lb.plugin.v1`
// custom section (WAT has no syntax for custom sections; the cc-lb host refuses a module without
// one). Writes dist/__PLUGIN_NAME__.wasm. `node build.mjs` builds and prints the path.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileWat, withIdentity } from 'cc-lb-plugin-conformance/wat';

const here = dirname(fileURLToPath(import.meta.url));
export const NAME = '__PLUGIN_NAME__';
export const VERSION = '0.1.0';
export const outputPath = join(here, 'dist', `${NAME}.wasm`);

export async function build() {
  const sourcePath = join(here, 'plugin.wat');
  const wasm = compileWat(await readFile(sourcePath, 'utf8'), sourcePath);
  await mkdir(dirname(outputPath), { recursive: true });
  await writeFile(outputPath, withIdentity(wasm, { plugin_name: NAME, plugin_version: VERSION }));
  return outputPath;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await build());
}
