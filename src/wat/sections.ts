/**
 * WAT layer: reading and rewriting custom sections of a wasm binary, for building test modules.
 *
 * The identity section (`cc_lb.plugin.v1`) is an ordinary custom section, so negative tests need to
 * add, duplicate, replace and remove it byte-exactly — including payloads no toolchain would emit.
 * This walker only frames sections (id, LEB128 size, custom-section name); it does not validate
 * section contents, because test modules are often deliberately odd. Framing errors, however, are
 * reported with what was wrong and the byte offset, since a silently mangled fixture makes a test
 * prove nothing.
 */
import { CC_LB_PLUGIN_MAGIC, CC_LB_PLUGIN_SECTION_NAME } from '../wire/constants.js';
import { type WasmInput, wasmBytes } from '../wire/wasm-input.js';

const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00] as const;
const CUSTOM_SECTION_ID = 0;

/** A wasm binary this helper cannot frame: the message says what was wrong and where. */
export class WasmSectionError extends Error {
  override readonly name = 'WasmSectionError';
  readonly kind = 'MalformedModule' as const;
  constructor(
    readonly reason: string,
    /** Byte offset into the module where the problem was found. */
    readonly offset: number,
  ) {
    super(`malformed wasm module: ${reason} at byte offset ${offset}`);
  }
}

/** The identity fields a test may set; anything left out takes the default. */
export interface IdentityParts {
  readonly magic?: readonly number[];
  readonly abi_envelope?: number;
  readonly plugin_name?: string;
  readonly plugin_version?: string;
}

/** The identity every builder stamps unless told otherwise (the reference tests' standard payload). */
export const DEFAULT_IDENTITY: Readonly<Required<IdentityParts>> = Object.freeze({
  magic: CC_LB_PLUGIN_MAGIC,
  abi_envelope: 1,
  plugin_name: 'test-plugin',
  plugin_version: '1.0.0',
});

/**
 * The identity payload text: `parts` merged over {@link DEFAULT_IDENTITY}, written in the PDK's
 * field order (magic, abi_envelope, plugin_name, plugin_version); a string is taken verbatim.
 */
export function identityPayload(identity: IdentityParts | string = {}): string {
  if (typeof identity === 'string') return identity;
  const merged = { ...DEFAULT_IDENTITY, ...definedOnly(identity) };
  return JSON.stringify({
    magic: merged.magic,
    abi_envelope: merged.abi_envelope,
    plugin_name: merged.plugin_name,
    plugin_version: merged.plugin_version,
  });
}

/** The 8-byte header of an empty module (`\0asm`, version 1); a fresh copy each call. */
export function emptyModule(): Uint8Array {
  return Uint8Array.from(WASM_HEADER);
}

/** Unsigned LEB128: 7 bits at a time, least significant first, high bit set on all but the last byte. */
export function encodeUnsignedLeb128(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`LEB128 value must be a non-negative safe integer, received ${value}`);
  }
  const out: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return Uint8Array.from(out);
}

/** Raw custom-section bytes: id 0, LEB128 size, LEB128 name length, name (UTF-8), payload. */
export function encodeCustomSection(name: string, payload: string | Uint8Array): Uint8Array {
  const nameBytes = utf8(name);
  const data = typeof payload === 'string' ? utf8(payload) : wasmBytes(payload);
  const nameLength = encodeUnsignedLeb128(nameBytes.length);
  const size = encodeUnsignedLeb128(nameLength.length + nameBytes.length + data.length);
  return concat([Uint8Array.of(CUSTOM_SECTION_ID), size, nameLength, nameBytes, data]);
}

/** A copy of `wasm` with a custom section appended after its last section. */
export function withCustomSection(wasm: WasmInput, name: string, payload: string | Uint8Array): Uint8Array {
  const bytes = wasmBytes(wasm);
  walkSections(bytes);
  return concat([bytes, encodeCustomSection(name, payload)]);
}

/**
 * A copy of `wasm` whose only identity section is the given one (appended last): a partial identity
 * is merged over the defaults (see {@link identityPayload}); a string is the raw payload.
 */
export function withIdentity(wasm: WasmInput, identity: IdentityParts | string): Uint8Array {
  const stripped = withoutCustomSection(wasm, CC_LB_PLUGIN_SECTION_NAME);
  return concat([stripped, encodeCustomSection(CC_LB_PLUGIN_SECTION_NAME, identityPayload(identity))]);
}

/** The payloads (after the name) of every custom section called `name`, in module order; copies. */
export function customSections(wasm: WasmInput, name: string): Uint8Array[] {
  const bytes = wasmBytes(wasm);
  return walkSections(bytes)
    .filter((s) => s.name === name)
    .map((s) => bytes.slice(s.dataStart, s.end));
}

/** A copy of `wasm` without any custom section called `name`; every other byte is kept as is. */
export function withoutCustomSection(wasm: WasmInput, name: string): Uint8Array {
  const bytes = wasmBytes(wasm);
  const sections = walkSections(bytes);
  const kept: Uint8Array[] = [bytes.subarray(0, WASM_HEADER.length)];
  for (const section of sections) {
    if (section.name !== name) kept.push(bytes.subarray(section.start, section.end));
  }
  return concat(kept);
}

/** One framed section: `start` is its id byte, `end` is one past its last byte. */
export interface SectionFrame {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  /** The custom-section name; undefined for non-custom sections. */
  readonly name: string | undefined;
  /** Where the section's data begins (after the name, for custom sections). */
  readonly dataStart: number;
}

/** Frames every section of a module, or throws {@link WasmSectionError}. */
export function walkSections(wasm: WasmInput): SectionFrame[] {
  const bytes = wasmBytes(wasm);
  checkHeader(bytes);
  const frames: SectionFrame[] = [];
  let offset: number = WASM_HEADER.length;
  while (offset < bytes.length) {
    const start = offset;
    const id = bytes[offset]!;
    const size = readLeb(bytes, offset + 1, 'section size');
    const contentStart = offset + 1 + size.length;
    const end = contentStart + size.value;
    if (end > bytes.length) {
      throw new WasmSectionError(
        `section (id ${id}) declares ${size.value} bytes but only ${bytes.length - contentStart} remain`,
        start,
      );
    }
    if (id === CUSTOM_SECTION_ID) {
      const nameLength = readLeb(bytes, contentStart, 'custom section name length', end);
      const nameStart = contentStart + nameLength.length;
      const nameEnd = nameStart + nameLength.value;
      if (nameEnd > end) {
        throw new WasmSectionError(
          `custom section name of ${nameLength.value} bytes overruns its section (${end - nameStart} bytes left)`,
          contentStart,
        );
      }
      const name = decodeName(bytes.subarray(nameStart, nameEnd), nameStart);
      frames.push({ id, start, end, name, dataStart: nameEnd });
    } else {
      frames.push({ id, start, end, name: undefined, dataStart: contentStart });
    }
    offset = end;
  }
  return frames;
}

function checkHeader(bytes: Uint8Array): void {
  if (bytes.length < WASM_HEADER.length) {
    throw new WasmSectionError(
      `module is ${bytes.length} bytes, shorter than the 8-byte header`,
      bytes.length,
    );
  }
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== WASM_HEADER[i]) {
      throw new WasmSectionError(`expected the magic 00 61 73 6D, found ${hex(bytes.subarray(0, 4))}`, i);
    }
  }
  for (let i = 4; i < 8; i++) {
    if (bytes[i] !== WASM_HEADER[i]) {
      throw new WasmSectionError(`expected version 01 00 00 00, found ${hex(bytes.subarray(4, 8))}`, i);
    }
  }
}

/** Reads an unsigned LEB128 u32 (at most 5 bytes, as the wasm spec bounds section sizes). */
function readLeb(
  bytes: Uint8Array,
  at: number,
  what: string,
  limit = bytes.length,
): { value: number; length: number } {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const position = at + i;
    if (position >= limit) throw new WasmSectionError(`${what} is truncated`, position);
    const byte = bytes[position]!;
    if (i === 4 && byte > 0x0f) throw new WasmSectionError(`${what} does not fit in 32 bits`, position);
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { value, length: i + 1 };
  }
  // Unreachable: the fifth byte either ends the number or fails the 32-bit check above.
  throw new WasmSectionError(`${what} is longer than 5 bytes`, at + 5);
}

function decodeName(raw: Uint8Array, at: number): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw);
  } catch {
    throw new WasmSectionError('custom section name is not valid UTF-8', at);
  }
}

/** Drops keys explicitly set to undefined so they do not erase defaults when spread. */
function definedOnly<T extends object>(parts: T): Partial<T> {
  return Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
