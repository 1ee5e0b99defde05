/**
 * Engine layer: the WebAssembly binary format at the level the instrumenter and the import
 * policy need — LEB128 reading and writing, section framing, and the typed entries of the type,
 * import, function, memory, global and export sections. Code bodies are walked by the
 * instrumenter itself; everything else is carried over as raw bytes, so unknown or future
 * section contents survive untouched.
 */

/** A structural problem in the module bytes (truncated, malformed LEB, bad section framing). */
export class WasmFormatError extends Error {
  override readonly name: string = 'WasmFormatError';
}

/**
 * The module uses a proposal the engine does not run. `hostAccepts` says whether the cc-lb host
 * (wasmtime's defaults) would run it — then the verdict is `UnsupportedFeature`, not a refusal.
 */
export class WasmFeatureError extends WasmFormatError {
  override readonly name = 'WasmFeatureError';
  constructor(
    readonly feature: string,
    readonly hostAccepts: boolean,
    what: string,
  ) {
    super(`${what} needs the ${feature} proposal`);
  }
}

/** Value-type and type-form bytes of refused proposals: the proposal, and what the byte is. */
const REFUSED_TYPE_BYTES: Readonly<Record<number, readonly [string, string]>> = {
  99: ['function-references', '(ref null $t) type'],
  100: ['function-references', '(ref $t) type'],
  105: ['exceptions', 'exnref type'],
  116: ['exceptions', 'noexn type'],
  110: ['gc', 'anyref type'],
  109: ['gc', 'eqref type'],
  108: ['gc', 'i31ref type'],
  107: ['gc', 'structref type'],
  106: ['gc', 'arrayref type'],
  113: ['gc', 'nullref type'],
  114: ['gc', 'nullexternref type'],
  115: ['gc', 'nullfuncref type'],
  94: ['gc', 'array type definition'],
  95: ['gc', 'struct type definition'],
  80: ['gc', 'subtype definition'],
  79: ['gc', 'final subtype definition'],
  78: ['gc', 'recursive type group'],
};

export function refusedTypeFeature(byte: number, at: number): WasmFeatureError | undefined {
  const refused = REFUSED_TYPE_BYTES[byte];
  return refused === undefined
    ? undefined
    : new WasmFeatureError(refused[0], false, `a ${refused[1]} at byte ${at}`);
}

export const SECTION = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13,
} as const;

/** Canonical order of the known non-custom sections (the tag section sits between memory and global). */
export const SECTION_ORDER: readonly number[] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref';

const VALTYPE_BY_BYTE: Readonly<Record<number, ValType>> = {
  127: 'i32',
  126: 'i64',
  125: 'f32',
  124: 'f64',
  123: 'v128',
  112: 'funcref',
  111: 'externref',
};

export const VALTYPE_BYTE: Readonly<Record<ValType, number>> = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
};

export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export function formatFuncType(type: FuncType): string {
  const results = type.results.length === 1 ? type.results[0] : `(${type.results.join(', ')})`;
  return `(${type.params.join(', ')}) -> ${results}`;
}

export class ByteReader {
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

  u8(): number {
    if (this.pos >= this.end) throw new WasmFormatError(`unexpected end of module at byte ${this.pos}`);
    return this.bytes[this.pos++]!;
  }

  /** Unsigned LEB128 of at most 32 bits. */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (result > 0xffffffff) throw new WasmFormatError(`integer too large at byte ${this.pos - 1}`);
        return result;
      }
      shift += 7;
    }
    throw new WasmFormatError(`integer representation too long at byte ${this.pos - 1}`);
  }

  /** Unsigned LEB128 of at most 64 bits, as a number (memory64 limits; beyond 2^53 is refused). */
  u64(): number {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        if (result > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw new WasmFormatError(`integer too large at byte ${this.pos - 1}`);
        }
        return Number(result);
      }
      shift += 7n;
    }
    throw new WasmFormatError(`integer representation too long at byte ${this.pos - 1}`);
  }

  /** Skips a signed LEB128 of at most `maxBytes` bytes (immediates the rewriter copies verbatim). */
  skipLeb(maxBytes: number): void {
    for (let i = 0; i < maxBytes; i++) {
      if ((this.u8() & 0x80) === 0) return;
    }
    throw new WasmFormatError(`integer representation too long at byte ${this.pos - 1}`);
  }

  skip(n: number): void {
    if (this.pos + n > this.end) throw new WasmFormatError(`unexpected end of module at byte ${this.end}`);
    this.pos += n;
  }

  name(): string {
    const length = this.u32();
    const start = this.pos;
    this.skip(length);
    return UTF8.decode(this.bytes.subarray(start, start + length));
  }

  valType(): ValType {
    const byte = this.u8();
    const type = VALTYPE_BY_BYTE[byte];
    if (type === undefined) {
      const refused = refusedTypeFeature(byte, this.pos - 1);
      if (refused !== undefined) throw refused;
      throw new WasmFormatError(`unsupported value type 0x${byte.toString(16)} at byte ${this.pos - 1}`);
    }
    return type;
  }

  /** Memory/table limits; flags bit 0 = has maximum, bit 1 = shared, bit 2 = 64-bit (memory64). */
  limits(): Limits {
    const flags = this.u8();
    if (flags > 7) throw new WasmFormatError(`malformed limits flags 0x${flags.toString(16)}`);
    const wide = (flags & LIMITS_64) !== 0;
    const min = wide ? this.u64() : this.u32();
    const max = flags & LIMITS_HAS_MAX ? (wide ? this.u64() : this.u32()) : undefined;
    return { flags, min, max };
  }
}

/** Limits flag bits. */
export const LIMITS_HAS_MAX = 1;
export const LIMITS_64 = 4;

/**
 * Names are bytes: a leading U+FEFF is part of the name (wasmparser and wasmtime compare bytes),
 * so the decoder must not swallow it as a byte-order mark.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface Limits {
  readonly flags: number;
  readonly min: number;
  readonly max: number | undefined;
}

export class ByteWriter {
  private buffer: Uint8Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.buffer = new Uint8Array(initialCapacity);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
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
    const encoded = new TextEncoder().encode(text);
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

export interface RawSection {
  readonly id: number;
  /** Offset of the first payload byte. */
  readonly start: number;
  /** Offset one past the last payload byte. */
  readonly end: number;
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const VERSION = [0x01, 0x00, 0x00, 0x00];

/** Splits a module into its sections, checking only the framing. */
export function readSections(bytes: Uint8Array): RawSection[] {
  if (bytes.length < 8) throw new WasmFormatError('module is shorter than the 8-byte wasm header');
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== MAGIC[i]) throw new WasmFormatError('missing the wasm magic number (\\0asm)');
    if (bytes[i + 4] !== VERSION[i]) throw new WasmFormatError('unsupported wasm version (expected 1)');
  }
  const reader = new ByteReader(bytes, 8);
  const sections: RawSection[] = [];
  while (!reader.done) {
    const id = reader.u8();
    const size = reader.u32();
    const start = reader.pos;
    reader.skip(size);
    sections.push({ id, start, end: reader.pos });
  }
  return sections;
}

export type ImportKind = 'function' | 'table' | 'memory' | 'global' | 'tag';

export interface ImportEntry {
  readonly module: string;
  readonly name: string;
  readonly kind: ImportKind;
  /** For function imports: the type index. */
  readonly typeIndex: number | undefined;
}

export interface ExportEntry {
  readonly name: string;
  readonly kind: ImportKind;
  readonly index: number;
}

const EXTERNAL_KIND: readonly ImportKind[] = ['function', 'table', 'memory', 'global', 'tag'];
export const EXTERNAL_KIND_BYTE: Readonly<Record<ImportKind, number>> = {
  function: 0,
  table: 1,
  memory: 2,
  global: 3,
  tag: 4,
};

function externalKind(byte: number): ImportKind {
  const kind = EXTERNAL_KIND[byte];
  if (kind === undefined) throw new WasmFormatError(`unknown external kind 0x${byte.toString(16)}`);
  return kind;
}

export function readTypeSection(bytes: Uint8Array, section: RawSection): FuncType[] {
  const reader = new ByteReader(bytes, section.start, section.end);
  const count = reader.u32();
  const types: FuncType[] = [];
  for (let i = 0; i < count; i++) {
    const form = reader.u8();
    if (form !== 0x60) {
      const refused = refusedTypeFeature(form, reader.pos - 1);
      if (refused !== undefined) throw refused;
      throw new WasmFormatError(`unsupported type form 0x${form.toString(16)} (only function types)`);
    }
    const params: ValType[] = [];
    for (let n = reader.u32(); n > 0; n--) params.push(reader.valType());
    const results: ValType[] = [];
    for (let n = reader.u32(); n > 0; n--) results.push(reader.valType());
    types.push({ params, results });
  }
  expectSectionEnd(reader, 'type');
  return types;
}

export function readImportSection(bytes: Uint8Array, section: RawSection): ImportEntry[] {
  const reader = new ByteReader(bytes, section.start, section.end);
  const count = reader.u32();
  const imports: ImportEntry[] = [];
  for (let i = 0; i < count; i++) {
    const module = reader.name();
    const name = reader.name();
    const kind = externalKind(reader.u8());
    let typeIndex: number | undefined;
    switch (kind) {
      case 'function':
        typeIndex = reader.u32();
        break;
      case 'table':
        reader.u8();
        reader.limits();
        break;
      case 'memory':
        reader.limits();
        break;
      case 'global':
        reader.valType();
        reader.u8();
        break;
      case 'tag':
        reader.u8();
        reader.u32();
        break;
    }
    imports.push({ module, name, kind, typeIndex });
  }
  expectSectionEnd(reader, 'import');
  return imports;
}

export function readFunctionSection(bytes: Uint8Array, section: RawSection): number[] {
  const reader = new ByteReader(bytes, section.start, section.end);
  const count = reader.u32();
  const typeIndices: number[] = [];
  for (let i = 0; i < count; i++) typeIndices.push(reader.u32());
  expectSectionEnd(reader, 'function');
  return typeIndices;
}

export function readExportSection(bytes: Uint8Array, section: RawSection): ExportEntry[] {
  const reader = new ByteReader(bytes, section.start, section.end);
  const count = reader.u32();
  const exports: ExportEntry[] = [];
  for (let i = 0; i < count; i++) {
    const name = reader.name();
    const kind = externalKind(reader.u8());
    exports.push({ name, kind, index: reader.u32() });
  }
  expectSectionEnd(reader, 'export');
  return exports;
}

export function readMemorySection(bytes: Uint8Array, section: RawSection): Limits[] {
  const reader = new ByteReader(bytes, section.start, section.end);
  const count = reader.u32();
  const memories: Limits[] = [];
  for (let i = 0; i < count; i++) memories.push(reader.limits());
  expectSectionEnd(reader, 'memory');
  return memories;
}

/** A table: its element reference type (value-type byte) and limits. */
export interface TableType {
  readonly elementType: ValType;
  readonly limits: Limits;
}

export function readTableSection(bytes: Uint8Array, section: RawSection): TableType[] {
  const reader = new ByteReader(bytes, section.start, section.end);
  const count = reader.u32();
  const tables: TableType[] = [];
  for (let i = 0; i < count; i++) {
    const elementType = reader.valType();
    tables.push({ elementType, limits: reader.limits() });
  }
  expectSectionEnd(reader, 'table');
  return tables;
}

/**
 * A section's entries must fill it exactly: wasmtime refuses a stray byte after the last entry,
 * and a rewriter that re-emits entries would otherwise silently drop it (and repair the module).
 */
export function expectSectionEnd(reader: ByteReader, section: string): void {
  if (reader.pos !== reader.end) {
    throw new WasmFormatError(`unexpected data at the end of the ${section} section at byte ${reader.pos}`);
  }
}

/** The number of entries of a vector-shaped section (global, code, …) and where the entries start. */
export function readVectorHeader(
  bytes: Uint8Array,
  section: RawSection,
): { count: number; entriesStart: number } {
  const reader = new ByteReader(bytes, section.start, section.end);
  const count = reader.u32();
  return { count, entriesStart: reader.pos };
}
