// Builds the plugin: compiles plugin.wat, stamps the identity from identity.json into the
// `cc_lb.plugin.v1` custom section (WAT has no syntax for custom sections) and writes
// dist/router-filter.wasm. `node build.mjs` builds and prints the path; `build()` returns it.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileWat, withIdentity } from 'cc-lb-plugin-conformance/wat';

const here = dirname(fileURLToPath(import.meta.url));

export async function build() {
  const sourcePath = join(here, 'plugin.wat');
  const identity = JSON.parse(await readFile(join(here, 'identity.json'), 'utf8'));
  const wasm = withIdentity(compileWat(await readFile(sourcePath, 'utf8'), sourcePath), identity);
  const out = join(here, 'dist', 'router-filter.wasm');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, wasm);
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await build());
}
