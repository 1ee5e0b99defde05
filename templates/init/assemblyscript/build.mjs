// Builds the plugin in two steps:
// 1. compile assembly/ with the AssemblyScript compiler (the `release` target of asconfig.json:
//    `--runtime minimal` with a collection after every call, `--use abort=` because the cc-lb host
//    provides no `env.abort` import, optimized for speed since the host meters every instruction);
// 2. stamp the `cc_lb.plugin.v1` identity section, which asc cannot emit and without which the
//    host refuses the module (`npx cc-lb-conformance stamp <wasm> --name … --version …` does the
//    same from a shell).
// Writes dist/__PLUGIN_NAME__.wasm. `node build.mjs` builds and prints the path.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { withIdentity } from 'cc-lb-plugin-conformance/wat';

const here = dirname(fileURLToPath(import.meta.url));
export const NAME = '__PLUGIN_NAME__';
export const VERSION = '0.1.0';
export const outputPath = join(here, 'dist', `${NAME}.wasm`);

export async function build() {
  // Loaded only when building: the compiler takes about a second to load.
  const { default: asc } = await import('assemblyscript/asc');
  let binary;
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main(['--baseDir', here, '--config', 'asconfig.json', '--target', 'release'], {
    stdout: asc.createMemoryStream(),
    stderr,
    // Keep the binary in memory: it is written once, stamped.
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm')) binary = contents;
    },
  });
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  if (binary === undefined) throw new Error(`asc wrote no .wasm\n${stderr.toString()}`);
  await mkdir(dirname(outputPath), { recursive: true });
  await writeFile(outputPath, withIdentity(binary, { plugin_name: NAME, plugin_version: VERSION }));
  return outputPath;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await build());
}
