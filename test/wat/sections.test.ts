import { describe, expect, it } from 'vitest';
import { wat } from '../../src/wat/compile.js';
import {
  customSections,
  DEFAULT_IDENTITY,
  emptyModule,
  encodeCustomSection,
  encodeUnsignedLeb128,
  identityPayload,
  WasmSectionError,
  walkSections,
  withCustomSection,
  withIdentity,
  withoutCustomSection,
} from '../../src/wat/sections.js';
import { wasmApi } from '../support/wasm-api.js';

const NAME = 'cc_lb.plugin.v1';
const STANDARD_PAYLOAD =
  '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"test-plugin","plugin_version":"1.0.0"}';
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

function thrown(fn: () => unknown): WasmSectionError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WasmSectionError) return error;
    throw error;
  }
  throw new Error('expected a WasmSectionError');
}

describe('encodeUnsignedLeb128', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [0x0f, '0f'],
    [119, '77'],
    [127, '7f'],
    [128, '80 01'],
    [624_485, 'e5 8e 26'],
    [65_553, '91 80 04'],
    [2 ** 32 - 1, 'ff ff ff ff 0f'],
  ])('%d → %s', (value, expected) => {
    expect(hex(encodeUnsignedLeb128(value))).toBe(expected);
  });

  it('rejects negative and fractional values', () => {
    expect(() => encodeUnsignedLeb128(-1)).toThrow(
      'LEB128 value must be a non-negative safe integer, received -1',
    );
    expect(() => encodeUnsignedLeb128(1.5)).toThrow('received 1.5');
  });
});

describe('REFERENCE-CASES §0.1 worked examples', () => {
  it('the standard identity payload is 103 bytes and its section starts 00 77 0F "cc_lb.plugin.v1" 7B 22', () => {
    expect(identityPayload()).toBe(STANDARD_PAYLOAD);
    expect(new TextEncoder().encode(STANDARD_PAYLOAD).length).toBe(103);
    const section = encodeCustomSection(NAME, STANDARD_PAYLOAD);
    expect(section.length).toBe(2 + 119);
    expect(hex(section.subarray(0, 20))).toBe('00 77 0f 63 63 5f 6c 62 2e 70 6c 75 67 69 6e 2e 76 31 7b 22');
    expect(text(section.subarray(18))).toBe(STANDARD_PAYLOAD);
  });

  it('a payload of 65 537 spaces gives size 65 553 = LEB 91 80 04', () => {
    const section = encodeCustomSection(NAME, ' '.repeat(65_537));
    expect(hex(section.subarray(0, 7))).toBe('00 91 80 04 0f 63 63');
    expect(section.length).toBe(1 + 3 + 65_553);
  });

  it('the empty module header is 00 61 73 6D 01 00 00 00 and a header plus custom sections validates (§0.2)', () => {
    expect(hex(emptyModule())).toBe('00 61 73 6d 01 00 00 00');
    const module = withCustomSection(withCustomSection(emptyModule(), NAME, STANDARD_PAYLOAD), NAME, 'x');
    expect(wasmApi.validate(module)).toBe(true);
  });
});

describe('encodeCustomSection', () => {
  it('writes a non-ASCII name and binary payload byte for byte', () => {
    const section = encodeCustomSection('é', Uint8Array.of(0, 255));
    expect(hex(section)).toBe('00 05 02 c3 a9 00 ff');
  });

  it('reads a Buffer payload through its own view (byteOffset ≠ 0)', () => {
    const backing = Buffer.from('XXabcYY');
    const view = backing.subarray(2, 5);
    expect(hex(encodeCustomSection('n', view))).toBe('00 05 01 6e 61 62 63');
  });
});

describe('identityPayload / DEFAULT_IDENTITY', () => {
  it('merges a partial identity over the defaults, keeping the field order', () => {
    expect(identityPayload({ plugin_version: '2.0.0', plugin_name: 'cache-aware' })).toBe(
      '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"cache-aware","plugin_version":"2.0.0"}',
    );
    expect(identityPayload({ magic: [67, 67, 76, 66], abi_envelope: 2 })).toBe(
      '{"magic":[67,67,76,66],"abi_envelope":2,"plugin_name":"test-plugin","plugin_version":"1.0.0"}',
    );
  });

  it('keeps the default for a part explicitly set to undefined, and takes a string verbatim', () => {
    expect(identityPayload({ plugin_name: undefined })).toBe(STANDARD_PAYLOAD);
    expect(identityPayload('not json')).toBe('not json');
    expect(DEFAULT_IDENTITY.magic).toEqual([204, 27, 112, 16, 0, 1, 0, 0]);
  });
});

describe('withCustomSection / customSections', () => {
  const base = wat`(module (func (export "f") (result i32) (i32.const 0)))`;

  it('appends after the last section and leaves every earlier byte unchanged', () => {
    const out = withCustomSection(base, 'note', 'hello');
    expect(out.subarray(0, base.length)).toEqual(base);
    expect(hex(out.subarray(base.length))).toBe(hex(encodeCustomSection('note', 'hello')));
    expect(wasmApi.validate(out)).toBe(true);
    const last = walkSections(out).at(-1);
    expect(last).toMatchObject({ id: 0, name: 'note', end: out.length });
  });

  it('returns every payload of that name, in module order, as copies', () => {
    const out = withCustomSection(
      withCustomSection(withCustomSection(base, NAME, 'one'), 'other', 'x'),
      NAME,
      'two',
    );
    const found = customSections(out, NAME);
    expect(found.map(text)).toEqual(['one', 'two']);
    found[0]![0] = 0x5a;
    expect(customSections(out, NAME).map(text)).toEqual(['one', 'two']);
    expect(customSections(out, 'missing')).toEqual([]);
  });

  it('accepts ArrayBuffer and offset views as input', () => {
    const out = withCustomSection(base, 'n', 'v');
    const padded = new Uint8Array(out.length + 3);
    padded.set(out, 3);
    expect(customSections(new DataView(padded.buffer, 3, out.length), 'n').map(text)).toEqual(['v']);
    expect(customSections(out.slice().buffer, 'n').map(text)).toEqual(['v']);
  });

  it('frames non-custom sections with their ids and no name', () => {
    const ids = walkSections(base).map((s) => [s.id, s.name]);
    // type, function, export, code
    expect(ids).toEqual([
      [1, undefined],
      [3, undefined],
      [7, undefined],
      [10, undefined],
    ]);
  });
});

describe('withIdentity / withoutCustomSection', () => {
  it('replaces every existing identity section with exactly one, appended last', () => {
    const twice = withCustomSection(withCustomSection(emptyModule(), NAME, 'old-1'), NAME, 'old-2');
    const stamped = withIdentity(twice, { plugin_name: 'fresh' });
    expect(customSections(stamped, NAME).map(text)).toEqual([
      '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"fresh","plugin_version":"1.0.0"}',
    ]);
    expect(hex(stamped)).toBe(
      hex(withCustomSection(emptyModule(), NAME, identityPayload({ plugin_name: 'fresh' }))),
    );
  });

  it('takes a raw payload string', () => {
    expect(customSections(withIdentity(emptyModule(), '{"magic":'), NAME).map(text)).toEqual(['{"magic":']);
  });

  it('removes only sections with that exact name and keeps the rest byte for byte', () => {
    const base = wat`(module (func (export "f")))`;
    const withNote = withCustomSection(base, 'note', 'n');
    const module = withCustomSection(withCustomSection(withNote, NAME, 'a'), `${NAME}x`, 'b');
    const stripped = withoutCustomSection(module, NAME);
    expect(customSections(stripped, NAME)).toEqual([]);
    expect(stripped).toEqual(withCustomSection(withNote, `${NAME}x`, 'b'));
    expect(withoutCustomSection(base, NAME)).toEqual(base);
  });
});

describe('malformed modules: what is wrong and at which byte offset', () => {
  it('a module shorter than the header', () => {
    const error = thrown(() => customSections(Uint8Array.of(0, 0x61, 0x73), NAME));
    expect(error.message).toBe(
      'malformed wasm module: module is 3 bytes, shorter than the 8-byte header at byte offset 3',
    );
    expect(error.offset).toBe(3);
    expect(error.kind).toBe('MalformedModule');
  });

  it('a wrong magic or version', () => {
    expect(thrown(() => customSections(new TextEncoder().encode('{"magic":1}'), NAME)).message).toBe(
      'malformed wasm module: expected the magic 00 61 73 6D, found 7B 22 6D 61 at byte offset 0',
    );
    expect(
      thrown(() => withoutCustomSection(Uint8Array.of(0, 0x61, 0x73, 0x6d, 2, 0, 0, 0), NAME)).message,
    ).toBe('malformed wasm module: expected version 01 00 00 00, found 02 00 00 00 at byte offset 4');
  });

  it('a section size that runs past the end', () => {
    const module = Uint8Array.of(...emptyModule(), 0, 0x10, 1, 0x61);
    const error = thrown(() => walkSections(module));
    expect(error.message).toBe(
      'malformed wasm module: section (id 0) declares 16 bytes but only 2 remain at byte offset 8',
    );
    expect(error.offset).toBe(8);
  });

  it('a truncated section size LEB', () => {
    expect(thrown(() => walkSections(Uint8Array.of(...emptyModule(), 1, 0x80))).message).toBe(
      'malformed wasm module: section size is truncated at byte offset 10',
    );
    expect(thrown(() => walkSections(Uint8Array.of(...emptyModule(), 1))).message).toBe(
      'malformed wasm module: section size is truncated at byte offset 9',
    );
  });

  it('a section size LEB longer than 32 bits', () => {
    const module = Uint8Array.of(...emptyModule(), 0, 0xff, 0xff, 0xff, 0xff, 0x1f);
    expect(thrown(() => walkSections(module)).message).toBe(
      'malformed wasm module: section size does not fit in 32 bits at byte offset 13',
    );
  });

  it('a custom-section name that overruns its section, or is not UTF-8', () => {
    const overrun = Uint8Array.of(...emptyModule(), 0, 2, 5, 0x61);
    expect(thrown(() => walkSections(overrun)).message).toBe(
      'malformed wasm module: custom section name of 5 bytes overruns its section (1 bytes left) at byte offset 10',
    );
    const emptyCustom = Uint8Array.of(...emptyModule(), 0, 0);
    expect(thrown(() => walkSections(emptyCustom)).message).toBe(
      'malformed wasm module: custom section name length is truncated at byte offset 10',
    );
    const badName = Uint8Array.of(...emptyModule(), 0, 2, 1, 0xff);
    expect(thrown(() => walkSections(badName)).message).toBe(
      'malformed wasm module: custom section name is not valid UTF-8 at byte offset 11',
    );
  });

  it('withCustomSection refuses to append to a malformed module', () => {
    expect(() => withCustomSection(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 'n', 'v')).toThrow(
      WasmSectionError,
    );
  });
});
