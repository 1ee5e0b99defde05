/**
 * Conformance layer: `handshake.run` — offer, host handshake, then the identity read, with the
 * host's errors folded into the eight conformance `HandshakeError` kinds (PROTOCOL.md §8.2).
 *
 * The handshake runs before the identity is read, so a handshake failure hides an identity one.
 */
import { UnsupportedFeatureError } from '../engine/index.js';
import { wallClockWarning } from '../engine/plugin.js';
import {
  buildOffer,
  executeHandshake,
  type HandshakeExecution,
  HandshakeExecutionError,
  IdentityReadError,
  readIdentity,
} from '../host/index.js';
import type { HandshakeValidationError, PluginIdentity, WireFunctionName } from '../wire/index.js';
import { sortedKeys } from '../wire/ordered.js';
import { HandshakeError } from './errors.js';
import { engineLimits, type PluginSource, type ResolvedPlugin, resolvePlugin } from './plugin-under-test.js';
import { attachWarnings, type HandshakeReport } from './reports.js';

export interface HandshakeOptions {
  /** host capabilities to offer; replaces the `PluginUnderTest`'s own list when given */
  capabilities?: Iterable<string>;
  /** offered versions per function, overriding the default offer (every function `[1]`) */
  functionVersions?: Partial<Record<WireFunctionName, number[]>>;
}

/** The text the reference substitutes for every classified timeout / fuel exhaustion. */
const TIMEOUT_REASON = 'handshake call exceeded timeout/fuel budget';
const CAPABILITY_REFUSAL_PREFIX = "required capability '";
const CAPABILITY_REFUSAL_SUFFIX = "' not available in host capabilities";

async function run(source: PluginSource, options: HandshakeOptions = {}): Promise<HandshakeReport> {
  const plugin = resolvePlugin(source);
  const { execution, identity } = await handshakeAndIdentity(plugin, options, identityReadToHandshakeError);
  const { accept } = execution;
  const report: HandshakeReport = {
    // The reference report holds a BTreeMap: keys in code-point order, whatever order the guest wrote.
    chosenVersions: Object.fromEntries(
      sortedKeys(accept.chosen_versions).map((fn) => [fn, accept.chosen_versions[fn] as number]),
    ),
    envelopeVersion: accept.envelope_version,
    identity: {
      name: identity.plugin_name,
      version: identity.plugin_version,
      abiEnvelope: identity.abi_envelope,
    },
    negotiatedCapabilities: [...accept.required_capabilities],
    fuelConsumed: execution.fuelConsumed,
  };
  return attachWarnings(report, [wallClockWarning(execution.durationMs, plugin.limits.wallMs)]);
}

export const handshake = Object.freeze({ run });

/**
 * Offer → `executeHandshake` → `readIdentity`, shared with `metadataFromHandshake`, which maps
 * identity errors differently (always field `custom_section`).
 */
export async function handshakeAndIdentity(
  plugin: ResolvedPlugin,
  options: HandshakeOptions,
  mapIdentityError: (error: IdentityReadError) => HandshakeError,
): Promise<{ execution: HandshakeExecution; identity: PluginIdentity }> {
  const capabilities = options.capabilities ?? plugin.capabilities;
  let execution: HandshakeExecution;
  try {
    const offer = buildOffer(capabilities, options.functionVersions);
    execution = await executeHandshake(plugin.wasm, offer, engineLimits(plugin.limits));
  } catch (error) {
    if (error instanceof HandshakeExecutionError) throw hostToHandshakeError(error);
    throw error;
  }
  let identity: PluginIdentity;
  try {
    identity = readIdentity(plugin.wasm);
  } catch (error) {
    if (error instanceof IdentityReadError) throw mapIdentityError(error);
    throw error;
  }
  return { execution, identity };
}

/** The §8.2 table. "display" is the host error's whole message; "inner" the variant's own reason. */
export function hostToHandshakeError(error: HandshakeExecutionError): HandshakeError {
  const display = error.message;
  const invalid = (field: string) =>
    new HandshakeError({ kind: 'InvalidIdentity', field, reason: display }, error);
  switch (error.kind) {
    case 'Validation':
      return wireToHandshakeError(error.cause as HandshakeValidationError, error);
    case 'Instantiate':
      if (error.cause instanceof UnsupportedFeatureError) {
        const { feature, reason } = error.cause;
        return new HandshakeError({ kind: 'UnsupportedFeature', feature, reason }, error);
      }
      return new HandshakeError({ kind: 'Instantiate', reason: error.reason as string }, error);
    case 'MissingHandshakeExport':
      return new HandshakeError({ kind: 'MissingExport' }, error);
    case 'SerializeOffer':
    case 'DecodeAccept':
      return new HandshakeError({ kind: 'Serialization', reason: error.reason as string }, error);
    case 'Call':
      return callToHandshakeError(error.reason as string, error);
    case 'Timeout':
      return new HandshakeError({ kind: 'WasmTrap', reason: TIMEOUT_REASON }, error);
    case 'OutputTooLarge':
      return new HandshakeError({ kind: 'Serialization', reason: display }, error);
    case 'ImplementedFunctionCountExceeded':
    case 'ImplementedUnknownFunction':
    case 'UndeclaredExport':
      return invalid('implemented_functions');
    case 'SupportedUnknownFunction':
    case 'SupportedVersionOutOfRange':
      return invalid('plugin_supported');
    case 'ChosenVersionNotSupported':
      return invalid('chosen_versions');
    case 'ChosenFunctionNotImplemented':
    case 'DeclaredFunctionMissing':
      return new HandshakeError({ kind: 'FunctionMissing', name: error.function as string }, error);
  }
  // A host kind this layer does not know (a newer host): keep the host's text rather than guess.
  return new HandshakeError({ kind: 'WasmTrap', reason: display }, error);
}

function wireToHandshakeError(wire: HandshakeValidationError, host: HandshakeExecutionError): HandshakeError {
  const invalid = (field: string) =>
    new HandshakeError({ kind: 'InvalidIdentity', field, reason: host.message }, host);
  switch (wire.kind) {
    case 'FunctionCountExceeded':
    case 'FunctionVersionCountExceeded':
    case 'VersionOutOfRange':
      return invalid('function_versions');
    case 'CapabilityCountExceeded':
      return invalid('host_capabilities');
    case 'ChosenVersionNotOffered':
    case 'ChosenForUnknownFunction':
      return invalid('chosen_versions');
    case 'DowngradeAttempt':
      return new HandshakeError(
        {
          kind: 'DowngradeAttempt',
          function: wire.function as string,
          hostOfferedMax: wire.maxIntersection as number,
          pluginChose: wire.chosen as number,
        },
        host,
      );
    case 'RequiredCapabilityUnavailable':
      return new HandshakeError({ kind: 'MissingCapability', name: wire.capability as string }, host);
    case 'HandshakeSchemaVersionMismatch':
      return invalid('handshake_schema_version');
    case 'Canonical':
      return new HandshakeError({ kind: 'Serialization', reason: host.message }, host);
  }
  return new HandshakeError({ kind: 'Serialization', reason: host.message }, host);
}

/**
 * A guest that refuses the offer for a missing capability answers with the wire
 * `RequiredCapabilityUnavailable` text as its error; the published 0.1.x suite recognises that
 * text and reports the capability by name instead of a trap.
 */
function callToHandshakeError(reason: string, host: HandshakeExecutionError): HandshakeError {
  // strip the prefix first, then the suffix from what remains: the two may not overlap
  const rest = reason.startsWith(CAPABILITY_REFUSAL_PREFIX)
    ? reason.slice(CAPABILITY_REFUSAL_PREFIX.length)
    : undefined;
  if (rest?.endsWith(CAPABILITY_REFUSAL_SUFFIX)) {
    const name = rest.slice(0, rest.length - CAPABILITY_REFUSAL_SUFFIX.length);
    return new HandshakeError({ kind: 'MissingCapability', name }, host);
  }
  return new HandshakeError({ kind: 'WasmTrap', reason }, host);
}

/** `From<IdentityReadError> for HandshakeError`: the field names the part of the identity at fault. */
export function identityReadToHandshakeError(error: IdentityReadError): HandshakeError {
  return new HandshakeError(
    { kind: 'InvalidIdentity', field: identityField(error), reason: error.message },
    error,
  );
}

function identityField(error: IdentityReadError): string {
  switch (error.kind) {
    case 'WasmParseError':
      return 'wasm';
    case 'MissingCustomSection':
    case 'DuplicateCustomSection':
    case 'SectionTooLarge':
      return 'custom_section';
    case 'MagicMismatch':
      return 'magic';
    case 'MalformedPayload':
      return 'payload';
    case 'Validation': {
      const inner = (error.cause as { kind?: string } | undefined)?.kind;
      if (inner === 'MagicMismatch') return 'magic';
      if (inner === 'PluginNameEmpty' || inner === 'PluginNameInvalid') return 'name';
      return 'version';
    }
  }
  return 'custom_section';
}
