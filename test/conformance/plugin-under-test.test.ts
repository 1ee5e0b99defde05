import { describe, expect, it } from 'vitest';
import { isPluginUnderTest, plugin, resolvePlugin } from '../../src/conformance/plugin-under-test.js';

describe('plugin()', () => {
  it('copies the bytes once and freezes the descriptor', () => {
    const bytes = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0]);
    const p = plugin(bytes, { capabilities: new Set(['b', 'a']) });
    bytes[0] = 0xff;
    expect(p.wasm[0]).toBe(0);
    expect(p.wasm).not.toBe(bytes);
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.limits)).toBe(true);
    expect(Object.isFrozen(p.capabilities)).toBe(true);
    expect(p.capabilities).toEqual(['b', 'a']);
  });

  it('copies a Node Buffer too (Buffer.prototype.slice would only alias it)', () => {
    const buffer = Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]);
    const p = plugin(buffer);
    buffer[0] = 0xff;
    expect(p.wasm[0]).toBe(0);
    expect(p.wasm.buffer).not.toBe(buffer.buffer);
  });

  it('defaults to the reference budgets', () => {
    expect(plugin(new Uint8Array(8)).limits).toEqual({
      fuel: 10_000_000,
      wallMs: 200,
      strictWallClock: false,
      maxMemoryPages: 2048,
    });
    expect(plugin(new Uint8Array(8)).capabilities).toEqual([]);
  });

  it('takes overrides and rejects nonsense limits', () => {
    expect(
      plugin(new Uint8Array(8), { fuel: 5, wallMs: 7, strictWallClock: true, maxMemoryPages: 3 }).limits,
    ).toEqual({
      fuel: 5,
      wallMs: 7,
      strictWallClock: true,
      maxMemoryPages: 3,
    });
    expect(() => plugin(new Uint8Array(8), { fuel: 0 })).toThrow(
      'plugin(): fuel must be a positive integer, received 0',
    );
    expect(() => plugin(new Uint8Array(8), { wallMs: 1.5 })).toThrow(RangeError);
  });

  it('reads views at their offset (Buffer, DataView, ArrayBuffer)', () => {
    const backing = Uint8Array.from([9, 9, 1, 2, 3]);
    expect([...plugin(new DataView(backing.buffer, 2, 3)).wasm]).toEqual([1, 2, 3]);
    expect([...plugin(Buffer.from(backing.buffer, 2, 3)).wasm]).toEqual([1, 2, 3]);
    expect([...plugin(backing.buffer).wasm]).toEqual([9, 9, 1, 2, 3]);
  });

  it('isPluginUnderTest recognises descriptors only', () => {
    const p = plugin(new Uint8Array(8));
    expect(isPluginUnderTest(p)).toBe(true);
    expect(isPluginUnderTest({ ...p })).toBe(false);
    expect(isPluginUnderTest(new Uint8Array(8))).toBe(false);
    expect(isPluginUnderTest(null)).toBe(false);
    expect(isPluginUnderTest({ wasm: new Uint8Array(8), capabilities: [], limits: p.limits })).toBe(false);
  });

  it('resolvePlugin passes descriptors through and gives raw bytes the defaults', () => {
    const p = plugin(new Uint8Array(8), { capabilities: ['x'], fuel: 9 });
    expect(resolvePlugin(p)).toBe(p);
    const raw = new Uint8Array(8);
    expect(resolvePlugin(raw)).toEqual({ wasm: raw, capabilities: [], limits: plugin(raw).limits });
  });
});
