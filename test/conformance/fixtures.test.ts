import { describe, expect, it } from 'vitest';
import { fixtures } from '../../src/conformance/fixtures.js';
import { dryRunSamples, ShapeFn, SignFn, validateAugmentedMetadata } from '../../src/wire/index.js';

describe('fixtures', () => {
  it('CF-01: the shape request builder overrides the nested request and top-level fields', () => {
    const request = fixtures
      .shapeRequestBuilder()
      .method('GET')
      .path('/v1/models')
      .query('limit=1')
      .bodyBase64('e30=')
      .headers([{ name: 'content-type', value_base64: 'YXBwbGljYXRpb24vanNvbg==' }])
      .principal(fixtures.synthPrincipal())
      .upstream({ kind: 'anthropic_direct' })
      .build();
    expect(request).toEqual({
      request: {
        request_id: 'dry-run-request',
        headers: [{ name: 'content-type', value_base64: 'YXBwbGljYXRpb24vanNvbg==' }],
        method: 'GET',
        path: '/v1/models',
        query: 'limit=1',
        body_base64: 'e30=',
      },
      upstream: { kind: 'anthropic_direct' },
      principal: { id: 'dry-run-principal', kind: 'api_key', claims: {} },
    });
    expect('upstream_base_url' in request).toBe(false);
  });

  it('the shape builder sets the v2 upstream_base_url only when asked', () => {
    expect(
      fixtures.shapeRequestBuilder().upstreamBaseUrl('https://example.test').build().upstream_base_url,
    ).toBe('https://example.test');
  });

  it('CF-02: the filter request builder sets flat fields and candidates', () => {
    const request = fixtures
      .filterRequestBuilder()
      .requestId('req-1')
      .headers([])
      .method('POST')
      .path('/v1/messages')
      .query('beta=true')
      .bodyBase64('')
      .principal(fixtures.synthPrincipal())
      .candidates([dryRunSamples.CandidateWire()])
      .build();
    expect(request.request_id).toBe('req-1');
    expect(request.query).toBe('beta=true');
    expect(request.candidates).toEqual([dryRunSamples.CandidateWire()]);
  });

  it('addCandidate appends, defaulting to the dry-run candidate', () => {
    const request = fixtures
      .filterRequestBuilder()
      .addCandidate()
      .addCandidate({ ...dryRunSamples.CandidateWire(), upstream_id: 'u-2' })
      .build();
    expect(request.candidates.map((c) => c.upstream_id)).toEqual([
      '00000000-0000-0000-0000-000000000000',
      'u-2',
    ]);
  });

  it('CF-03: the observe request builder appends events', () => {
    const request = fixtures.observeRequestBuilder().addEvent(dryRunSamples.ObserveEventWire()).build();
    expect(request).toEqual({
      events: [{ kind: 'request_started', request_id: 'dry-run-request', downstream_user_agent: null }],
    });
  });

  it('build() returns independent copies; the builder stays reusable', () => {
    const builder = fixtures.observeRequestBuilder();
    const first = builder.build();
    first.events.push(dryRunSamples.ObserveEventWire());
    expect(builder.build()).toEqual({ events: [] });
    const event = dryRunSamples.ObserveEventWire();
    const second = builder.addEvent(event).build();
    (event as { request_id: string }).request_id = 'changed';
    expect(second.events[0]).toMatchObject({ request_id: 'dry-run-request' });
  });

  it('CF-04: dryRunSample(ShapeFn) is the v2 ShapeRequest dry-run sample, fresh each call', () => {
    expect(fixtures.dryRunSample(ShapeFn)).toEqual({
      request: {
        request_id: 'dry-run-request',
        headers: [],
        method: 'POST',
        path: '/v1/messages',
        query: null,
        body_base64: '',
      },
      upstream: { kind: 'anthropic_direct' },
      principal: { id: 'dry-run-principal', kind: 'api_key', claims: {} },
    });
    expect(fixtures.dryRunSample(SignFn)).toEqual(SignFn.dryRunRequest());
    expect(fixtures.dryRunSample(ShapeFn)).not.toBe(fixtures.dryRunSample(ShapeFn));
  });

  it('CF-05: synthMetadata has the protocol defaults and zero timestamps', () => {
    const metadata = fixtures.synthMetadata();
    expect(metadata).toEqual({
      identity: {
        magic: [204, 27, 112, 16, 0, 1, 0, 0],
        abi_envelope: 1,
        plugin_name: 'dry-run-plugin',
        plugin_version: '0.0.0',
      },
      negotiated_functions: { filter: 1, observe: 1, shape: 1 },
      negotiated_capabilities: [],
      handshake_completed_at: 0,
      self_check_passed: true,
      self_check_completed_at: 0,
      expires_at: 0,
    });
    // As in the reference, the zero timestamps make it fail validation.
    expect(() => validateAugmentedMetadata(metadata)).toThrow(
      'invalid timestamp: handshake_completed_at must be positive',
    );
  });

  it('synthPrincipal is the Principal dry-run sample', () => {
    expect(fixtures.synthPrincipal()).toEqual({ id: 'dry-run-principal', kind: 'api_key', claims: {} });
  });
});
