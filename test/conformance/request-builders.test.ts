/**
 * The request builders of every wire function: each sets the field its name says, in the wire
 * form, and together they reach every field of the function's request schema — so a field added
 * to a schema without a setter fails here.
 */
import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { candidateBuilder, fixtures, requestBuilder } from '../../src/conformance/fixtures.js';
import {
  allWireFunctions,
  BuildSignerFn,
  CandidateWire,
  decodeWire,
  dryRunSamples,
  FilterFn,
  NormalizeErrorFn,
  ObserveFn,
  OnUnauthorizedFn,
  ShapeFn,
  SignFn,
} from '../../src/wire/index.js';

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

function propertiesOf(schema: TSchema): Record<string, TSchema> | undefined {
  return (schema as { properties?: Record<string, TSchema> }).properties;
}

/** The public methods along the builder's prototype chain, `build` and the internal `http` aside. */
function settersOf(builder: object): Set<string> {
  const names = new Set<string>();
  for (
    let proto = Object.getPrototypeOf(builder);
    proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
  }
  for (const name of ['constructor', 'build', 'http']) names.delete(name);
  return names;
}

/**
 * The fields of `schema` a builder with `setters` cannot reach: a field is reached by a setter of
 * its camelCase name, or — for a nested struct the builder flattens — by setters for every one of
 * the nested struct's fields.
 */
function unreachedFields(schema: TSchema, setters: Set<string>, prefix = ''): string[] {
  const missing: string[] = [];
  for (const [field, sub] of Object.entries(propertiesOf(schema) ?? {})) {
    if (setters.has(camel(field))) continue;
    const nested = propertiesOf(sub);
    if (nested === undefined) missing.push(`${prefix}${field}`);
    else missing.push(...unreachedFields(sub, setters, `${prefix}${field}.`));
  }
  return missing;
}

describe('request builders', () => {
  it('requestBuilder(fn) exists for every wire function and starts from its dry-run request', () => {
    for (const fn of allWireFunctions) {
      expect(requestBuilder(fn).build(), fn.name).toEqual(fn.dryRunRequest());
    }
  });

  it("every field of every function's request schema has a camelCase setter", () => {
    const missing = allWireFunctions.flatMap((fn) =>
      unreachedFields(fn.request, settersOf(requestBuilder(fn))).map((f) => `${fn.name}: ${f}`),
    );
    expect(missing).toEqual([]);
    expect(unreachedFields(CandidateWire, settersOf(candidateBuilder()))).toEqual([]);
  });

  it('the coverage check itself notices a field without a setter', () => {
    const setters = settersOf(fixtures.signRequestBuilder());
    setters.delete('signerState');
    setters.delete('url');
    setters.delete('shaped');
    expect(unreachedFields(SignFn.request, setters)).toEqual(['shaped.url', 'signer_state']);
  });

  it('shape: the flattened request fields, the header and body conveniences', () => {
    const request = fixtures
      .shapeRequestBuilder()
      .requestId('req-7')
      .method('PUT')
      .path('/v1/complete')
      .query(null)
      .body('héllo')
      .addHeader('x-trace', 'abc')
      .upstream({ kind: 'anthropic_direct' })
      .build();
    expect(request.request).toEqual({
      request_id: 'req-7',
      headers: [{ name: 'x-trace', value_base64: 'YWJj' }],
      method: 'PUT',
      path: '/v1/complete',
      query: null,
      body_base64: 'aMOpbGxv',
    });
  });

  it('candidateBuilder sets every candidate field and omits cache_score again on undefined', () => {
    const score = fixtures.requestTemplate(FilterFn).candidates[0]?.cache_score;
    const quota = dryRunSamples.SubscriptionQuotaCandidateSnapshotWire();
    const limit = dryRunSamples.RateLimitObservationWire();
    const builder = candidateBuilder()
      .upstreamId('u-1')
      .name('primary')
      .kind('anthropic_oauth')
      .observedRateLimits([limit])
      .addRateLimit({ ...limit, window: '1m' })
      .subscriptionQuotas([])
      .addSubscriptionQuota(quota)
      .observedAtUnixSecs(17)
      .cacheScore(score);
    expect(builder.build()).toEqual({
      upstream_id: 'u-1',
      name: 'primary',
      kind: 'anthropic_oauth',
      observed_rate_limits: [limit, { ...limit, window: '1m' }],
      subscription_quotas: [quota],
      observed_at_unix_secs: 17,
      cache_score: score,
    });
    expect('cache_score' in builder.cacheScore(undefined).build()).toBe(false);
    const filter = fixtures
      .filterRequestBuilder()
      .addCandidate(builder)
      .candidates([builder, builder])
      .build();
    expect(filter.candidates.map((c) => c.upstream_id)).toEqual(['u-1', 'u-1']);
  });

  it('observe: one appending setter per event kind, in call order', () => {
    const request = fixtures
      .observeRequestBuilder()
      .requestStarted('r-1', 'curl/8')
      .authnComplete('p-1', 'api_key')
      .upstreamChosen()
      .chunk(0, 3, 120)
      .requestFinished({ status: 200, durationMs: 42, outputTokens: 7 })
      .error('upstream_timeout', 'no answer', 'upstream')
      .build();
    expect(request.events).toEqual([
      { kind: 'request_started', request_id: 'r-1', downstream_user_agent: 'curl/8' },
      { kind: 'authn_complete', principal_id: 'p-1', principal_kind: 'api_key' },
      { kind: 'upstream_chosen', upstream: { kind: 'anthropic_direct' } },
      { kind: 'chunk', batch_index: 0, event_count: 3, total_bytes: 120 },
      {
        kind: 'request_finished',
        status: 200,
        input_tokens: null,
        output_tokens: 7,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        duration_ms: 42,
      },
      { kind: 'error', code: 'upstream_timeout', message: 'no answer', source: 'upstream' },
    ]);
    expect(fixtures.observeRequestBuilder().requestStarted('a').events([]).build()).toEqual({ events: [] });
  });

  it('normalize_error, build_signer, sign and on_unauthorized set their wire fields', () => {
    expect(fixtures.normalizeErrorRequestBuilder().status(503).body('{}').build()).toEqual({
      status: 503,
      body_base64: 'e30=',
    });
    expect(
      fixtures
        .buildSignerRequestBuilder()
        .upstream({ kind: 'anthropic_direct' })
        .factoryState({ key: 1 })
        .build(),
    ).toEqual({ upstream: { kind: 'anthropic_direct' }, factory_state: { key: 1 } });
    expect(
      fixtures
        .signRequestBuilder()
        .url('https://u.test/v1')
        .method('GET')
        .headers([])
        .addHeader('a', 'b')
        .bodyBase64('')
        .signerState('s')
        .build(),
    ).toEqual({
      shaped: {
        url: 'https://u.test/v1',
        method: 'GET',
        headers: [{ name: 'a', value_base64: 'Yg==' }],
        body_base64: '',
      },
      signer_state: 's',
    });
    expect(fixtures.signRequestBuilder().shaped(ShapeFn.dryRunResponse()).build().shaped).toEqual(
      ShapeFn.dryRunResponse(),
    );
    expect(
      fixtures
        .onUnauthorizedRequestBuilder()
        .status(403)
        .bodyBase64(null)
        .category('failed')
        .signerState([1])
        .build(),
    ).toEqual({ error: { status: 403, body_base64: null, category: 'failed' }, signer_state: [1] });
    expect(fixtures.onUnauthorizedRequestBuilder().body('x').build().error.body_base64).toBe('eA==');
  });

  it('every built request passes the host encoding and decodes back with its schema', () => {
    const built = [
      [ShapeFn, fixtures.shapeRequestBuilder().body('{}').addHeader('k', 'v').build()],
      [NormalizeErrorFn, fixtures.normalizeErrorRequestBuilder().body('oops').build()],
      [
        BuildSignerFn,
        fixtures
          .buildSignerRequestBuilder()
          .factoryState({ a: [1, null] })
          .build(),
      ],
      [SignFn, fixtures.signRequestBuilder().signerState({ k: 'v' }).build()],
      [OnUnauthorizedFn, fixtures.onUnauthorizedRequestBuilder().body('x').build()],
      [ObserveFn, fixtures.observeRequestBuilder().chunk(1, 2, 3).build()],
      [FilterFn, fixtures.filterRequestBuilder().addCandidate(candidateBuilder().name('n')).build()],
    ] as const;
    for (const [fn, request] of built) {
      expect(decodeWire(fn.request, JSON.stringify(request)), fn.name).toEqual(request);
    }
  });

  it('an unknown function has no builder and says so', () => {
    expect(() => requestBuilder({ ...ShapeFn, name: 'route' })).toThrow(
      "no request builder for wire function 'route'",
    );
  });
});
