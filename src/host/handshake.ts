/**
 * Host layer: the handshake as the reference host executes it (`execute_handshake`,
 * PROTOCOL.md §4.7–§4.10): the twelve steps in their exact order, the accept shape checks, the
 * export cross-check and the call-error classification. The instance is fresh for this phase and
 * is closed on every path.
 */
import {
  BuildPluginError,
  buildPlugin,
  type GuestLogEntry,
  type LoadedPlugin,
  PluginCallError,
  type RawOutput,
} from '../engine/index.js';
import {
  HANDSHAKE_EXPORT,
  HANDSHAKE_FUEL,
  HANDSHAKE_OUTPUT_MAX_BYTES,
  HANDSHAKE_WALL_MS,
  IMPLEMENTED_FUNCTIONS_MAX,
  VERSION_MAX,
  VERSION_MIN,
} from '../wire/constants.js';
import { decodeWire } from '../wire/decode.js';
import { WireDecodeError } from '../wire/decode-error.js';
import { encodeWire } from '../wire/encode.js';
import { HandshakeValidationError } from '../wire/errors.js';
import { allWireFunctions } from '../wire/functions/index.js';
import {
  HandshakeAccept,
  HandshakeOffer,
  validateAcceptAgainstOffer,
  validateOffer,
} from '../wire/handshake.js';
import { hasKey, sortedKeys, sortedUnique, valueAt } from '../wire/ordered.js';
import { defineVariantFields } from '../wire/variant-fields.js';
import type { WasmInput } from '../wire/wasm-input.js';
import {
  closeQuietly,
  type HostCallOptions,
  phaseBuildOptions,
  withCallDiagnostics,
} from './phase-instance.js';

/** The variants of the reference `HandshakeExecutionError`, with their fields. */
export type HandshakeExecutionDetail =
  /** the HandshakeValidationError is the `cause` */
  | { readonly kind: 'Validation' }
  | { readonly kind: 'Instantiate'; readonly reason: string }
  | { readonly kind: 'MissingHandshakeExport' }
  | { readonly kind: 'SerializeOffer'; readonly reason: string }
  | { readonly kind: 'Call'; readonly reason: string }
  /** the original call error is kept as `cause`; the reference drops its text */
  | { readonly kind: 'Timeout' }
  | { readonly kind: 'OutputTooLarge'; readonly bytes: number; readonly max: number }
  | { readonly kind: 'DecodeAccept'; readonly reason: string }
  | { readonly kind: 'ImplementedFunctionCountExceeded'; readonly count: number; readonly max: number }
  | { readonly kind: 'ImplementedUnknownFunction'; readonly function: string }
  | { readonly kind: 'SupportedUnknownFunction'; readonly function: string }
  | {
      readonly kind: 'SupportedVersionOutOfRange';
      readonly function: string;
      readonly version: number;
      readonly min: number;
      readonly max: number;
    }
  | { readonly kind: 'ChosenFunctionNotImplemented'; readonly function: string }
  | { readonly kind: 'ChosenVersionNotSupported'; readonly function: string; readonly version: number }
  | { readonly kind: 'DeclaredFunctionMissing'; readonly function: string }
  | { readonly kind: 'UndeclaredExport'; readonly function: string };

export type HandshakeExecutionKind = HandshakeExecutionDetail['kind'];

function handshakeExecutionMessage(d: HandshakeExecutionDetail, cause: Error | undefined): string {
  switch (d.kind) {
    case 'Validation':
      return `handshake validation failed: ${cause?.message ?? ''}`;
    case 'Instantiate':
      return `handshake plugin instantiation failed: ${d.reason}`;
    case 'MissingHandshakeExport':
      return `plugin does not export ${HANDSHAKE_EXPORT}`;
    case 'SerializeOffer':
      return `handshake offer serialization failed: ${d.reason}`;
    case 'Call':
      return `handshake call failed: ${d.reason}`;
    case 'Timeout':
      return 'handshake call exceeded timeout/fuel budget';
    case 'OutputTooLarge':
      return `handshake output size ${d.bytes} exceeds maximum ${d.max}`;
    case 'DecodeAccept':
      return `handshake accept decode failed: ${d.reason}`;
    case 'ImplementedFunctionCountExceeded':
      return `implemented function count ${d.count} exceeds maximum ${d.max}`;
    case 'ImplementedUnknownFunction':
      return `implemented unknown function: ${d.function}`;
    case 'SupportedUnknownFunction':
      return `supported unknown function: ${d.function}`;
    case 'SupportedVersionOutOfRange':
      return `supported version ${d.version} for function ${d.function} outside valid range [${d.min}, ${d.max}]`;
    case 'ChosenFunctionNotImplemented':
      return `chosen function not listed as implemented: ${d.function}`;
    case 'ChosenVersionNotSupported':
      return `chosen version ${d.version} for function ${d.function} not listed as plugin-supported`;
    case 'DeclaredFunctionMissing':
      return `declared function missing wasm export: ${d.function}`;
    case 'UndeclaredExport':
      return `undeclared wire function export present: ${d.function}`;
  }
}

/** Reference `HandshakeExecutionError`: `kind` is the variant, its fields are readonly properties. */
export class HandshakeExecutionError extends Error {
  override readonly name = 'HandshakeExecutionError';
  readonly kind: HandshakeExecutionKind;
  declare readonly detail: HandshakeExecutionDetail;
  declare readonly reason?: string;
  declare readonly bytes?: number;
  declare readonly count?: number;
  declare readonly max?: number;
  declare readonly min?: number;
  declare readonly function?: string;
  declare readonly version?: number;
  /** the guest's log lines of the handshake call, for a failure after it returned (non-enumerable) */
  declare readonly logs?: readonly GuestLogEntry[];
  /** for `DecodeAccept`: what the guest wrote (non-enumerable) */
  declare readonly output?: RawOutput;

  constructor(detail: HandshakeExecutionDetail, cause?: Error) {
    super(handshakeExecutionMessage(detail, cause), cause === undefined ? undefined : { cause });
    this.kind = detail.kind;
    defineVariantFields(this, detail);
  }
}

export interface HandshakeExecution {
  readonly accept: HandshakeAccept;
  /** fuel the `cc_lb_handshake` call consumed */
  readonly fuelConsumed: number;
  /** wall time of the call (non-enumerable) */
  readonly durationMs: number;
}

/**
 * Runs the handshake against a fresh instance of `wasm`; throws `HandshakeExecutionError`.
 * Budgets default to HANDSHAKE_WALL_MS / HANDSHAKE_FUEL.
 */
export async function executeHandshake(
  wasm: WasmInput,
  offer: HandshakeOffer,
  options: HostCallOptions = {},
): Promise<HandshakeExecution> {
  // 1. the offer itself, before anything is instantiated
  try {
    validateOffer(offer);
  } catch (error) {
    if (error instanceof HandshakeValidationError)
      throw new HandshakeExecutionError({ kind: 'Validation' }, error);
    throw error;
  }
  // 2. (the reference increments `cc_lb_plugin_handshake_total` here; nothing to count in a test tool)
  // 3. a fresh instance
  let plugin: LoadedPlugin;
  try {
    plugin = await buildPlugin(
      wasm,
      phaseBuildOptions(options, { wallMs: HANDSHAKE_WALL_MS, fuel: HANDSHAKE_FUEL }),
    );
  } catch (error) {
    if (error instanceof BuildPluginError) {
      throw new HandshakeExecutionError({ kind: 'Instantiate', reason: error.reason }, error);
    }
    throw error;
  }
  try {
    return await handshakeOn(plugin, offer);
  } finally {
    await closeQuietly(plugin);
  }
}

async function handshakeOn(plugin: LoadedPlugin, offer: HandshakeOffer): Promise<HandshakeExecution> {
  // 4.
  if (!plugin.functionExists(HANDSHAKE_EXPORT))
    throw new HandshakeExecutionError({ kind: 'MissingHandshakeExport' });
  // 5.
  let request: string;
  try {
    request = encodeWire(HandshakeOffer, offer);
  } catch (error) {
    const cause = asError(error);
    throw new HandshakeExecutionError({ kind: 'SerializeOffer', reason: cause.message }, cause);
  }
  // 6. the call, its output read as UTF-8 — a conversion failure is a call failure, classified too
  let text: string;
  let output: Uint8Array;
  let fuelConsumed: number;
  let durationMs: number;
  let logs: readonly GuestLogEntry[];
  try {
    const result = await plugin.call(HANDSHAKE_EXPORT, request);
    ({ output, fuelConsumed, durationMs, logs } = result);
    text = result.text();
  } catch (error) {
    if (error instanceof PluginCallError) throw classifyCallError(error);
    throw error;
  }
  try {
    const accept = acceptFrom(plugin, offer, output, text);
    // 12. (timing is readable but outside the record's equality)
    return Object.defineProperty({ accept, fuelConsumed }, 'durationMs', {
      value: durationMs,
    }) as HandshakeExecution;
  } catch (error) {
    if (!(error instanceof HandshakeExecutionError)) throw error;
    throw withCallDiagnostics(error, logs, error.kind === 'DecodeAccept' ? output : undefined);
  }
}

/** Steps 7–11: the guest's answer, checked against the offer and the instance's exports. */
function acceptFrom(
  plugin: LoadedPlugin,
  offer: HandshakeOffer,
  output: Uint8Array,
  text: string,
): HandshakeAccept {
  // 7. strictly more than the cap, counted in bytes
  if (output.length > HANDSHAKE_OUTPUT_MAX_BYTES) {
    throw new HandshakeExecutionError({
      kind: 'OutputTooLarge',
      bytes: output.length,
      max: HANDSHAKE_OUTPUT_MAX_BYTES,
    });
  }
  // 8. from_str: a duplicate top-level key is an error, collections keep last-wins / set semantics
  let accept: HandshakeAccept;
  try {
    accept = decodeWire(HandshakeAccept, text);
  } catch (error) {
    if (error instanceof WireDecodeError) {
      throw new HandshakeExecutionError({ kind: 'DecodeAccept', reason: error.serdeText }, error);
    }
    throw error;
  }
  // 9.
  try {
    validateAcceptAgainstOffer(accept, offer);
  } catch (error) {
    if (error instanceof HandshakeValidationError)
      throw new HandshakeExecutionError({ kind: 'Validation' }, error);
    throw error;
  }
  // 10. and 11.
  validateAcceptShape(accept, offer);
  crossCheckImplementedExports(plugin, accept);
  return accept;
}

const TIMEOUT_MARKERS = ['timeout', 'timed out', 'deadline', 'fuel'] as const;

/**
 * Reference `classify_call_error`: the ASCII-lower-cased text containing any marker is a
 * `Timeout` (even a guest error that merely mentions fuel); anything else is `Call` with the
 * original text.
 */
function classifyCallError(error: PluginCallError): HandshakeExecutionError {
  const lower = asciiLowercase(error.message);
  if (TIMEOUT_MARKERS.some((marker) => lower.includes(marker))) {
    return new HandshakeExecutionError({ kind: 'Timeout' }, error);
  }
  return new HandshakeExecutionError({ kind: 'Call', reason: error.message }, error);
}

/** Rust `to_ascii_lowercase`: only A–Z change, so no Unicode case mapping can create a marker. */
function asciiLowercase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => String.fromCharCode(letter.charCodeAt(0) + 32));
}

/** Reference `validate_accept_shape`, in its order; collections iterate in code-point order. */
function validateAcceptShape(accept: HandshakeAccept, offer: HandshakeOffer): void {
  const implemented = sortedUnique(accept.implemented_functions);
  if (implemented.length > IMPLEMENTED_FUNCTIONS_MAX) {
    throw new HandshakeExecutionError({
      kind: 'ImplementedFunctionCountExceeded',
      count: implemented.length,
      max: IMPLEMENTED_FUNCTIONS_MAX,
    });
  }
  for (const fn of implemented) {
    if (!hasKey(offer.function_versions, fn))
      throw new HandshakeExecutionError({ kind: 'ImplementedUnknownFunction', function: fn });
  }
  for (const fn of sortedKeys(accept.plugin_supported)) {
    if (!hasKey(offer.function_versions, fn))
      throw new HandshakeExecutionError({ kind: 'SupportedUnknownFunction', function: fn });
    for (const version of valueAt(accept.plugin_supported, fn) ?? []) {
      if (version < VERSION_MIN || version > VERSION_MAX) {
        throw new HandshakeExecutionError({
          kind: 'SupportedVersionOutOfRange',
          function: fn,
          version,
          min: VERSION_MIN,
          max: VERSION_MAX,
        });
      }
    }
  }
  for (const fn of sortedKeys(accept.chosen_versions)) {
    const chosen = valueAt(accept.chosen_versions, fn) as number;
    if (!implemented.includes(fn))
      throw new HandshakeExecutionError({ kind: 'ChosenFunctionNotImplemented', function: fn });
    const supported = valueAt(accept.plugin_supported, fn);
    if (supported === undefined || !supported.includes(chosen)) {
      throw new HandshakeExecutionError({ kind: 'ChosenVersionNotSupported', function: fn, version: chosen });
    }
  }
}

/**
 * Reference `cross_check_implemented_exports`: every declared function must be a function export,
 * and no wire-function export may go undeclared. The legacy `route` is not a wire function and is
 * never flagged.
 */
function crossCheckImplementedExports(plugin: LoadedPlugin, accept: HandshakeAccept): void {
  const implemented = sortedUnique(accept.implemented_functions);
  for (const fn of implemented) {
    if (!plugin.functionExists(fn))
      throw new HandshakeExecutionError({ kind: 'DeclaredFunctionMissing', function: fn });
  }
  for (const { name } of allWireFunctions) {
    if (plugin.functionExists(name) && !implemented.includes(name)) {
      throw new HandshakeExecutionError({ kind: 'UndeclaredExport', function: name });
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
