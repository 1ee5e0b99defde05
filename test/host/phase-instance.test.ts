import { describe, expect, it } from 'vitest';
import type { LoadedPlugin } from '../../src/engine/index.js';
import { closeQuietly, phaseBuildOptions } from '../../src/host/phase-instance.js';

const DEFAULTS = { wallMs: 200, fuel: 10_000_000 };

describe('phaseBuildOptions', () => {
  it('uses the phase defaults when nothing is overridden, and sets nothing else', () => {
    expect(phaseBuildOptions({}, DEFAULTS)).toStrictEqual({ wallMs: 200, fuel: 10_000_000 });
  });

  it('takes every override the caller gives', () => {
    expect(
      phaseBuildOptions({ fuel: 5, wallMs: 7, strictWallClock: true, maxMemoryPages: 16 }, DEFAULTS),
    ).toStrictEqual({ wallMs: 7, fuel: 5, strictWallClock: true, maxMemoryPages: 16 });
  });

  it('keeps an explicit false and 0 (they are overrides, not absences)', () => {
    expect(phaseBuildOptions({ fuel: 0, strictWallClock: false }, DEFAULTS)).toStrictEqual({
      wallMs: 200,
      fuel: 0,
      strictWallClock: false,
    });
  });
});

describe('closeQuietly', () => {
  const pluginClosing = (close: () => Promise<void>): LoadedPlugin => ({
    functionExists: () => false,
    exports: () => [],
    imports: () => [],
    call: () => Promise.reject(new Error('not called')),
    close,
  });

  it('closes the instance', async () => {
    let closed = 0;
    await closeQuietly(pluginClosing(async () => void closed++));
    expect(closed).toBe(1);
  });

  it('never lets a failing close replace the phase outcome', async () => {
    await expect(
      closeQuietly(pluginClosing(() => Promise.reject(new Error('close failed')))),
    ).resolves.toBeUndefined();
  });
});
