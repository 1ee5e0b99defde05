import '../../../src/vitest/setup.js';
import { describe, expect, test } from 'vitest';
import { PluginSession, plugin } from '../../../src/conformance/index.js';
import { body } from '../../../src/wat/index.js';
import { loggingGuestModule, logWat, setOutputWat } from '../../support/guest-modules.js';
import { uncoloured } from '../../support/uncoloured.js';
import {
  capabilityShapePlugin,
  choosesShapeV2Plugin,
  shapePlugin,
  undeclaredExportPlugin,
} from '../../support/vitest-plugins.js';

const good = shapePlugin();

describe('toHandshake', () => {
  test('passes when the handshake succeeds, for bytes, an offset Buffer view and a PluginUnderTest', async () => {
    await expect(good).toHandshake();
    const padded = new Uint8Array(good.length + 3);
    padded.set(good, 3);
    await expect(Buffer.from(padded.buffer, 3, good.length)).toHandshake();
    await expect(plugin(good, { fuel: 5_000_000 })).toHandshake();
  });

  test('works behind .resolves and expect.soft', async () => {
    await expect(Promise.resolve(good)).resolves.toHandshake({ chosenVersions: { shape: 1 } });
    await expect.soft(good).toHandshake();
    await expect(
      uncoloured(expect(Promise.resolve(undeclaredExportPlugin())).resolves.toHandshake()),
    ).rejects.toThrow(
      /^expect\(received\)\.resolves\.toHandshake\(\)\n\nExpected the handshake to succeed\n/,
    );
  });

  test('matches the report as a subset, asymmetric matchers included', async () => {
    await expect(good).toHandshake({
      chosenVersions: { shape: 1 },
      identity: { name: 'demo-shape', version: expect.stringMatching(/^1\./) },
      fuelConsumed: expect.any(Number),
    });
  });

  test('fails with the handshake error and every cause, kind by kind', async () => {
    await expect(
      uncoloured(expect(undeclaredExportPlugin()).toHandshake()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toHandshake()

      Expected the handshake to succeed
      Received failure: HandshakeError InvalidIdentity (UndeclaredExport): invalid identity field implemented_functions: undeclared wire function export present: normalize_error
        caused by HandshakeExecutionError UndeclaredExport: undeclared wire function export present: normalize_error]
    `);
  });

  test('fails when the report does not match, with the projected report as `actual` for the diff', async () => {
    const failure = expect(good).toHandshake({
      chosenVersions: { shape: 2 },
      identity: { name: 'demo-shape' },
    });
    const error = await Promise.resolve(failure).then(
      () => undefined,
      (e: unknown) => e as { actual: unknown; expected: unknown },
    );
    expect(error?.actual).toEqual({ chosenVersions: { shape: 1 }, identity: { name: 'demo-shape' } });
    expect(error?.expected).toEqual({ chosenVersions: { shape: 2 }, identity: { name: 'demo-shape' } });
    await expect(
      uncoloured(expect(good).toHandshake({ chosenVersions: { shape: 2 } })),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toHandshake(expected)

      The handshake succeeded (fuel used: <n> of 10000000), but its report does not match

      Expected: Object {
        "chosenVersions": Object {
          "shape": 2,
        },
      }
      Received: Object {
        "chosenVersions": Object {
          "shape": 1,
        },
      }]
    `);
  });

  test('.not passes when the handshake fails and fails, saying so, when it succeeds', async () => {
    await expect(undeclaredExportPlugin()).not.toHandshake();
    await expect(good).not.toHandshake({ chosenVersions: { shape: 2 } });
    await expect(uncoloured(expect(good).not.toHandshake())).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).not.toHandshake()

      Expected the handshake to fail, but it succeeded (fuel used: <n> of 10000000)

      Received: Object {
        "chosenVersions": Object {
          "shape": 1,
        },
        "envelopeVersion": 1,
        "fuelConsumed": <n>,
        "identity": Object {
          "abiEnvelope": 1,
          "name": "demo-shape",
          "version": "1.2.3",
        },
        "negotiatedCapabilities": Array [],
      }]
    `);
  });

  test('takes a PluginSession and repeats its handshake: same plugin, capabilities and offer', async () => {
    const plain = await PluginSession.create(plugin(good, { fuel: 5_000_000 }));
    const withCapability = await PluginSession.create(capabilityShapePlugin(), {
      capabilities: ['observability:emit'],
    });
    const offeringV2 = await PluginSession.create(choosesShapeV2Plugin(), {
      functionVersions: { shape: [1, 2] },
    });
    try {
      await expect(plain).toHandshake({ chosenVersions: { shape: 1 }, identity: { name: 'demo-shape' } });
      // each passes only because the session's capabilities or offer are used: the bytes alone fail
      await expect(withCapability).toHandshake({ negotiatedCapabilities: ['observability:emit'] });
      await expect(capabilityShapePlugin()).not.toHandshake();
      await expect(offeringV2).toHandshake({ chosenVersions: { shape: 2 } });
      await expect(choosesShapeV2Plugin()).not.toHandshake();
      // the budget said is the session's plugin's own
      await expect(
        uncoloured(expect(plain).toHandshake({ chosenVersions: { shape: 2 } })),
      ).rejects.toThrowErrorMatchingInlineSnapshot(`
        [Error: expect(received).toHandshake(expected)

        The handshake succeeded (fuel used: <n> of 5000000), but its report does not match

        Expected: Object {
          "chosenVersions": Object {
            "shape": 2,
          },
        }
        Received: Object {
          "chosenVersions": Object {
            "shape": 1,
          },
        }]
      `);
      await expect(uncoloured(expect(offeringV2).not.toHandshake())).rejects.toThrow(
        /^expect\(received\)\.not\.toHandshake\(\)\n\nExpected the handshake to fail, but it succeeded \(fuel used: <n> of 10000000\)/,
      );
    } finally {
      await plain.close();
      await withCapability.close();
      await offeringV2.close();
    }
  });

  test('rejects a receiver that is not a plugin, naming what it got', async () => {
    await expect(uncoloured(expect('plugin.wasm').toHandshake())).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toHandshake()

      Matcher error: received value must be wasm bytes (Uint8Array, ArrayBuffer or ArrayBufferView), a PluginUnderTest from plugin() or a PluginSession

      Received has type:  String
      Received has value: "plugin.wasm"]
    `);
  });
});

describe('toHandshake failure messages', () => {
  test('show what the guest wrote when its accept does not decode, and what it logged', async () => {
    const garbled = loggingGuestModule({
      handshake: body(
        ['    (local $o i64)', logWat('info', 'offer received'), setOutputWat('{"chosen_versions":')].join(
          '\n',
        ),
      ),
    });
    await expect(uncoloured(expect(garbled).toHandshake())).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toHandshake()

      Expected the handshake to succeed
      Received failure: HandshakeError Serialization: handshake serialization failed: EOF while parsing a value at line 1 column 19
        caused by HandshakeExecutionError DecodeAccept: handshake accept decode failed: EOF while parsing a value at line 1 column 19
        caused by WireDecodeError: EOF while parsing a value at line 1 column 19 (at /chosen_versions)
      Guest output: the guest wrote 19 bytes: "{\\"chosen_versions\\":"
      Guest log (1 line):
        [info] offer received]
    `);
  });
});
