import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/conformance/fuzz.js';
import { plugin } from '../../src/conformance/plugin-under-test.js';
import { PluginSession } from '../../src/conformance/session.js';
import { fail, output, returnCode, spin } from '../../src/wat/plugin-module.js';
import { FilterFn, ShapeFn } from '../../src/wire/index.js';
import { emptyHeaderTrapPlugin, ONE_EMPTY_HEADER, statefulShapePlugin } from '../support/fuzz-guests.js';
import { SHAPE_RESPONSE, shapePlugin } from '../support/vitest-plugins.js';

const NO_FALLBACKS = {
  version_lookup: 0,
  request_envelope: 0,
  serialize_request: 0,
  plugin_call: 0,
  deserialize_response: 0,
  response_envelope: 0,
  response_decode: 0,
  panic: 0,
};

describe('fuzz.run', { timeout: 60_000 }, () => {
  it('passes a plugin that answers every generated request, with the stats of the runs', async () => {
    const report = await fuzz.run(shapePlugin(), ShapeFn, { runs: 50, seed: 4 });
    expect(report).toMatchObject({ function: 'shape', passed: true, runs: 50, seed: 4 });
    expect(report.stats).toMatchObject({ ok: 50, guestErrors: 0, fallbacks: NO_FALLBACKS });
    expect(report.stats.maxFuel).toBeGreaterThan(0);
    expect(report.counterexample).toBeUndefined();
  });

  it('shrinks a planted bug to its minimal case: one header with an empty name', async () => {
    const report = await fuzz.run(emptyHeaderTrapPlugin(), ShapeFn, { runs: 200, seed: 1 });
    expect(report.passed).toBe(false);
    expect(report.counterexample?.request).toEqual(ONE_EMPTY_HEADER);
    expect(report.counterexample?.failure).toBe('the plugin trapped');
    expect(report.counterexample?.outcome).toMatchObject({
      kind: 'fallback',
      policy: 'FailRequest',
      stage: 'plugin_call',
      error: 'plugin call failed: wasm trap: wasm `unreachable` instruction executed',
    });
    expect(report.counterexample?.shrinks).toBeGreaterThan(0);
    expect(report.counterexample?.replay).toEqual({ seed: 1, path: expect.stringMatching(/^\d+(:\d+)*$/) });
    // the runs before the failing one answered; the failing one counts as a plugin_call fallback
    expect(report.stats.fallbacks.plugin_call).toBe(1);
    expect(report.stats.ok).toBe(report.runs - 1);
  });

  it('replays exactly the shrunk case from the report', async () => {
    const wasm = emptyHeaderTrapPlugin();
    const first = await fuzz.run(wasm, ShapeFn, { runs: 200, seed: 1 });
    const replay = first.counterexample?.replay;
    expect(replay).toBeDefined();
    const again = await fuzz.run(wasm, ShapeFn, { replay });
    expect(again).toMatchObject({ passed: false, runs: 1, seed: 1 });
    expect(again.counterexample?.request).toEqual(first.counterexample?.request);
    expect(again.counterexample?.shrinks).toBe(0);
    expect(again.counterexample?.replay).toEqual(replay);
    // the same case on a plugin without the bug passes
    expect(await fuzz.run(shapePlugin(), ShapeFn, { replay })).toMatchObject({ passed: true, runs: 1 });
  });

  it('deterministic: catches a plugin that answers differently on a fresh session', async () => {
    const wasm = statefulShapePlugin();
    // without the replay every answer is a valid response
    expect(await fuzz.run(wasm, ShapeFn, { runs: 5, seed: 2 })).toMatchObject({ passed: true });
    const report = await fuzz.run(wasm, ShapeFn, { runs: 5, seed: 2, deterministic: true });
    expect(report.passed).toBe(false);
    expect(report.counterexample?.failure).toBe(
      'the plugin answered differently on a fresh session: ok {"url":"https://api.anthropic.com/v1/messages","method":"POST","headers":[],"body_base64":""}',
    );
    expect(report.counterexample?.outcome).toMatchObject({
      kind: 'ok',
      response: { url: 'https://example.invalid/v1/messages' },
    });
    // a plugin without state passes the same mode
    expect(await fuzz.run(shapePlugin(), ShapeFn, { runs: 5, seed: 2, deterministic: true })).toMatchObject({
      passed: true,
    });
  });

  it('a guest error is a legal answer unless allowGuestErrors is false', async () => {
    const wasm = shapePlugin({ exports: { shape: fail('upstream refused') } });
    const allowed = await fuzz.run(wasm, ShapeFn, { runs: 20, seed: 3 });
    expect(allowed).toMatchObject({ passed: true, runs: 20 });
    expect(allowed.stats).toMatchObject({
      ok: 0,
      guestErrors: 20,
      fallbacks: { ...NO_FALLBACKS, plugin_call: 20 },
    });
    const refused = await fuzz.run(wasm, ShapeFn, { runs: 20, seed: 3, allowGuestErrors: false });
    expect(refused.passed).toBe(false);
    expect(refused.counterexample?.failure).toBe(
      'the plugin answered with a guest error (allowGuestErrors: false)',
    );
    expect(refused.counterexample?.outcome).toMatchObject({ error: 'plugin call failed: upstream refused' });
    // the first request fails and every request fails: shrinking ends at the smallest request
    expect(refused.counterexample?.request).toEqual({
      ...ONE_EMPTY_HEADER,
      request: { ...ONE_EMPTY_HEADER.request, headers: [] },
    });
  });

  it.each([
    [
      'a bare non-zero exit',
      returnCode(3),
      'the plugin returned a non-zero exit code without an error message',
    ],
    ['an answer without _v', output({ url: '' }), 'the response did not pass the envelope'],
    ['an answer that does not decode', output({ _v: 1, url: 1 }), 'the response did not decode'],
  ])('fails %s', async (_name, behaviour, failure) => {
    const report = await fuzz.run(shapePlugin({ exports: { shape: behaviour } }), ShapeFn, {
      runs: 5,
      seed: 5,
    });
    expect(report.passed).toBe(false);
    expect(report.counterexample?.failure).toBe(failure);
  });

  it('fuel is the budget of each generated call: a spinning export runs out of it', async () => {
    const report = await fuzz.run(shapePlugin({ exports: { shape: spin() } }), ShapeFn, {
      runs: 3,
      seed: 6,
      fuel: 50_000,
    });
    expect(report.passed).toBe(false);
    expect(report.counterexample?.failure).toBe('the plugin ran out of fuel');
    expect(report.counterexample?.outcome).toMatchObject({
      error: 'plugin call failed: plugin ran out of fuel',
      fuelConsumed: 50_000,
    });
    expect(report.stats.maxFuel).toBe(50_000);
  });

  it("the author's check fails a case by returning false or throwing", async () => {
    const returned = await fuzz.run(shapePlugin(), ShapeFn, {
      runs: 100,
      seed: 7,
      check: (request) => request.request.headers.length < 2,
    });
    expect(returned.counterexample?.failure).toBe('check returned false');
    expect(returned.counterexample?.request.request.headers).toHaveLength(2);
    const thrown = await fuzz.run(shapePlugin(), ShapeFn, {
      runs: 10,
      seed: 7,
      check: (_request, outcome) => {
        if (outcome.kind === 'ok') expect(outcome.response.url).toBe('https://elsewhere/');
      },
    });
    expect(thrown.counterexample?.failure).toMatch(
      /^check threw: expected 'https:\/\/api\.anthropic\.com\/v1\/messages' to be 'https:\/\/elsewhere\/'/,
    );
    // the check sees the typed outcome of the function
    const seen: unknown[] = [];
    await fuzz.run(shapePlugin(), ShapeFn, {
      runs: 3,
      seed: 7,
      check: (_r, outcome) => void seen.push(outcome),
    });
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatchObject({ kind: 'ok', response: { url: SHAPE_RESPONSE.url } });
  });

  it('takes a session, uses its instance and leaves it open', async () => {
    const session = await PluginSession.create(shapePlugin());
    try {
      const report = await fuzz.run(session, ShapeFn, { runs: 10, seed: 8 });
      expect(report).toMatchObject({ passed: true, runs: 10 });
      expect(session.closed).toBe(false);
      expect(session.lastCall?.function).toBe('shape');
    } finally {
      await session.close();
    }
  });

  it('refuses a function the plugin did not negotiate, and bad options', async () => {
    await expect(fuzz.run(shapePlugin(), FilterFn)).rejects.toThrow(
      'fuzz.run: the plugin did not negotiate filter (negotiated: shape)',
    );
    await expect(fuzz.run(plugin(shapePlugin()), ShapeFn, { runs: 0 })).rejects.toThrow(
      'fuzz.run: runs must be a positive integer, received 0',
    );
  });
});
