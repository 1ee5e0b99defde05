/** The compiled-module cache: same bytes, same module; a corrupt disk entry is ignored. */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlugin } from '../../src/engine/index.js';
import { binaryInstrumenter } from '../../src/engine/instrument.js';
import {
  cacheKey,
  clearModuleCache,
  contentDigest,
  contentSnapshot,
  PACKAGE_VERSION,
  preparedModuleIfReady,
  prepareModule,
} from '../../src/engine/module-cache.js';
import { wat } from '../../src/wat/compile.js';

const OPTIONS = { maxMemoryPages: 2048, kernelCallFuel: 15 };

describe('prepareModule', () => {
  it('returns the same compiled module for the same bytes and options', async () => {
    const bytes = wat`(module (func (export "run") (result i32) (i32.const 0)) (global i32 (i32.const 11)))`;
    const first = await prepareModule(bytes, OPTIONS);
    expect(await prepareModule(bytes.slice(), OPTIONS)).toBe(first);
    expect(await prepareModule(bytes, { ...OPTIONS, kernelCallFuel: 3 })).not.toBe(first);
  });

  it('keys on content, instrumenter and the options that change instrumentation', () => {
    const bytes = wat`(module)`;
    const key = cacheKey(bytes, OPTIONS, binaryInstrumenter);
    // the package version too: an upgrade never reads a disk entry another version wrote
    expect(key).toBe(
      `${createHash('sha256').update(bytes).digest('hex')}-${binaryInstrumenter.id}-v${PACKAGE_VERSION}-p2048-k15`,
    );
    expect(PACKAGE_VERSION).toBe(
      (
        JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
          version: string;
        }
      ).version,
    );
    expect(cacheKey(bytes, { ...OPTIONS, maxMemoryPages: 16 }, binaryInstrumenter)).not.toBe(key);
  });

  it('ignores a corrupt disk entry and rebuilds', async () => {
    const bytes = wat`(module (func (export "run") (result i32) (i32.const 0)) (global i32 (i32.const 12)))`;
    const directory = join(process.cwd(), 'node_modules', '.cache', 'cc-lb-plugin-conformance');
    mkdirSync(directory, { recursive: true });
    writeFileSync(
      join(directory, `engine-${cacheKey(bytes, OPTIONS, binaryInstrumenter)}.bin`),
      'CCLBENG1garbage',
    );
    clearModuleCache();
    const plugin = await buildPlugin(bytes, { wallMs: 200, fuel: 1000 });
    expect((await plugin.call('run', '')).fuelConsumed).toBe(2);
  });

  it('does not keep failures: the same bad bytes fail again with the same reason', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    await expect(prepareModule(bytes, OPTIONS)).rejects.toMatchObject({ kind: 'Instantiate' });
    await expect(prepareModule(bytes, OPTIONS)).rejects.toMatchObject({ kind: 'Instantiate' });
  });
});

describe('preparedModuleIfReady', () => {
  it('answers only a finished build, for equal content in any view, and starts none itself', async () => {
    const bytes = wat`(module (func (export "run") (result i32) (i32.const 0)) (global i32 (i32.const 21)))`;
    expect(preparedModuleIfReady(bytes, OPTIONS)).toBeUndefined();
    const building = prepareModule(bytes, OPTIONS);
    expect(preparedModuleIfReady(bytes, OPTIONS)).toBeUndefined(); // still building
    const prepared = await building;
    expect(preparedModuleIfReady(bytes, OPTIONS)).toBe(prepared);
    // the same content at an offset inside a larger buffer
    const padded = new Uint8Array(bytes.length + 7);
    padded.set(bytes, 7);
    expect(preparedModuleIfReady(padded.subarray(7), OPTIONS)).toBe(prepared);
    expect(preparedModuleIfReady(bytes, { ...OPTIONS, kernelCallFuel: 4 })).toBeUndefined();
    const changed = bytes.slice();
    changed[changed.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    expect(preparedModuleIfReady(changed, OPTIONS)).toBeUndefined();
    clearModuleCache();
    expect(preparedModuleIfReady(bytes, OPTIONS)).toBeUndefined();
  });

  it('never answers for bytes whose build failed', async () => {
    const bytes = new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]);
    await expect(prepareModule(bytes, OPTIONS)).rejects.toMatchObject({ kind: 'Instantiate' });
    expect(preparedModuleIfReady(bytes, OPTIONS)).toBeUndefined();
  });
});

describe('contentDigest', () => {
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

  it('is the sha-256 of the bytes, before and after they were built, for any view of them', async () => {
    const bytes = wat`(module (func (export "run") (result i32) (i32.const 0)) (global i32 (i32.const 13)))`;
    const expected = sha256(bytes);
    expect(contentDigest(bytes)).toBe(expected);
    await prepareModule(bytes, OPTIONS);
    expect(contentDigest(bytes)).toBe(expected);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(contentDigest(padded.subarray(3))).toBe(expected);
  });

  it('follows the content, not the buffer: a changed buffer gets its new digest', async () => {
    const bytes = wat`(module (func (export "run") (result i32) (i32.const 0)) (global i32 (i32.const 14)))`;
    await prepareModule(bytes, OPTIONS);
    const before = contentDigest(bytes);
    const changed = bytes.slice();
    changed[changed.length - 2] = (changed[changed.length - 2] as number) ^ 1;
    expect(contentDigest(changed)).toBe(sha256(changed));
    expect(contentDigest(changed)).not.toBe(before);
    expect(contentDigest(bytes)).toBe(before);
  });
});

describe('contentSnapshot', () => {
  it('is one private copy per content: later changes to the input do not reach it', () => {
    const bytes = wat`(module (global i32 (i32.const 15)))`;
    const original = bytes.slice();
    const snapshot = contentSnapshot(bytes);
    expect(snapshot).not.toBe(bytes);
    expect(contentSnapshot(original)).toBe(snapshot);
    bytes.fill(0);
    expect(snapshot).toEqual(original);
  });

  it('is a plain Uint8Array, so slice() copies instead of aliasing the cache (as a Buffer would)', () => {
    const bytes = Buffer.from(wat`(module (global i32 (i32.const 16)))`);
    const snapshot = contentSnapshot(bytes);
    expect(Buffer.isBuffer(snapshot)).toBe(false);
    const copy = snapshot.slice();
    copy.fill(0);
    expect(contentSnapshot(bytes)).toEqual(new Uint8Array(bytes));
  });

  it('serves builds of the same content from the same cache entry', async () => {
    const bytes = wat`(module (func (export "run") (result i32) (i32.const 0)) (global i32 (i32.const 17)))`;
    const snapshot = contentSnapshot(bytes);
    expect(await prepareModule(snapshot, OPTIONS)).toBe(await prepareModule(bytes.slice(), OPTIONS));
  });
});
