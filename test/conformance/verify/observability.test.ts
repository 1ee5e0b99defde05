import { beforeAll, describe, expect, it } from 'vitest';
import { VerifyError } from '../../../src/conformance/errors.js';
import { plugin, verify, verifyObservabilityPlugin } from '../../../src/conformance/index.js';
import { fixturePlugin } from '../../support/fixture-plugins.js';

// Compiling a fixture from its AssemblyScript source can take seconds on a cold cache.
beforeAll(async () => {
  await Promise.all([fixturePlugin('observe')]);
}, 120_000);

const EXPECTED = {
  identity: { layer: 'identity', passed: true, detail: 'conformance-observe' },
  handshake: {
    layer: 'handshake',
    passed: true,
    detail: '1 function(s) negotiated',
    fuelConsumed: expect.any(Number),
  },
  selfCheck: { layer: 'self_check', passed: true, detail: undefined, fuelConsumed: expect.any(Number) },
  dispatch: [
    {
      layer: 'dispatch:robustness:empty_events',
      passed: true,
      detail: 'empty event batch accepted',
      fuelConsumed: expect.any(Number),
    },
    {
      layer: 'dispatch:robustness:multi_event_batch',
      passed: true,
      detail: 'multi-event batch accepted',
      fuelConsumed: expect.any(Number),
    },
  ],
  extras: [],
};

describe('verifyObservabilityPlugin', () => {
  it('T-05: the observe fixture passes with its capability', async () => {
    const report = await verifyObservabilityPlugin(await fixturePlugin('observe'), {
      capabilities: ['observability:emit'],
    });
    expect(report).toEqual(EXPECTED);
    expect(verify.observability).toBe(verifyObservabilityPlugin);
  });

  it('T-09: without the capability → MissingCapability; with it (via the descriptor) → passes', async () => {
    const wasm = await fixturePlugin('observe');
    const error = await verifyObservabilityPlugin(wasm).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).kind).toBe('Handshake');
    expect((error as VerifyError).cause).toMatchObject({
      kind: 'MissingCapability',
      name: 'observability:emit',
    });
    expect((error as VerifyError).message).toBe(
      'handshake verification failed: missing host capability: observability:emit',
    );
    const report = await verifyObservabilityPlugin(plugin(wasm, { capabilities: ['observability:emit'] }));
    expect(report).toEqual(EXPECTED);
  });

  it('capabilities given as a one-shot iterator are used by every handshake of the flow', async () => {
    const once = (function* () {
      yield 'observability:emit';
    })();
    expect(await verifyObservabilityPlugin(await fixturePlugin('observe'), { capabilities: once })).toEqual(
      EXPECTED,
    );
  });
});
