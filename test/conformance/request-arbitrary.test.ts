import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RequestArbitraryCache,
  requestArbitrary,
  requestArbitraryCache,
} from '../../src/conformance/request-arbitrary.js';
import { type CallResult, type LoadedPlugin, PluginCallError } from '../../src/engine/index.js';
import { dispatchWireCall } from '../../src/host/dispatch.js';
import { decodeWireValue } from '../../src/wire/decode.js';
import {
  type AnyWireFunction,
  allWireFunctions,
  FilterFn,
  ObserveFn,
  ShapeFn,
} from '../../src/wire/functions/index.js';
import { parseJsonValue } from '../../src/wire/json.js';
import { compile, type Dec } from '../../src/wire/serde-plan.js';
import { ONE_EMPTY_HEADER } from '../support/fuzz-guests.js';

/**
 * A plugin stand-in that keeps the text the host's dispatch path hands the guest, so the property
 * below holds the host's own request encoding (the fast one-pass writer and, where it declines,
 * the stepwise path) against the guest-side decode.
 */
function capturingPlugin(): { plugin: LoadedPlugin; inputs: string[] } {
  const inputs: string[] = [];
  const plugin = {
    call: async (_name: string, input: string | Uint8Array): Promise<CallResult> => {
      inputs.push(typeof input === 'string' ? input : new TextDecoder().decode(input));
      throw new PluginCallError('GuestError', 'captured');
    },
  } as unknown as LoadedPlugin;
  return { plugin, inputs };
}

/** What a guest decodes from the envelope: the request without `_v`, through the serde decoder. */
function guestDecode(fn: AnyWireFunction, input: string): unknown {
  const node = parseJsonValue(input);
  if (node.type !== 'object') throw new Error(`envelope is not an object: ${input}`);
  const entries = new Map(node.entries);
  expect(entries.get('_v')).toEqual({ type: 'int', value: 1n });
  entries.delete('_v');
  return decodeWireValue(fn.request, { type: 'object', entries });
}

// Sampling thousands of requests takes seconds on a loaded machine.
describe('requestArbitrary', { timeout: 60_000 }, () => {
  it.each(allWireFunctions.map((fn) => [fn.name, fn] as const))(
    '%s: every generated request encodes through the host request path and decodes back equal',
    async (_name, fn) => {
      const { plugin, inputs } = capturingPlugin();
      await fc.assert(
        fc.asyncProperty(requestArbitrary(fn), async (request) => {
          inputs.length = 0;
          const outcome = await dispatchWireCall(
            plugin,
            { negotiated_functions: { [fn.name]: 1 } },
            fn,
            request,
          );
          // the request was encoded and the guest reached: the only failure is our stand-in's answer
          expect(outcome).toMatchObject({
            kind: 'fallback',
            stage: 'plugin_call',
            error: 'plugin call failed: captured',
          });
          expect(inputs).toHaveLength(1);
          const decoded = guestDecode(fn, inputs[0]!);
          // strict: bigint vs number and -0 vs 0 count as different
          if (!isDeepStrictEqual(decoded, request)) {
            expect(decoded).toStrictEqual(request);
          }
        }),
        { numRuns: 150, seed: 11 },
      );
    },
  );

  it('varies every field of every request schema (a field never varied fails here)', () => {
    const failures: string[] = [];
    for (const fn of allWireFunctions) {
      const dec = compile(fn.request);
      const wanted = new Map<string, number>();
      expectedVariation(dec, fn.name, wanted, new Set());
      const seen = new Map<string, Set<string>>();
      for (const request of fc.sample(requestArbitrary(fn), { numRuns: 1500, seed: 7 })) {
        observe(dec, request, fn.name, seen);
      }
      for (const [path, least] of wanted) {
        const count = seen.get(path)?.size ?? 0;
        if (count < least) failures.push(`${path}: ${count} distinct of at least ${least}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('the variation check itself fails on a generator that never varies a field', () => {
    const dec = compile(ShapeFn.request);
    const wanted = new Map<string, number>();
    expectedVariation(dec, 'shape', wanted, new Set());
    const seen = new Map<string, Set<string>>();
    for (let k = 0; k < 50; k++) observe(dec, ShapeFn.dryRunRequest(), 'shape', seen);
    const unvaried = [...wanted]
      .filter(([path, least]) => (seen.get(path)?.size ?? 0) < least)
      .map(([p]) => p);
    expect(unvaried).toContain('shape/request/method');
    expect(unvaried).toContain('shape/principal/claims#');
    expect(unvaried).toContain('shape/upstream_base_url?');
  });

  it('reaches the edges that break parsers', () => {
    const requests = fc.sample(requestArbitrary(FilterFn), { numRuns: 3000, seed: 3 });
    const texts = requests.flatMap((r) => [r.request_id, r.method, r.path, ...r.headers.map((h) => h.name)]);
    expect(texts).toContain('');
    expect(texts.some((t) => /[\u{10000}-\u{10FFFF}]/u.test(t))).toBe(true);
    expect(texts.some((t) => /[\u0000-\u001f"\\]/.test(t))).toBe(true);
    expect(texts.some((t) => t.length >= 1000)).toBe(true);
    const bodies = requests.map((r) => Buffer.from(r.body_base64, 'base64'));
    expect(bodies.some((b) => b.length === 0)).toBe(true);
    expect(bodies.some((b) => b.length >= 8 * 1024)).toBe(true);
    expect(Math.max(...bodies.map((b) => b.length))).toBe(64 * 1024);
    // every base64 field is canonical standard base64
    for (const r of requests)
      expect(Buffer.from(r.body_base64, 'base64').toString('base64')).toBe(r.body_base64);
    const ints = requests.flatMap((r) =>
      r.candidates.flatMap((c) => c.observed_rate_limits.map((o) => o.limit)),
    );
    expect(ints).toContain(18446744073709551615n);
    expect(ints).toContain(0);
    expect(requests.some((r) => r.headers.length === 0)).toBe(true);
    expect(requests.some((r) => r.candidates.length >= 3)).toBe(true);
  });

  // text and JSON bodies stay below 8 KiB: larger ones are patterned
  it('a large body is the repeating pattern, written as base64 of exactly its bytes', () => {
    const requests = fc.sample(requestArbitrary(FilterFn), { numRuns: 3000, seed: 3 });
    const large = requests
      .map((r) => Buffer.from(r.body_base64, 'base64'))
      .filter((b) => b.length >= 8 * 1024);
    expect(large.length).toBeGreaterThan(0);
    for (const body of large) {
      const wrong = body.findIndex((byte, k) => byte !== ((body[0]! + k * 31) & 0xff));
      expect(wrong).toBe(-1);
    }
  });

  it('builds one arbitrary per function and bounds, and the cache is bounded and clears', () => {
    expect(requestArbitrary(FilterFn)).toBe(requestArbitrary(FilterFn, { size: 'small' }));
    expect(requestArbitrary(FilterFn)).not.toBe(requestArbitrary(FilterFn, { maxBodyBytes: 10 }));
    expect(requestArbitrary(FilterFn)).not.toBe(requestArbitrary(ShapeFn));
    const first = requestArbitrary(ObserveFn, { maxTextLength: 3 });
    requestArbitraryCache.clear();
    expect(requestArbitraryCache.size).toBe(0);
    const rebuilt = requestArbitrary(ObserveFn, { maxTextLength: 3 });
    expect(rebuilt).not.toBe(first);
    // the rebuilt arbitrary generates exactly what the first did
    expect(fc.sample(rebuilt, { numRuns: 20, seed: 9 })).toStrictEqual(
      fc.sample(first, { numRuns: 20, seed: 9 }),
    );
    const bounds = { size: 'small', maxBodyBytes: 1, maxTextLength: 1 } as const;
    const small = new RequestArbitraryCache(2);
    const a = small.arbitrary(ShapeFn, bounds);
    expect(small.arbitrary(ShapeFn, bounds)).toBe(a);
    small.arbitrary(FilterFn, bounds);
    expect(small.size).toBe(2);
    // a third entry starts over rather than growing past the bound
    small.arbitrary(ObserveFn, bounds);
    expect(small.size).toBe(1);
    expect(small.arbitrary(ShapeFn, bounds)).not.toBe(a);
  });

  it('the size option bounds bodies and long texts', () => {
    const requests = fc.sample(requestArbitrary(FilterFn, { maxBodyBytes: 10, maxTextLength: 5 }), {
      numRuns: 500,
      seed: 5,
    });
    for (const r of requests) {
      expect(Buffer.from(r.body_base64, 'base64').length).toBeLessThanOrEqual(10);
    }
    expect(() => requestArbitrary(FilterFn, { maxBodyBytes: -1 })).toThrow(
      'requestArbitrary: maxBodyBytes must be a non-negative integer, received -1',
    );
  });

  it('shrinks to the smallest request that still fails', () => {
    const result = fc.check(
      fc.property(requestArbitrary(ShapeFn), (request) =>
        request.request.headers.every((h) => h.name !== ''),
      ),
      { seed: 1, numRuns: 1000 },
    );
    expect(result.failed).toBe(true);
    expect(result.counterexample?.[0]).toEqual(ONE_EMPTY_HEADER);
  });
});

/**
 * The least number of distinct observations each path of the schema must show: two for a leaf,
 * present and absent for an option, empty and non-empty for a list or map, every value of an enum
 * and every variant of a tagged enum.
 */
function expectedVariation(dec: Dec, path: string, out: Map<string, number>, stack: Set<Dec>): void {
  switch (dec.t) {
    case 'str':
    case 'bool':
    case 'int':
    case 'float':
    case 'any':
      out.set(path, dec.t === 'any' ? 6 : 2);
      return;
    case 'enum':
      out.set(path, dec.values.length);
      return;
    case 'opt':
      out.set(`${path}?`, 2);
      expectedVariation(dec.inner, path, out, stack);
      return;
    case 'list':
    case 'set':
      out.set(`${path}#`, 2);
      if (dec.t === 'list') expectedVariation(dec.item, `${path}/[]`, out, stack);
      else out.set(`${path}/[]`, 2);
      return;
    case 'fixed':
      expectedVariation(dec.item, `${path}/[]`, out, stack);
      return;
    case 'map':
      out.set(`${path}#`, 2);
      out.set(`${path}/{key}`, 2);
      expectedVariation(dec.value, `${path}/{}`, out, stack);
      return;
    case 'struct':
      for (const field of dec.fields) expectedVariation(field.dec, `${path}/${field.name}`, out, stack);
      return;
    case 'tagged':
      out.set(`${path}@`, dec.variants.size);
      for (const variant of dec.variants.values()) {
        if (variant.struct !== null)
          expectedVariation(variant.struct, `${path}<${variant.name}>`, out, stack);
      }
      return;
  }
}

function observe(dec: Dec, value: unknown, path: string, seen: Map<string, Set<string>>): void {
  const note = (at: string, what: string) => {
    let set = seen.get(at);
    if (set === undefined) {
      set = new Set();
      seen.set(at, set);
    }
    set.add(what);
  };
  switch (dec.t) {
    case 'str':
    case 'bool':
    case 'int':
    case 'float':
    case 'enum':
      note(path, `${typeof value}:${String(value)}`);
      return;
    case 'any':
      note(path, value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
      return;
    case 'opt':
      note(`${path}?`, value === undefined || value === null ? 'absent' : 'present');
      if (value !== undefined && value !== null) observe(dec.inner, value, path, seen);
      return;
    case 'list':
    case 'set':
    case 'fixed': {
      const items = value as unknown[];
      if (dec.t !== 'fixed') note(`${path}#`, items.length === 0 ? 'empty' : 'items');
      for (const item of items) {
        if (dec.t === 'set') note(`${path}/[]`, String(item));
        else observe(dec.item, item, `${path}/[]`, seen);
      }
      return;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>);
      note(`${path}#`, entries.length === 0 ? 'empty' : 'entries');
      for (const [key, item] of entries) {
        note(`${path}/{key}`, key);
        observe(dec.value, item, `${path}/{}`, seen);
      }
      return;
    }
    case 'struct':
      for (const field of dec.fields) {
        observe(field.dec, (value as Record<string, unknown>)[field.name], `${path}/${field.name}`, seen);
      }
      return;
    case 'tagged': {
      const name = (value as Record<string, unknown>)[dec.tag] as string;
      note(`${path}@`, name);
      const variant = dec.variants.get(name);
      if (variant?.struct) observe(variant.struct, value, `${path}<${name}>`, seen);
      return;
    }
  }
}
