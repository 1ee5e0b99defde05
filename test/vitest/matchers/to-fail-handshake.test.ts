import '../../../src/vitest/setup.js';
import { describe, expect, test } from 'vitest';
import { PluginSession, plugin } from '../../../src/conformance/index.js';
import { uncoloured } from '../../support/uncoloured.js';
import {
  capabilityShapePlugin,
  choosesShapeV2Plugin,
  shapePlugin,
  undeclaredExportPlugin,
} from '../../support/vitest-plugins.js';

/** Chooses shape v2 where the host offers only v1: the wire validator's ChosenVersionNotOffered. */
const choosesV2 = choosesShapeV2Plugin();

describe('toFailHandshake', () => {
  test('matches the conformance kind, a host kind in the cause chain, or a wire kind below it', async () => {
    await expect(undeclaredExportPlugin()).toFailHandshake('InvalidIdentity');
    await expect(undeclaredExportPlugin()).toFailHandshake('UndeclaredExport');
    await expect(choosesV2).toFailHandshake('ChosenVersionNotOffered');
  });

  test('matches a partial error, asymmetric matchers included', async () => {
    await expect(undeclaredExportPlugin()).toFailHandshake({
      kind: 'InvalidIdentity',
      field: 'implemented_functions',
      reason: expect.stringContaining('normalize_error'),
    });
    await expect(plugin(undeclaredExportPlugin())).toFailHandshake({
      cause: expect.objectContaining({ kind: 'UndeclaredExport' }),
    });
  });

  test('fails when the handshake fails differently, showing the whole error chain', async () => {
    await expect(
      uncoloured(expect(choosesV2).toFailHandshake('DowngradeAttempt')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toFailHandshake(expected)

      Expected failure: DowngradeAttempt
      Received failure: HandshakeError InvalidIdentity (ChosenVersionNotOffered): invalid identity field chosen_versions: handshake validation failed: chosen version not offered: function 'shape' version 2 not in offer
        caused by HandshakeExecutionError Validation: handshake validation failed: chosen version not offered: function 'shape' version 2 not in offer
        caused by HandshakeValidationError ChosenVersionNotOffered: chosen version not offered: function 'shape' version 2 not in offer]
    `);
    await expect(
      uncoloured(
        expect(undeclaredExportPlugin()).toFailHandshake({
          kind: 'InvalidIdentity',
          field: 'chosen_versions',
        }),
      ),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toFailHandshake(expected)

      Expected failure: Object {
        "field": "chosen_versions",
        "kind": "InvalidIdentity",
      }
      Received failure: HandshakeError InvalidIdentity (UndeclaredExport): invalid identity field implemented_functions: undeclared wire function export present: normalize_error
        caused by HandshakeExecutionError UndeclaredExport: undeclared wire function export present: normalize_error]
    `);
  });

  test('fails when the handshake succeeds', async () => {
    await expect(
      uncoloured(expect(shapePlugin()).toFailHandshake('MissingExport')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toFailHandshake(expected)

      Expected failure: MissingExport
      Received: the handshake succeeded (fuel used: <n> of 10000000)

      Report: Object {
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

  test('.not passes for another kind or a success, and fails for the named kind', async () => {
    await expect(shapePlugin()).not.toFailHandshake('MissingExport');
    await expect(choosesV2).not.toFailHandshake('DowngradeAttempt');
    await expect(
      uncoloured(expect(undeclaredExportPlugin()).not.toFailHandshake('UndeclaredExport')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).not.toFailHandshake(expected)

      Expected failure: not UndeclaredExport
      Received failure: HandshakeError InvalidIdentity (UndeclaredExport): invalid identity field implemented_functions: undeclared wire function export present: normalize_error
        caused by HandshakeExecutionError UndeclaredExport: undeclared wire function export present: normalize_error]
    `);
  });

  test('takes a PluginSession and repeats its handshake, which the session already passed', async () => {
    // A session exists only after a successful handshake, and the repeat uses the same plugin,
    // capabilities and offer: the failures the bytes alone show must not appear through it.
    const withCapability = await PluginSession.create(capabilityShapePlugin(), {
      capabilities: ['observability:emit'],
    });
    const offeringV2 = await PluginSession.create(choosesV2, { functionVersions: { shape: [1, 2] } });
    try {
      await expect(capabilityShapePlugin()).toFailHandshake({
        kind: 'MissingCapability',
        name: 'observability:emit',
      });
      await expect(withCapability).not.toFailHandshake('MissingCapability');
      await expect(choosesV2).toFailHandshake('ChosenVersionNotOffered');
      await expect(offeringV2).not.toFailHandshake('ChosenVersionNotOffered');
      await expect(
        uncoloured(expect(withCapability).toFailHandshake('MissingCapability')),
      ).rejects.toThrowErrorMatchingInlineSnapshot(`
        [Error: expect(received).toFailHandshake(expected)

        Expected failure: MissingCapability
        Received: the handshake succeeded (fuel used: <n> of 10000000)

        Report: Object {
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
          "negotiatedCapabilities": Array [
            "observability:emit",
          ],
        }]
      `);
    } finally {
      await withCapability.close();
      await offeringV2.close();
    }
  });

  test('rejects an expectation that is neither a kind nor an object, and a wrong receiver', async () => {
    await expect(
      uncoloured(expect(shapePlugin()).toFailHandshake(42 as never)),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toFailHandshake(expected)

      Matcher error: expected value must be an error kind (string) or an object of error fields

      Expected has type:  Number
      Expected has value: 42]
    `);
    await expect(
      uncoloured(expect(null).toFailHandshake('MissingExport')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toFailHandshake(expected)

      Matcher error: received value must be wasm bytes (Uint8Array, ArrayBuffer or ArrayBufferView), a PluginUnderTest from plugin() or a PluginSession

      Received has type:  Null
      Received has value: null]
    `);
  });
});
