import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../src/wire/wasm-writer.js';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

describe('ByteWriter', () => {
  it('writes unsigned LEB128 in the fewest bytes', () => {
    expect(hex(new ByteWriter().u32(0).u32(127).u32(128).u32(0xffffffff).finish())).toBe(
      '00 7f 80 01 ff ff ff ff 0f',
    );
    expect(
      hex(
        new ByteWriter()
          .u64(2 ** 32)
          .u64(Number.MAX_SAFE_INTEGER)
          .finish(),
      ),
    ).toBe('80 80 80 80 10 ff ff ff ff ff ff ff 0f');
  });

  it('writes signed LEB128 with the sign in the last byte', () => {
    expect(hex(new ByteWriter().s64(0).s64(-1).s64(63).s64(64).s64(-64).s64(-65).finish())).toBe(
      '00 7f 3f c0 00 40 bf 7f',
    );
    expect(hex(new ByteWriter().s64(-(2n ** 63n)).finish())).toBe('80 80 80 80 80 80 80 80 80 7f');
  });

  it('writes names and length-prefixed payloads', () => {
    const inner = new ByteWriter().u8(1).u8(2);
    expect(hex(new ByteWriter().name('aé').sized(inner).sized(Uint8Array.of(9)).finish())).toBe(
      '03 61 c3 a9 02 01 02 01 09',
    );
  });

  it('grows from any starting capacity, an empty one included', () => {
    const w = new ByteWriter(0);
    for (let i = 0; i < 100; i++) w.u8(i);
    expect(w.length).toBe(100);
    expect(w.finish()[99]).toBe(99);
  });
});
