import '../../../src/vitest/setup.js';
import { describe, expect, test } from 'vitest';
import { PluginSession } from '../../../src/conformance/index.js';
import { FilterFn, ShapeFn } from '../../../src/wire/index.js';
import { emptyHeaderTrapPlugin } from '../../support/fuzz-guests.js';
import { uncoloured } from '../../support/uncoloured.js';
import { shapePlugin } from '../../support/vitest-plugins.js';

const good = shapePlugin();

describe('toHandleGeneratedRequests', { timeout: 60_000 }, () => {
  test('passes when no generated request breaks the plugin', async () => {
    await expect(good).toHandleGeneratedRequests(ShapeFn, { runs: 30, seed: 1 });
  });

  test('fails with the shrunk request, its outcome, the seed and the replay object', async () => {
    await expect(
      uncoloured(expect(emptyHeaderTrapPlugin()).toHandleGeneratedRequests(ShapeFn, { runs: 200, seed: 1 })),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toHandleGeneratedRequests(ShapeFn, options)

      Expected the plugin to handle every generated shape request, but the plugin trapped
      (failed after 10 generated shape requests; shrunk 12 times)

      Request: {"request":{"request_id":"","headers":[{"name":"","value_base64":""}],"method":"","path":"","query":null,"body_base64":""},"upstream":{"kind":"anthropic_direct"},"principal":{"id":"","kind":"","claims":{}}}

      Outcome: fallback FailRequest at stage plugin_call
      Error:   PluginCall: plugin call failed: wasm trap: wasm \`unreachable\` instruction executed
      Fuel used: <n> of 10000000

      Seed:   1
      Replay: { seed: 1, path: '9:0:1:0:1:1:1:1:1:1:1:1:1' } (pass as options.replay)]
    `);
  });

  test("fails on the author's check, and says so", async () => {
    await expect(
      uncoloured(
        expect(good).toHandleGeneratedRequests(ShapeFn, {
          runs: 100,
          seed: 7,
          check: (request) => request.request.headers.length < 2,
        }),
      ),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toHandleGeneratedRequests(ShapeFn, options)

      Expected the plugin to handle every generated shape request, but check returned false
      (failed after 3 generated shape requests; shrunk 13 times)

      Request: {"request":{"request_id":"","headers":[{"name":"","value_base64":""},{"name":"","value_base64":""}],"method":"","path":"","query":null,"body_base64":""},"upstream":{"kind":"anthropic_direct"},"principal":{"id":"","kind":"","claims":{}}}

      Outcome: Ok
      Response: {"url":"https://api.anthropic.com/v1/messages","method":"POST","headers":[],"body_base64":""}
      Fuel used: <n> of 10000000

      Seed:   7
      Replay: { seed: 7, path: '2:0:2:1:1:2:2:2:2:2:2:2:2:2' } (pass as options.replay)]
    `);
  });

  test('.not passes on a counterexample and fails, with the stats, when every run passed', async () => {
    await expect(emptyHeaderTrapPlugin()).not.toHandleGeneratedRequests(ShapeFn, { runs: 200, seed: 1 });
    await expect(
      uncoloured(expect(good).not.toHandleGeneratedRequests(ShapeFn, { runs: 20, seed: 3 })),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).not.toHandleGeneratedRequests(ShapeFn, options)

      Expected a generated shape request the plugin does not handle, but all 20 generated shape requests passed

      Ok:           20
      Guest errors: 0
      Fallbacks:    none
      Max fuel used: <n> of 10000000
      Seed:         3]
    `);
  });

  test('takes a session and fuzzes its instance', async () => {
    const session = await PluginSession.create(good);
    try {
      await expect(session).toHandleGeneratedRequests(ShapeFn, { runs: 10, seed: 2 });
      expect(session.lastCall?.function).toBe('shape');
    } finally {
      await session.close();
    }
  });

  test('rejects a function the plugin never negotiated, .not included, and a wrong argument', async () => {
    await expect(
      uncoloured(expect(good).not.toHandleGeneratedRequests(FilterFn)),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).not.toHandleGeneratedRequests(FilterFn)

      The plugin never reached the filter calls:
      RangeError: fuzz.run: the plugin did not negotiate filter (negotiated: shape)]
    `);
    await expect(
      uncoloured(expect(good).toHandleGeneratedRequests('shape' as never)),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toHandleGeneratedRequests(fn)

      Matcher error: fn must be a wire function such as ShapeFn (exported by cc-lb-plugin-conformance)

      Expected has type:  String
      Expected has value: "shape"]
    `);
  });
});
