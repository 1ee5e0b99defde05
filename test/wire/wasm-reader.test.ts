import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeWasmReadFailure,
  hexBytes,
  WasmReadError,
  WasmReader,
  type WasmReadFailure,
} from '../../src/wire/wasm-reader.js';
import { ByteWriter } from '../../src/wire/wasm-writer.js';
import { thrown } from '../support/thrown.js';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const reader = (...bytes: number[]) => new WasmReader(Uint8Array.from(bytes));

const failed = (read: () => unknown) => thrown(read, WasmReadError);
const endOfInput = (offset: number, length: number, end: number): WasmReadFailure => ({
  reason: 'end-of-input',
  offset,
  length,
  end,
});

describe('WasmReader.u32', () => {
  it.each([
    [[0x00], 0],
    [[0x7f], 127],
    [[0x80, 0x01], 128],
    [[0xe5, 0x8e, 0x26], 624485],
    [[0xff, 0xff, 0xff, 0xff, 0x0f], 0xffffffff],
    // overlong but in range: the spec allows up to 5 bytes for any u32
    [[0x80, 0x00], 0],
    [[0x80, 0x80, 0x80, 0x80, 0x00], 0],
    [[0x81, 0x80, 0x80, 0x80, 0x08], 0x80000001],
  ])('%j is %d and consumes every byte', (bytes, value) => {
    const r = reader(...bytes, 0xaa);
    expect(r.u32()).toBe(value);
    expect(r.pos).toBe(bytes.length);
  });

  it('reports a LEB128 that runs past five bytes as too long, at the fifth byte', () => {
    const r = new WasmReader(Uint8Array.of(...HEADER, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 8);
    const error = failed(() => r.u32());
    expect(error.failure).toEqual({ reason: 'leb-too-long', offset: 12, type: 'u32' });
    expect(error.message).toBe('u32 LEB128 is longer than 5 bytes at byte 12');
  });

  it('a fifth byte setting bits above 32 is too large, at that byte', () => {
    const error = failed(() => reader(0xff, 0xff, 0xff, 0xff, 0x1f).u32());
    expect(error.failure).toEqual({ reason: 'leb-too-large', offset: 4, type: 'u32' });
    expect(error.message).toBe('u32 LEB128 does not fit in 32 bits at byte 4');
    // bit 32 alone, with the continuation bit clear
    expect(failed(() => reader(0x80, 0x80, 0x80, 0x80, 0x10).u32()).failure.reason).toBe('leb-too-large');
    // a fifth byte in 0x80..0x8f is too long (its value bits would still fit)
    expect(failed(() => reader(0x80, 0x80, 0x80, 0x80, 0x81).u32()).failure.reason).toBe('leb-too-long');
  });

  it('an unterminated LEB128 ends the input where the next byte is missing', () => {
    const error = failed(() => reader(0x80, 0x80).u32());
    expect(error.failure).toEqual(endOfInput(2, 1, 2));
    expect(error.message).toBe('unexpected end of input: 1 byte needed, 0 left at byte 2');
    expect(failed(() => reader().u32()).failure).toEqual(endOfInput(0, 1, 0));
  });

  it('stops at the reader’s end, not the array’s', () => {
    const r = new WasmReader(Uint8Array.of(0x80, 0x01), 0, 1);
    expect(failed(() => r.u32()).failure).toEqual(endOfInput(1, 1, 1));
  });

  it('reads back every u32 the writer writes, from any position', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.nat(3), (value, skip) => {
        const bytes = new ByteWriter(4).bytes(new Uint8Array(skip)).u32(value).u8(0xff).finish();
        const r = new WasmReader(bytes, skip);
        expect(r.u32()).toBe(value);
        expect(r.u8()).toBe(0xff);
      }),
    );
  });
});

describe('WasmReader.u64', () => {
  it('reads the full 64-bit range, and 10 bytes at most', () => {
    expect(reader(...Array(9).fill(0xff), 0x01).u64()).toBe(0xffff_ffff_ffff_ffffn);
    expect(reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u64()).toBe(0n);
    expect(reader(0x80, 0x80, 0x80, 0x80, 0x10).u64()).toBe(1n << 32n);
  });

  it('a tenth byte above bit 63 is too large; one that continues is too long', () => {
    const large = failed(() => reader(...Array(9).fill(0xff), 0x02).u64());
    expect(large.failure).toEqual({ reason: 'leb-too-large', offset: 9, type: 'u64' });
    expect(large.message).toBe('u64 LEB128 does not fit in 64 bits at byte 9');
    const long = failed(() => reader(...Array(10).fill(0x80), 0x00).u64());
    expect(long.failure).toEqual({ reason: 'leb-too-long', offset: 9, type: 'u64' });
    expect(long.message).toBe('u64 LEB128 is longer than 10 bytes at byte 9');
  });

  it('reads back every safe integer the writer writes', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (value) => {
        expect(new WasmReader(new ByteWriter(4).u64(value).finish()).u64()).toBe(BigInt(value));
      }),
    );
  });
});

describe('WasmReader.skipSigned', () => {
  it('skips up to the type’s byte count, whatever the value', () => {
    const r = reader(0xff, 0xff, 0xff, 0xff, 0x7f, 0x01);
    r.skipSigned('s32');
    expect(r.pos).toBe(5);
    const wide = reader(...Array(9).fill(0x80), 0x7f);
    wide.skipSigned('s64');
    expect(wide.pos).toBe(10);
  });

  it('one byte more is too long, named by its type', () => {
    const error = failed(() => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).skipSigned('s33'));
    expect(error.failure).toEqual({ reason: 'leb-too-long', offset: 4, type: 's33' });
    expect(error.message).toBe('s33 LEB128 is longer than 5 bytes at byte 4');
    expect(failed(() => reader(...Array(10).fill(0x80)).skipSigned('s64')).failure).toEqual({
      reason: 'leb-too-long',
      offset: 9,
      type: 's64',
    });
  });

  it('an unterminated one ends the input', () => {
    expect(failed(() => reader(0x80).skipSigned('s32')).failure).toEqual(endOfInput(1, 1, 1));
  });
});

describe('WasmReader.take and skip', () => {
  it('hand out views and stop at the end', () => {
    const r = reader(1, 2, 3);
    expect([...r.take(2)]).toEqual([1, 2]);
    expect(r.remaining).toBe(1);
    const error = failed(() => r.take(4));
    expect(error.failure).toEqual(endOfInput(2, 4, 3));
    expect(error.message).toBe('unexpected end of input: 4 bytes needed, 1 left at byte 2');
    expect(failed(() => r.skip(2)).failure).toEqual(endOfInput(2, 2, 3));
    r.skip(1);
    expect(r.done).toBe(true);
  });
});

describe('WasmReader.name', () => {
  it('decodes UTF-8 and keeps a leading U+FEFF, which is part of a name', () => {
    expect(reader(3, 0x61, 0xc3, 0xa9).name()).toBe('aé');
    expect(reader(3, 0xef, 0xbb, 0xbf).name()).toBe('\ufeff');
    expect(reader(0).name()).toBe('');
  });

  it('invalid UTF-8 is reported where the name’s bytes start, with their length', () => {
    const error = failed(() => new WasmReader(Uint8Array.of(9, 9, 2, 0x61, 0xff), 2).name());
    expect(error.failure).toEqual({ reason: 'invalid-utf8', offset: 3, length: 2 });
    expect(error.message).toBe('name of 2 bytes is not valid UTF-8 at byte 3');
    // a lone surrogate encoded in three bytes, and a truncated sequence
    expect(failed(() => reader(3, 0xed, 0xa0, 0x80).name()).failure.reason).toBe('invalid-utf8');
    expect(failed(() => reader(1, 0xc3).name()).failure.reason).toBe('invalid-utf8');
  });

  it('a name longer than the bytes left ends the input at its first byte', () => {
    expect(failed(() => reader(5, 0x61).name()).failure).toEqual(endOfInput(1, 5, 2));
  });
});

describe('WasmReader.preamble', () => {
  it('tells a module from a component', () => {
    expect(reader(...HEADER).preamble()).toBe('module');
    expect(reader(0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0).preamble()).toBe('component');
  });

  it('a bad magic says where it starts and which byte is wrong', () => {
    const error = failed(() => reader(0, 0x61, 0x74, 0x6d, 1, 0, 0, 0).preamble());
    expect(error.failure).toMatchObject({ reason: 'bad-magic', offset: 0, differsAt: 2 });
    expect(error.message).toBe('expected the magic 00 61 73 6D, found 00 61 74 6D at byte 2');
  });

  it('an unknown version says where it starts and which byte is wrong', () => {
    const error = failed(() => reader(0, 0x61, 0x73, 0x6d, 1, 0, 0, 2).preamble());
    expect(error.failure).toMatchObject({ reason: 'bad-version', offset: 4, differsAt: 7 });
    expect(error.message).toBe('expected version 01 00 00 00, found 01 00 00 02 at byte 7');
  });

  it('a short header ends the input at the magic or at the version', () => {
    expect(failed(() => reader(0, 0x61).preamble()).failure).toEqual(endOfInput(0, 4, 2));
    expect(failed(() => reader(0, 0x61, 0x73, 0x6d, 1).preamble()).failure).toEqual(endOfInput(4, 4, 5));
  });

  it('modulePreamble refuses a component’s version word', () => {
    reader(...HEADER).modulePreamble();
    const error = failed(() => reader(0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0).modulePreamble());
    expect(error.failure).toMatchObject({ reason: 'bad-version', offset: 4, differsAt: 4 });
    expect(error.message).toBe('expected version 01 00 00 00, found 0D 00 01 00 at byte 4');
  });
});

describe('WasmReader.sectionHeader', () => {
  it('frames id and size without checking that the content is there', () => {
    const r = new WasmReader(Uint8Array.of(...HEADER, 0x0a, 0x80, 0x01), 8);
    expect(r.sectionHeader()).toEqual({ id: 10, start: 8, contentStart: 11, size: 128, end: 139 });
    expect(r.pos).toBe(11);
  });

  it('a truncated or oversized size fails at its byte', () => {
    expect(
      failed(() => new WasmReader(Uint8Array.of(...HEADER, 1, 0x80), 8).sectionHeader()).failure,
    ).toEqual(endOfInput(10, 1, 10));
    expect(
      failed(() =>
        new WasmReader(Uint8Array.of(...HEADER, 0, 0xff, 0xff, 0xff, 0xff, 0x1f), 8).sectionHeader(),
      ).failure,
    ).toEqual({ reason: 'leb-too-large', offset: 13, type: 'u32' });
  });
});

describe('a subclass owns its texts', () => {
  class Strict extends WasmReader {
    protected override fail(failure: WasmReadFailure): never {
      throw new RangeError(`strict: ${failure.reason} @${failure.offset}`);
    }
  }

  it('every failed read goes through fail()', () => {
    const strict = new Strict(Uint8Array.of(0x80));
    expect(() => strict.u32()).toThrow(new RangeError('strict: end-of-input @1'));
    expect(() => new Strict(Uint8Array.of(1, 0xff)).name()).toThrow('strict: invalid-utf8 @1');
    expect(() => new Strict(Uint8Array.of(...Array(8).fill(0))).preamble()).toThrow('strict: bad-magic @0');
  });
});

describe('describeWasmReadFailure and hexBytes', () => {
  it('name every reason in words', () => {
    expect(describeWasmReadFailure(endOfInput(7, 3, 5))).toBe(
      'unexpected end of input: 3 bytes needed, 0 left at byte 7',
    );
    expect(hexBytes([0, 0x0a, 0xff])).toBe('00 0A FF');
  });
});
