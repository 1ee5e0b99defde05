// One observe-hook instance taking batch after batch, as the host keeps it between requests: the
// `pluginTest` fixtures hand out the plugin with the capability granted and a fresh session per test.
import { fixtures, ObserveFn } from 'cc-lb-plugin-conformance';
import { pluginTest } from 'cc-lb-plugin-conformance/vitest';
import { withIdentity } from 'cc-lb-plugin-conformance/wat';
import { describe, expect } from 'vitest';
import identity from '../identity.json' with { type: 'json' };
import source from '../plugin.wat';

const test = pluginTest({ wasm: withIdentity(source, identity), capabilities: ['observability:emit'] });

/** A batch of `requests` request lifecycles: started, authenticated, finished. */
function batch(requests: number) {
  const builder = fixtures.observeRequestBuilder();
  for (let i = 0; i < requests; i++) {
    builder
      .addEvent({ kind: 'request_started', request_id: `req-${i}`, downstream_user_agent: null })
      .addEvent({ kind: 'authn_complete', principal_id: `user-${i}`, principal_kind: 'api_key' })
      .addEvent({
        kind: 'request_finished',
        status: 200,
        input_tokens: null,
        output_tokens: null,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        duration_ms: 10 + i,
      });
  }
  return builder.build();
}

describe('an observe-hook session', () => {
  test('is negotiated for observe with the capability', async ({ session, plugin }) => {
    expect(plugin.capabilities).toEqual(['observability:emit']);
    expect(session.negotiatedFunctions).toEqual({ observe: 1 });
    expect(session.metadata.negotiated_capabilities).toEqual(['observability:emit']);
  });

  test('takes batch after batch on one instance, fuel growing with the batch', async ({ session }) => {
    expect(session.lastCall).toBeUndefined();
    const fuel: number[] = [];
    for (const requests of [0, 1, 10]) {
      const request = batch(requests);
      expect(request.events).toHaveLength(requests * 3);
      await expect(session).toDispatch(ObserveFn, request).ok({});
      expect(session.lastCall?.function).toBe('observe');
      fuel.push(session.lastCall?.fuelConsumed ?? 0);
    }
    expect(fuel[0]).toBeGreaterThan(0);
    expect(fuel[1]).toBeGreaterThan(fuel[0] as number);
    expect(fuel[2]).toBeGreaterThan(fuel[1] as number);
  });

  test('session.dispatch gives the outcome itself', async ({ session }) => {
    const outcome = await session.dispatch(ObserveFn, batch(2));
    expect(outcome).toMatchObject({ kind: 'ok', response: {} });
    expect(outcome.fuelConsumed).toBe(session.lastCall?.fuelConsumed);
  });
});
