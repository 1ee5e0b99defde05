import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeWire } from '../../src/wire/decode.js';
import { WireDecodeError } from '../../src/wire/decode-error.js';
import { encodeJsonValue, encodeWire } from '../../src/wire/encode.js';
import { parseJsonValue } from '../../src/wire/json.js';
import { compareCodePoints } from '../../src/wire/ordered.js';
import {
  anyValue,
  bool,
  f32,
  f64,
  fixedArray,
  i64,
  type JsonValue,
  list,
  map,
  nullable,
  omittable,
  type Static,
  set,
  str,
  struct,
  tagged,
  u8,
  u16,
  u32,
  u64,
  unitEnum,
  usize,
} from '../../src/wire/schema.js';

// Local stand-ins shaped like the protocol types (W2 owns the real ones).
const Header = struct('HeaderWire', { name: str(), value_base64: str() });
const RateLimit = struct('RateLimitObservationWire', {
  kind: str(),
  window: str(),
  limit: nullable(u64()),
  remaining: nullable(u64()),
  reset: nullable(str()),
});
const CacheScore = struct('CacheScoreWire', {
  predicted_cache_read_tokens: u32(),
  predicted_expires_at_unix_secs: omittable(u64()),
  confidence: f32(),
});
const Candidate = struct('CandidateWire', {
  upstream_id: str(),
  name: str(),
  kind: str(),
  observed_rate_limits: list(RateLimit),
  subscription_quotas: list(struct('SubscriptionQuotaCandidateSnapshotWire', { window: str() })),
  observed_at_unix_secs: u64(),
  cache_score: omittable(CacheScore),
});
const Upstream = tagged('UpstreamWire', 'kind', { anthropic_direct: {} });
const Event = tagged('ObserveEventWire', 'kind', {
  request_started: { request_id: str(), downstream_user_agent: nullable(str()) },
  chunk: { batch_index: u64(), event_count: usize(), total_bytes: usize() },
});
const Policy = unitEnum('FallbackPolicyWire', ['fail_request', 'silent_skip', 'use_default', 'pass_through']);
const Composite = struct('Composite', {
  id: str(),
  flag: bool(),
  small: u8(),
  port: u16(),
  big: u64(),
  signed: i64(),
  ratio: f64(),
  score: f32(),
  maybe: nullable(str()),
  extra: omittable(u32()),
  tags: set(),
  headers: list(Header),
  versions: map(list(u32())),
  magic: fixedArray(u8(), 8),
  policy: Policy,
  upstream: Upstream,
  event: Event,
  claims: anyValue(),
});

describe('encodeWire', () => {
  it('writes compact JSON in declaration order, nullable as null, omittable left out', () => {
    expect(encodeWire(RateLimit, { reset: null, limit: 5, remaining: null, window: 'w', kind: 'k' })).toBe(
      '{"kind":"k","window":"w","limit":5,"remaining":null,"reset":null}',
    );
    expect(encodeWire(CacheScore, { confidence: 0.5, predicted_cache_read_tokens: 1 })).toBe(
      '{"predicted_cache_read_tokens":1,"confidence":0.5}',
    );
    expect(
      encodeWire(CacheScore, {
        confidence: 0.5,
        predicted_cache_read_tokens: 1,
        predicted_expires_at_unix_secs: 7,
      }),
    ).toBe('{"predicted_cache_read_tokens":1,"predicted_expires_at_unix_secs":7,"confidence":0.5}');
  });

  it('W-72: v2 CandidateWire without a cache score is byte-identical to the reference JSON', () => {
    const candidate: Static<typeof Candidate> = {
      upstream_id: '11111111-1111-1111-1111-111111111111',
      name: 'byte-compatible-upstream',
      kind: 'anthropic_api_key',
      observed_rate_limits: [],
      subscription_quotas: [],
      observed_at_unix_secs: 1717171717,
    };
    expect(encodeWire(Candidate, candidate)).toBe(
      '{"upstream_id":"11111111-1111-1111-1111-111111111111","name":"byte-compatible-upstream","kind":"anthropic_api_key","observed_rate_limits":[],"subscription_quotas":[],"observed_at_unix_secs":1717171717}',
    );
  });

  it('W-70: CandidateWire JSON without cache_score decodes with the field absent', () => {
    const decoded = decodeWire(
      Candidate,
      `{
        "upstream_id": "11111111-1111-1111-1111-111111111111",
        "name": "legacy-upstream",
        "kind": "anthropic_api_key",
        "observed_rate_limits": [],
        "subscription_quotas": [],
        "observed_at_unix_secs": 1000000000
      }`,
    );
    expect('cache_score' in decoded).toBe(false);
    expect(decoded.observed_at_unix_secs).toBe(1000000000);
  });

  it('W-81: a complete object plus "unknown_field" is a decode error', () => {
    const text = encodeWire(Header, { name: 'n', value_base64: '' }).replace(/}$/, ',"unknown_field":1}');
    expect(() => decodeWire(Header, text)).toThrow(WireDecodeError);
    expect(() => decodeWire(Header, text)).toThrow(
      'unknown field `unknown_field`, expected `name` or `value_base64` at line 1 column 45 (at /unknown_field)',
    );
  });

  it('writes floats the way ryu does and non-finite floats as null', () => {
    const F = struct('F', { d: f64(), s: f32() });
    expect(encodeWire(F, { d: 1, s: 1 })).toBe('{"d":1.0,"s":1.0}');
    expect(encodeWire(F, { d: 1e30, s: 1e13 })).toBe('{"d":1e30,"s":1e13}');
    expect(encodeWire(F, { d: 1e15, s: 1e12 })).toBe('{"d":1000000000000000.0,"s":1000000000000.0}');
    expect(encodeWire(F, { d: 1e16, s: 0.85 })).toBe('{"d":1e16,"s":0.85}');
    expect(encodeWire(F, { d: 0.0001, s: 0.00001 })).toBe('{"d":0.0001,"s":0.00001}');
    expect(encodeWire(F, { d: 0.000001, s: 0.000001 })).toBe('{"d":1e-6,"s":0.000001}');
    expect(encodeWire(F, { d: -1.5e-7, s: 1e-7 })).toBe('{"d":-1.5e-7,"s":1e-7}');
    expect(encodeWire(F, { d: -0, s: 0.1 })).toBe('{"d":-0.0,"s":0.1}');
    expect(encodeWire(F, { d: 123456789.125, s: 3.4028234663852886e38 })).toBe(
      '{"d":123456789.125,"s":3.4028235e38}',
    );
    expect(encodeWire(F, { d: Number.NaN, s: Number.POSITIVE_INFINITY })).toBe('{"d":null,"s":null}');
    expect(encodeWire(F, { d: 5e-324, s: 1.401298464324817e-45 })).toBe('{"d":5e-324,"s":1e-45}');
  });

  it('writes 64-bit integers exactly', () => {
    const I = struct('I', { u: u64(), i: i64() });
    expect(encodeWire(I, { u: 18446744073709551615n, i: -9223372036854775808n })).toBe(
      '{"u":18446744073709551615,"i":-9223372036854775808}',
    );
    expect(encodeWire(I, { u: 0, i: -1 })).toBe('{"u":0,"i":-1}');
    expect(() => encodeWire(I, { u: 1.5, i: 0 })).toThrow(TypeError);
  });

  it('sorts maps and sets by code point (not UTF-16 order) and de-duplicates sets', () => {
    const M = struct('M', { m: map(u16()), s: set() });
    expect(
      encodeWire(M, { m: { '\u{10000}': 1, '\ue000': 2, b: 3, a: 4 }, s: ['\u{10000}', 'b', '\ue000', 'b'] }),
    ).toBe('{"m":{"a":4,"b":3,"\ue000":2,"\u{10000}":1},"s":["b","\ue000","\u{10000}"]}');
  });

  it('escapes strings exactly as serde_json does', () => {
    const S = struct('S', { s: str() });
    expect(encodeWire(S, { s: '"\\/\b\f\n\r\t\u0000\u001f\u007f é😀\u2028' })).toBe(
      '{"s":"\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\u007f é😀\u2028"}',
    );
    // A lone surrogate cannot live in a Rust String; it is written as U+FFFD, never as an escape serde would reject.
    expect(encodeWire(S, { s: 'a\ud800b\\ud800' })).toBe('{"s":"a\ufffdb\\\\ud800"}');
  });

  it('writes internally tagged enums with the tag first, unit enums as strings', () => {
    expect(encodeWire(Upstream, { kind: 'anthropic_direct' })).toBe('{"kind":"anthropic_direct"}');
    expect(
      encodeWire(Event, { downstream_user_agent: null, request_id: 'r', kind: 'request_started' } as Static<
        typeof Event
      >),
    ).toBe('{"kind":"request_started","request_id":"r","downstream_user_agent":null}');
    expect(encodeWire(struct('P', { p: Policy }), { p: 'pass_through' })).toBe('{"p":"pass_through"}');
  });

  it('writes any-typed values as serde_json::Value: object keys sorted, integral numbers as integers', () => {
    const A = struct('A', { v: anyValue() });
    expect(
      encodeWire(A, {
        v: { b: 1, a: [1.5, 2, null, true, 'x', 18446744073709551615n, -0], '\u{10000}': {}, '\ue000': 0 },
      }),
    ).toBe('{"v":{"a":[1.5,2,null,true,"x",18446744073709551615,-0.0],"b":1,"\ue000":0,"\u{10000}":{}}}');
    expect(encodeWire(A, { v: null })).toBe('{"v":null}');
  });
});

describe('encodeJsonValue', () => {
  it('writes compact JSON keeping the object`s own key order', () => {
    expect(encodeJsonValue({ b: 1, a: { d: [1, 2.5, 'x'], c: null } })).toBe(
      '{"b":1,"a":{"d":[1,2.5,"x"],"c":null}}',
    );
    expect(encodeJsonValue(Number.NaN)).toBe('null');
    expect(encodeJsonValue(2n ** 64n - 1n)).toBe('18446744073709551615');
  });

  it('writes generated values so that JSON.parse and parseJsonValue read them back', () => {
    fc.assert(
      fc.property(fc.jsonValue({ noUnicodeString: false }), (value) => {
        const text = encodeJsonValue(value as JsonValue);
        expect(JSON.parse(text)).toEqual(value);
        expect(() => parseJsonValue(text)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });
});

// ---- encode ∘ decode round trip -------------------------------------------------------------------

const text = fc.string({ unit: 'grapheme', maxLength: 8 });
const header = fc.record({ name: text, value_base64: text });
const u64s = fc.oneof(
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
);
const i64s = fc.oneof(
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 53n) }),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 63n - 1n }),
);
const sortedSet = fc
  .array(text, { maxLength: 5 })
  .map((items) => [...new Set(items)].sort(compareCodePoints));
const claims: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  text,
  fc.integer(),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
  fc.dictionary(text, fc.oneof(fc.integer(), text, fc.constant(null))),
  fc.array(fc.oneof(fc.integer(), text)),
);
const event = fc.oneof(
  fc.record({
    kind: fc.constant('request_started' as const),
    request_id: text,
    downstream_user_agent: fc.option(text),
  }),
  fc.record({ kind: fc.constant('chunk' as const), batch_index: u64s, event_count: u64s, total_bytes: u64s }),
);
const composite = fc.record(
  {
    id: text,
    flag: fc.boolean(),
    small: fc.integer({ min: 0, max: 255 }),
    port: fc.integer({ min: 0, max: 65535 }),
    big: u64s,
    signed: i64s,
    // Short decimals: serde_json's default float parsing is exact for them (one correctly rounded step).
    ratio: fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 8),
    score: fc.float({ min: -1e6, max: 1e6, noNaN: true }).map(Math.fround),
    maybe: fc.option(text),
    extra: fc.integer({ min: 0, max: 4294967295 }),
    tags: sortedSet,
    headers: fc.array(header, { maxLength: 3 }),
    versions: fc.dictionary(text, fc.array(fc.integer({ min: 0, max: 4294967295 }), { maxLength: 3 })),
    magic: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 8, maxLength: 8 }),
    policy: fc.constantFrom('fail_request', 'silent_skip', 'use_default', 'pass_through'),
    upstream: fc.constant({ kind: 'anthropic_direct' as const }),
    event,
    claims,
  },
  {
    requiredKeys: [
      'id',
      'flag',
      'small',
      'port',
      'big',
      'signed',
      'ratio',
      'score',
      'maybe',
      'tags',
      'headers',
      'versions',
      'magic',
      'policy',
      'upstream',
      'event',
      'claims',
    ],
  },
);

describe('encode ∘ decode', () => {
  it('decodeWire(encodeWire(v)) equals v for generated values of a composite schema', () => {
    fc.assert(
      fc.property(composite, (value) => {
        const typed = value as unknown as Static<typeof Composite>;
        const json = encodeWire(Composite, typed);
        expect(decodeWire(Composite, json)).toEqual(typed);
        expect(decodeWire(Composite, new TextEncoder().encode(json))).toEqual(typed);
        expect(encodeWire(Composite, decodeWire(Composite, json))).toBe(json);
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips every header list and set of strings, whatever the characters', () => {
    const HeaderList = struct('Headers', { headers: list(Header), tags: set() });
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: fc.string({ unit: 'binary' }), value_base64: fc.string() }), {
          maxLength: 4,
        }),
        fc.array(fc.string({ unit: 'binary' }), { maxLength: 4 }),
        (headers, tags) => {
          const wellFormed = (s: string) => s.replace(/[\ud800-\udfff]/gu, '\ufffd');
          const value = {
            headers: headers.map((h) => ({ name: wellFormed(h.name), value_base64: h.value_base64 })),
            tags: [...new Set(tags.map(wellFormed))].sort(compareCodePoints),
          };
          expect(decodeWire(HeaderList, encodeWire(HeaderList, value))).toEqual(value);
        },
      ),
      { numRuns: 200 },
    );
  });
});
