/**
 * Host layer: the identity reader (reference `read_identity`, PROTOCOL.md §3.4–§3.5).
 *
 * Reads the `cc_lb.plugin.v1` custom section without instantiating anything. The module is
 * walked once, payload by payload, and each identity section is handled the moment it is
 * reached — so a broken first section is reported before a later duplicate, and a parse error
 * anywhere after a good section still fails the read.
 */
import { CC_LB_PLUGIN_MAGIC, CC_LB_PLUGIN_SECTION_NAME, CUSTOM_SECTION_MAX_SIZE } from '../wire/constants.js';
import { decodeWire } from '../wire/decode.js';
import { WireDecodeError } from '../wire/decode-error.js';
import { IdentityValidationError } from '../wire/errors.js';
import { PluginIdentity, validateIdentity } from '../wire/identity.js';
import { defineVariantFields } from '../wire/variant-fields.js';
import type { WasmInput } from '../wire/wasm-input.js';
import { walkWasm } from './wasm-walk.js';

/** The variants of the reference `IdentityReadError`, with their fields. */
export type IdentityReadDetail =
  /** `reason` is the wasm parser's error text */
  | { readonly kind: 'WasmParseError'; readonly reason: string }
  | { readonly kind: 'MissingCustomSection' }
  | { readonly kind: 'DuplicateCustomSection' }
  /** `size` is the section's data length, the name excluded */
  | { readonly kind: 'SectionTooLarge'; readonly size: number }
  | {
      readonly kind: 'MagicMismatch';
      readonly expected: readonly number[];
      readonly found: readonly number[];
    }
  /** `reason` is serde_json's text; the WireDecodeError is the `cause` */
  | { readonly kind: 'MalformedPayload'; readonly reason: string }
  /** the IdentityValidationError is the `cause` */
  | { readonly kind: 'Validation' };

export type IdentityReadErrorKind = IdentityReadDetail['kind'];

function identityReadMessage(d: IdentityReadDetail): string {
  switch (d.kind) {
    case 'WasmParseError':
      return `invalid wasm: ${d.reason}`;
    case 'MissingCustomSection':
      return `missing ${CC_LB_PLUGIN_SECTION_NAME} custom section`;
    case 'DuplicateCustomSection':
      return `duplicate ${CC_LB_PLUGIN_SECTION_NAME} custom section`;
    case 'SectionTooLarge':
      return `${CC_LB_PLUGIN_SECTION_NAME} custom section is ${d.size} bytes, max ${CUSTOM_SECTION_MAX_SIZE}`;
    case 'MagicMismatch':
      return `magic mismatch in ${CC_LB_PLUGIN_SECTION_NAME} custom section`;
    case 'MalformedPayload':
      return `malformed ${CC_LB_PLUGIN_SECTION_NAME} payload: ${d.reason}`;
    case 'Validation':
      return 'invalid plugin identity: ';
  }
}

/** Reference `IdentityReadError`: `kind` is the variant, its fields are readonly properties. */
export class IdentityReadError extends Error {
  override readonly name = 'IdentityReadError';
  readonly kind: IdentityReadErrorKind;
  declare readonly detail: IdentityReadDetail;
  declare readonly reason?: string;
  declare readonly size?: number;
  declare readonly expected?: readonly number[];
  declare readonly found?: readonly number[];

  constructor(detail: IdentityReadDetail, cause?: Error) {
    // Validation's Display appends the wrapped identity error's own message.
    const message =
      identityReadMessage(detail) + (detail.kind === 'Validation' ? (cause?.message ?? '') : '');
    super(message, cause === undefined ? undefined : { cause });
    this.kind = detail.kind;
    defineVariantFields(this, detail);
  }
}

/** Reads and validates the plugin identity; throws `IdentityReadError`. Synchronous, runs no code. */
export function readIdentity(wasm: WasmInput): PluginIdentity {
  const walk = walkWasm(wasm);
  let identity: PluginIdentity | undefined;
  // Every custom section the walk lists precedes its first error, so replaying them first and
  // the error afterwards is the reference's payload order.
  for (const section of walk.customSections) {
    if (section.name !== CC_LB_PLUGIN_SECTION_NAME) continue;
    if (identity !== undefined) throw new IdentityReadError({ kind: 'DuplicateCustomSection' });
    identity = readSectionPayload(section.data);
  }
  if (walk.error !== undefined) throw new IdentityReadError({ kind: 'WasmParseError', reason: walk.error });
  if (identity === undefined) throw new IdentityReadError({ kind: 'MissingCustomSection' });
  return identity;
}

function readSectionPayload(data: Uint8Array): PluginIdentity {
  if (data.length > CUSTOM_SECTION_MAX_SIZE)
    throw new IdentityReadError({ kind: 'SectionTooLarge', size: data.length });
  let identity: PluginIdentity;
  try {
    // from_slice semantics: bytes in, duplicate keys and unknown keys are errors
    identity = decodeWire(PluginIdentity, data);
  } catch (error) {
    if (error instanceof WireDecodeError) {
      throw new IdentityReadError({ kind: 'MalformedPayload', reason: error.serdeText }, error);
    }
    throw error;
  }
  try {
    validateIdentity(identity);
  } catch (error) {
    if (error instanceof IdentityValidationError) {
      if (error.kind === 'MagicMismatch') {
        throw new IdentityReadError({
          kind: 'MagicMismatch',
          expected: [...CC_LB_PLUGIN_MAGIC],
          found: [...identity.magic],
        });
      }
      throw new IdentityReadError({ kind: 'Validation' }, error);
    }
    throw error;
  }
  return identity;
}
