/**
 * Wire layer: the persistence records of a registered plugin (PROTOCOL.md §1.4). Augmented
 * metadata is the single source of truth for negotiated versions: dispatch reads `_v` from
 * `negotiated_functions` and nothing else (not expiry, not `self_check_passed`).
 */
import { AUGMENTED_METADATA_MAX_BYTES } from './constants.js';
import { encodeWire } from './encode.js';
import { AugmentedMetadataError, IdentityValidationError } from './errors.js';
import { PluginIdentity, validateIdentity } from './identity.js';
import { emptyWireMap, sortedKeys, sortedUnique, valueAt } from './ordered.js';
import { bool, i64, map, type Static, set, str, struct, u32 } from './schema.js';

export const AugmentedMetadata = struct('AugmentedMetadata', {
  identity: PluginIdentity,
  negotiated_functions: map(u32()),
  negotiated_capabilities: set(),
  /** unix seconds */
  handshake_completed_at: i64(),
  self_check_passed: bool(),
  /** unix seconds */
  self_check_completed_at: i64(),
  /** unix seconds; `handshake_completed_at + ttl` when built by `augmentedMetadataFromHandshake` */
  expires_at: i64(),
});
export type AugmentedMetadata = Static<typeof AugmentedMetadata>;

export const PluginRegistryRecord = struct('PluginRegistryRecord', {
  plugin_id: str(),
  augmented_metadata: AugmentedMetadata,
  /** unix seconds */
  registered_at: i64(),
});
export type PluginRegistryRecord = Static<typeof PluginRegistryRecord>;

/** An i64 as the wire types carry it: a number while safe, a bigint beyond. */
type I64 = number | bigint;

const utf8 = new TextEncoder();

/** `AugmentedMetadata::validate()`: the first failure throws; `self_check_passed` is not checked. */
export function validateAugmentedMetadata(metadata: AugmentedMetadata): void {
  try {
    validateIdentity(metadata.identity);
  } catch (error) {
    if (!(error instanceof IdentityValidationError)) throw error;
    throw new AugmentedMetadataError(
      { kind: 'IdentityValidationFailed', reason: error.message },
      { cause: error },
    );
  }
  if (metadata.handshake_completed_at <= 0) throw invalidTimestamp('handshake_completed_at must be positive');
  if (metadata.self_check_completed_at <= 0)
    throw invalidTimestamp('self_check_completed_at must be positive');
  if (metadata.expires_at <= 0) throw invalidTimestamp('expires_at must be positive');
  if (metadata.expires_at <= metadata.handshake_completed_at) {
    throw new AugmentedMetadataError({ kind: 'ExpirationBeforeHandshake' });
  }
  if (sortedKeys(metadata.negotiated_functions).length === 0) {
    throw new AugmentedMetadataError({ kind: 'NoNegotiatedFunctions' });
  }
  if (serializedSize(metadata) > AUGMENTED_METADATA_MAX_BYTES) {
    throw new AugmentedMetadataError({ kind: 'SizeLimitExceeded' });
  }
}

/** The UTF-8 length of the compact serde_json form, which is what the size limit measures. */
function serializedSize(metadata: AugmentedMetadata): number {
  let text: string;
  try {
    text = encodeWire(AugmentedMetadata, metadata);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AugmentedMetadataError({ kind: 'SerializationFailed', reason }, { cause: error });
  }
  return utf8.encode(text).length;
}

function invalidTimestamp(reason: string): AugmentedMetadataError {
  return new AugmentedMetadataError({ kind: 'InvalidTimestamp', reason });
}

export interface AugmentedMetadataParts {
  readonly identity: PluginIdentity;
  /** the accept's `chosen_versions` */
  readonly negotiatedFunctions: Readonly<Record<string, number>>;
  /** the accept's `required_capabilities` (sorted and de-duplicated here) */
  readonly negotiatedCapabilities: Iterable<string>;
  readonly handshakeCompletedAt: I64;
  readonly selfCheckPassed: boolean;
  readonly selfCheckCompletedAt: I64;
  readonly ttlSeconds: I64;
}

/**
 * `AugmentedMetadata::from_handshake_and_self_check`: `expires_at = handshake_completed_at +
 * ttl_seconds`, then validated (throws AugmentedMetadataError).
 */
export function augmentedMetadataFromHandshake(parts: AugmentedMetadataParts): AugmentedMetadata {
  const negotiatedFunctions = emptyWireMap<number>();
  for (const fn of sortedKeys(parts.negotiatedFunctions))
    negotiatedFunctions[fn] = valueAt(parts.negotiatedFunctions, fn)!;
  const metadata: AugmentedMetadata = {
    identity: {
      magic: [...parts.identity.magic],
      abi_envelope: parts.identity.abi_envelope,
      plugin_name: parts.identity.plugin_name,
      plugin_version: parts.identity.plugin_version,
    },
    negotiated_functions: negotiatedFunctions,
    negotiated_capabilities: sortedUnique(parts.negotiatedCapabilities),
    handshake_completed_at: parts.handshakeCompletedAt,
    self_check_passed: parts.selfCheckPassed,
    self_check_completed_at: parts.selfCheckCompletedAt,
    expires_at: addI64(parts.handshakeCompletedAt, parts.ttlSeconds),
  };
  validateAugmentedMetadata(metadata);
  return metadata;
}

/** `is_expired(now)`: expired from `expires_at` on (inclusive). */
export function isMetadataExpired(metadata: AugmentedMetadata, now: I64): boolean {
  return now >= metadata.expires_at;
}

/** `ttl_seconds(now)`: seconds left until `expires_at`, never negative. */
export function metadataTtlSeconds(metadata: AugmentedMetadata, now: I64): I64 {
  const left = BigInt(metadata.expires_at) - BigInt(now);
  return normalizeI64(left > 0n ? left : 0n);
}

/** `PluginRegistryRecord::validate()`: the id and registration time, then the metadata. */
export function validateRegistryRecord(record: PluginRegistryRecord): void {
  // The reference reuses the timestamp variant for the empty id, text and all.
  if (record.plugin_id === '') throw invalidTimestamp('plugin_id must not be empty');
  if (record.registered_at <= 0) throw invalidTimestamp('registered_at must be positive');
  validateAugmentedMetadata(record.augmented_metadata);
}

function addI64(a: I64, b: I64): I64 {
  return normalizeI64(BigInt(a) + BigInt(b));
}

/** Keep the decoder's representation: number when it is a safe integer, bigint beyond. */
function normalizeI64(value: bigint): I64 {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}
