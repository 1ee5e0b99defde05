/**
 * Host layer: the host's handshake offer (reference `build_offer`, PROTOCOL.md §4.3).
 *
 * Schema 1, envelope 1, every wire function mapped to the versions the host supports, and the
 * host's capability set. Capability names pass through untouched (no case folding, no pattern
 * check); only set semantics apply (sorted by code point, duplicates collapsed).
 */
import { ENVELOPE_VERSION_V1, HANDSHAKE_SCHEMA_VERSION_V1 } from '../wire/constants.js';
import { allWireFunctions } from '../wire/functions/index.js';
import type { HandshakeOffer } from '../wire/handshake.js';
import { emptyWireMap, sortedKeys, sortedUnique } from '../wire/ordered.js';

/**
 * Builds the offer the reference host sends. `functionVersions` is our addition for authors who
 * test negotiation against a future host: each given entry replaces (or adds) that function's
 * offered versions, in the order given; entries left `undefined` keep the default. The offer is
 * not validated here — `executeHandshake` does that first, as the reference does.
 */
export function buildOffer(
  capabilities: Iterable<string> = [],
  functionVersions: Partial<Record<string, number[]>> = {},
): HandshakeOffer {
  const merged = emptyWireMap<number[]>();
  for (const fn of allWireFunctions) merged[fn.name] = [...fn.supportedVersions];
  for (const [name, versions] of Object.entries(functionVersions)) {
    if (versions !== undefined) merged[name] = [...versions];
  }
  // Keys in code-point order, so the offer serializes exactly like the reference's BTreeMap.
  const ordered = emptyWireMap<number[]>();
  for (const name of sortedKeys(merged)) ordered[name] = merged[name] as number[];
  return {
    handshake_schema_version: HANDSHAKE_SCHEMA_VERSION_V1,
    envelope_version: ENVELOPE_VERSION_V1,
    function_versions: ordered,
    host_capabilities: sortedUnique(capabilities),
  };
}
