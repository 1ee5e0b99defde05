import '../../../src/vitest/setup.js';
import { describe, expect, test } from 'vitest';
import { PluginSession, plugin } from '../../../src/conformance/index.js';
import { body, spin } from '../../../src/wat/index.js';
import {
  acceptFor,
  errorSetWat,
  guestModule,
  loggingGuestModule,
  logWat,
} from '../../support/guest-modules.js';
import { uncoloured } from '../../support/uncoloured.js';
import { capabilityShapePlugin, failingShapePlugin, shapePlugin } from '../../support/vitest-plugins.js';

const good = shapePlugin();

describe('toVerifyAs', () => {
  test('passes when every layer of the verify flow passes', async () => {
    await expect(good).toVerifyAs('shape');
  });

  test('fails with the VerifyError chain when a layer errors', async () => {
    await expect(uncoloured(expect(good).toVerifyAs('router'))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toVerifyAs(router)

      Expected the plugin to verify as router
      Received failure: VerifyError Handshake: handshake verification failed: declared function missing wasm export: filter
        caused by HandshakeError FunctionMissing: declared function missing wasm export: filter]
    `);
    await expect(
      uncoloured(expect(failingShapePlugin()).toVerifyAs('shape')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toVerifyAs(shape)

      Expected the plugin to verify as shape
      Received failure: VerifyError Dispatch: dispatch verification failed: shape dispatch fell back with policy FailRequest
        caused by DispatchError Fallback: shape dispatch fell back with policy FailRequest (stage plugin_call: PluginCall: plugin call failed: upstream refused)]
    `);
  });

  test("a failed dispatch shows the guest's log of the failing call once, beneath the chain", async () => {
    const chatty = loggingGuestModule({
      handshake: acceptFor('filter'),
      handlers: {
        filter: body(
          [
            '    (local $o i64)',
            logWat('info', 'picking'),
            logWat('warn', 'none left'),
            errorSetWat('no upstream'),
          ].join('\n'),
        ),
      },
    });
    await expect(uncoloured(expect(chatty).toVerifyAs('router'))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toVerifyAs(router)

      Expected the plugin to verify as router
      Received failure: VerifyError Dispatch: dispatch verification failed: filter dispatch fell back with policy UseDefault
        caused by DispatchError Fallback: filter dispatch fell back with policy UseDefault (stage plugin_call: PluginCall: plugin call failed: no upstream)
      Guest log (2 lines):
        [info] picking
        [warn] none left]
    `);
  });

  test('a dispatch that ran out of fuel says where the fuel went', async () => {
    const looping = plugin(guestModule({ handshake: acceptFor('filter'), handlers: { filter: spin() } }), {
      fuel: 100_000,
    });
    await expect(
      uncoloured(expect(looping).toVerifyAs('router')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toVerifyAs(router)

      Expected the plugin to verify as router
      Received failure: VerifyError Dispatch: dispatch verification failed: filter dispatch fell back with policy UseDefault
        caused by DispatchError Fallback: filter dispatch fell back with policy UseDefault (stage plugin_call: PluginCall: plugin call failed: plugin ran out of fuel)
      Most self fuel (a profiled replay of the call on a fresh instance):
        1. func[7]: 100,000 self, 100,000 total, 1 call]
    `);
  });

  test('fails listing the layers when the report holds a failed layer', async () => {
    const envelopeTwo = shapePlugin({
      identity: { plugin_name: 'demo-shape', plugin_version: '1.2.3', abi_envelope: 2 },
    });
    await expect(
      uncoloured(expect(envelopeTwo).toVerifyAs('shape')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toVerifyAs(shape)

      Expected the plugin to verify as shape, but a layer failed:
        ✗ identity: demo-shape
        ✓ handshake: 1 function(s) negotiated
        ✓ self_check
        ✓ dispatch:shape:basic: shape dispatch returned a decodable response
        ✓ dispatch:robustness:empty_body: shape dispatch returned a decodable response
        ✓ dispatch:robustness:malformed_json: shape dispatch returned a decodable response
        ✓ dispatch:robustness:invalid_utf8: shape dispatch returned a decodable response
        ✓ dispatch:robustness:large_body: shape dispatch returned a decodable response
        ✓ dispatch:robustness:unicode_preservation: shape dispatch returned a decodable response

      Failing static checks:
        ✗ IdentityFieldsWellFormed: abi_envelope must be 1; found 2]
    `);
  });

  test('.not passes when verification fails and fails when it passes', async () => {
    await expect(good).not.toVerifyAs('router');
    await expect(
      uncoloured(expect(good).not.toVerifyAs('shape')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).not.toVerifyAs(shape)

      Expected the plugin not to verify as shape, but every layer passed:
        ✓ identity: demo-shape
        ✓ handshake: 1 function(s) negotiated
        ✓ self_check
        ✓ dispatch:shape:basic: shape dispatch returned a decodable response
        ✓ dispatch:robustness:empty_body: shape dispatch returned a decodable response
        ✓ dispatch:robustness:malformed_json: shape dispatch returned a decodable response
        ✓ dispatch:robustness:invalid_utf8: shape dispatch returned a decodable response
        ✓ dispatch:robustness:large_body: shape dispatch returned a decodable response
        ✓ dispatch:robustness:unicode_preservation: shape dispatch returned a decodable response]
    `);
  });

  test('takes a PluginSession and verifies the plugin it was made from, with its capabilities', async () => {
    const withCapability = await PluginSession.create(capabilityShapePlugin(), {
      capabilities: ['observability:emit'],
    });
    // the handshake succeeds; only the verify flow's dispatches reach the failing export
    const failing = await PluginSession.create(failingShapePlugin());
    try {
      // passes only because the session's capabilities are offered: the bytes alone fail
      await expect(withCapability).toVerifyAs('shape');
      await expect(capabilityShapePlugin()).not.toVerifyAs('shape');
      await expect(failing).not.toVerifyAs('shape');
      await expect(
        uncoloured(expect(failing).toVerifyAs('shape')),
      ).rejects.toThrowErrorMatchingInlineSnapshot(`
        [Error: expect(received).toVerifyAs(shape)

        Expected the plugin to verify as shape
        Received failure: VerifyError Dispatch: dispatch verification failed: shape dispatch fell back with policy FailRequest
          caused by DispatchError Fallback: shape dispatch fell back with policy FailRequest (stage plugin_call: PluginCall: plugin call failed: upstream refused)]
      `);
    } finally {
      await withCapability.close();
      await failing.close();
    }
  });

  test('rejects an unknown kind and a wrong receiver', async () => {
    await expect(
      uncoloured(expect(good).toVerifyAs('filter' as never)),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toVerifyAs(filter)

      Matcher error: kind must be one of 'shape', 'router', 'observability', 'signer'

      Expected has type:  String
      Expected has value: "filter"]
    `);
    await expect(
      uncoloured(expect(new Map()).toVerifyAs('shape')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toVerifyAs(shape)

      Matcher error: received value must be wasm bytes (Uint8Array, ArrayBuffer or ArrayBufferView), a PluginUnderTest from plugin() or a PluginSession

      Received has type:  Map
      Received has value: Map {}]
    `);
  });
});
