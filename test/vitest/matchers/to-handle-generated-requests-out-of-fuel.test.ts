/**
 * `toHandleGeneratedRequests` on a counterexample that runs out of fuel: the message says where
 * the fuel went — the five functions with the most self fuel, from a profiled replay of the shrunk
 * request on a fresh instance. The fuel figures depend on the engine's accounting and are masked;
 * the burners' order does not (each burns a fixed multiple of the next), nor does the rest.
 */
import '../../../src/vitest/setup.js';
import { describe, expect, test } from 'vitest';
import { ShapeFn } from '../../../src/wire/index.js';
import { emptyHeaderFuelBurnerPlugin, emptyHeaderTrapPlugin } from '../../support/fuzz-guests.js';
import { uncoloured } from '../../support/uncoloured.js';

/** `uncoloured`, with the figures of the hint's lines masked too. */
async function masked(assertion: PromiseLike<unknown>): Promise<void> {
  try {
    await uncoloured(assertion);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const text = error.message.replace(
      /^( {2}\d\. [^:]+: )[\d,]+ self, [\d,]+ total, [\d,]+ calls?$/gm,
      '$1<n> self, <n> total, <n> call(s)',
    );
    throw Object.assign(new Error(text), { name: error.name });
  }
}

describe('toHandleGeneratedRequests on a request that runs out of fuel', { timeout: 60_000 }, () => {
  test('lists the functions with the most self fuel after the outcome', async () => {
    await expect(
      masked(
        expect(emptyHeaderFuelBurnerPlugin()).toHandleGeneratedRequests(ShapeFn, {
          runs: 200,
          seed: 1,
          fuel: 1_000_000,
        }),
      ),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toHandleGeneratedRequests(ShapeFn, options)

      Expected the plugin to handle every generated shape request, but the plugin ran out of fuel
      (failed after 10 generated shape requests; shrunk 12 times)

      Request: {"request":{"request_id":"","headers":[{"name":"","value_base64":""}],"method":"","path":"","query":null,"body_base64":""},"upstream":{"kind":"anthropic_direct"},"principal":{"id":"","kind":"","claims":{}}}

      Outcome: fallback FailRequest at stage plugin_call
      Error:   PluginCall: plugin call failed: plugin ran out of fuel
      Fuel used: <n> of 1000000

      Most self fuel (a profiled replay of the call on a fresh instance):
        1. burn_8: <n> self, <n> total, <n> call(s)
        2. burn_4: <n> self, <n> total, <n> call(s)
        3. burn_2: <n> self, <n> total, <n> call(s)
        4. burn_1: <n> self, <n> total, <n> call(s)
        5. func[10]: <n> self, <n> total, <n> call(s)

      Seed:   1
      Replay: { seed: 1, path: '9:0:1:0:1:1:1:1:1:1:1:1:1' } (pass as options.replay)]
    `);
  });

  test('the export spent the whole budget: its total is the fuel the call used', async () => {
    await expect(
      uncoloured(
        expect(emptyHeaderFuelBurnerPlugin()).toHandleGeneratedRequests(ShapeFn, {
          runs: 200,
          seed: 1,
          fuel: 1_000_000,
        }),
      ),
    ).rejects.toThrow(/\n {2}5\. func\[\d+\]: [\d,]+ self, 1,000,000 total, 1 call\n/);
  });

  test('other counterexamples get no hint', async () => {
    await expect(
      uncoloured(expect(emptyHeaderTrapPlugin()).toHandleGeneratedRequests(ShapeFn, { runs: 200, seed: 1 })),
    ).rejects.toThrow(/^(?![\s\S]*Most self fuel)[\s\S]*the plugin trapped/);
  });
});
