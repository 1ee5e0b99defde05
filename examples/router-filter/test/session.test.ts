// One router-filter instance answering a stream of routing decisions, as the host keeps it
// between requests: `pluginTest` gives each test a fresh, handshaken session and closes it after.
import { dryRunSamples, FilterFn, fixtures } from 'cc-lb-plugin-conformance';
import { pluginTest } from 'cc-lb-plugin-conformance/vitest';
import { withIdentity } from 'cc-lb-plugin-conformance/wat';
import { describe, expect } from 'vitest';
import identity from '../identity.json' with { type: 'json' };
import source from '../plugin.wat';

const test = pluginTest({ wasm: withIdentity(source, identity) });

/** A request with `count` candidates named upstream-0, upstream-1, …; every third one a fallback. */
function requestWith(count: number) {
  const builder = fixtures.filterRequestBuilder();
  for (let i = 0; i < count; i++) {
    const name = i % 3 === 2 ? `upstream-${i}-fallback` : `upstream-${i}`;
    builder.addCandidate({ ...dryRunSamples.CandidateWire(), upstream_id: `id-${i}`, name });
  }
  return builder.build();
}

describe('a router-filter session', () => {
  test('is negotiated for filter at version 1', async ({ session }) => {
    expect(session.identity).toMatchObject({ plugin_name: 'router-filter', plugin_version: '0.1.0' });
    expect(session.negotiatedFunctions).toEqual({ filter: 1 });
  });

  test('answers request after request on one instance, fuel growing with the candidates', async ({
    session,
  }) => {
    const fuel: number[] = [];
    for (const count of [1, 4, 16]) {
      const outcome = await session.dispatch(FilterFn, requestWith(count));
      if (outcome.kind !== 'ok') throw new Error(`filter fell back: ${outcome.error}`);
      expect(outcome.response.results.map((r) => r.upstream_id)).toEqual(
        Array.from({ length: count }, (_, i) => `id-${i}`),
      );
      expect(outcome.response.results.filter((r) => r.decision === 'reject')).toHaveLength(
        Math.floor(count / 3),
      );
      expect(session.lastCall).toMatchObject({ function: 'filter', fuelConsumed: outcome.fuelConsumed });
      fuel.push(session.lastCall?.fuelConsumed ?? 0);
    }
    expect(fuel[0]).toBeGreaterThan(0);
    expect(fuel[1]).toBeGreaterThan(fuel[0] as number);
    expect(fuel[2]).toBeGreaterThan(fuel[1] as number);
  });

  test('the matchers take the session too', async ({ session }) => {
    await expect(session).toDispatch(FilterFn).ok({ results: [] });
    await expect(session)
      .toDispatch(FilterFn, requestWith(3))
      .ok({
        results: [
          { upstream_id: 'id-0', decision: 'accept', reason: 'eligible' },
          { upstream_id: 'id-1', decision: 'accept', reason: 'eligible' },
          { upstream_id: 'id-2', decision: 'reject', reason: 'reserved for fallback' },
        ],
      });
  });
});
