/**
 * Wire layer: the canonical handshake offer and its SHA-256 (PROTOCOL.md §4.11), stored by the
 * persistence layer as `host_offer_hash`. Two offers that differ only in the order of their
 * function entries, version lists or capabilities must hash equally, so every step here ends in
 * code-point order (`ordered.ts`) and the bytes hashed are the compact serde_json form of
 * `CanonicalOffer`, written by the one wire encoder.
 */
import { createHash } from 'node:crypto';
import { encodeWire } from './encode.js';
import type { HandshakeOffer } from './handshake.js';
import { compareCodePoints, emptyWireMap, sortedKeys, sortedUnique, valueAt } from './ordered.js';
import { list, map, type Static, set, str, struct, u32 } from './schema.js';

/** One function's offered versions, before merging (Rust `FunctionVersionOfferRaw`). */
export const RawFunctionVersions = struct('FunctionVersionOfferRaw', {
  function: str(),
  versions: list(u32()),
});
export type RawFunctionVersions = Static<typeof RawFunctionVersions>;

/** An offer as entries and a plain list, exactly as given (Rust `HandshakeOfferRaw`). */
export const RawHandshakeOffer = struct('HandshakeOfferRaw', {
  handshake_schema_version: u32(),
  envelope_version: u32(),
  function_versions: list(RawFunctionVersions),
  host_capabilities: list(str()),
});
export type RawHandshakeOffer = Static<typeof RawHandshakeOffer>;

export const CanonicalOffer = struct('CanonicalOffer', {
  handshake_schema_version: u32(),
  envelope_version: u32(),
  function_versions: map(list(u32())),
  host_capabilities: set(),
});
export type CanonicalOffer = Static<typeof CanonicalOffer>;

/**
 * Merges entries of the same function (versions concatenated, then sorted ascending and
 * de-duplicated), keeps function names exactly as given, and ASCII-lower-cases, sorts and
 * de-duplicates the capabilities. Nothing is validated: version 0 or an unknown name stays.
 */
export function canonicalizeOffer(raw: RawHandshakeOffer): CanonicalOffer {
  const merged = emptyWireMap<number[]>();
  const byName = [...raw.function_versions].sort((a, b) => compareCodePoints(a.function, b.function));
  for (const entry of byName) {
    const versions = valueAt(merged, entry.function);
    if (versions === undefined) merged[entry.function] = [...entry.versions];
    else versions.push(...entry.versions);
  }
  const functionVersions = emptyWireMap<number[]>();
  for (const fn of sortedKeys(merged)) functionVersions[fn] = ascendingUnique(valueAt(merged, fn)!);
  return {
    handshake_schema_version: raw.handshake_schema_version,
    envelope_version: raw.envelope_version,
    function_versions: functionVersions,
    host_capabilities: sortedUnique(raw.host_capabilities.map(asciiLowercase)),
  };
}

/** The exact bytes (as text) that are hashed: compact JSON of the canonical offer. */
export function canonicalOfferJson(raw: RawHandshakeOffer): string {
  return encodeWire(CanonicalOffer, canonicalizeOffer(raw));
}

/** `host_offer_hash(raw)` as lower-case hex. */
export function hostOfferHash(raw: RawHandshakeOffer): string {
  return createHash('sha256').update(canonicalOfferJson(raw), 'utf8').digest('hex');
}

/** `HandshakeOffer::canonical_hash()`: one raw entry per function, the capability set as a list. */
export function offerHash(offer: HandshakeOffer): string {
  return hostOfferHash(rawOfferOf(offer));
}

/** The raw form of a typed offer, in code-point order. */
export function rawOfferOf(offer: HandshakeOffer): RawHandshakeOffer {
  return {
    handshake_schema_version: offer.handshake_schema_version,
    envelope_version: offer.envelope_version,
    function_versions: sortedKeys(offer.function_versions).map((fn) => ({
      function: fn,
      versions: [...(valueAt(offer.function_versions, fn) ?? [])],
    })),
    host_capabilities: sortedUnique(offer.host_capabilities),
  };
}

function ascendingUnique(versions: readonly number[]): number[] {
  const sorted = [...versions].sort((a, b) => a - b);
  return sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
}

/** Rust `to_ascii_lowercase`: only A–Z change; `toLowerCase` would also fold non-ASCII letters. */
function asciiLowercase(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}
