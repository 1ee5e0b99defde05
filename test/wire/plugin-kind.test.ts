import { describe, expect, it } from 'vitest';
import { decodeWire } from '../../src/wire/decode.js';
import { encodeWire } from '../../src/wire/encode.js';
import { wireFunction } from '../../src/wire/functions/index.js';
import { PLUGIN_KINDS, PluginKind, pluginKindFunctions } from '../../src/wire/plugin-kind.js';

describe('PluginKind (REFERENCE-CASES §1.6)', () => {
  it('W-60 each kind round-trips as its snake_case JSON name', () => {
    expect(PLUGIN_KINDS).toEqual(['dialect', 'signer_factory', 'observability']);
    for (const kind of PLUGIN_KINDS) {
      expect(encodeWire(PluginKind, kind)).toBe(`"${kind}"`);
      expect(decodeWire(PluginKind, `"${kind}"`)).toBe(kind);
    }
  });

  it('W-61 required ⊆ allowed, both non-empty, for every kind', () => {
    for (const kind of PLUGIN_KINDS) {
      const { required, allowed } = pluginKindFunctions(kind);
      expect(required.length, kind).toBeGreaterThan(0);
      expect(allowed.length, kind).toBeGreaterThan(0);
      for (const fn of required) expect(allowed, kind).toContain(fn);
      for (const fn of allowed) expect(wireFunction(fn), fn).toBeDefined();
    }
  });

  it('the table of PROTOCOL.md §1.5', () => {
    expect(pluginKindFunctions('dialect')).toEqual({
      required: ['shape'],
      allowed: ['shape', 'normalize_error'],
    });
    expect(pluginKindFunctions('signer_factory')).toEqual({
      required: ['build_signer', 'sign'],
      allowed: ['build_signer', 'sign', 'on_unauthorized'],
    });
    expect(pluginKindFunctions('observability')).toEqual({ required: ['observe'], allowed: ['observe'] });
  });

  it('hands out copies, so a caller cannot change the table', () => {
    (pluginKindFunctions('dialect').allowed as string[]).push('sign');
    expect(pluginKindFunctions('dialect').allowed).toEqual(['shape', 'normalize_error']);
  });
});
