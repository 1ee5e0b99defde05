/**
 * Wire layer: the errors of the wire validators. Each class mirrors one Rust error enum of
 * cc-lb-plugin-wire: `kind` is the variant name, the variant's fields are readonly camelCase
 * properties (present only on the variants that have them), `reason` holds a wrapped string, and
 * `message` is exactly the variant's Display text.
 */
import { AUGMENTED_METADATA_MAX_BYTES, IMPLEMENTED_FUNCTIONS_MAX } from './constants.js';
import { defineVariantFields } from './variant-fields.js';

// ---------------------------------------------------------------------------------------------
// IdentityError (identity.rs)

export type IdentityValidationKind =
  | 'MagicMismatch'
  | 'PluginNameEmpty'
  | 'PluginNameInvalid'
  | 'PluginVersionEmpty'
  | 'PluginVersionTooLong';

const IDENTITY_MESSAGES: Readonly<Record<IdentityValidationKind, string>> = {
  MagicMismatch: 'magic number mismatch',
  PluginNameEmpty: 'plugin name is empty',
  PluginNameInvalid: 'plugin name does not match pattern ^[a-z][a-z0-9_-]*$ (max 64 bytes)',
  PluginVersionEmpty: 'plugin version is empty',
  PluginVersionTooLong: 'plugin version exceeds max length of 32 bytes',
};

export class IdentityValidationError extends Error {
  override readonly name = 'IdentityValidationError';
  readonly kind: IdentityValidationKind;

  constructor(kind: IdentityValidationKind) {
    super(IDENTITY_MESSAGES[kind]);
    this.kind = kind;
  }
}

// ---------------------------------------------------------------------------------------------
// HandshakeError (handshake/mod.rs)

export type HandshakeValidationDetail =
  | { readonly kind: 'FunctionCountExceeded'; readonly count: number; readonly max: number }
  | {
      readonly kind: 'FunctionVersionCountExceeded';
      readonly function: string;
      readonly count: number;
      readonly max: number;
    }
  | {
      readonly kind: 'VersionOutOfRange';
      readonly version: number;
      readonly min: number;
      readonly max: number;
    }
  | { readonly kind: 'CapabilityCountExceeded'; readonly count: number; readonly max: number }
  | { readonly kind: 'ChosenVersionNotOffered'; readonly function: string; readonly version: number }
  | { readonly kind: 'ChosenForUnknownFunction'; readonly function: string }
  | {
      readonly kind: 'DowngradeAttempt';
      readonly function: string;
      readonly chosen: number;
      readonly maxIntersection: number;
    }
  | { readonly kind: 'RequiredCapabilityUnavailable'; readonly capability: string }
  | { readonly kind: 'HandshakeSchemaVersionMismatch'; readonly got: number; readonly expected: number }
  /** `inner` is the CanonicalError's Display text; no validator produces this variant. */
  | { readonly kind: 'Canonical'; readonly inner: string };

export type HandshakeValidationKind = HandshakeValidationDetail['kind'];

function handshakeMessage(d: HandshakeValidationDetail): string {
  switch (d.kind) {
    case 'FunctionCountExceeded':
      return `function count ${d.count} exceeds maximum ${d.max}`;
    case 'FunctionVersionCountExceeded':
      return `function '${d.function}' has ${d.count} versions, exceeds maximum ${d.max}`;
    case 'VersionOutOfRange':
      return `version ${d.version} outside valid range [${d.min}, ${d.max}]`;
    case 'CapabilityCountExceeded':
      return `capability count ${d.count} exceeds maximum ${d.max}`;
    case 'ChosenVersionNotOffered':
      return `chosen version not offered: function '${d.function}' version ${d.version} not in offer`;
    case 'ChosenForUnknownFunction':
      return `chosen for unknown function: '${d.function}' not in host offer`;
    case 'DowngradeAttempt':
      return `downgrade attempt detected: function '${d.function}' chosen version ${d.chosen} but max intersection is ${d.maxIntersection}`;
    case 'RequiredCapabilityUnavailable':
      return `required capability '${d.capability}' not available in host capabilities`;
    case 'HandshakeSchemaVersionMismatch':
      return `handshake schema version mismatch: got ${d.got}, expected ${d.expected}`;
    case 'Canonical':
      return `canonical offer hash error: ${d.inner}`;
  }
}

export class HandshakeValidationError extends Error {
  override readonly name = 'HandshakeValidationError';
  readonly kind: HandshakeValidationKind;
  /** The variant with its fields, for exhaustive `switch` handling. */
  declare readonly detail: HandshakeValidationDetail;
  declare readonly count?: number;
  declare readonly max?: number;
  declare readonly min?: number;
  declare readonly function?: string;
  declare readonly version?: number;
  declare readonly chosen?: number;
  declare readonly maxIntersection?: number;
  declare readonly capability?: string;
  declare readonly got?: number;
  declare readonly expected?: number;
  declare readonly inner?: string;

  constructor(detail: HandshakeValidationDetail) {
    super(handshakeMessage(detail));
    this.kind = detail.kind;
    defineVariantFields(this, detail);
  }
}

/** The Display text of CanonicalError::Serialize, for wrapping in a `Canonical` variant. */
export function canonicalSerializeErrorText(reason: string): string {
  return `failed to serialize canonical handshake offer: ${reason}`;
}

// ---------------------------------------------------------------------------------------------
// SelfCheckError (self_check.rs)

export type SelfCheckValidationDetail =
  | { readonly kind: 'EmptyRequest' }
  | { readonly kind: 'TooManyFunctions' }
  | { readonly kind: 'InvalidTimestamp'; readonly reason: string }
  | { readonly kind: 'SerializationFailed'; readonly reason: string };

export type SelfCheckValidationKind = SelfCheckValidationDetail['kind'];

function selfCheckMessage(d: SelfCheckValidationDetail): string {
  switch (d.kind) {
    case 'EmptyRequest':
      return 'self-check request is empty (no functions to test)';
    case 'TooManyFunctions':
      return `self-check function list exceeds maximum of ${IMPLEMENTED_FUNCTIONS_MAX}`;
    case 'InvalidTimestamp':
      return `invalid timestamp: ${d.reason}`;
    case 'SerializationFailed':
      return `self-check response serialization failed: ${d.reason}`;
  }
}

export class SelfCheckValidationError extends Error {
  override readonly name = 'SelfCheckValidationError';
  readonly kind: SelfCheckValidationKind;
  declare readonly detail: SelfCheckValidationDetail;
  declare readonly reason?: string;

  constructor(detail: SelfCheckValidationDetail) {
    super(selfCheckMessage(detail));
    this.kind = detail.kind;
    defineVariantFields(this, detail);
  }
}

// ---------------------------------------------------------------------------------------------
// AugmentedMetadataError (augmented_metadata.rs)

export type AugmentedMetadataDetail =
  /** `reason` is the identity error's message; the error itself is the `cause`. */
  | { readonly kind: 'IdentityValidationFailed'; readonly reason: string }
  | { readonly kind: 'SizeLimitExceeded' }
  | { readonly kind: 'InvalidTimestamp'; readonly reason: string }
  | { readonly kind: 'ExpirationBeforeHandshake' }
  | { readonly kind: 'NoNegotiatedFunctions' }
  | { readonly kind: 'SerializationFailed'; readonly reason: string };

export type AugmentedMetadataKind = AugmentedMetadataDetail['kind'];

function augmentedMetadataMessage(d: AugmentedMetadataDetail): string {
  switch (d.kind) {
    case 'IdentityValidationFailed':
      return `identity validation failed: ${d.reason}`;
    case 'SizeLimitExceeded':
      return `augmented metadata serialization exceeds max size of ${AUGMENTED_METADATA_MAX_BYTES} bytes`;
    case 'InvalidTimestamp':
      return `invalid timestamp: ${d.reason}`;
    case 'ExpirationBeforeHandshake':
      return 'expires_at must be after handshake_completed_at';
    case 'NoNegotiatedFunctions':
      return 'no negotiated functions';
    case 'SerializationFailed':
      return `serialization failed: ${d.reason}`;
  }
}

export class AugmentedMetadataError extends Error {
  override readonly name = 'AugmentedMetadataError';
  readonly kind: AugmentedMetadataKind;
  declare readonly detail: AugmentedMetadataDetail;
  declare readonly reason?: string;

  constructor(detail: AugmentedMetadataDetail, options?: { cause?: unknown }) {
    super(augmentedMetadataMessage(detail), options);
    this.kind = detail.kind;
    defineVariantFields(this, detail);
  }
}
