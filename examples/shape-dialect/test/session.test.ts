// One plugin instance serving a stream of requests, as the host keeps it between calls: the
// `pluginTest` fixtures give each test a fresh session (handshaken, closed afterwards).
import { fixtures, ShapeFn } from 'cc-lb-plugin-conformance';
import { pluginTest } from 'cc-lb-plugin-conformance/vitest';
import { withIdentity } from 'cc-lb-plugin-conformance/wat';
import { describe, expect } from 'vitest';
import identity from '../identity.json' with { type: 'json' };
import source from '../plugin.wat';

const test = pluginTest({ wasm: withIdentity(source, identity) });

/** The reference host's fuel per guest call. */
const REFERENCE_FUEL = 10_000_000;

describe('a shape-dialect session', () => {
  test('is negotiated for shape at version 1', async ({ session }) => {
    expect(session.identity.plugin_name).toBe('shape-dialect');
    expect(session.negotiatedFunctions).toEqual({ shape: 1 });
  });

  test('serves several requests on one instance, its fuel growing with the body', async ({ session }) => {
    const small = fixtures.shapeRequestBuilder().bodyBase64('e30=').build();
    const large = fixtures
      .shapeRequestBuilder()
      .bodyBase64(Buffer.from('x'.repeat(65_536)).toString('base64'))
      .build();

    await expect(session)
      .toDispatch(ShapeFn, small)
      .ok(expect.objectContaining({ body_base64: 'e30=' }));
    const smallFuel = session.lastCall?.fuelConsumed ?? 0;
    await expect(session)
      .toDispatch(ShapeFn, large)
      .ok(expect.objectContaining({ body_base64: large.request.body_base64 }));
    const largeFuel = session.lastCall?.fuelConsumed ?? 0;
    // the instance kept its grown memory; a small request afterwards is as cheap as before
    await expect(session)
      .toDispatch(ShapeFn, small)
      .ok(expect.objectContaining({ body_base64: 'e30=' }));

    expect(session.lastCall?.function).toBe('shape');
    expect(session.lastCall?.fuelConsumed).toBe(smallFuel);
    expect(smallFuel).toBeGreaterThan(0);
    expect(largeFuel).toBeGreaterThan(smallFuel * 10);
    // the body is scanned twice and copied once: well inside the reference budget
    expect(largeFuel).toBeLessThan(REFERENCE_FUEL / 2);
  });

  test('the plugin fixture is what the matchers take, too', async ({ plugin }) => {
    expect(plugin.limits.fuel).toBe(REFERENCE_FUEL);
    await expect(plugin).toHandshake({ chosenVersions: { shape: 1 } });
  });
});
