import { describe, expect, it } from 'vitest';
import { CC_LB_PLUGIN_MAGIC } from '../../src/wire/constants.js';
import { decodeWire } from '../../src/wire/decode.js';
import { WireDecodeError } from '../../src/wire/decode-error.js';
import { encodeWire } from '../../src/wire/encode.js';
import { IdentityValidationError } from '../../src/wire/errors.js';
import { PluginIdentity, validateIdentity } from '../../src/wire/identity.js';

function identity(overrides: Partial<PluginIdentity> = {}): PluginIdentity {
  return {
    magic: [...CC_LB_PLUGIN_MAGIC],
    abi_envelope: 1,
    plugin_name: 'my-plugin',
    plugin_version: '1.0.0',
    ...overrides,
  };
}

const NAME_INVALID = 'plugin name does not match pattern ^[a-z][a-z0-9_-]*$ (max 64 bytes)';

function validationError(value: PluginIdentity): IdentityValidationError {
  try {
    validateIdentity(value);
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityValidationError);
    return error as IdentityValidationError;
  }
  throw new Error('expected validateIdentity to throw');
}

describe('validateIdentity (REFERENCE-CASES §1.2)', () => {
  it('W-13 name my-plugin, version 1.0.0 is valid', () => {
    expect(() => validateIdentity(identity())).not.toThrow();
  });

  it('W-14 MagicMismatch for an all-zero magic', () => {
    const error = validationError(identity({ magic: [0, 0, 0, 0, 0, 0, 0, 0] }));
    expect(error).toMatchObject({ kind: 'MagicMismatch', message: 'magic number mismatch' });
    expect(error.name).toBe('IdentityValidationError');
  });

  it('W-15 PluginNameEmpty for an empty name', () => {
    expect(validationError(identity({ plugin_name: '' }))).toMatchObject({
      kind: 'PluginNameEmpty',
      message: 'plugin name is empty',
    });
  });

  it('W-16 PluginNameInvalid for MyPlugin (upper case)', () => {
    expect(validationError(identity({ plugin_name: 'MyPlugin' }))).toMatchObject({
      kind: 'PluginNameInvalid',
      message: NAME_INVALID,
    });
  });

  it('W-17 PluginNameInvalid for my.plugin', () => {
    expect(validationError(identity({ plugin_name: 'my.plugin' }))).toMatchObject({
      kind: 'PluginNameInvalid',
    });
  });

  it('W-18 PluginNameInvalid for 65 × a', () => {
    expect(validationError(identity({ plugin_name: 'a'.repeat(65) }))).toMatchObject({
      kind: 'PluginNameInvalid',
      message: NAME_INVALID,
    });
  });

  it('W-19 64 × a is valid', () => {
    expect(() => validateIdentity(identity({ plugin_name: 'a'.repeat(64) }))).not.toThrow();
  });

  it('W-20 my_plugin-v2 is valid', () => {
    expect(() => validateIdentity(identity({ plugin_name: 'my_plugin-v2' }))).not.toThrow();
  });

  it('W-21 PluginVersionEmpty for an empty version', () => {
    expect(validationError(identity({ plugin_version: '' }))).toMatchObject({
      kind: 'PluginVersionEmpty',
      message: 'plugin version is empty',
    });
  });

  it('W-22 PluginVersionTooLong for 33 × v', () => {
    expect(validationError(identity({ plugin_version: 'v'.repeat(33) }))).toMatchObject({
      kind: 'PluginVersionTooLong',
      message: 'plugin version exceeds max length of 32 bytes',
    });
  });

  it('W-23 32 × v is valid', () => {
    expect(() => validateIdentity(identity({ plugin_version: 'v'.repeat(32) }))).not.toThrow();
  });

  it('checks the magic before the name, the name before the version (first failure wins)', () => {
    expect(
      validationError(identity({ magic: [0, 0, 0, 0, 0, 0, 0, 0], plugin_name: '', plugin_version: '' }))
        .kind,
    ).toBe('MagicMismatch');
    expect(validationError(identity({ plugin_name: 'Bad', plugin_version: '' })).kind).toBe(
      'PluginNameInvalid',
    );
  });

  it('measures the name and version in UTF-8 bytes and rejects any non-ASCII name byte', () => {
    // 'é' is two bytes: 16 of them make 32 bytes (valid), 17 make 34 bytes (too long).
    expect(() => validateIdentity(identity({ plugin_version: 'é'.repeat(16) }))).not.toThrow();
    expect(validationError(identity({ plugin_version: 'é'.repeat(17) })).kind).toBe('PluginVersionTooLong');
    expect(validationError(identity({ plugin_name: 'café' })).kind).toBe('PluginNameInvalid');
    expect(validationError(identity({ plugin_name: '1plugin' })).kind).toBe('PluginNameInvalid');
    expect(validationError(identity({ plugin_name: '-plugin' })).kind).toBe('PluginNameInvalid');
    expect(() => validateIdentity(identity({ plugin_name: 'a-0_' }))).not.toThrow();
  });

  it('a magic of the wrong length is a mismatch, and abi_envelope is never checked', () => {
    expect(validationError(identity({ magic: [204, 27, 112, 16] })).kind).toBe('MagicMismatch');
    expect(() => validateIdentity(identity({ abi_envelope: 4_294_967_295 }))).not.toThrow();
  });
});

describe('PluginIdentity JSON', () => {
  const pdkJson =
    '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"cache-aware","plugin_version":"0.1.0"}';

  it('W-24 a valid identity round-trips, in the PDK byte form (103 bytes)', () => {
    const value = identity({ plugin_name: 'cache-aware', plugin_version: '0.1.0' });
    const text = encodeWire(PluginIdentity, value);
    expect(text).toBe(pdkJson);
    expect(new TextEncoder().encode(text).length).toBe(103);
    expect(decodeWire(PluginIdentity, text)).toEqual(value);
  });

  it('W-25 an unknown_field key is a decode error', () => {
    const text =
      '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"my-plugin","plugin_version":"1.0.0","unknown_field":"value"}';
    expect(() => decodeWire(PluginIdentity, text)).toThrow(WireDecodeError);
    expect(() => decodeWire(PluginIdentity, text)).toThrow(
      /^unknown field `unknown_field`, expected one of `magic`, `abi_envelope`, `plugin_name`, `plugin_version`/,
    );
  });

  it('a 4-element magic ("CCLB") is a decode error, not a magic mismatch', () => {
    const text = '{"magic":[67,67,76,66],"abi_envelope":1,"plugin_name":"x","plugin_version":"1"}';
    expect(() => decodeWire(PluginIdentity, text)).toThrow(WireDecodeError);
  });
});
