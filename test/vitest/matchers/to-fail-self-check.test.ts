import '../../../src/vitest/setup.js';
import { describe, expect, test } from 'vitest';
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

  test('rejects a wrong receiver', async () => {
    await expect(
      uncoloured(expect(12).toFailSelfCheck('WasmTrap')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toFailSelfCheck(expected)

      Matcher error: received value must be wasm bytes (Uint8Array, ArrayBuffer or ArrayBufferView) or a PluginUnderTest from plugin()

      Received has type:  Number
      Received has value: 12]
    `);
  });
});
