import '../../../src/vitest/setup.js';
import { describe, expect, test } from 'vitest';
import { PluginSession, plugin } from '../../../src/conformance/index.js';
import { output, selfCheckJson } from '../../../src/wat/index.js';
import { uncoloured } from '../../support/uncoloured.js';
import { shapePlugin, trappingSelfCheckPlugin } from '../../support/vitest-plugins.js';

const successWithFailures = shapePlugin({
  exports: {
    cc_lb_self_check: output(selfCheckJson({ failures: [{ stage: 'wire_function_test', message: 'odd' }] })),
  },
});

describe('toFailSelfCheck', () => {
  test('matches the conformance kind or a host kind in the cause chain', async () => {
    await expect(trappingSelfCheckPlugin()).toFailSelfCheck('WasmTrap');
    await expect(successWithFailures).toFailSelfCheck('Output');
    await expect(successWithFailures).toFailSelfCheck('SuccessWithFailures');
  });

  test('matches a partial error, asymmetric matchers included', async () => {
    await expect(successWithFailures).toFailSelfCheck({
      kind: 'Output',
      reason: 'self-check success response included 1 failure(s)',
    });
    await expect(trappingSelfCheckPlugin()).toFailSelfCheck({
      kind: 'WasmTrap',
      message: expect.stringMatching(/^wasm execution failed: /),
    });
  });

  test('fails when the self-check fails differently or passes', async () => {
    await expect(
      uncoloured(expect(trappingSelfCheckPlugin()).toFailSelfCheck('FailureStatus')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toFailSelfCheck(expected)

      Expected failure: FailureStatus
      Received failure: SelfCheckError WasmTrap: wasm execution failed: wasm trap: wasm \`unreachable\` instruction executed
        caused by SelfCheckExecutionError Call: self-check call failed: wasm trap: wasm \`unreachable\` instruction executed
        caused by PluginCallError Trap: wasm trap: wasm \`unreachable\` instruction executed
        caused by RuntimeError: unreachable]
    `);
    await expect(
      uncoloured(expect(shapePlugin()).toFailSelfCheck('WasmTrap')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toFailSelfCheck(expected)

      Expected failure: WasmTrap
      Received: the self-check passed (fuel used: <n> of 10000000)]
    `);
  });

  test('.not passes for another kind and fails for the named one', async () => {
    await expect(successWithFailures).not.toFailSelfCheck('WasmTrap');
    await expect(
      uncoloured(expect(successWithFailures).not.toFailSelfCheck({ kind: 'Output' })),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).not.toFailSelfCheck(expected)

      Expected failure: not Object {
        "kind": "Output",
      }
      Received failure: SelfCheckError Output: self-check output invalid: self-check success response included 1 failure(s)
        caused by SelfCheckExecutionError SuccessWithFailures: self-check success response included 1 failure(s)]
    `);
  });

  test('takes a PluginSession and runs the self-check on the plugin it was made from', async () => {
    // the handshake a session runs never calls cc_lb_self_check, so these sessions exist
    const trapping = await PluginSession.create(plugin(trappingSelfCheckPlugin(), { fuel: 5_000_000 }));
    const good = await PluginSession.create(shapePlugin());
    try {
      await expect(trapping).toFailSelfCheck({
        kind: 'WasmTrap',
        cause: expect.objectContaining({ kind: 'Call' }),
      });
      await expect(good).not.toFailSelfCheck('WasmTrap');
      await expect(uncoloured(expect(trapping).toFailSelfCheck('FailureStatus'))).rejects.toThrow(
        /^expect\(received\)\.toFailSelfCheck\(expected\)\n\nExpected failure: FailureStatus\nReceived failure: SelfCheckError WasmTrap: /,
      );
      await expect(
        uncoloured(expect(good).toFailSelfCheck('WasmTrap')),
      ).rejects.toThrowErrorMatchingInlineSnapshot(`
        [Error: expect(received).toFailSelfCheck(expected)

        Expected failure: WasmTrap
        Received: the self-check passed (fuel used: <n> of 10000000)]
      `);
    } finally {
      await trapping.close();
      await good.close();
    }
  });

  test('rejects a wrong receiver', async () => {
    await expect(
      uncoloured(expect(12).toFailSelfCheck('WasmTrap')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toFailSelfCheck(expected)

      Matcher error: received value must be wasm bytes (Uint8Array, ArrayBuffer or ArrayBufferView), a PluginUnderTest from plugin() or a PluginSession

      Received has type:  Number
      Received has value: 12]
    `);
  });
});
