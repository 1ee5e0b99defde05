import { test } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { compileWat, pluginModuleWat, output, acceptJson, selfCheckJson } from '../../src/wat/index.js';
import { writeFileSync } from 'node:fs';
import { withIdentity } from '../../src/wat/index.js';

async function run(...argv: string[]) {
  let s = '';
  const w = { write: (x: string) => { s += x; return true; } } as never;
  const code = await runCli(argv, { stdout: w, stderr: w, env: {} });
  console.log(argv.join(' '), code, '\n' + s);
}
test('probe', async () => {
  const base = pluginModuleWat({ exports: { cc_lb_handshake: output(acceptJson({ chosen_versions: { filter: 1 }, plugin_supported: { filter: [1] }, implemented_functions: ['filter'] })), cc_lb_self_check: output(selfCheckJson()), filter: output({_v:1, results: []}) } });
  const abort = base.replace('(module', '(module\n  (import "env" "abort" (func $abort (param i32 i32 i32 i32)))');
  const wasi = base.replace('(module', '(module\n  (import "wasi_snapshot_preview1" "fd_write" (func $fdw (param i32 i32 i32 i32) (result i32)))');
  writeFileSync('/tmp/abort.wasm', withIdentity(compileWat(abort), {}));
  writeFileSync('/tmp/wasi.wasm', withIdentity(compileWat(wasi), {}));
  writeFileSync('/tmp/noid.wasm', compileWat(base));
  await run('/tmp/abort.wasm');
  await run('/tmp/wasi.wasm');
  await run('/tmp/noid.wasm');
  await run('/tmp/noid.wasm', '--json');
});
