import { beforeAll, describe, expect, it } from 'vitest';
import { HandshakeError } from '../../src/conformance/errors.js';
import { metadataFromHandshake } from '../../src/conformance/metadata.js';
import { plugin, resolvePlugin } from '../../src/conformance/plugin-under-test.js';
import { output } from '../../src/wat/index.js';
import { validateAugmentedMetadata } from '../../src/wire/index.js';
import { fixturePlugin } from '../support/fixture-plugins.js';
import { acceptFor, guestModule } from '../support/guest-modules.js';

// Compiling a fixture from its AssemblyScript source can take seconds on a cold cache.
beforeAll(async () => {
  await Promise.all([fixturePlugin('observe')]);
}, 120_000);

describe('metadataFromHandshake (PROTOCOL.md §8.4)', () => {
  it('builds metadata from the accept with the fixed timestamps 1 / 1 / 604801', async () => {
    const { metadata, fuelConsumed } = await metadataFromHandshake(
      resolvePlugin(plugin(await fixturePlugin('observe'), { capabilities: ['observability:emit'] })),
    );
    expect(metadata).toEqual({
      identity: {
        magic: [204, 27, 112, 16, 0, 1, 0, 0],
        abi_envelope: 1,
        plugin_name: 'conformance-observe',
        plugin_version: '0.0.0-test',
      },
      negotiated_functions: { observe: 1 },
      negotiated_capabilities: ['observability:emit'],
      handshake_completed_at: 1,
      self_check_passed: true,
      self_check_completed_at: 1,
      expires_at: 604_801,
    });
    expect(fuelConsumed).toBeGreaterThan(0);
    expect(() => validateAugmentedMetadata(metadata)).not.toThrow();
  });

  it('maps handshake errors as handshake.run does', async () => {
    const error = await metadataFromHandshake(resolvePlugin(guestModule({ handshake: false }))).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({ kind: 'MissingExport' });
  });

  it('maps every identity read error to field custom_section, whatever the variant', async () => {
    const wasm = guestModule({
      identity: { plugin_name: 'Bad' },
      handshake: acceptFor('shape'),
      handlers: { shape: output('{}') },
    });
    const error = await metadataFromHandshake(resolvePlugin(wasm)).catch((e) => e);
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'custom_section',
      reason: 'invalid plugin identity: plugin name does not match pattern ^[a-z][a-z0-9_-]*$ (max 64 bytes)',
    });
  });
});
