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
import { hexBytes, WASM_PREAMBLE_SIZE, WasmReadError, WasmReader } from '../wire/wasm-reader.js';
import { ByteWriter } from '../wire/wasm-writer.js';

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
    options?: ErrorOptions,
  ) {
    super(`malformed wasm module: ${reason} at byte offset ${offset}`, options);
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
  // a copy, so the result owns exactly its bytes (a caller may hand its `.buffer` on)
  return new ByteWriter(10).u64(value).finish().slice();
}

/** Raw custom-section bytes: id 0, LEB128 size, LEB128 name length, name (UTF-8), payload. */
export function encodeCustomSection(name: string, payload: string | Uint8Array): Uint8Array {
  const data = typeof payload === 'string' ? utf8(payload) : wasmBytes(payload);
  const content = new ByteWriter(data.length + name.length * 3 + 10).name(name).bytes(data);
  return new ByteWriter(content.length + 6).u8(CUSTOM_SECTION_ID).sized(content).finish().slice();
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
  if (bytes.length < WASM_PREAMBLE_SIZE) {
    throw new WasmSectionError(
      `module is ${bytes.length} bytes, shorter than the 8-byte header`,
      bytes.length,
    );
  }
  const reader = new WasmReader(bytes);
  framed(() => reader.modulePreamble(), 'module header');
  const frames: SectionFrame[] = [];
  while (!reader.done) {
    const { id, start, contentStart, size, end } = framed(() => reader.sectionHeader(), 'section size');
    if (end > bytes.length) {
      throw new WasmSectionError(
        `section (id ${id}) declares ${size} bytes but only ${bytes.length - contentStart} remain`,
        start,
      );
    }
    if (id === CUSTOM_SECTION_ID) {
      const content = new WasmReader(bytes, contentStart, end);
      const nameLength = framed(() => content.u32(), 'custom section name length');
      if (nameLength > content.remaining) {
        throw new WasmSectionError(
          `custom section name of ${nameLength} bytes overruns its section (${content.remaining} bytes left)`,
          contentStart,
        );
      }
      const name = framed(() => content.utf8(nameLength), 'custom section name');
      frames.push({ id, start, end, name, dataStart: content.pos });
    } else {
      frames.push({ id, start, end, name: undefined, dataStart: contentStart });
    }
    reader.pos = end;
  }
  return frames;
}

/** Runs one read of the wire reader, rewording its failure as what `what` is and where. */
function framed<T>(read: () => T, what: string): T {
  try {
    return read();
  } catch (error) {
    // the reader's own failures get this module's texts; anything else is not ours to reword
    if (!(error instanceof WasmReadError)) throw error;
    const failure = error.failure;
    switch (failure.reason) {
      case 'end-of-input':
        throw new WasmSectionError(`${what} is truncated`, failure.offset, { cause: error });
      case 'leb-too-long':
      case 'leb-too-large':
        throw new WasmSectionError(`${what} does not fit in 32 bits`, failure.offset, { cause: error });
      case 'bad-magic':
        throw new WasmSectionError(
          `expected the magic 00 61 73 6D, found ${hexBytes(failure.found)}`,
          failure.differsAt,
          { cause: error },
        );
      case 'bad-version':
        throw new WasmSectionError(
          `expected version 01 00 00 00, found ${hexBytes(failure.found)}`,
          failure.differsAt,
          { cause: error },
        );
      case 'invalid-utf8':
        throw new WasmSectionError(`${what} is not valid UTF-8`, failure.offset, { cause: error });
    }
  }
}

/** Drops keys explicitly set to undefined so they do not erase defaults when spread. */
function definedOnly<T extends object>(parts: T): Partial<T> {
  return Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
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
