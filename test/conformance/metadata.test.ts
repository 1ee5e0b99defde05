import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HandshakeError } from '../../src/conformance/errors.js';
import {
  clearHandshakeMemo,
  HANDSHAKE_MEMO_CAPACITY,
  handshakeMemoStats,
  metadataFromHandshake,
} from '../../src/conformance/metadata.js';
import { plugin, resolvePlugin } from '../../src/conformance/plugin-under-test.js';
import { PluginSession } from '../../src/conformance/session.js';
import { PluginCallError } from '../../src/engine/index.js';
import { HandshakeExecutionError } from '../../src/host/index.js';
import { fail, output, wat } from '../../src/wat/index.js';
import { ShapeFn, validateAugmentedMetadata } from '../../src/wire/index.js';
import { fixturePlugin } from '../support/fixture-plugins.js';
import { acceptFor, guestModule } from '../support/guest-modules.js';

/**
 * How often the guest handshake really ran. A guest cannot show that (a fresh instance answers
 * the same every time), so the memo's own counter of executed handshakes is the witness.
 */
const handshakeRuns = () => handshakeMemoStats().runs;

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

describe('the handshake memo', () => {
  beforeEach(() => {
    clearHandshakeMemo();
  });

  const shapePlugin = (name: string) =>
    guestModule({
      identity: { plugin_name: name },
      handshake: acceptFor('shape'),
      handlers: {
        shape: output('{"_v":1,"url":"https://memo.test/","method":"POST","headers":[],"body_base64":""}'),
      },
    });

  it('returns equal metadata and the same fuel without running the handshake again', async () => {
    const wasm = resolvePlugin(shapePlugin('memo-equal'));
    const first = await metadataFromHandshake(wasm);
    expect(handshakeRuns()).toBe(1);
    const second = await metadataFromHandshake(wasm);
    expect(handshakeRuns()).toBe(1);
    expect(second).toEqual(first);
    expect(second.metadata.identity.plugin_name).toBe('memo-equal');
    expect(second.metadata.negotiated_functions).toEqual({ shape: 1 });
    expect(second.fuelConsumed).toBe(first.fuelConsumed);
    expect(first.fuelConsumed).toBeGreaterThan(0);
  });

  it('hands out fresh records: mutating one result does not change the next', async () => {
    const wasm = resolvePlugin(shapePlugin('memo-fresh'));
    const first = await metadataFromHandshake(wasm);
    const second = await metadataFromHandshake(wasm);
    expect(second.metadata).not.toBe(first.metadata);
    (first.metadata.negotiated_functions as Record<string, number>).shape = 9;
    (first.metadata.identity.magic as number[])[0] = 0;
    (second.metadata.negotiated_capabilities as string[]).push('tampered');
    const third = await metadataFromHandshake(wasm);
    expect(third.metadata.negotiated_functions).toEqual({ shape: 1 });
    expect(third.metadata.identity.magic[0]).toBe(204);
    expect(third.metadata.negotiated_capabilities).toEqual([]);
    expect(handshakeRuns()).toBe(1);
  });

  it('a second PluginSession.create of the same bytes does not run the guest handshake', async () => {
    const wasm = shapePlugin('memo-session');
    const first = await PluginSession.create(wasm);
    await first.close();
    expect(handshakeRuns()).toBe(1);
    const second = await PluginSession.create(wasm.slice());
    try {
      expect(handshakeRuns()).toBe(1);
      expect(second.metadata).toEqual(first.metadata);
      expect(await second.dispatch(ShapeFn)).toMatchObject({
        kind: 'ok',
        response: { url: 'https://memo.test/' },
      });
    } finally {
      await second.close();
    }
  });

  it('keys on the offer and the limits: other capabilities or fuel run the handshake again', async () => {
    const wasm = shapePlugin('memo-key');
    await metadataFromHandshake(resolvePlugin(plugin(wasm, { capabilities: ['b', 'a'] })));
    // the same offer (capabilities are a set) is a hit
    await metadataFromHandshake(resolvePlugin(plugin(wasm, { capabilities: ['a', 'b', 'a'] })));
    expect(handshakeRuns()).toBe(1);
    await metadataFromHandshake(resolvePlugin(plugin(wasm, { capabilities: ['a'] })));
    expect(handshakeRuns()).toBe(2);
    await metadataFromHandshake(resolvePlugin(plugin(wasm, { capabilities: ['a'], fuel: 5_000_000 })));
    expect(handshakeRuns()).toBe(3);
    await metadataFromHandshake(resolvePlugin(plugin(wasm, { capabilities: ['a'], maxMemoryPages: 16 })));
    expect(handshakeRuns()).toBe(4);
    await metadataFromHandshake(resolvePlugin(wasm), { functionVersions: { shape: [1, 2] } });
    await metadataFromHandshake(resolvePlugin(wasm), { functionVersions: { shape: [1, 2] } });
    expect(handshakeRuns()).toBe(5);
  });

  it('rethrows a memoized failure as an equal but distinct error chain', async () => {
    const wasm = resolvePlugin(
      guestModule({ identity: { plugin_name: 'memo-fail' }, handshake: fail('boom') }),
    );
    const first = await metadataFromHandshake(wasm).catch((e: unknown) => e);
    const second = await metadataFromHandshake(wasm).catch((e: unknown) => e);
    expect(handshakeRuns()).toBe(1);
    for (const error of [first, second]) {
      expect(error).toBeInstanceOf(HandshakeError);
      expect(error).toMatchObject({
        kind: 'WasmTrap',
        reason: 'boom',
        message: 'wasm execution failed: boom',
      });
    }
    expect(second).not.toBe(first);
    const [a, b] = [first as HandshakeError, second as HandshakeError];
    expect(b.cause).not.toBe(a.cause);
    expect(b.cause).toBeInstanceOf(HandshakeExecutionError);
    expect(b.cause).toMatchObject({ kind: 'Call', reason: 'boom', message: 'handshake call failed: boom' });
    const [innerA, innerB] = [(a.cause as Error).cause, (b.cause as Error).cause];
    expect(innerB).not.toBe(innerA);
    expect(innerB).toBeInstanceOf(PluginCallError);
    expect(innerB).toMatchObject({ kind: 'GuestError', message: 'boom' });
    expect(Object.keys(b)).toEqual(Object.keys(a));
    expect(b.stack).toBe(a.stack);
    // what one caller does to its error is not seen by the next
    (b as unknown as { extra: number }).extra = 1;
    const third = await metadataFromHandshake(wasm).catch((e: unknown) => e);
    expect(third).not.toHaveProperty('extra');
    expect(handshakeRuns()).toBe(1);
  });

  it('memoizes an identity failure found after a successful handshake', async () => {
    const wasm = resolvePlugin(
      guestModule({ identity: false, handshake: acceptFor('shape'), handlers: { shape: output('{}') } }),
    );
    const first = await metadataFromHandshake(wasm).catch((e: unknown) => e);
    const second = await metadataFromHandshake(wasm).catch((e: unknown) => e);
    expect(handshakeRuns()).toBe(1);
    expect(second).not.toBe(first);
    expect(second).toBeInstanceOf(HandshakeError);
    expect((second as HandshakeError).message).toBe((first as HandshakeError).message);
    expect(second).toMatchObject({ kind: 'InvalidIdentity', field: 'custom_section' });
  });

  it('does not memoize an Instantiate failure (it can come from the machine, not the module)', async () => {
    // a memory minimum above the engine's cap: every handshake instance fails to build
    const wasm = resolvePlugin(
      wat`(module (memory 3000) (func (export "cc_lb_handshake") (result i32) (i32.const 0)))`,
    );
    const first = await metadataFromHandshake(wasm).catch((e: unknown) => e);
    const second = await metadataFromHandshake(wasm).catch((e: unknown) => e);
    expect(first).toMatchObject({
      kind: 'Instantiate',
      reason: "memory minimum of 3000 pages exceeds the engine's memory limit of 2048 pages (maxMemoryPages)",
    });
    expect(second).toMatchObject({ kind: 'Instantiate' });
    expect(handshakeRuns()).toBe(2);
  });

  it('is bypassed under strictWallClock, where the verdict depends on time', async () => {
    const wasm = resolvePlugin(plugin(shapePlugin('memo-strict'), { strictWallClock: true }));
    await metadataFromHandshake(wasm);
    await metadataFromHandshake(wasm);
    expect(handshakeRuns()).toBe(2);
  });

  it('after clearHandshakeMemo, equal offers from different descriptors share one outcome again', async () => {
    const wasm = shapePlugin('memo-clear');
    const first = resolvePlugin(plugin(wasm, { capabilities: ['a'] }));
    await metadataFromHandshake(first);
    await metadataFromHandshake(first);
    expect(handshakeRuns()).toBe(1);
    clearHandshakeMemo();
    await metadataFromHandshake(resolvePlugin(plugin(wasm, { capabilities: ['a'] })));
    await metadataFromHandshake(first); // the same offer, through the descriptor seen before the clear
    expect(handshakeRuns()).toBe(1);
  });

  it('a hit on the most recent outcome keeps the least recent first in line for eviction', async () => {
    const wasm = shapePlugin('memo-newest');
    const withFuel = (fuel: number) => resolvePlugin(plugin(wasm, { fuel }));
    const last = 1_000_000 + HANDSHAKE_MEMO_CAPACITY - 1;
    for (let fuel = 1_000_000; fuel <= last; fuel++) await metadataFromHandshake(withFuel(fuel));
    await metadataFromHandshake(withFuel(last));
    await metadataFromHandshake(withFuel(last));
    expect(handshakeRuns()).toBe(HANDSHAKE_MEMO_CAPACITY);
    await metadataFromHandshake(withFuel(999_999)); // evicts 1_000_000, the least recent
    await metadataFromHandshake(withFuel(last));
    await metadataFromHandshake(withFuel(1_000_001));
    expect(handshakeRuns()).toBe(HANDSHAKE_MEMO_CAPACITY + 1);
    await metadataFromHandshake(withFuel(1_000_000));
    expect(handshakeRuns()).toBe(HANDSHAKE_MEMO_CAPACITY + 2);
  });

  it(`keeps the ${HANDSHAKE_MEMO_CAPACITY} most recently used outcomes`, async () => {
    const wasm = shapePlugin('memo-lru');
    const withFuel = (fuel: number) => resolvePlugin(plugin(wasm, { fuel }));
    for (let fuel = 1_000_000; fuel < 1_000_000 + HANDSHAKE_MEMO_CAPACITY; fuel++) {
      await metadataFromHandshake(withFuel(fuel));
    }
    expect(handshakeRuns()).toBe(HANDSHAKE_MEMO_CAPACITY);
    await metadataFromHandshake(withFuel(1_000_000)); // the oldest becomes the newest
    expect(handshakeRuns()).toBe(HANDSHAKE_MEMO_CAPACITY);
    await metadataFromHandshake(withFuel(999_999)); // one more evicts the least recent (1_000_001)
    await metadataFromHandshake(withFuel(1_000_000));
    expect(handshakeRuns()).toBe(HANDSHAKE_MEMO_CAPACITY + 1);
    await metadataFromHandshake(withFuel(1_000_001));
    expect(handshakeRuns()).toBe(HANDSHAKE_MEMO_CAPACITY + 2);
  });
});
