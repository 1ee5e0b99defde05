import { describe, expect, it } from 'vitest';
import { IdentityReadError, readIdentity } from '../../src/host/identity.js';
import { pluginModule } from '../../src/wat/plugin-module.js';
import { emptyModule, encodeCustomSection } from '../../src/wat/sections.js';
import { WireDecodeError } from '../../src/wire/decode-error.js';
import { IdentityValidationError } from '../../src/wire/errors.js';
import { FIXTURE_IDENTITY_PAYLOADS, fixturePlugin } from '../support/fixture-plugins.js';

/** the first use compiles the AssemblyScript fixtures (cached afterwards) */
const FIXTURE_COMPILE_MS = 120_000;

const SECTION = 'cc_lb.plugin.v1';
const P =
  '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"test-plugin","plugin_version":"1.0.0"}';

/** REFERENCE-CASES.md §0.2: the header followed by the given custom sections and nothing else */
function moduleWith(...sections: [name: string, data: string | Uint8Array][]): Uint8Array {
  const parts = [emptyModule(), ...sections.map(([name, data]) => encodeCustomSection(name, data))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function readError(wasm: Uint8Array): IdentityReadError {
  try {
    readIdentity(wasm);
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityReadError);
    return error as IdentityReadError;
  }
  throw new Error('readIdentity unexpectedly succeeded');
}

/**
 * serde_json reports a key-level error (unknown or duplicate field) at its read position: just
 * after the key's closing quote, i.e. the 1-based column of that quote.
 */
function columnAfterKey(text: string, key: string, occurrence = 1): number {
  let at = -1;
  for (let i = 0; i < occurrence; i++) at = text.indexOf(`"${key}"`, at + 1);
  return at + key.length + 2;
}

const prettyHex = (bytes: number[]) => `[\n${bytes.map((b) => `    0x${b.toString(16)},\n`).join('')}]`;

describe('readIdentity: reference cases', () => {
  it('IR-01 reads the identity from its custom section', () => {
    expect(readIdentity(moduleWith([SECTION, P]))).toEqual({
      magic: [204, 27, 112, 16, 0, 1, 0, 0],
      abi_envelope: 1,
      plugin_name: 'test-plugin',
      plugin_version: '1.0.0',
    });
  });

  it('IR-01 the standard payload frames as REFERENCE-CASES.md §0.1 says (section size 0x77)', () => {
    const wasm = moduleWith([SECTION, P]);
    expect([...wasm.subarray(8, 11)]).toEqual([0x00, 0x77, 0x0f]);
    expect(P.length).toBe(103);
  });

  it('IR-02 a module without the section', () => {
    const error = readError(moduleWith());
    expect(error.kind).toBe('MissingCustomSection');
    expect(error.message).toBe('missing cc_lb.plugin.v1 custom section');
  });

  it('IR-03 two identity sections', () => {
    const error = readError(moduleWith([SECTION, P], [SECTION, P]));
    expect(error.kind).toBe('DuplicateCustomSection');
    expect(error.message).toBe('duplicate cc_lb.plugin.v1 custom section');
  });

  it('IR-04 a section of 65 537 spaces is too large (size counts the data only)', () => {
    const wasm = moduleWith([SECTION, ' '.repeat(65_537)]);
    expect([...wasm.subarray(8, 13)]).toEqual([0x00, 0x91, 0x80, 0x04, 0x0f]);
    const error = readError(wasm);
    expect(error.kind).toBe('SectionTooLarge');
    expect(error.size).toBe(65_537);
    expect(error.message).toBe('cc_lb.plugin.v1 custom section is 65537 bytes, max 65536');
  });

  it('IR-05 an eight-byte magic that is not the protocol magic', () => {
    const error = readError(moduleWith([SECTION, P.replace('[204,27,112,16,0,1,0,0]', '[0,0,0,0,0,0,0,0]')]));
    expect(error.kind).toBe('MagicMismatch');
    expect(error.expected).toEqual([204, 27, 112, 16, 0, 1, 0, 0]);
    expect(error.found).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(error.message).toBe('magic mismatch in cc_lb.plugin.v1 custom section');
  });

  it('IR-06 the four-byte ASCII magic "CCLB" is a decode error, not a magic mismatch', () => {
    const error = readError(moduleWith([SECTION, P.replace('[204,27,112,16,0,1,0,0]', '[67,67,76,66]')]));
    expect(error.kind).toBe('MalformedPayload');
    expect(error.reason).toBe('invalid length 4, expected an array of length 8 at line 1 column 22');
    expect(error.message).toBe(
      'malformed cc_lb.plugin.v1 payload: invalid length 4, expected an array of length 8 at line 1 column 22',
    );
    expect(error.cause).toBeInstanceOf(WireDecodeError);
    expect((error.cause as WireDecodeError).serdeText).toBe(error.reason);
  });

  it('IR-07 an unknown key', () => {
    const payload = `${P.slice(0, -1)},"extra":true}`;
    const error = readError(moduleWith([SECTION, payload]));
    const reason = `unknown field \`extra\`, expected one of \`magic\`, \`abi_envelope\`, \`plugin_name\`, \`plugin_version\` at line 1 column ${columnAfterKey(payload, 'extra')}`;
    expect(error.kind).toBe('MalformedPayload');
    expect(error.reason).toBe(reason);
    expect(error.message).toBe(`malformed cc_lb.plugin.v1 payload: ${reason}`);
  });

  it('IR-08 bytes that are not wasm', () => {
    const error = readError(new TextEncoder().encode('not wasm'));
    const reason = `magic header not detected: bad magic number - expected=${prettyHex([0, 0x61, 0x73, 0x6d])} actual=${prettyHex([0x6e, 0x6f, 0x74, 0x20])} (at offset 0x0)`;
    expect(error.kind).toBe('WasmParseError');
    expect(error.reason).toBe(reason);
    expect(error.message).toBe(`invalid wasm: ${reason}`);
  });
});

describe('readIdentity: derived cases', () => {
  it('X-14 abi_envelope 2 is read without complaint (only conformance requires 1)', () => {
    expect(
      readIdentity(moduleWith([SECTION, P.replace('"abi_envelope":1', '"abi_envelope":2')])).abi_envelope,
    ).toBe(2);
  });

  it('X-15 a key given twice is a decode error (from_slice decodes straight into the struct)', () => {
    const payload = P.replace(
      '"plugin_name":"test-plugin"',
      '"plugin_name":"first","plugin_name":"test-plugin"',
    );
    const error = readError(moduleWith([SECTION, payload]));
    const reason = `duplicate field \`plugin_name\` at line 1 column ${columnAfterKey(payload, 'plugin_name', 2)}`;
    expect(error.kind).toBe('MalformedPayload');
    expect(error.message).toBe(`malformed cc_lb.plugin.v1 payload: ${reason}`);
  });
});

describe('readIdentity: order and edges', () => {
  it('an invalid name is a Validation error wrapping the wire identity error', () => {
    const error = readError(moduleWith([SECTION, P.replace('test-plugin', 'Test-Plugin')]));
    expect(error.kind).toBe('Validation');
    expect(error.message).toBe(
      'invalid plugin identity: plugin name does not match pattern ^[a-z][a-z0-9_-]*$ (max 64 bytes)',
    );
    expect(error.cause).toBeInstanceOf(IdentityValidationError);
    expect((error.cause as IdentityValidationError).kind).toBe('PluginNameInvalid');
  });

  it('a too-long version is a Validation error', () => {
    const error = readError(moduleWith([SECTION, P.replace('1.0.0', 'v'.repeat(33))]));
    expect(error.kind).toBe('Validation');
    expect(error.message).toBe('invalid plugin identity: plugin version exceeds max length of 32 bytes');
  });

  it('truncated JSON reports serde_json EOF text', () => {
    const error = readError(moduleWith([SECTION, '{"magic":']));
    expect(error.message).toBe(
      'malformed cc_lb.plugin.v1 payload: EOF while parsing a value at line 1 column 9',
    );
  });

  it('exactly 65 536 bytes is not too large: it reaches the decoder', () => {
    const error = readError(moduleWith([SECTION, ' '.repeat(65_536)]));
    expect(error.kind).toBe('MalformedPayload');
    expect(error.reason).toBe('EOF while parsing a value at line 1 column 65536');
  });

  it('a broken first section is reported before a later duplicate is noticed', () => {
    const error = readError(moduleWith([SECTION, ' '.repeat(65_537)], [SECTION, P]));
    expect(error.kind).toBe('SectionTooLarge');
  });

  it('a duplicate is reported before a parse error that comes after it', () => {
    const wasm = new Uint8Array([...moduleWith([SECTION, P], [SECTION, P]), 0x80]);
    expect(readError(wasm).kind).toBe('DuplicateCustomSection');
  });

  it('the walk never stops early: a parse error after a valid identity still fails', () => {
    const error = readError(new Uint8Array([...moduleWith([SECTION, P]), 0x80]));
    expect(error.kind).toBe('WasmParseError');
    expect(error.message).toBe('invalid wasm: malformed section id (at offset 0x81)');
  });

  it('only the exact section name counts; other custom sections are ignored', () => {
    expect(readError(moduleWith(['CC_LB.plugin.v1', P], ['cc_lb.plugin.v2', P])).kind).toBe(
      'MissingCustomSection',
    );
    expect(readIdentity(moduleWith(['name', 'x'], [SECTION, P], ['producers', 'y'])).plugin_name).toBe(
      'test-plugin',
    );
  });

  it('reads the identity a pluginModule (src/wat) stamps after its code sections', () => {
    const wasm = pluginModule({ identity: { plugin_name: 'cache-aware', plugin_version: '0.1.0' } });
    expect(readIdentity(wasm)).toEqual({
      magic: [204, 27, 112, 16, 0, 1, 0, 0],
      abi_envelope: 1,
      plugin_name: 'cache-aware',
      plugin_version: '0.1.0',
    });
  });

  it('reads a Buffer view that does not start at offset 0 of its memory', () => {
    const wasm = moduleWith([SECTION, P]);
    const backing = new Uint8Array(wasm.length + 5);
    backing.set(wasm, 5);
    expect(readIdentity(Buffer.from(backing.buffer, 5, wasm.length)).plugin_version).toBe('1.0.0');
  });
});

describe('readIdentity: real plugins', () => {
  it.each(['shape', 'router', 'observe'] as const)(
    'reads the identity stamped into the %s fixture',
    async (name) => {
      expect(readIdentity(await fixturePlugin(name))).toEqual(JSON.parse(FIXTURE_IDENTITY_PAYLOADS[name]));
    },
    FIXTURE_COMPILE_MS,
  );
});
