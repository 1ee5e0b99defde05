/**
 * Wire layer: the one writer of the WebAssembly binary format's primitives — bytes, unsigned and
 * signed LEB128, names and length-prefixed payloads — into a growing buffer. The engine emits
 * instrumented modules with it and the `/wat` helpers build custom sections with it; the
 * counterpart of `wasm-reader.ts`.
 */

const UTF8 = new TextEncoder();

export class ByteWriter {
  private buffer: Uint8Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.buffer = new Uint8Array(initialCapacity);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    // at least 16: doubling an empty buffer would never make room
    let size = Math.max(16, this.buffer.length * 2);
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  u8(byte: number): this {
    this.reserve(1);
    this.buffer[this.length++] = byte;
    return this;
  }

  u32(value: number): this {
    this.reserve(5);
    let v = value >>> 0;
    do {
      let byte = v & 0x7f;
      v >>>= 7;
      if (v !== 0) byte |= 0x80;
      this.buffer[this.length++] = byte;
    } while (v !== 0);
    return this;
  }

  /** Unsigned LEB128 of a non-negative safe integer (memory64 limits). */
  u64(value: number): this {
    if (value <= 0xffffffff) return this.u32(value);
    this.reserve(10);
    let v = BigInt(value);
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      this.buffer[this.length++] = byte;
    } while (v !== 0n);
    return this;
  }

  /** Signed LEB128 of a safe integer (i64.const immediates). */
  s64(value: number | bigint): this {
    this.reserve(10);
    let v = BigInt(value);
    for (;;) {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      const signBit = (byte & 0x40) !== 0;
      if ((v === 0n && !signBit) || (v === -1n && signBit)) {
        this.buffer[this.length++] = byte;
        return this;
      }
      this.buffer[this.length++] = byte | 0x80;
    }
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
    return this;
  }

  /** `source[start, end)`; short runs are copied without the view object `bytes(subarray)` costs. */
  range(source: Uint8Array, start: number, end: number): this {
    const n = end - start;
    this.reserve(n);
    if (n <= 16) {
      for (let i = 0; i < n; i++) this.buffer[this.length + i] = source[start + i]!;
    } else {
      this.buffer.set(source.subarray(start, end), this.length);
    }
    this.length += n;
    return this;
  }

  name(text: string): this {
    const encoded = UTF8.encode(text);
    return this.u32(encoded.length).bytes(encoded);
  }

  /** Writes `payload` prefixed with its length (a section or a function body). */
  sized(payload: ByteWriter | Uint8Array): this {
    const data = payload instanceof ByteWriter ? payload.finish() : payload;
    return this.u32(data.length).bytes(data);
  }

  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}
