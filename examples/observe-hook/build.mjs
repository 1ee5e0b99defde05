// Builds the plugin: compiles plugin.wat, stamps the identity from identity.json into the
// `cc_lb.plugin.v1` custom section (WAT has no syntax for custom sections) and writes
// dist/observe-hook.wasm. `node build.mjs` builds and prints the path; `build()` returns it.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileWat, withIdentity } from 'cc-lb-plugin-conformance/wat';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * What the host must offer for the plugin to accept the handshake: verify it with
 * `cc-lb-conformance verify dist/observe-hook.wasm --capability observability:emit`.
 */
export const capabilities = ['observability:emit'];

export async function build() {
  const sourcePath = join(here, 'plugin.wat');
  const identity = JSON.parse(await readFile(join(here, 'identity.json'), 'utf8'));
  const wasm = withIdentity(compileWat(await readFile(sourcePath, 'utf8'), sourcePath), identity);
  const out = join(here, 'dist', 'observe-hook.wasm');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, wasm);
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await build());
}
