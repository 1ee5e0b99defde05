import { beforeAll, describe, expect, it } from 'vitest';
import { VerifyError } from '../../../src/conformance/errors.js';
import { verify, verifyRouterPlugin } from '../../../src/conformance/index.js';
import { output } from '../../../src/wat/index.js';
import { fixturePlugin } from '../../support/fixture-plugins.js';
import { acceptFor, guestModule } from '../../support/guest-modules.js';

// Compiling a fixture from its AssemblyScript source can take seconds on a cold cache.
beforeAll(async () => {
  await Promise.all([fixturePlugin('router'), fixturePlugin('shape')]);
}, 120_000);

describe('verifyRouterPlugin', () => {
  it('T-04: the router fixture passes with the reference report', async () => {
    const report = await verifyRouterPlugin(await fixturePlugin('router'));
    const fuel = expect.any(Number);
    expect(report).toEqual({
      identity: { layer: 'identity', passed: true, detail: 'conformance-plugin-router' },
      handshake: { layer: 'handshake', passed: true, detail: '1 function(s) negotiated', fuelConsumed: fuel },
      selfCheck: { layer: 'self_check', passed: true, detail: undefined, fuelConsumed: fuel },
      dispatch: [
        {
          layer: 'dispatch:filter:empty_candidates',
          passed: true,
          detail: '0 candidates -> 0 decisions',
          fuelConsumed: fuel,
        },
        {
          layer: 'dispatch:filter:candidate_count',
          passed: true,
          detail: '1 candidate(s) -> matching decisions',
          fuelConsumed: fuel,
        },
      ],
      extras: [],
    });
    expect(verify.router).toBe(verifyRouterPlugin);
  });

  it('T-08: the shape fixture is not a router → FunctionMissing filter', async () => {
    const error = await verifyRouterPlugin(await fixturePlugin('shape')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).kind).toBe('Handshake');
    expect((error as VerifyError).cause).toMatchObject({ kind: 'FunctionMissing', name: 'filter' });
    expect((error as VerifyError).message).toBe(
      'handshake verification failed: declared function missing wasm export: filter',
    );
  });

  it('a decision count mismatch → InvalidResponse `expected 0 decision(s), got 1`', async () => {
    const oneDecision = output('{"_v":1,"results":[{"upstream_id":"x","decision":"accept","reason":""}]}');
    const wasm = guestModule({ handshake: acceptFor('filter'), handlers: { filter: oneDecision } });
    const error = await verifyRouterPlugin(wasm).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).cause).toMatchObject({
      kind: 'InvalidResponse',
      function: 'filter',
      reason: 'expected 0 decision(s), got 1',
    });
    expect((error as VerifyError).message).toBe(
      'dispatch verification failed: filter response failed conformance check: expected 0 decision(s), got 1',
    );
  });

  it('a router answering nothing decodable → Fallback UseDefault', async () => {
    const wasm = guestModule({ handshake: acceptFor('filter'), handlers: { filter: output('{"_v":1}') } });
    const error = await verifyRouterPlugin(wasm).catch((e: unknown) => e);
    expect((error as VerifyError).message).toBe(
      'dispatch verification failed: filter dispatch fell back with policy UseDefault',
    );
    expect((error as VerifyError).cause).toMatchObject({ stage: 'response_decode' });
  });
});
