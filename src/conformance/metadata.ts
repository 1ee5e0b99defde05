/**
 * Conformance layer: `metadataFromHandshake` — the `AugmentedMetadata` a conformance dispatch
 * runs under, built the way cc-lb-plugin-conformance 0.1.x builds it (PROTOCOL.md §8.4): a fresh
 * handshake, the identity read (any failure is field `custom_section`), fixed timestamps, and no
 * self-check.
 */
import type { IdentityReadError } from '../host/index.js';
import { type AugmentedMetadata, SKIP_HANDSHAKE_IF_FRESH_TTL_SECS } from '../wire/index.js';
import { HandshakeError } from './errors.js';
import { type HandshakeOptions, handshakeAndIdentity } from './handshake.js';
import type { ResolvedPlugin } from './plugin-under-test.js';

/** The reference's fixed clock: handshake and self-check "at" 1, expiring one week later. */
const COMPLETED_AT = 1;

export async function metadataFromHandshake(
  plugin: ResolvedPlugin,
  options: HandshakeOptions = {},
): Promise<{ metadata: AugmentedMetadata; fuelConsumed: number }> {
  const { execution, identity } = await handshakeAndIdentity(plugin, options, customSectionError);
  const { accept } = execution;
  const metadata: AugmentedMetadata = {
    identity,
    negotiated_functions: { ...accept.chosen_versions },
    negotiated_capabilities: [...accept.required_capabilities],
    handshake_completed_at: COMPLETED_AT,
    self_check_passed: true,
    self_check_completed_at: COMPLETED_AT,
    expires_at: COMPLETED_AT + SKIP_HANDSHAKE_IF_FRESH_TTL_SECS,
  };
  return { metadata, fuelConsumed: execution.fuelConsumed };
}

function customSectionError(error: IdentityReadError): HandshakeError {
  return new HandshakeError(
    { kind: 'InvalidIdentity', field: 'custom_section', reason: error.message },
    error,
  );
}
