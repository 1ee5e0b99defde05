import '../../../src/vitest/setup.js';
import { describe, expect, test } from 'vitest';
import { PluginSession, plugin } from '../../../src/conformance/index.js';
import { output, selfCheckJson } from '../../../src/wat/index.js';
import { uncoloured } from '../../support/uncoloured.js';
import { shapePlugin, trappingSelfCheckPlugin } from '../../support/vitest-plugins.js';

const reportsFailure = shapePlugin({
  exports: {
    cc_lb_self_check: output(
      selfCheckJson({
        status: 'failure',
        failures: [{ stage: 'wire_function_test', message: 'shape broke' }],
      }),
    ),
  },
});

describe('toPassSelfCheck', () => {
  test('passes when the self-check reports success', async () => {
    await expect(shapePlugin()).toPassSelfCheck();
    await expect(plugin(shapePlugin())).toPassSelfCheck();
  });

  test('fails with the self-check error chain', async () => {
    await expect(
      uncoloured(expect(reportsFailure).toPassSelfCheck()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toPassSelfCheck()

      Expected the self-check to pass
      Received failure: SelfCheckError FailureStatus: self-check reported failure status
        caused by SelfCheckExecutionError FailureStatus: self-check reported failure status with 1 failure(s)]
    `);
    await expect(
      uncoloured(expect(trappingSelfCheckPlugin()).toPassSelfCheck()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toPassSelfCheck()

      Expected the self-check to pass
      Received failure: SelfCheckError WasmTrap: wasm execution failed: wasm trap: wasm \`unreachable\` instruction executed
        caused by SelfCheckExecutionError Call: self-check call failed: wasm trap: wasm \`unreachable\` instruction executed
        caused by PluginCallError Trap: wasm trap: wasm \`unreachable\` instruction executed
        caused by RuntimeError: unreachable]
    `);
  });

  test('.not passes when the self-check fails and fails when it passes', async () => {
    await expect(reportsFailure).not.toPassSelfCheck();
    await expect(
      uncoloured(expect(shapePlugin()).not.toPassSelfCheck()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).not.toPassSelfCheck()

      Expected the self-check to fail, but it passed (fuel used: <n> of 10000000)]
    `);
  });

  test('takes a PluginSession and runs the self-check on the plugin it was made from', async () => {
    // the handshake a session runs never calls cc_lb_self_check, so the failing one exists too
    const good = await PluginSession.create(plugin(shapePlugin(), { fuel: 5_000_000 }));
    const failing = await PluginSession.create(reportsFailure);
    try {
      await expect(good).toPassSelfCheck();
      await expect(failing).not.toPassSelfCheck();
      await expect(uncoloured(expect(failing).toPassSelfCheck())).rejects.toThrowErrorMatchingInlineSnapshot(`
        [Error: expect(received).toPassSelfCheck()

        Expected the self-check to pass
        Received failure: SelfCheckError FailureStatus: self-check reported failure status
          caused by SelfCheckExecutionError FailureStatus: self-check reported failure status with 1 failure(s)]
      `);
      // the budget said is the session's plugin's own
      await expect(
        uncoloured(expect(good).not.toPassSelfCheck()),
      ).rejects.toThrowErrorMatchingInlineSnapshot(`
        [Error: expect(received).not.toPassSelfCheck()

        Expected the self-check to fail, but it passed (fuel used: <n> of 5000000)]
      `);
    } finally {
      await good.close();
      await failing.close();
    }
  });

  test('rejects a wrong receiver', async () => {
    await expect(
      uncoloured(expect({ wasm: shapePlugin() }).toPassSelfCheck()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toPassSelfCheck()

      Matcher error: received value must be wasm bytes (Uint8Array, ArrayBuffer or ArrayBufferView), a PluginUnderTest from plugin() or a PluginSession

      Received has type:  Object
      Received has value: Object {
        "wasm": [Uint8Array],
      }]
    `);
  });
});
