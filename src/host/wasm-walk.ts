/**
 * Host layer: one streaming walk over a WebAssembly binary's framing, the way the reference host's
 * `wasmparser::Parser::parse_all` walks it (wasmparser 0.252, the version cc-lb-runtime-protocol
 * pins).
 *
 * The walk reads the header, every section's id and size, custom-section names, and the few
 * sections wasmparser decodes eagerly (start, data count, the code-section body framing and
 * nested component modules). Like `parse_all` it never stops early on success and stops at the
 * FIRST parse error, which it records as wasmparser's Display text
 * (`{message} (at offset 0x{hex})`). Everything the walk reports before the error is what the
 * reference would have seen before the error, in the same order, so `readIdentity` can replay the
 * reference's per-payload decisions faithfully.
 *
 * Export and import entries are decoded lazily by wasmparser (a malformed entry is not a
 * `parse_all` error); the walk decodes every one of them as upstream `collect_wasm_facts` does
 * and records the first failure as `entryError`, apart from `error`. Names are bytes: the UTF-8
 * decoder keeps a leading U+FEFF (a BOM is part of a name, as in wasmparser's `&str`).
 */
import { type WasmInput, wasmBytes } from '../wire/wasm-input.js';
import { WASM_MAGIC, WasmReader, type WasmReadFailure } from '../wire/wasm-reader.js';

/** One section as framed in the binary: id, the offset of its contents and their declared size. */
export interface WasmSection {
  readonly id: number;
  /** offset of the first content byte (just after the size field) */
  readonly offset: number;
  readonly size: number;
  /** true when the section belongs to a module nested inside a component */
  readonly nested: boolean;
}

export interface WasmCustomSection {
  readonly name: string;
  readonly data: Uint8Array;
  /** offset of the first data byte (after the name) */
  readonly dataOffset: number;
}

export interface WasmImport {
  readonly module: string;
  readonly name: string;
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

export interface WasmWalk {
  /** `module` or `component`, from the header; undefined when the header itself failed */
  readonly encoding: 'module' | 'component' | undefined;
  readonly sections: WasmSection[];
  /** every custom section reached before the first error, in binary order (nested ones included) */
  readonly customSections: WasmCustomSection[];
  /** names of top-level function exports, in binary order */
  readonly functionExports: string[];
  /** top-level import module names, de-duplicated, in order of first appearance */
  readonly importModules: string[];
  /** every top-level import entry that could be decoded */
  readonly imports: WasmImport[];
  /** the first parse error as wasmparser's Display text; absent when the whole module framed cleanly */
  readonly error?: string;
  /**
   * the first error decoding an export or import entry (wasmparser's Display text): not a
   * `parse_all` error, but upstream `collect_wasm_facts` decodes every entry and stops there
   */
  readonly entryError?: string;
}

/** wasmparser `limits::MAX_WASM_STRING_SIZE` */
const MAX_WASM_STRING_SIZE = 100_000;
/** wasmparser `limits::MAX_WASM_MODULE_SIZE` */
const MAX_WASM_MODULE_SIZE = 1024 * 1024 * 1024;

/** wasmparser's section ordering for core modules; custom sections are exempt. */
const ORDER_BY_ID: Readonly<Record<number, number>> = {
  1: 1, // type
  2: 2, // import
  3: 3, // function
  4: 4, // table
  5: 5, // memory
  13: 6, // tag
  6: 7, // global
  7: 8, // export
  8: 9, // start
  9: 10, // element
  12: 11, // data count
  10: 12, // code
  11: 13, // data
};

/** A wasmparser error: message plus absolute offset, rendered exactly like its Display impl. */
class ParseFailure extends Error {
  constructor(
    readonly text: string,
    readonly offset: number,
  ) {
    super(`${text} (at offset 0x${offset.toString(16)})`);
  }
}

const eof = (offset: number) => new ParseFailure('unexpected end-of-file', offset);

/**
 * The wire reader failing with wasmparser's texts and offsets (its BinaryReader's `read_var_u32`,
 * `read_string`, …): these texts are the host's verdicts, so they are spelled here, not shared.
 */
class Reader extends WasmReader {
  protected override fail(failure: WasmReadFailure): never {
    throw wasmparserFailure(failure);
  }

  /** wasmparser `read_string`: at most `MAX_WASM_STRING_SIZE` bytes of UTF-8. */
  string(): string {
    const length = this.u32();
    if (length > MAX_WASM_STRING_SIZE) throw new ParseFailure('string size out of bounds', this.pos - 1);
    return this.utf8(length);
  }
}

function wasmparserFailure(failure: WasmReadFailure): ParseFailure {
  switch (failure.reason) {
    case 'end-of-input':
      return eof(failure.offset);
    case 'leb-too-long':
      return new ParseFailure(`invalid var_${failure.type}: integer representation too long`, failure.offset);
    case 'leb-too-large':
      return new ParseFailure(`invalid var_${failure.type}: integer too large`, failure.offset);
    case 'bad-magic':
      return new ParseFailure(
        `magic header not detected: bad magic number - expected=${prettyHexBytes(WASM_MAGIC)} actual=${prettyHexBytes(failure.found)}`,
        failure.offset,
      );
    case 'bad-version': {
      const word = failure.found;
      const version =
        ((word[0] as number) | ((word[1] as number) << 8)) +
        ((word[2] as number) | ((word[3] as number) << 8)) * 0x10000;
      // Rust `{:#10x}`: `0x` prefix, right-aligned in a field of 10 with spaces
      return new ParseFailure(
        `unknown binary version: ${`0x${version.toString(16)}`.padStart(10, ' ')}`,
        failure.offset,
      );
    }
    case 'invalid-utf8':
      // wasmparser reports the position after reading the bytes, less one
      return new ParseFailure('malformed UTF-8 encoding', failure.offset + failure.length - 1);
  }
}

/** Pretty hex Debug of a byte slice, as Rust's `{:#x?}` renders it. */
function prettyHexBytes(bytes: ArrayLike<number>): string {
  let out = '[\n';
  for (let i = 0; i < bytes.length; i++) out += `    0x${(bytes[i] as number).toString(16)},\n`;
  return `${out}]`;
}

interface Counts {
  functionEntries?: number;
  codeEntries?: number;
  dataEntries?: number;
  dataCount?: number;
  componentStart: boolean;
}

interface Collector {
  sections: WasmSection[];
  customSections: WasmCustomSection[];
  functionExports: string[];
  imports: WasmImport[];
  encoding: 'module' | 'component' | undefined;
  entryError: string | undefined;
}

/**
 * Walks a module or component. Returns everything seen up to the first error and that error's
 * text. Never throws for malformed input.
 */
export function walkWasm(wasm: WasmInput): WasmWalk {
  const bytes = wasmBytes(wasm);
  const collector: Collector = {
    sections: [],
    customSections: [],
    functionExports: [],
    imports: [],
    encoding: undefined,
    entryError: undefined,
  };
  let error: string | undefined;
  try {
    walkUnit(bytes, 0, bytes.length, undefined, false, collector);
  } catch (failure) {
    if (!(failure instanceof ParseFailure)) throw failure;
    error = failure.message;
  }
  const importModules = [...new Set(collector.imports.map((entry) => entry.module))];
  return {
    encoding: collector.encoding,
    sections: collector.sections,
    customSections: collector.customSections,
    functionExports: collector.functionExports,
    importModules,
    imports: collector.imports,
    ...(error === undefined ? {} : { error }),
    ...(collector.entryError === undefined ? {} : { entryError: collector.entryError }),
  };
}

/** One module or component in `bytes[start, end)`; `expect` is set for nested units. */
function walkUnit(
  bytes: Uint8Array,
  start: number,
  end: number,
  expect: 'module' | 'component' | undefined,
  nested: boolean,
  out: Collector,
  maxOffset = end,
): void {
  const reader = new Reader(bytes, start, end);
  const encoding = readHeader(reader, expect);
  if (!nested) out.encoding = encoding;
  const counts: Counts = { componentStart: false };
  let order: { rank: number; pos: number } = { rank: 0, pos: start };

  while (reader.remaining > 0) {
    if (reader.remaining >= 4 && WASM_MAGIC.every((byte, i) => bytes[reader.pos + i] === byte)) {
      throw new ParseFailure('expected section, got wasm magic number', reader.pos);
    }
    const idPos = reader.pos;
    const id = reader.u8();
    if (id & 0x80) throw new ParseFailure('malformed section id', idPos);
    const lenPos = reader.pos;
    const len = reader.u32();
    const sectionStart = reader.pos;
    const sectionEnd = sectionStart + len;
    if (nested && sectionEnd > maxOffset) {
      throw new ParseFailure(`section too large, ${len} goes past 0x${maxOffset.toString(16)}`, lenPos);
    }
    out.sections.push({ id, offset: sectionStart, size: len, nested });

    const rank = encoding === 'module' ? ORDER_BY_ID[id] : undefined;
    if (rank !== undefined) {
      if (order.rank >= rank && order.pos < sectionStart)
        throw new ParseFailure('section out of order', sectionStart);
      order = { rank, pos: sectionStart };
    }

    if (id === 0) {
      const content = sectionReader(reader, len);
      const name = content.string();
      out.customSections.push({
        name,
        data: bytes.subarray(content.pos, content.end),
        dataOffset: content.pos,
      });
      continue;
    }
    if (encoding === 'module') {
      walkModuleSection(reader, id, len, sectionEnd, counts, nested, out);
    } else {
      walkComponentSection(reader, id, len, lenPos, sectionEnd, counts, out);
    }
  }
  // End payload: the count cross-checks run only at the end of a core module.
  checkFunctionCodeCounts(counts, reader.pos);
  checkDataCount(counts, reader.pos);
}

function readHeader(reader: Reader, expect: 'module' | 'component' | undefined): 'module' | 'component' {
  const start = reader.pos;
  const encoding = reader.preamble();
  if (expect !== undefined && encoding !== expect) {
    throw new ParseFailure(`expected a version header for a ${expect}`, start);
  }
  return encoding;
}

/** wasmparser's `section()` helper: the whole section must be present, then a bounded reader. */
function sectionReader(reader: Reader, len: number): Reader {
  const start = reader.pos;
  reader.take(len);
  return new Reader(reader.bytes, start, start + len);
}

/** wasmparser's `single_item()`: exactly one LEB-encoded item filling the section. */
function singleItem(reader: Reader, sectionEnd: number, desc: string, read: (r: Reader) => void): void {
  const start = reader.pos;
  const length = sectionEnd - start;
  reader.take(length);
  const content = new Reader(reader.bytes, start, sectionEnd);
  read(content);
  if (content.remaining > 0) throw new ParseFailure(`unexpected content in the ${desc} section`, content.pos);
}

function walkModuleSection(
  reader: Reader,
  id: number,
  len: number,
  sectionEnd: number,
  counts: Counts,
  nested: boolean,
  out: Collector,
): void {
  switch (id) {
    case 8:
      singleItem(reader, sectionEnd, 'start', (r) => r.u32());
      return;
    case 12:
      singleItem(reader, sectionEnd, 'data count', (r) => {
        counts.dataCount = r.u32();
      });
      return;
    case 10:
      walkCodeSection(reader, len, counts);
      return;
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
    case 9:
    case 11:
    case 13: {
      // Every other known section is a counted vector; only its count is read eagerly.
      const content = sectionReader(reader, len);
      const count = content.u32();
      if (id === 3) counts.functionEntries = count;
      if (id === 11) {
        counts.dataEntries = count;
        checkDataCount(counts, reader.pos);
      }
      if (!nested && id === 7) {
        collectEntries(content, count, out, (r) => decodeExport(r, out.functionExports));
      }
      if (!nested && id === 2) collectEntries(content, count, out, (r) => decodeImports(r, out.imports));
      return;
    }
    default:
      // unknown section ids are a validator concern; the parser hands them over as-is
      reader.take(len);
  }
}

function walkCodeSection(reader: Reader, len: number, counts: Counts): void {
  const sectionStart = reader.pos;
  let left = len;
  const count = reader.u32();
  left = consumeWithin(left, reader.pos - sectionStart, sectionStart);
  counts.codeEntries = count;
  checkFunctionCodeCounts(counts, sectionStart);
  for (let remaining = count; remaining > 0; remaining--) {
    const bodyStart = reader.pos;
    const size = reader.u32();
    reader.take(size);
    left = consumeWithin(left, reader.pos - bodyStart, bodyStart);
  }
  if (left > 0) throw new ParseFailure('trailing bytes at end of section', reader.pos);
}

/** wasmparser's `delimited()`: an item must not run past the bytes its section declared. */
function consumeWithin(left: number, used: number, start: number): number {
  if (used > left) throw new ParseFailure('unexpected end-of-file', start);
  return left - used;
}

function walkComponentSection(
  reader: Reader,
  id: number,
  len: number,
  lenPos: number,
  sectionEnd: number,
  counts: Counts,
  out: Collector,
): void {
  switch (id) {
    case 1: // core module
    case 4: {
      // nested component
      if (len > MAX_WASM_MODULE_SIZE) {
        throw new ParseFailure(`${id === 1 ? 'module' : 'component'} section is too large`, lenPos);
      }
      // The nested parser sees at most the section's bytes; a truncated file simply ends it (and
      // then the outer unit), exactly as parse_all's parser stack does.
      const nestedEnd = Math.min(sectionEnd, reader.end);
      walkUnit(reader.bytes, reader.pos, nestedEnd, id === 1 ? 'module' : 'component', true, out, sectionEnd);
      reader.pos = nestedEnd;
      return;
    }
    case 9: {
      if (counts.componentStart) {
        throw new ParseFailure('component cannot have more than one start function', reader.pos);
      }
      counts.componentStart = true;
      singleItem(reader, sectionEnd, 'component start', (r) => {
        r.u32();
        const args = r.u32();
        for (let i = 0; i < args; i++) r.u32();
        r.u32();
      });
      return;
    }
    case 2:
    case 3:
    case 5:
    case 6:
    case 7:
    case 8:
    case 10:
    case 11: {
      const content = sectionReader(reader, len);
      content.u32();
      return;
    }
    default:
      reader.take(len);
  }
}

function checkFunctionCodeCounts(counts: Counts, pos: number): void {
  const { functionEntries: n, codeEntries: m } = counts;
  if (n !== undefined && m !== undefined && n !== m) {
    throw new ParseFailure('function and code section have inconsistent lengths', pos);
  }
  if (n !== undefined && m === undefined && n > 0) {
    throw new ParseFailure('function section has non-zero count but code section is absent', pos);
  }
  if (n === undefined && m !== undefined && m > 0) {
    throw new ParseFailure('function section is absent but code section has non-zero count', pos);
  }
}

function checkDataCount(counts: Counts, pos: number): void {
  const { dataCount: n, dataEntries: m } = counts;
  if (n !== undefined && m !== undefined && n !== m) {
    throw new ParseFailure('data count and data section have inconsistent lengths', pos);
  }
  if (n !== undefined && m === undefined && n > 0) {
    throw new ParseFailure('data count is non-zero but data section is absent', pos);
  }
}

/**
 * Decodes every entry of an export or import section the way upstream `collect_wasm_facts`
 * iterates them (wasmparser's `SectionLimited` iterator, then `section size mismatch` for bytes
 * after the last entry), recording the first error as `entryError`. `parse_all` itself never
 * decodes these entries, so the walk goes on: the identity reader does not see entry errors.
 */
function collectEntries(content: Reader, count: number, out: Collector, decode: (r: Reader) => void): void {
  if (out.entryError !== undefined) return;
  try {
    for (let i = 0; i < count; i++) decode(content);
    if (content.remaining > 0) {
      throw new ParseFailure('section size mismatch: unexpected data at the end of the section', content.pos);
    }
  } catch (failure) {
    if (!(failure instanceof ParseFailure)) throw failure;
    out.entryError = failure.message;
  }
}

/** wasmparser `Export::from_reader`: name, external kind (an exact function is refused), index. */
function decodeExport(r: Reader, into: string[]): void {
  const name = r.string();
  const kind = externalKind(r);
  if (kind === 0x20) throw new ParseFailure('Exact type is not allowed in the exports', r.pos);
  r.u32();
  if (kind === 0x00) into.push(name);
}

/** wasmparser `BinaryReader::external_kind_from_byte`. */
function externalKind(r: Reader): number {
  const at = r.pos;
  const byte = r.u8();
  if (byte <= 0x04 || byte === 0x20) return byte;
  throw new ParseFailure(`invalid leading byte (0x${byte.toString(16)}) for external kind`, at);
}

const IMPORT_KINDS: Readonly<Record<number, WasmImport['kind']>> = {
  0: 'function',
  1: 'table',
  2: 'memory',
  3: 'global',
  4: 'tag',
  32: 'function',
};

/**
 * wasmparser `Imports::from_reader` with every proposal enabled (`Parser::new` uses
 * `WasmFeatures::all()`): a single import, or a compact group (an empty item name followed by
 * 0x7F — names with their own types — or 0x7E — one type for every name).
 */
function decodeImports(r: Reader, into: WasmImport[]): void {
  const module = r.string();
  const name = r.string();
  if (r.pos >= r.end) throw eof(r.pos);
  const discriminator = r.bytes[r.pos];
  if (name === '' && discriminator === 0x7f) {
    r.u8();
    const items: { name: string; kind: WasmImport['kind'] }[] = [];
    const groupStart = r.pos;
    for (let n = r.u32(); n > 0; n--) {
      skipString(r);
      importType(r);
    }
    // the group is framed first, then its items are read (names checked as UTF-8 then)
    const group = new Reader(r.bytes, groupStart, r.pos);
    for (let n = group.u32(); n > 0; n--) items.push({ name: group.string(), kind: importType(group) });
    for (const item of items) into.push({ module, ...item });
    return;
  }
  if (name === '' && discriminator === 0x7e) {
    r.u8();
    const kind = importType(r);
    const groupStart = r.pos;
    for (let n = r.u32(); n > 0; n--) skipString(r);
    const names = new Reader(r.bytes, groupStart, r.pos);
    for (let n = names.u32(); n > 0; n--) into.push({ module, name: names.string(), kind });
    return;
  }
  into.push({ module, name, kind: importType(r) });
}

/** wasmparser `skip_string`: the length is checked, the bytes are not decoded. */
function skipString(r: Reader): void {
  const length = r.u32();
  if (length > MAX_WASM_STRING_SIZE) throw new ParseFailure('string size out of bounds', r.pos - 1);
  r.take(length);
}

/** wasmparser `TypeRef::from_reader`. */
function importType(r: Reader): WasmImport['kind'] {
  const kind = externalKind(r);
  switch (kind) {
    case 0x00:
    case 0x20:
      r.u32();
      break;
    case 0x01:
      tableType(r);
      break;
    case 0x02:
      memoryType(r);
      break;
    case 0x03: {
      valueType(r);
      const at = r.pos;
      if (r.u8() > 0b11) throw new ParseFailure('malformed global flags', at);
      break;
    }
    case 0x04: {
      const at = r.pos;
      if (r.u8() !== 0) throw new ParseFailure('invalid tag attributes', at);
      r.u32();
      break;
    }
  }
  return IMPORT_KINDS[kind] as WasmImport['kind'];
}

/** wasmparser `TableType::from_reader` (limits are u64 with the memory64 feature on). */
function tableType(r: Reader): void {
  refType(r, 'malformed reference type');
  const at = r.pos;
  const flags = r.u8();
  if (flags & ~0b111) throw new ParseFailure('invalid table resizable limits flags', at);
  r.u64();
  if (flags & 0b001) r.u64();
}

/** wasmparser `MemoryType::from_reader`. */
function memoryType(r: Reader): void {
  const at = r.pos;
  const flags = r.u8();
  if (flags & ~0b1111) throw new ParseFailure('invalid memory limits flags', at);
  r.u64();
  if (flags & 0b0001) r.u64();
  if (flags & 0b1000 && r.u32() >= 64) throw new ParseFailure('invalid custom page size', at);
}

/** wasmparser `ValType::from_reader`: a number type, else a reference type. */
function valueType(r: Reader): void {
  if (r.pos >= r.end) throw eof(r.pos);
  const byte = r.bytes[r.pos] as number;
  if (byte >= 0x7b && byte <= 0x7f) {
    r.u8();
    return;
  }
  refType(r, 'invalid value type');
}

/**
 * wasmparser `RefType::from_reader`; `invalid` is the text an invalid heap type is reported with
 * (each reader up the chain renames that error after what it was reading).
 */
function refType(r: Reader, invalid: string): void {
  if (r.pos >= r.end) throw eof(r.pos);
  const at = r.pos;
  const byte = r.bytes[r.pos] as number;
  if (byte === 0x63 || byte === 0x64) {
    r.u8();
    heapType(r, invalid);
    return;
  }
  if (byte === 0x62) throw new ParseFailure('unexpected exact type', at);
  heapType(r, invalid);
}

/** The abstract heap types wasmparser knows (func, extern, any, none, …, cont, nocont). */
const ABSTRACT_HEAP_TYPES = new Set([
  0x70, 0x6f, 0x6e, 0x71, 0x72, 0x73, 0x6d, 0x6b, 0x6a, 0x6c, 0x69, 0x74, 0x68, 0x75,
]);

/** wasmparser `HeapType::from_reader`: a non-negative s33 is a type index, else an abstract type. */
function heapType(r: Reader, invalid: string): void {
  const first = r.bytes[r.pos];
  if (first !== undefined && (first & 0x40) === 0) {
    r.skipSigned('s33'); // a concrete type index
    return;
  }
  const at = r.pos;
  const byte = r.u8();
  if (byte === 0x65) {
    // shared abstract heap type
    const inner = r.pos;
    if (!ABSTRACT_HEAP_TYPES.has(r.u8())) throw new ParseFailure(invalid, inner);
    return;
  }
  if (byte === 0x62) {
    r.u32();
    return;
  }
  if (!ABSTRACT_HEAP_TYPES.has(byte)) throw new ParseFailure(invalid, at);
}
