// Builds the plugin in two steps:
// 1. compile assembly/ with the AssemblyScript compiler's programmatic API, using the `release`
//    target of asconfig.json (the flags are explained in README.md);
// 2. stamp the `cc_lb.plugin.v1` identity section with `cc-lb-conformance stamp`, because asc
//    cannot emit custom sections and the cc-lb host refuses a module without one.
// Writes dist/assemblyscript-signer.wasm. `node build.mjs` builds and prints the path; `build()`
// returns it. A hash of everything that shapes the output is kept next to it, so an unchanged
// build is skipped.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const NAME = 'assemblyscript-signer';
export const VERSION = '0.1.0';
/** Where the stamped module is written. */
export const outputPath = join(here, 'dist', `${NAME}.wasm`);
const hashPath = `${outputPath}.sha256`;

export async function build() {
  const hash = await sourceHash();
  const previous = await readFile(hashPath, 'utf8').catch(() => undefined);
  const present = await readFile(outputPath).then(
    () => true,
    () => false,
  );
  if (present && previous === hash) return outputPath;

  await mkdir(dirname(outputPath), { recursive: true });
  // Build beside the output and rename at the end, so a reader never sees a half-built module.
  const temp = `${outputPath}.${process.pid}.tmp`;
  try {
    await writeFile(temp, await compile());
    await stamp(temp);
    await rename(temp, outputPath);
  } finally {
    await rm(temp, { force: true });
  }
  await writeFile(hashPath, hash);
  return outputPath;
}

/** Runs asc in-process; its diagnostics become the error message. */
async function compile() {
  // Loaded only when compiling: the compiler takes about a second to load.
  const { default: asc } = await import('assemblyscript/asc');
  let binary;
  const stderr = asc.createMemoryStream();
  const args = ['--baseDir', here, '--config', 'asconfig.json', '--target', 'release', '--noColors'];
  const { error } = await asc.main(args, {
    stdout: asc.createMemoryStream(),
    stderr,
    // Keep the binary in memory instead of letting asc write asconfig's outFile.
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm')) binary = contents;
    },
  });
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  if (binary === undefined) throw new Error(`asc wrote no .wasm\n${stderr.toString()}`);
  return binary;
}

/** `cc-lb-conformance stamp <wasm> --name … --version …`, rewriting the file in place. */
async function stamp(wasm) {
  try {
    await promisify(execFile)(process.execPath, [
      cliPath(),
      'stamp',
      wasm,
      '--name',
      NAME,
      '--version',
      VERSION,
    ]);
  } catch (error) {
    throw new Error(`cc-lb-conformance stamp failed: ${error.stderr || error.message}`);
  }
}

/** The package's `cc-lb-conformance` bin, found through its package.json like npm links it. */
function cliPath() {
  const manifest = require.resolve('cc-lb-plugin-conformance/package.json');
  const { bin } = require(manifest);
  return join(dirname(manifest), typeof bin === 'string' ? bin : bin['cc-lb-conformance']);
}

/** sha-256 over the sources, asconfig.json, the compiler and PDK versions, and the identity. */
async function sourceHash() {
  const hash = createHash('sha256');
  const files = ['asconfig.json', ...(await readdir(join(here, 'assembly'))).map((f) => join('assembly', f))];
  for (const file of files.sort()) {
    hash.update(`${file}\0`);
    hash.update(await readFile(join(here, file)));
    hash.update('\0');
  }
  const versionOf = (name) => require(`${name}/package.json`).version;
  hash.update(
    `asc ${versionOf('assemblyscript')}\0as-pdk ${versionOf('@extism/as-pdk')}\0${NAME}\0${VERSION}`,
  );
  return hash.digest('hex');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await build());
}
