/**
 * What a person sees when an assertion fails, from a child Vitest run: the matcher's message, once,
 * with the cause chain told in it — no `Caused by:` blocks repeating it, no `Serialized Error`
 * property dumps, and no stack frames inside this package or the Extism SDK; the only frame is
 * the test's own line.
 */
import { expect, test } from 'vitest';
import { repoFile, runChildVitest } from '../support/child-vitest.js';

test('a failing matcher prints one readable message: no duplicated causes, no internal frames', async () => {
  const imports = (entry: string) => JSON.stringify(repoFile(entry));
  const result = await runChildVitest({
    'failing.test.ts': `import { plugin } from ${imports('src/conformance/index.ts')};
import { ShapeFn } from ${imports('src/wire/index.ts')};
import { acceptJson, output, pluginModule, selfCheckJson, spin } from ${imports('src/wat/index.ts')};
const accept = acceptJson({ chosen_versions: { shape: 1 }, plugin_supported: { shape: [1] }, implemented_functions: ['shape'] });
const spinsInShape = pluginModule({ exports: { cc_lb_handshake: output(accept), cc_lb_self_check: output(selfCheckJson()), shape: spin() } });
const spinsInHandshake = pluginModule({ exports: { cc_lb_handshake: spin(), cc_lb_self_check: output(selfCheckJson()), shape: spin() } });
test('dispatch out of fuel', async () => {
  await expect(plugin(spinsInShape, { fuel: 100000 })).toDispatch(ShapeFn).ok();
});
test('handshake out of fuel before the dispatch', async () => {
  await expect(plugin(spinsInHandshake, { fuel: 100000 })).toDispatch(ShapeFn);
});
test('handshake out of fuel', async () => {
  await expect(plugin(spinsInHandshake, { fuel: 100000 })).toHandshake();
});
`,
  });
  const { output } = result;
  expect(result.code).toBe(1);
  expect(output).toMatch(/Tests {2}3 failed \(3\)/);
  // Each failure's chain is told once in the summary and once in the failure list, never more.
  expect(output.match(/caused by PluginCallError OutOfFuel: plugin ran out of fuel/g)).toHaveLength(4);
  expect(output).toContain(
    'The plugin never reached the shape call:\n' +
      'RunError Handshake: handshake failed: wasm execution failed: handshake call exceeded timeout/fuel budget\n' +
      '  caused by HandshakeError WasmTrap: wasm execution failed: handshake call exceeded timeout/fuel budget\n' +
      '  caused by HandshakeExecutionError Timeout: handshake call exceeded timeout/fuel budget\n' +
      '  caused by PluginCallError OutOfFuel: plugin ran out of fuel\n',
  );
  expect(output).toContain(
    'Error:  PluginCall: plugin call failed: plugin ran out of fuel\nFuel used: 100000 of 100000',
  );
  expect(output).not.toContain('Caused by:');
  expect(output).not.toContain('Serialized Error');
  expect(output).not.toContain('RuntimeError: unreachable');
  expect(output).not.toContain('@extism/extism');
  expect(output).not.toMatch(/src\/(vitest|conformance|host|engine)\//);
  // the frame under each message is the assertion's own line
  expect(output.match(/❯ failing\.test\.ts:\d+:\d+/g)).toHaveLength(3);
}, 60_000);
