/**
 * Wire layer: the handshake offer and accept (PROTOCOL.md §4.2–§4.6) and their validators.
 *
 * Every iteration here walks a wire map or set in code-point order (`ordered.ts`), as the Rust
 * BTreeMap/BTreeSet do: which error is reported first must never depend on the order in which the
 * JSON happened to list its keys. Lookups go through `valueAt`/`hasKey` so inherited object
 * properties can never pass for map entries.
 */
import {
  CAPABILITIES_MAX_COUNT,
  FUNCTION_VERSIONS_KEYS_MAX,
  FUNCTION_VERSIONS_PER_FN_MAX,
  VERSION_MAX,
  VERSION_MIN,
} from './constants.js';
import { HandshakeValidationError } from './errors.js';
import { sortedKeys, sortedUnique, valueAt } from './ordered.js';
import { list, map, type Static, set, struct, u32 } from './schema.js';

export const HandshakeOffer = struct('HandshakeOffer', {
  handshake_schema_version: u32(),
  envelope_version: u32(),
  function_versions: map(list(u32())),
  host_capabilities: set(),
});
export type HandshakeOffer = Static<typeof HandshakeOffer>;

export const HandshakeAccept = struct('HandshakeAccept', {
  handshake_schema_version: u32(),
  envelope_version: u32(),
  chosen_versions: map(u32()),
  plugin_supported: map(list(u32())),
  implemented_functions: set(),
  required_capabilities: set(),
});
export type HandshakeAccept = Static<typeof HandshakeAccept>;

/** `HandshakeOffer::validate()`: counts and version ranges; the first failure throws. */
export function validateOffer(offer: HandshakeOffer): void {
  const functions = sortedKeys(offer.function_versions);
  if (functions.length > FUNCTION_VERSIONS_KEYS_MAX) {
    throw new HandshakeValidationError({
      kind: 'FunctionCountExceeded',
      count: functions.length,
      max: FUNCTION_VERSIONS_KEYS_MAX,
    });
  }
  for (const fn of functions) {
    const versions = valueAt(offer.function_versions, fn) ?? [];
    if (versions.length > FUNCTION_VERSIONS_PER_FN_MAX) {
      throw new HandshakeValidationError({
        kind: 'FunctionVersionCountExceeded',
        function: fn,
        count: versions.length,
        max: FUNCTION_VERSIONS_PER_FN_MAX,
      });
    }
    for (const version of versions) {
      if (version < VERSION_MIN || version > VERSION_MAX) {
        throw new HandshakeValidationError({
          kind: 'VersionOutOfRange',
          version,
          min: VERSION_MIN,
          max: VERSION_MAX,
        });
      }
    }
  }
  // A set counts distinct names; a hand-built offer may still carry duplicates.
  const capabilities = sortedUnique(offer.host_capabilities);
  if (capabilities.length > CAPABILITIES_MAX_COUNT) {
    throw new HandshakeValidationError({
      kind: 'CapabilityCountExceeded',
      count: capabilities.length,
      max: CAPABILITIES_MAX_COUNT,
    });
  }
}

/**
 * `HandshakeAccept::validate_against_offer()`: the accept must answer this offer without a
 * downgrade; the first failure throws. Functions the accept supports or implements without
 * choosing a version, and `envelope_version`, are not examined here (the host's shape checks do).
 */
export function validateAcceptAgainstOffer(accept: HandshakeAccept, offer: HandshakeOffer): void {
  if (accept.handshake_schema_version !== offer.handshake_schema_version) {
    throw new HandshakeValidationError({
      kind: 'HandshakeSchemaVersionMismatch',
      got: accept.handshake_schema_version,
      expected: offer.handshake_schema_version,
    });
  }
  for (const fn of sortedKeys(accept.chosen_versions)) {
    const chosen = valueAt(accept.chosen_versions, fn)!;
    const pluginVersions = valueAt(accept.plugin_supported, fn);
    const offeredVersions = valueAt(offer.function_versions, fn);
    if (pluginVersions === undefined || offeredVersions === undefined) {
      throw new HandshakeValidationError({ kind: 'ChosenForUnknownFunction', function: fn });
    }
    if (!offeredVersions.includes(chosen)) {
      throw new HandshakeValidationError({ kind: 'ChosenVersionNotOffered', function: fn, version: chosen });
    }
    // An empty intersection raises nothing: the plugin may pick any offered version then.
    const intersection = offeredVersions.filter((v) => pluginVersions.includes(v));
    if (intersection.length > 0) {
      const maxIntersection = Math.max(...intersection);
      if (chosen < maxIntersection) {
        throw new HandshakeValidationError({
          kind: 'DowngradeAttempt',
          function: fn,
          chosen,
          maxIntersection,
        });
      }
    }
  }
  for (const capability of sortedUnique(accept.required_capabilities)) {
    // Exact, case-sensitive: unlike the canonical hash, validation never lower-cases.
    if (!offer.host_capabilities.includes(capability)) {
      throw new HandshakeValidationError({ kind: 'RequiredCapabilityUnavailable', capability });
    }
  }
}
