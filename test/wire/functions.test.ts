import { describe, expect, expectTypeOf, it } from 'vitest';
import { decodeWire } from '../../src/wire/decode.js';
import { WireDecodeError } from '../../src/wire/decode-error.js';
import { encodeWire } from '../../src/wire/encode.js';
import {
  allWireFunctions,
  BuildSignerFn,
  CacheBreakpointWire,
  CacheScoreWire,
  CandidateWire,
  CandidateWireV1,
  DialectBinding,
  dryRunSamples,
  FilterFn,
  FilterRequest,
  FilterResponse,
  HeaderWire,
  NormalizeErrorFn,
  ObserveEventWire,
  ObserveFn,
  ObserveRequest,
  OnUnauthorizedFn,
  PerCandidateReasonWire,
  type RequestOf,
  type ResponseOf,
  ShapeFn,
  type ShapeRequest,
  ShapeRequestV1,
  type ShapeResponse,
  SignFn,
  UpstreamErrorCategory,
  UpstreamWire,
  type WireFunction,
  wireFunction,
} from '../../src/wire/functions/index.js';
import { WIRE_STRUCTS } from '../support/wire-catalog.js';

function roundTrip<T>(schema: Parameters<typeof encodeWire>[0], value: T): T {
  return decodeWire(schema, encodeWire(schema, value as never)) as T;
}

describe('the wire-function registry (REFERENCE-CASES §1.6)', () => {
  it('W-59 allWireFunctions is exactly shape, normalize_error, build_signer, sign, on_unauthorized, observe, filter', () => {
    expect(allWireFunctions.map((fn) => fn.name)).toEqual([
      'shape',
      'normalize_error',
      'build_signer',
      'sign',
      'on_unauthorized',
      'observe',
      'filter',
    ]);
    expect(allWireFunctions).toEqual([
      ShapeFn,
      NormalizeErrorFn,
      BuildSignerFn,
      SignFn,
      OnUnauthorizedFn,
      ObserveFn,
      FilterFn,
    ]);
    expect(Object.isFrozen(allWireFunctions)).toBe(true);
  });

  it('W-62 fallback matrix: sign, build_signer, shape FailRequest; observe SilentSkip; normalize_error, on_unauthorized PassThrough', () => {
    expect(
      [SignFn, BuildSignerFn, ShapeFn, ObserveFn, NormalizeErrorFn, OnUnauthorizedFn].map(
        (fn) => fn.fallback,
      ),
    ).toEqual(['FailRequest', 'FailRequest', 'FailRequest', 'SilentSkip', 'PassThrough', 'PassThrough']);
    expect(FilterFn.fallback).toBe('UseDefault');
  });

  it('W-63 every function declares SUPPORTED_VERSIONS = [1], immutably', () => {
    for (const fn of allWireFunctions) {
      expect(fn.supportedVersions, fn.name).toEqual([1]);
      expect(Object.isFrozen(fn.supportedVersions)).toBe(true);
      expect(Object.isFrozen(fn)).toBe(true);
    }
  });

  it('wireFunction(name) finds each function by its exact name, and nothing else (not the legacy route)', () => {
    for (const fn of allWireFunctions) expect(wireFunction(fn.name)).toBe(fn);
    expect(wireFunction('route')).toBeUndefined();
    expect(wireFunction('Shape')).toBeUndefined();
    expect(wireFunction('toString')).toBeUndefined();
  });

  it('dry-run samples are fresh objects on every call', () => {
    for (const fn of allWireFunctions) {
      const first = fn.dryRunRequest();
      expect(fn.dryRunRequest()).not.toBe(first);
      expect(fn.dryRunRequest()).toEqual(first);
      expect(fn.dryRunResponse()).not.toBe(fn.dryRunResponse());
    }
    const request = ShapeFn.dryRunRequest();
    request.request.headers.push({ name: 'x', value_base64: '' });
    expect(ShapeFn.dryRunRequest().request.headers).toEqual([]);
  });

  it('RequestOf/ResponseOf infer the wire types from a function', () => {
    expectTypeOf<RequestOf<typeof ShapeFn>>().toEqualTypeOf<ShapeRequest>();
    expectTypeOf<ResponseOf<typeof ShapeFn>>().toEqualTypeOf<ShapeResponse>();
    expectTypeOf(ShapeFn).toEqualTypeOf<WireFunction<ShapeRequest, ShapeResponse, 'shape'>>();
    expectTypeOf(wireFunction('filter')).toEqualTypeOf<typeof FilterFn>();
    expectTypeOf<ShapeRequest['upstream_base_url']>().toEqualTypeOf<string | undefined>();
    expect(ShapeFn.request).toBe(WIRE_STRUCTS.ShapeRequest!.schema);
  });
});

describe('dry-run samples: exact reference JSON and round-trip', () => {
  const requestOf: Record<string, string> = {
    shape: 'ShapeRequest',
    normalize_error: 'NormalizeErrorRequest',
    build_signer: 'BuildSignerRequest',
    sign: 'SignRequest',
    on_unauthorized: 'OnUnauthorizedRequest',
    observe: 'ObserveRequest',
    filter: 'FilterRequest',
  };

  for (const fn of allWireFunctions) {
    it(`W-64 ${fn.name}: the dry-run request and response encode to the spec text and decode back equal`, () => {
      const request = WIRE_STRUCTS[requestOf[fn.name]!]!;
      const response = WIRE_STRUCTS[requestOf[fn.name]!.replace('Request', 'Response')]!;
      expect(fn.request).toBe(request.schema);
      expect(fn.response).toBe(response.schema);
      expect(encodeWire(fn.request, fn.dryRunRequest())).toBe(request.json);
      expect(encodeWire(fn.response, fn.dryRunResponse())).toBe(response.json);
      expect(decodeWire(fn.request, request.json)).toEqual(fn.dryRunRequest());
      expect(decodeWire(fn.response, response.json)).toEqual(fn.dryRunResponse());
    });
  }

  for (const [name, sample] of Object.entries(dryRunSamples)) {
    const entry = WIRE_STRUCTS[name];
    if (entry === undefined) continue;
    it(`W-65 ${name}.dry_run_sample() encodes to the spec text and round-trips`, () => {
      expect(encodeWire(entry.schema, sample() as never)).toBe(entry.json);
      expect(decodeWire(entry.schema, entry.json)).toEqual(sample());
    });
  }

  it('W-65 the enum samples: UpstreamWire, DialectBinding, UpstreamErrorCategory, ObserveEventWire', () => {
    expect(encodeWire(UpstreamWire, dryRunSamples.UpstreamWire())).toBe('{"kind":"anthropic_direct"}');
    expect(encodeWire(DialectBinding, dryRunSamples.DialectBinding())).toBe('{"kind":"self"}');
    expect(encodeWire(UpstreamErrorCategory, dryRunSamples.UpstreamErrorCategory())).toBe('"unauthorized"');
    expect(encodeWire(ObserveEventWire, dryRunSamples.ObserveEventWire())).toBe(
      '{"kind":"request_started","request_id":"dry-run-request","downstream_user_agent":null}',
    );
    expect(roundTrip(UpstreamWire, dryRunSamples.UpstreamWire())).toEqual({ kind: 'anthropic_direct' });
    expect(roundTrip(DialectBinding, dryRunSamples.DialectBinding())).toEqual({ kind: 'self' });
    expect(roundTrip(ObserveEventWire, dryRunSamples.ObserveEventWire())).toEqual(
      dryRunSamples.ObserveEventWire(),
    );
  });

  it('W-66 {"name":"x-test","value_base64":"","extra":true} is not a HeaderWire', () => {
    expect(() => decodeWire(HeaderWire, '{"name":"x-test","value_base64":"","extra":true}')).toThrow(
      WireDecodeError,
    );
  });

  it('W-67 {"events":[],"extra":true} is not an ObserveRequest', () => {
    expect(() => decodeWire(ObserveRequest, '{"events":[],"extra":true}')).toThrow(WireDecodeError);
  });
});

describe('ObserveEventWire variants', () => {
  const events: [ObserveEventWire, string][] = [
    [
      { kind: 'request_started', request_id: 'r1', downstream_user_agent: 'curl/8' },
      '{"kind":"request_started","request_id":"r1","downstream_user_agent":"curl/8"}',
    ],
    [
      { kind: 'authn_complete', principal_id: 'p1', principal_kind: 'api_key' },
      '{"kind":"authn_complete","principal_id":"p1","principal_kind":"api_key"}',
    ],
    [
      { kind: 'upstream_chosen', upstream: { kind: 'anthropic_direct' } },
      '{"kind":"upstream_chosen","upstream":{"kind":"anthropic_direct"}}',
    ],
    [
      { kind: 'chunk', batch_index: 18446744073709551615n, event_count: 3, total_bytes: 1024 },
      '{"kind":"chunk","batch_index":18446744073709551615,"event_count":3,"total_bytes":1024}',
    ],
    [
      {
        kind: 'request_finished',
        status: 200,
        input_tokens: 10,
        output_tokens: null,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: null,
        duration_ms: 1234,
      },
      '{"kind":"request_finished","status":200,"input_tokens":10,"output_tokens":null,"cache_creation_input_tokens":0,"cache_read_input_tokens":null,"duration_ms":1234}',
    ],
    [
      { kind: 'error', code: 'E1', message: 'boom', source: 'upstream' },
      '{"kind":"error","code":"E1","message":"boom","source":"upstream"}',
    ],
  ];

  for (const [event, json] of events) {
    it(`the ${event.kind} event encodes with the tag first and round-trips`, () => {
      expect(encodeWire(ObserveEventWire, event)).toBe(json);
      expect(decodeWire(ObserveEventWire, json)).toEqual(event);
    });
  }

  it('the tag may appear anywhere; a missing or unknown tag is an error', () => {
    expect(
      decodeWire(ObserveEventWire, '{"principal_id":"p","principal_kind":"k","kind":"authn_complete"}'),
    ).toEqual({
      kind: 'authn_complete',
      principal_id: 'p',
      principal_kind: 'k',
    });
    expect(() => decodeWire(ObserveEventWire, '{"principal_id":"p","principal_kind":"k"}')).toThrow(
      WireDecodeError,
    );
    expect(() => decodeWire(ObserveEventWire, '{"kind":"started"}')).toThrow(WireDecodeError);
    expect(() => decodeWire(UpstreamWire, '{"kind":"Anthropic_Direct"}')).toThrow(WireDecodeError);
  });
});

describe('v2 types (REFERENCE-CASES §1.7)', () => {
  const score: CacheScoreWire = {
    predicted_cache_read_tokens: 1000,
    predicted_cache_creation_tokens_5m: 200,
    predicted_cache_creation_tokens_1h: 0,
    predicted_uncached_input_tokens: 50,
    predicted_expires_at_unix_secs: 1700000000,
    matched_breakpoint_index: 0,
    // f32: the value survives narrowing exactly only if it is an f32 to begin with.
    confidence: Math.fround(0.85),
  };

  it('W-68 a CacheScoreWire round-trips; absent omittable keys are left out', () => {
    const text = encodeWire(CacheScoreWire, score);
    // serde_json writes an f32 in its own shortest form, not the widened f64 digits.
    expect(text).toMatch(/"matched_breakpoint_index":0,"confidence":0\.85}$/);
    expect(text).not.toContain('ambiguity_reason');
    expect(decodeWire(CacheScoreWire, text)).toEqual(score);
  });

  it('W-69 a v2 CandidateWire with a cache_score round-trips', () => {
    const candidate: CandidateWire = {
      ...dryRunSamples.CandidateWire(),
      name: 'test-upstream',
      observed_at_unix_secs: 1_717_171_717,
      cache_score: {
        predicted_cache_read_tokens: 500,
        predicted_cache_creation_tokens_5m: 100,
        predicted_cache_creation_tokens_1h: 50,
        predicted_uncached_input_tokens: 25,
        matched_breakpoint_index: 1,
        confidence: Math.fround(0.95),
      },
    };
    const text = encodeWire(CandidateWire, candidate);
    expect(text).toContain(
      '"observed_at_unix_secs":1717171717,"cache_score":{"predicted_cache_read_tokens":500,',
    );
    expect(decodeWire(CandidateWire, text)).toEqual(candidate);
    // A v1 decoder rejects the v2-only key.
    expect(() => decodeWire(CandidateWireV1, text)).toThrow(WireDecodeError);
  });

  it('W-70 v2 CandidateWire JSON without cache_score decodes with cache_score absent', () => {
    const text = `{
      "upstream_id": "11111111-1111-1111-1111-111111111111",
      "name": "legacy-upstream",
      "kind": "anthropic_api_key",
      "observed_rate_limits": [],
      "subscription_quotas": [],
      "observed_at_unix_secs": 1000000000
    }`;
    const decoded = decodeWire(CandidateWire, text);
    expect(decoded.cache_score).toBeUndefined();
    expect('cache_score' in decoded).toBe(false);
    expect(
      decodeWire(CandidateWire, text.replace('1000000000', '1000000000, "cache_score": null')),
    ).not.toHaveProperty('cache_score');
  });

  it('W-71 a CacheBreakpointWire round-trips', () => {
    const breakpoint: CacheBreakpointWire = {
      block_index: 0,
      source: 'tools',
      path: '/v1/messages/create',
      message_index: 5,
      prefix_hash: 'abc123def456',
      prefix_token_count: 2048,
      requested_ttl: 'ephemeral5m',
      origin: 'explicit',
    };
    expect(roundTrip(CacheBreakpointWire, breakpoint)).toEqual(breakpoint);
    const { message_index: _omitted, ...withoutIndex } = breakpoint;
    expect(encodeWire(CacheBreakpointWire, withoutIndex)).not.toContain('message_index');
    expect(roundTrip(CacheBreakpointWire, withoutIndex)).toEqual(withoutIndex);
  });

  it('W-72 v1 and v2 CandidateWire without a cache score are byte-identical', () => {
    const v1: CandidateWireV1 = {
      upstream_id: '11111111-1111-1111-1111-111111111111',
      name: 'byte-compatible-upstream',
      kind: 'anthropic_api_key',
      observed_rate_limits: [],
      subscription_quotas: [],
      observed_at_unix_secs: 1717171717,
    };
    const expected =
      '{"upstream_id":"11111111-1111-1111-1111-111111111111","name":"byte-compatible-upstream","kind":"anthropic_api_key","observed_rate_limits":[],"subscription_quotas":[],"observed_at_unix_secs":1717171717}';
    expect(encodeWire(CandidateWireV1, v1)).toBe(expected);
    expect(encodeWire(CandidateWire, { ...v1 })).toBe(expected);
  });

  it('ShapeRequest v2 carries an omittable upstream_base_url that a v1 decoder rejects', () => {
    const withUrl: ShapeRequest = { ...ShapeFn.dryRunRequest(), upstream_base_url: 'https://proxy.example' };
    const text = encodeWire(ShapeFn.request, withUrl);
    expect(text.endsWith(',"upstream_base_url":"https://proxy.example"}')).toBe(true);
    expect(decodeWire(ShapeFn.request, text)).toEqual(withUrl);
    expect(() => decodeWire(ShapeRequestV1, text)).toThrow(WireDecodeError);
  });
});

describe('v3 filter types (REFERENCE-CASES §1.8)', () => {
  const candidate = (upstreamId: string, name: string): CandidateWire => ({
    ...dryRunSamples.CandidateWire(),
    upstream_id: upstreamId,
    name,
    observed_at_unix_secs: 1717171717,
  });

  it('W-73 FilterFn is named filter and has dry-run samples', () => {
    expect(FilterFn.name).toBe('filter');
    expect(FilterFn.dryRunRequest()).toMatchObject({ request_id: 'dry-run-request', candidates: [] });
    expect(FilterFn.dryRunResponse().results).toHaveLength(1);
  });

  it('W-74 a full request (headers, query, body, claims, two candidates) round-trips', () => {
    const request: FilterRequest = {
      request_id: 'test-req-12345',
      headers: [
        { name: 'content-type', value_base64: 'YXBwbGljYXRpb24vanNvbg==' },
        { name: 'authorization', value_base64: 'QmVhcmVyIHRva2Vu' },
      ],
      method: 'POST',
      path: '/v1/messages',
      query: 'model=claude-3-5-sonnet',
      body_base64: 'eyJtb2RlbCI6ImNsYXVkZS0zLTUtc29ubmV0In0=',
      principal: {
        id: 'principal-abc123',
        kind: 'api_key',
        claims: { org_id: 'org-xyz', user_id: 'user-123' },
      },
      candidates: [
        candidate('upstream-us-east-1', 'us-east-1-primary'),
        candidate('upstream-eu-west-1', 'eu-west-1-fallback'),
      ],
    };
    const text = encodeWire(FilterRequest, request);
    expect(text).toContain(
      '"principal":{"id":"principal-abc123","kind":"api_key","claims":{"org_id":"org-xyz","user_id":"user-123"}}',
    );
    expect(decodeWire(FilterRequest, text)).toEqual(request);
  });

  it('W-75 a response with an accept and a reject round-trips', () => {
    const response: FilterResponse = {
      results: [
        { upstream_id: 'upstream-us-east-1', decision: 'accept', reason: 'quota available, no rate limits' },
        { upstream_id: 'upstream-eu-west-1', decision: 'reject', reason: 'rate limit window exceeded' },
      ],
    };
    expect(roundTrip(FilterResponse, response)).toEqual(response);
  });

  it('W-76 the dry-run request and response round-trip', () => {
    expect(roundTrip(FilterRequest, FilterFn.dryRunRequest())).toEqual(FilterFn.dryRunRequest());
    expect(roundTrip(FilterResponse, FilterFn.dryRunResponse())).toEqual(FilterFn.dryRunResponse());
  });

  it('W-77 a request with three candidates round-trips', () => {
    const request: FilterRequest = {
      ...FilterFn.dryRunRequest(),
      candidates: [
        dryRunSamples.CandidateWire(),
        candidate('upstream-2', 'candidate-2'),
        candidate('upstream-3', 'candidate-3'),
      ],
    };
    expect(roundTrip(FilterRequest, request)).toEqual(request);
  });

  it('W-78 a response with three results round-trips', () => {
    const response: FilterResponse = {
      results: [
        { upstream_id: 'id-1', decision: 'accept', reason: '' },
        { upstream_id: 'id-2', decision: 'reject', reason: 'failed filter A' },
        { upstream_id: 'id-3', decision: 'accept', reason: 'all checks pass' },
      ],
    };
    expect(roundTrip(FilterResponse, response)).toEqual(response);
  });

  it('W-79 {"results":[]} round-trips', () => {
    expect(encodeWire(FilterResponse, decodeWire(FilterResponse, '{"results":[]}'))).toBe('{"results":[]}');
  });

  it('W-80 a PerCandidateReasonWire with unknown_field is a decode error', () => {
    expect(() =>
      decodeWire(
        PerCandidateReasonWire,
        '{"upstream_id":"test-id","decision":"accept","reason":"test","unknown_field":"value"}',
      ),
    ).toThrow(WireDecodeError);
  });

  it('W-81 a complete FilterRequest plus unknown_field is a decode error', () => {
    const text =
      '{"request_id":"r","headers":[],"method":"POST","path":"/v1/messages","query":null,"body_base64":"","principal":{"id":"p","kind":"api_key","claims":{}},"candidates":[]}';
    expect(decodeWire(FilterRequest, text).request_id).toBe('r');
    expect(() => decodeWire(FilterRequest, `${text.slice(0, -1)},"unknown_field":"x"}`)).toThrow(
      WireDecodeError,
    );
  });

  it('W-82 {"results":[],"unknown_field":"should_fail"} is not a FilterResponse', () => {
    expect(() => decodeWire(FilterResponse, '{"results":[],"unknown_field":"should_fail"}')).toThrow(
      WireDecodeError,
    );
  });

  it('W-83 a request with one content-type header and one dry-run candidate round-trips', () => {
    const request: FilterRequest = {
      ...FilterFn.dryRunRequest(),
      headers: [{ name: 'content-type', value_base64: 'YXBwbGljYXRpb24vanNvbg==' }],
      candidates: [dryRunSamples.CandidateWire()],
    };
    expect(roundTrip(FilterRequest, request)).toEqual(request);
  });

  it('W-84 a response with one accept and one reject round-trips', () => {
    const response: FilterResponse = {
      results: [
        { upstream_id: 'a', decision: 'accept', reason: 'ok' },
        { upstream_id: 'b', decision: 'reject', reason: 'no' },
      ],
    };
    expect(roundTrip(FilterResponse, response)).toEqual(response);
  });

  it('W-85 a PerCandidateReasonWire round-trips', () => {
    const reason: PerCandidateReasonWire = {
      upstream_id: 'u',
      decision: 'accept',
      reason: 'all checks passed',
    };
    expect(roundTrip(PerCandidateReasonWire, reason)).toEqual(reason);
  });

  it('W-86 a request with no candidates and a response with no results round-trip', () => {
    const request: FilterRequest = { ...FilterFn.dryRunRequest(), candidates: [] };
    expect(roundTrip(FilterRequest, request)).toEqual(request);
    expect(roundTrip(FilterResponse, { results: [] })).toEqual({ results: [] });
  });
});
