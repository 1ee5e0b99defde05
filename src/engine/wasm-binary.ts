/**
 * Engine layer: the WebAssembly binary format at the level the instrumenter and the import
 * policy need — section framing, and the typed entries of the type,
 * import, function, memory, global and export sections. Code bodies are walked by the
 * instrumenter itself; everything else is carried over as raw bytes, so unknown or future
 * section contents survive untouched. The primitives (LEB128, names, framing) are the wire
 * reader's; this module adds the engine's error texts and the entries only the engine reads.
 */
import { WASM_PREAMBLE_SIZE, WasmReader, type WasmReadFailure } from '../wire/wasm-reader.js';

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

/**
 * The engine's cursor: the one wire reader, failing with {@link WasmFormatError} in the engine's
 * own words, plus the entry shapes only the engine reads (value types, limits).
 */
export class ByteReader extends WasmReader {
  protected override fail(failure: WasmReadFailure): never {
    throw new WasmFormatError(engineText(failure));
  }

  /** Skips a signed LEB128 immediate the rewriter copies verbatim (`maxBytes` 5: s32/s33, 10: s64). */
  skipLeb(maxBytes: number): void {
    this.skipSigned(maxBytes > 5 ? 's64' : 's33');
  }

  /** Unsigned LEB128 of at most 64 bits, as a number (memory64 limits; beyond 2^53 is refused). */
  safeU64(): number {
    const value = this.u64();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new WasmFormatError(`integer too large at byte ${this.pos - 1}`);
    }
    return Number(value);
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
    const min = wide ? this.safeU64() : this.u32();
    const max = flags & LIMITS_HAS_MAX ? (wide ? this.safeU64() : this.u32()) : undefined;
    return { flags, min, max };
  }
}

function engineText(failure: WasmReadFailure): string {
  switch (failure.reason) {
    case 'end-of-input':
      return `unexpected end of module at byte ${failure.end}`;
    case 'leb-too-long':
      return `integer representation too long at byte ${failure.offset}`;
    case 'leb-too-large':
      return `integer too large at byte ${failure.offset}`;
    case 'bad-magic':
      return 'missing the wasm magic number (\\0asm)';
    case 'bad-version':
      return 'unsupported wasm version (expected 1)';
    case 'invalid-utf8':
      return `a name of ${failure.length} bytes is not valid UTF-8 at byte ${failure.offset}`;
  }
}

/** Limits flag bits. */
export const LIMITS_HAS_MAX = 1;
export const LIMITS_64 = 4;

export interface Limits {
  readonly flags: number;
  readonly min: number;
  readonly max: number | undefined;
}

// The one LEB128 encoder lives beside the one reader; the engine's writers keep their old import.
export { ByteWriter } from '../wire/wasm-writer.js';

export interface RawSection {
  readonly id: number;
  /** Offset of the first payload byte. */
  readonly start: number;
  /** Offset one past the last payload byte. */
  readonly end: number;
}

/** Splits a module into its sections, checking only the framing. */
export function readSections(bytes: Uint8Array): RawSection[] {
  if (bytes.length < WASM_PREAMBLE_SIZE) {
    throw new WasmFormatError('module is shorter than the 8-byte wasm header');
  }
  const reader = new ByteReader(bytes);
  reader.modulePreamble();
  const sections: RawSection[] = [];
  while (!reader.done) {
    const header = reader.sectionHeader();
    reader.skip(header.size);
    sections.push({ id: header.id, start: header.contentStart, end: header.end });
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
