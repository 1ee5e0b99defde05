// `npm start`: builds every bundled example plugin with its own build script and runs
// `cc-lb-conformance verify` on each (offering the capabilities the example exports), printing the
// reports. Exits 1 if any example fails.
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { runCli } = await import(pathToFileURL(join(root, 'dist', 'cli', 'run.js')).href).catch((error) => {
  console.error(`cannot load the built CLI (${error.message}); run \`npm run build\` first`);
  process.exit(2);
});

const examplesDir = join(root, 'examples');
const examples = [];
for (const name of (await readdir(examplesDir)).sort()) {
  const script = join(examplesDir, name, 'build.mjs');
  if (
    await stat(script)
      .then((s) => s.isFile())
      .catch(() => false)
  )
    examples.push({ name, script });
}

let failed = 0;
for (const { name, script } of examples) {
  process.stdout.write(`\n== examples/${name}\n`);
  let wasm;
  let capabilities = [];
  try {
    const module = await import(pathToFileURL(script).href);
    // An example whose plugin needs host capabilities says so by exporting `capabilities`.
    capabilities = module.capabilities ?? [];
    wasm = await module.build();
  } catch (error) {
    failed += 1;
    process.stdout.write(`build failed: ${error.message}\n`);
    continue;
  }
  const flags = capabilities.flatMap((name) => ['--capability', name]);
  const code = await runCli(['verify', relative(process.cwd(), wasm), ...flags], {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
  if (code !== 0) failed += 1;
}
process.stdout.write(`\n${examples.length - failed} of ${examples.length} example plugin(s) verified\n`);
process.exitCode = failed === 0 ? 0 : 1;
