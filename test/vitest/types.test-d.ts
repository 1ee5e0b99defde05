import '../../src/vitest/setup.js';
import { describe, expect, expectTypeOf, test } from 'vitest';
import type {
  GuestLogLine,
  HandshakeReport,
  PluginSession,
  PluginUnderTest,
  VerifyKind,
} from '../../src/conformance/index.js';
import type { DispatchChain } from '../../src/vitest/types.js';
import {
  type FilterDecision,
  FilterFn,
  type FilterResponse,
  ShapeFn,
  type ShapeResponse,
  SignFn,
  type SignResponse,
  type WireFunctionName,
} from '../../src/wire/index.js';

declare const wasm: Uint8Array;
declare const session: PluginSession;
declare const described: PluginUnderTest;
declare const report: HandshakeReport;

describe('matcher types', () => {
  test('every matcher returns a promise to await', () => {
    expectTypeOf(expect(wasm).toHandshake()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(wasm).toFailHandshake('UndeclaredExport')).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(wasm).toPassSelfCheck()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(wasm).toFailSelfCheck({ kind: 'Output' })).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(wasm).toHaveIdentity({ name: 'x' })).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(wasm).toPassStaticChecks()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(wasm).not.toVerifyAs('signer')).toEqualTypeOf<Promise<void>>();
  });

  test('toDispatch takes its request and response types from the wire function', () => {
    expectTypeOf(expect(wasm).toDispatch(ShapeFn)).toEqualTypeOf<DispatchChain<ShapeResponse>>();
    expectTypeOf(expect(session).not.toDispatch(SignFn)).toEqualTypeOf<DispatchChain<SignResponse>>();
    expectTypeOf(expect(wasm).toDispatch(ShapeFn)).toExtend<PromiseLike<void>>();
    expectTypeOf(expect(wasm).toDispatch(ShapeFn).ok()).toEqualTypeOf<Promise<void>>();
    expect(wasm).toDispatch(ShapeFn, ShapeFn.dryRunRequest());
    expect(wasm)
      .toDispatch(ShapeFn)
      .ok(expect.objectContaining({ method: 'POST' }));
    expect(wasm)
      .toDispatch(ShapeFn)
      .ok({ url: expect.any(String), method: 'POST', headers: [], body_base64: '' });
    expect(wasm).toDispatch(ShapeFn).fallback('FailRequest', { stage: 'plugin_call' });
    expect(wasm).toDispatch(ShapeFn).fallback(undefined, { stage: 'response_decode' });
    expect(wasm).toDispatch(ShapeFn, undefined, { fuel: 300_000 }).fallback('FailRequest');
    expect(session).toDispatch(SignFn, SignFn.dryRunRequest(), {});
  });

  test('toDispatch options are typed', () => {
    // @ts-expect-error fuel is a number
    expect(wasm).toDispatch(ShapeFn, undefined, { fuel: '300000' });
    // @ts-expect-error an option that does not exist
    expect(wasm).toDispatch(ShapeFn, undefined, { fule: 1 });
  });

  test('wrong requests, responses, policies, stages and kinds do not compile', () => {
    // @ts-expect-error a request that is not the function's request
    expect(wasm).toDispatch(SignFn, { wrong: 1 });
    // @ts-expect-error the request of another function
    expect(wasm).toDispatch(SignFn, ShapeFn.dryRunRequest());
    // @ts-expect-error `.ok(expected)` compares the whole response
    expect(wasm).toDispatch(ShapeFn).ok({ url: 'https://example.com' });
    // @ts-expect-error policies are the Rust variant names, not the wire's snake_case
    expect(wasm).toDispatch(ShapeFn).fallback('fail_request');
    // @ts-expect-error not a dispatch stage
    expect(wasm).toDispatch(ShapeFn).fallback('FailRequest', { stage: 'call' });
    // @ts-expect-error not a wire function
    expect(wasm).toDispatch('shape');
    // @ts-expect-error not a verify kind
    expect(wasm).toVerifyAs('filter');
    // @ts-expect-error not an error kind at any layer
    expect(wasm).toFailHandshake('NotAKind');
    // @ts-expect-error toHandshake matches the camelCase report
    expect(wasm).toHandshake({ chosen_versions: { shape: 1 } });
  });

  test('toHandleGeneratedRequests types its check by the wire function', () => {
    expectTypeOf(expect(wasm).toHandleGeneratedRequests(ShapeFn)).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect(session).not.toHandleGeneratedRequests(SignFn, { runs: 10 })).toEqualTypeOf<
      Promise<void>
    >();
    expect(wasm).toHandleGeneratedRequests(ShapeFn, {
      runs: 50,
      seed: 1,
      fuel: 1_000_000,
      deterministic: true,
      allowGuestErrors: false,
      replay: { seed: 1, path: '0:1' },
      check: (request, outcome) => {
        expectTypeOf(request.request.headers).toEqualTypeOf<{ name: string; value_base64: string }[]>();
        if (outcome.kind === 'ok') expectTypeOf(outcome.response).toEqualTypeOf<ShapeResponse>();
        return request.principal.id !== 'root';
      },
    });
    // @ts-expect-error the check receives the request of the function under test, not another's
    expect(wasm).toHandleGeneratedRequests(SignFn, { check: (request) => request.request.path !== '' });
    // @ts-expect-error a check answers a boolean (or nothing)
    expect(wasm).toHandleGeneratedRequests(ShapeFn, { check: () => 'yes' });
    // @ts-expect-error runs is a number
    expect(wasm).toHandleGeneratedRequests(ShapeFn, { runs: '10' });
    // @ts-expect-error not a wire function
    expect(wasm).toHandleGeneratedRequests('shape');
  });

  test('identity matchers take bytes or plugin(), and a session does not compile', () => {
    expect(described).toHaveIdentity({ name: 'x' });
    expect(described).not.toPassStaticChecks();
    expect(session.plugin).toPassStaticChecks();
    // @ts-expect-error the identity is read from the module, not a session
    expect(session).toHaveIdentity({ name: 'x' });
    // @ts-expect-error the identity is read from the module, not a session
    expect(session).toPassStaticChecks();
    // @ts-expect-error likewise negated
    expect(session).not.toPassStaticChecks();
  });
});

describe('closed string sets are literal unions', () => {
  test('chosenVersions is keyed by wire function names', () => {
    expectTypeOf(report.chosenVersions).toEqualTypeOf<Partial<Record<WireFunctionName, number>>>();
    expectTypeOf(report.chosenVersions.filter).toEqualTypeOf<number | undefined>();
    // @ts-expect-error not a wire function
    report.chosenVersions.route;
    // @ts-expect-error a subset of the report keeps the key check
    expect(wasm).toHandshake({ chosenVersions: { route: 1 } });
    expect(wasm).toHandshake({ chosenVersions: { filter: 1 } });
  });

  test('filter decisions offer accept and reject and still take any string (the wire is free-form)', () => {
    expectTypeOf<FilterResponse['results'][number]['decision']>().toEqualTypeOf<FilterDecision>();
    expectTypeOf<'accept'>().toExtend<FilterDecision>();
    expectTypeOf<'reject'>().toExtend<FilterDecision>();
    expectTypeOf<FilterDecision>().not.toEqualTypeOf<string>();
    expect(wasm)
      .toDispatch(FilterFn)
      .ok({ results: [{ upstream_id: 'u', decision: 'accept', reason: '' }] });
  });

  test('verify kinds, log levels and report enums', () => {
    expectTypeOf<VerifyKind>().toEqualTypeOf<'shape' | 'router' | 'observability' | 'signer'>();
    expectTypeOf<GuestLogLine['level']>().toEqualTypeOf<'trace' | 'debug' | 'info' | 'warn' | 'error'>();
  });
});
