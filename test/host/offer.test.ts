import { describe, expect, it } from 'vitest';
import { buildOffer } from '../../src/host/offer.js';
import { offerHash } from '../../src/wire/canonical.js';
import { encodeWire } from '../../src/wire/encode.js';
import { HandshakeOffer, validateOffer } from '../../src/wire/handshake.js';

const DEFAULT_OFFER_JSON =
  '{"handshake_schema_version":1,"envelope_version":1,"function_versions":{"build_signer":[1],"filter":[1],"normalize_error":[1],"observe":[1],"on_unauthorized":[1],"shape":[1],"sign":[1]},"host_capabilities":[]}';

describe('buildOffer', () => {
  it('H-10 offers every wire function at its supported versions, and the capabilities as a set', () => {
    const offer = buildOffer(['streaming', 'storage']);
    expect(offer.handshake_schema_version).toBe(1);
    expect(offer.envelope_version).toBe(1);
    expect(offer.host_capabilities).toEqual(['storage', 'streaming']);
    expect({ ...offer.function_versions }).toEqual({
      shape: [1],
      normalize_error: [1],
      build_signer: [1],
      sign: [1],
      on_unauthorized: [1],
      observe: [1],
      filter: [1],
    });
    expect(() => validateOffer(offer)).not.toThrow();
    expect(encodeWire(HandshakeOffer, offer)).toBe(
      '{"handshake_schema_version":1,"envelope_version":1,"function_versions":{"build_signer":[1],"filter":[1],"normalize_error":[1],"observe":[1],"on_unauthorized":[1],"shape":[1],"sign":[1]},"host_capabilities":["storage","streaming"]}',
    );
  });

  it('the default offer serializes to the exact JSON of PROTOCOL.md §4.3', () => {
    expect(encodeWire(HandshakeOffer, buildOffer())).toBe(DEFAULT_OFFER_JSON);
  });

  it('the default offer hashes to the derived value of PROTOCOL.md §4.11', () => {
    expect(offerHash(buildOffer())).toBe('771e8580232de17aefe0af04fe5e49b3e8d45f3709d087a3ff4dfbdff6b584b5');
  });

  it('passes capability names through untouched: no case folding, only set semantics', () => {
    expect(buildOffer(['streaming', 'Streaming', 'streaming', 'not a Pattern!']).host_capabilities).toEqual([
      'Streaming',
      'not a Pattern!',
      'streaming',
    ]);
  });

  it('orders capabilities by code point, as a BTreeSet does (not by UTF-16 unit)', () => {
    expect(buildOffer(['\u{10000}', '\u{FFFF}']).host_capabilities).toEqual(['\u{FFFF}', '\u{10000}']);
  });

  it('accepts any iterable of capabilities', () => {
    expect(buildOffer(new Set(['b', 'a'])).host_capabilities).toEqual(['a', 'b']);
  });

  it('functionVersions replaces the default of a function and keeps the order it was given', () => {
    const offer = buildOffer([], { shape: [2, 1] });
    expect(offer.function_versions.shape).toEqual([2, 1]);
    expect(offer.function_versions.sign).toEqual([1]);
    expect(encodeWire(HandshakeOffer, offer)).toBe(
      DEFAULT_OFFER_JSON.replace('"shape":[1]', '"shape":[2,1]'),
    );
  });

  it('functionVersions may add a function the host does not offer; keys stay sorted', () => {
    const offer = buildOffer([], { route: [1], filter: undefined });
    expect(Object.keys(offer.function_versions)).toEqual([
      'build_signer',
      'filter',
      'normalize_error',
      'observe',
      'on_unauthorized',
      'route',
      'shape',
      'sign',
    ]);
    expect(offer.function_versions.filter).toEqual([1]);
  });

  it('is not validated here: an invalid override is left for the handshake to reject', () => {
    const offer = buildOffer([], { shape: [0] });
    expect(offer.function_versions.shape).toEqual([0]);
    expect(() => validateOffer(offer)).toThrow('version 0 outside valid range [1, 65535]');
  });

  it('returns fresh arrays: mutating one offer never changes the next', () => {
    const first = buildOffer();
    first.function_versions.shape?.push(9);
    expect(buildOffer().function_versions.shape).toEqual([1]);
  });
});
