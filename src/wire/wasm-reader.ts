/**
 * Wire layer: the one reader of the WebAssembly binary format's primitives — the 8-byte preamble,
 * LEB128 integers, section framing (id and size) and names (UTF-8 strings) — shared by the
 * engine's module reader, the host's wasmparser-faithful walk and the `/wat` section helpers.
 *
 * A read that fails does not format a message: it hands a {@link WasmReadFailure} (what was wrong
 * and at which byte offset) to {@link WasmReader.fail}. The plain reader throws it as a
 * {@link WasmReadError}; each caller that owes its users particular texts (wasmparser's Display
 * texts are verdicts in the host) subclasses the reader and throws its own error from `fail`, so
 * no caller's texts bend to another's and the hot paths pay for no try/catch.
 *
 * Offsets are absolute (into `bytes`), like wasmparser's `original_position()`. What is valid
 * beyond framing (section order, entry shapes, value types) is each caller's business.
 */

/** `\0asm` */
export const WASM_MAGIC: readonly number[] = [0x00, 0x61, 0x73, 0x6d];
/** The version word of a core module (1). */
export const WASM_MODULE_VERSION: readonly number[] = [0x01, 0x00, 0x00, 0x00];
/** The version word of a component (version 0xd, layer 1), as wasmparser reads it. */
export const WASM_COMPONENT_VERSION: readonly number[] = [0x0d, 0x00, 0x01, 0x00];
/** Magic plus version word. */
export const WASM_PREAMBLE_SIZE = 8;

export type WasmEncoding = 'module' | 'component';

/** The LEB128 kinds the reader reads or skips, named as wasmparser names them (`var_u32`, …). */
export type LebType = 'u32' | 'u64' | 's32' | 's33' | 's64';

/** Everything a read can find wrong; `offset` is always where in `bytes` it was found. */
export type WasmReadFailure =
  /** `length` bytes were needed at `offset`, but the readable bytes end at `end` */
  | {
      readonly reason: 'end-of-input';
      readonly offset: number;
      readonly length: number;
      readonly end: number;
    }
  /** the byte at `offset` is the last a `type` may take, and its continuation bit is still set */
  | { readonly reason: 'leb-too-long'; readonly offset: number; readonly type: LebType }
  /** the last byte of a `type` (at `offset`) sets bits beyond the type's width */
  | { readonly reason: 'leb-too-large'; readonly offset: number; readonly type: 'u32' | 'u64' }
  /** the first four bytes are not `\0asm`; `offset` is where they start, `differsAt` the first wrong one */
  | {
      readonly reason: 'bad-magic';
      readonly offset: number;
      readonly differsAt: number;
      readonly found: Uint8Array;
    }
  /**
   * the version word is neither a module's nor a component's (or a component's where only a module
   * is accepted); `differsAt` is the first byte that differs from a module's version word
   */
  | {
      readonly reason: 'bad-version';
      readonly offset: number;
      readonly differsAt: number;
      readonly found: Uint8Array;
    }
  /** the `length` bytes of a name at `offset` are not UTF-8 */
  | { readonly reason: 'invalid-utf8'; readonly offset: number; readonly length: number };

/** What the plain {@link WasmReader} throws: the failure, and a message saying what and where. */
export class WasmReadError extends Error {
  override readonly name = 'WasmReadError';
  constructor(readonly failure: WasmReadFailure) {
    super(describeWasmReadFailure(failure));
  }
}

/** The failure in words: what was wrong, then `at byte N`. */
export function describeWasmReadFailure(failure: WasmReadFailure): string {
  switch (failure.reason) {
    case 'end-of-input': {
      const left = Math.max(0, failure.end - failure.offset);
      return `unexpected end of input: ${failure.length} byte${failure.length === 1 ? '' : 's'} needed, ${left} left at byte ${failure.offset}`;
    }
    case 'leb-too-long':
      return `${failure.type} LEB128 is longer than ${LEB_MAX_BYTES[failure.type]} bytes at byte ${failure.offset}`;
    case 'leb-too-large':
      return `${failure.type} LEB128 does not fit in ${failure.type === 'u32' ? 32 : 64} bits at byte ${failure.offset}`;
    case 'bad-magic':
      return `expected the magic 00 61 73 6D, found ${hexBytes(failure.found)} at byte ${failure.differsAt}`;
    case 'bad-version':
      return `expected version 01 00 00 00, found ${hexBytes(failure.found)} at byte ${failure.differsAt}`;
    case 'invalid-utf8':
      return `name of ${failure.length} bytes is not valid UTF-8 at byte ${failure.offset}`;
  }
}

/** Bytes as upper-case hex pairs separated by spaces (`00 61 73 6D`). */
export function hexBytes(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/** ceil(bits / 7): the most bytes a LEB128 of the type may take. */
const LEB_MAX_BYTES: Readonly<Record<LebType, number>> = { u32: 5, u64: 10, s32: 5, s33: 5, s64: 10 };

/**
 * Names are bytes: strict (malformed UTF-8 is an error, never U+FFFD) and a leading U+FEFF is part
 * of the name (wasmparser and wasmtime compare bytes), so the decoder must not drop it as a BOM.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** One section's framing: the id byte and the declared size, not yet checked against the bytes. */
export interface WasmSectionHeader {
  readonly id: number;
  /** offset of the id byte */
  readonly start: number;
  /** offset of the first content byte (just after the size) */
  readonly contentStart: number;
  readonly size: number;
  /** `contentStart + size`: one past the last content byte, if the bytes are all there */
  readonly end: number;
}

/** A cursor over `bytes[pos, end)`; every offset it reports is absolute. */
export class WasmReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Where every failed read ends up; a subclass throws its own error kind and text from here. */
  protected fail(failure: WasmReadFailure): never {
    throw new WasmReadError(failure);
  }

  u8(): number {
    const pos = this.pos;
    if (pos >= this.end) return this.fail({ reason: 'end-of-input', offset: pos, length: 1, end: this.end });
    this.pos = pos + 1;
    return this.bytes[pos]!;
  }

  /** The next `length` bytes, as a view (no copy). */
  take(length: number): Uint8Array {
    const pos = this.pos;
    if (length > this.end - pos)
      return this.fail({ reason: 'end-of-input', offset: pos, length, end: this.end });
    this.pos = pos + length;
    return this.bytes.subarray(pos, pos + length);
  }

  skip(length: number): void {
    const pos = this.pos;
    if (length > this.end - pos) this.fail({ reason: 'end-of-input', offset: pos, length, end: this.end });
    this.pos = pos + length;
  }

  /**
   * Unsigned LEB128 of at most 32 bits: at most 5 bytes, and the fifth may only carry the top 4
   * bits. Overlong but in-range encodings (`0x80 0x00`) are valid, as the spec says.
   */
  u32(): number {
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos;
    if (pos < end) {
      const first = bytes[pos]!;
      if (first < 0x80) {
        this.pos = pos + 1;
        return first;
      }
    }
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= end) {
        this.pos = pos;
        return this.fail({ reason: 'end-of-input', offset: pos, length: 1, end });
      }
      const byte = bytes[pos++]!;
      if (shift === 28) {
        this.pos = pos;
        if (byte > 0x0f) {
          return this.fail({
            reason: byte & 0x80 ? 'leb-too-long' : 'leb-too-large',
            offset: pos - 1,
            type: 'u32',
          });
        }
        // the top 4 bits: a multiplication, since a 32-bit shift would turn them into a sign
        return result + byte * 0x10000000;
      }
      result |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return result;
      }
    }
  }

  /** Unsigned LEB128 of at most 64 bits (memory64 limits): at most 10 bytes, the tenth only bit 63. */
  u64(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = this.u8();
      if (shift === 63n && byte > 0x01) {
        return this.fail({
          reason: byte & 0x80 ? 'leb-too-long' : 'leb-too-large',
          offset: this.pos - 1,
          type: 'u64',
        });
      }
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
  }

  /**
   * Skips a signed LEB128 of `type`, checking only that it ends within the type's byte count
   * (immediates copied verbatim, heap types framed but not decoded): the value is not range-checked.
   */
  skipSigned(type: 's32' | 's33' | 's64'): void {
    const maxBytes = type === 's64' ? 10 : 5;
    for (let i = 0; i < maxBytes; i++) {
      if (this.u8() < 0x80) return;
    }
    this.fail({ reason: 'leb-too-long', offset: this.pos - 1, type });
  }

  /** The next `length` bytes decoded as UTF-8 (strict; a leading U+FEFF is kept). */
  utf8(length: number): string {
    const start = this.pos;
    const raw = this.take(length);
    try {
      return UTF8.decode(raw);
    } catch {
      // a fatal TextDecoder throws only for malformed input, which is the failure reported here
      return this.fail({ reason: 'invalid-utf8', offset: start, length });
    }
  }

  /** A wasm `name`: a u32 byte length, then that many bytes of UTF-8. */
  name(): string {
    return this.utf8(this.u32());
  }

  /** The 8-byte preamble: `\0asm`, then a module's or a component's version word. */
  preamble(): WasmEncoding {
    const start = this.pos;
    const magic = this.take(4);
    const wrongMagic = firstDifference(magic, WASM_MAGIC);
    if (wrongMagic !== -1) {
      return this.fail({ reason: 'bad-magic', offset: start, differsAt: start + wrongMagic, found: magic });
    }
    const version = this.take(4);
    const fromModule = firstDifference(version, WASM_MODULE_VERSION);
    if (fromModule === -1) return 'module';
    if (firstDifference(version, WASM_COMPONENT_VERSION) === -1) return 'component';
    return this.fail({
      reason: 'bad-version',
      offset: start + 4,
      differsAt: start + 4 + fromModule,
      found: version,
    });
  }

  /** The preamble of a core module; a component's version word is a `bad-version` here. */
  modulePreamble(): void {
    const start = this.pos;
    if (this.preamble() === 'component') {
      const found = this.bytes.subarray(start + 4, start + 8);
      const differsAt = start + 4 + firstDifference(found, WASM_MODULE_VERSION);
      this.fail({ reason: 'bad-version', offset: start + 4, differsAt, found });
    }
  }

  /** A section's id byte and u32 size; whether the content is all there is the caller's check. */
  sectionHeader(): WasmSectionHeader {
    const start = this.pos;
    const id = this.u8();
    const size = this.u32();
    return { id, start, contentStart: this.pos, size, end: this.pos + size };
  }
}

/** Index of the first byte where `found` differs from `expected`, or -1. */
function firstDifference(found: Uint8Array, expected: readonly number[]): number {
  for (let i = 0; i < expected.length; i++) if (found[i] !== expected[i]) return i;
  return -1;
}
