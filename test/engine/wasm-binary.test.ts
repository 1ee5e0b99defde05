import { describe, expect, it } from 'vitest';
import { buildPlugin } from '../../src/engine/index.js';
import {
  ByteReader,
  readImportSection,
  readSections,
  WasmFormatError,
} from '../../src/engine/wasm-binary.js';
import { thrown } from '../support/thrown.js';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** (import "\xff" "a" (func (type 0))) after a one-type type section: V8 refuses the module name */
const BAD_IMPORT_NAME = Uint8Array.of(...HEADER, 1, 4, 1, 0x60, 0, 0, 2, 7, 1, 1, 0xff, 1, 0x61, 0, 0);

const formatError = (read: () => unknown) => thrown(read, WasmFormatError);

describe('ByteReader: the wire reader in the engine’s words', () => {
  it('names where the module ends', () => {
    expect(formatError(() => new ByteReader(Uint8Array.of(0x80)).u32()).message).toBe(
      'unexpected end of module at byte 1',
    );
    expect(formatError(() => new ByteReader(Uint8Array.of(1, 2, 3), 1).skip(5)).message).toBe(
      'unexpected end of module at byte 3',
    );
  });

  it('names LEB128s that are too long or too large', () => {
    expect(
      formatError(() => new ByteReader(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0)).u32()).message,
    ).toBe('integer representation too long at byte 4');
    expect(formatError(() => new ByteReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f)).u32()).message).toBe(
      'integer too large at byte 4',
    );
    expect(
      formatError(() => new ByteReader(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0)).skipLeb(5)).message,
    ).toBe('integer representation too long at byte 4');
  });

  it('memory64 limits beyond 2^53 are too large for a number', () => {
    // flags 0x04 (64-bit, no maximum), minimum 2^53
    const limits = Uint8Array.of(0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10);
    expect(formatError(() => new ByteReader(limits).limits()).message).toBe('integer too large at byte 8');
    const fits = Uint8Array.of(0x04, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f);
    expect(new ByteReader(fits).limits()).toEqual({ flags: 4, min: Number.MAX_SAFE_INTEGER, max: undefined });
  });

  it('an invalid UTF-8 name is a format error, not a TypeError', () => {
    const error = formatError(() => new ByteReader(Uint8Array.of(2, 0x61, 0xff)).name());
    expect(error.message).toBe('a name of 2 bytes is not valid UTF-8 at byte 1');
    const sections = readSections(BAD_IMPORT_NAME);
    const imports = sections.find((s) => s.id === 2)!;
    expect(formatError(() => readImportSection(BAD_IMPORT_NAME, imports)).message).toBe(
      'a name of 1 bytes is not valid UTF-8 at byte 18',
    );
  });
});

describe('readSections', () => {
  it('frames every section', () => {
    expect(readSections(Uint8Array.of(...HEADER, 0, 1, 0, 1, 0))).toEqual([
      { id: 0, start: 10, end: 11 },
      { id: 1, start: 13, end: 13 },
    ]);
  });

  it('refuses a short or foreign header and a section past the end', () => {
    expect(formatError(() => readSections(Uint8Array.of(0, 0x61, 0x73))).message).toBe(
      'module is shorter than the 8-byte wasm header',
    );
    expect(formatError(() => readSections(Uint8Array.of(0, 0x61, 0x73, 0x6e, 1, 0, 0, 0))).message).toBe(
      'missing the wasm magic number (\\0asm)',
    );
    expect(formatError(() => readSections(Uint8Array.of(0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0))).message).toBe(
      'unsupported wasm version (expected 1)',
    );
    expect(formatError(() => readSections(Uint8Array.of(...HEADER, 0, 5, 0))).message).toBe(
      'unexpected end of module at byte 11',
    );
  });
});

describe('buildPlugin with an invalid UTF-8 import name', () => {
  it('is refused with V8’s reason, not a crash of the name decoder', async () => {
    await expect(buildPlugin(BAD_IMPORT_NAME, { wallMs: 200, fuel: 1000 })).rejects.toMatchObject({
      name: 'BuildPluginError',
      kind: 'Instantiate',
      message: expect.stringContaining('no valid UTF-8 string'),
    });
  });
});
