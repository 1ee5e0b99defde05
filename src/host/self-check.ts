/**
 * Host layer: the self-check as runtime-protocol 0.1.0 executes it (`execute_self_check`,
 * PROTOCOL.md §5.3). The request lists all seven wire functions in list order; call errors are
 * NOT classified (a spinning guest is a `Call` failure, unlike the handshake's `Timeout`); the
 * only accepted outcome is `success` with no failures. The instance is closed on every path.
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
  IMPLEMENTED_FUNCTIONS_MAX,
  SELF_CHECK_EXPORT,
  SELF_CHECK_FUEL,
  SELF_CHECK_OUTPUT_MAX_BYTES,
  SELF_CHECK_WALL_MS,
} from '../wire/constants.js';
import { decodeWire } from '../wire/decode.js';
import { WireDecodeError } from '../wire/decode-error.js';
import { encodeWire } from '../wire/encode.js';
import { SelfCheckValidationError } from '../wire/errors.js';
import { allWireFunctions } from '../wire/functions/index.js';
import {
  SelfCheckRequest,
  SelfCheckResponse,
  validateSelfCheckRequest,
  validateSelfCheckResponse,
} from '../wire/self-check.js';
import { defineVariantFields } from '../wire/variant-fields.js';
import type { WasmInput } from '../wire/wasm-input.js';
import {
  closeQuietly,
  type HostCallOptions,
  phaseBuildOptions,
  withCallDiagnostics,
} from './phase-instance.js';

/** The variants of the reference `SelfCheckExecutionError`, with their fields. */
export type SelfCheckExecutionDetail =
  /** the SelfCheckValidationError is the `cause` */
  | { readonly kind: 'Validation' }
  | { readonly kind: 'Instantiate'; readonly reason: string }
  | { readonly kind: 'MissingSelfCheckExport' }
  | { readonly kind: 'SerializeRequest'; readonly reason: string }
  | { readonly kind: 'Call'; readonly reason: string }
  | { readonly kind: 'OutputTooLarge'; readonly bytes: number; readonly max: number }
  | { readonly kind: 'DecodeResponse'; readonly reason: string }
  | { readonly kind: 'SuccessWithFailures'; readonly count: number }
  | { readonly kind: 'FailureWithoutFailures' }
  | { readonly kind: 'FailureStatus'; readonly failures: number }
  | { readonly kind: 'Clock'; readonly reason: string };

export type SelfCheckExecutionKind = SelfCheckExecutionDetail['kind'];

function selfCheckExecutionMessage(d: SelfCheckExecutionDetail, cause: Error | undefined): string {
  switch (d.kind) {
    case 'Validation':
      return `self-check validation failed: ${cause?.message ?? ''}`;
    case 'Instantiate':
      return `self-check plugin instantiation failed: ${d.reason}`;
    case 'MissingSelfCheckExport':
      return `plugin does not export ${SELF_CHECK_EXPORT}`;
    case 'SerializeRequest':
      return `self-check request serialization failed: ${d.reason}`;
    case 'Call':
      return `self-check call failed: ${d.reason}`;
    case 'OutputTooLarge':
      return `self-check output size ${d.bytes} exceeds maximum ${d.max}`;
    case 'DecodeResponse':
      return `self-check response decode failed: ${d.reason}`;
    case 'SuccessWithFailures':
      return `self-check success response included ${d.count} failure(s)`;
    case 'FailureWithoutFailures':
      return 'self-check failure response did not include failures';
    case 'FailureStatus':
      return `self-check reported failure status with ${d.failures} failure(s)`;
    case 'Clock':
      return `self-check timestamp generation failed: ${d.reason}`;
  }
}

/** Reference `SelfCheckExecutionError`: `kind` is the variant, its fields are readonly properties. */
export class SelfCheckExecutionError extends Error {
  override readonly name = 'SelfCheckExecutionError';
  readonly kind: SelfCheckExecutionKind;
  declare readonly detail: SelfCheckExecutionDetail;
  declare readonly reason?: string;
  declare readonly bytes?: number;
  declare readonly max?: number;
  declare readonly count?: number;
  declare readonly failures?: number;
  /** the guest's log lines of the self-check call, for a failure after it returned (non-enumerable) */
  declare readonly logs?: readonly GuestLogEntry[];
  /** for `DecodeResponse`: what the guest wrote (non-enumerable) */
  declare readonly output?: RawOutput;

  constructor(detail: SelfCheckExecutionDetail, cause?: Error) {
    super(selfCheckExecutionMessage(detail, cause), cause === undefined ? undefined : { cause });
    this.kind = detail.kind;
    defineVariantFields(this, detail);
  }
}

export interface SelfCheckOptions extends HostCallOptions {
  /** the request's function list; default all seven wire functions in list order (0.1.0) */
  functionsToTest?: string[];
  /** the clock, in unix seconds (fractions are truncated); default the system clock */
  now?: () => number;
}

export interface SelfCheckExecution {
  readonly response: SelfCheckResponse;
  /** fuel the `cc_lb_self_check` call consumed */
  readonly fuelConsumed: number;
  /** wall time of the call (non-enumerable) */
  readonly durationMs: number;
}

/**
 * Runs the self-check against a fresh instance of `wasm`; throws `SelfCheckExecutionError`.
 * Budgets default to SELF_CHECK_WALL_MS / SELF_CHECK_FUEL.
 */
export async function executeSelfCheck(
  wasm: WasmInput,
  options: SelfCheckOptions = {},
): Promise<SelfCheckExecution> {
  // 1.
  let plugin: LoadedPlugin;
  try {
    plugin = await buildPlugin(
      wasm,
      phaseBuildOptions(options, { wallMs: SELF_CHECK_WALL_MS, fuel: SELF_CHECK_FUEL }),
    );
  } catch (error) {
    if (error instanceof BuildPluginError) {
      throw new SelfCheckExecutionError({ kind: 'Instantiate', reason: error.reason }, error);
    }
    throw error;
  }
  try {
    return await selfCheckOn(plugin, options);
  } finally {
    await closeQuietly(plugin);
  }
}

async function selfCheckOn(plugin: LoadedPlugin, options: SelfCheckOptions): Promise<SelfCheckExecution> {
  // 2. (step 3, the 0.2.x no-slot shortcut, does not exist in 0.1.0)
  if (!plugin.functionExists(SELF_CHECK_EXPORT))
    throw new SelfCheckExecutionError({ kind: 'MissingSelfCheckExport' });
  // 4. the request
  const functions = options.functionsToTest ?? allWireFunctions.map((fn) => fn.name);
  if (functions.length > IMPLEMENTED_FUNCTIONS_MAX) {
    throw validationError(new SelfCheckValidationError({ kind: 'TooManyFunctions' }));
  }
  const request: SelfCheckRequest = {
    functions_to_test: [...functions],
    initiated_at: unixSeconds(options.now ?? systemClockSeconds),
  };
  // 5.
  try {
    validateSelfCheckRequest(request);
  } catch (error) {
    if (error instanceof SelfCheckValidationError) throw validationError(error);
    throw error;
  }
  // 6.
  let input: string;
  try {
    input = encodeWire(SelfCheckRequest, request);
  } catch (error) {
    const cause = error instanceof Error ? error : new Error(String(error));
    throw new SelfCheckExecutionError({ kind: 'SerializeRequest', reason: cause.message }, cause);
  }
  // 7. the call, output read as UTF-8; no timeout classification in this phase
  let text: string;
  let output: Uint8Array;
  let fuelConsumed: number;
  let durationMs: number;
  let logs: readonly GuestLogEntry[];
  try {
    const result = await plugin.call(SELF_CHECK_EXPORT, input);
    ({ output, fuelConsumed, durationMs, logs } = result);
    text = result.text();
  } catch (error) {
    if (error instanceof PluginCallError) {
      throw new SelfCheckExecutionError({ kind: 'Call', reason: error.message }, error);
    }
    throw error;
  }
  try {
    const response = responseFrom(output, text);
    // 12. (timing is readable but outside the record's equality)
    return Object.defineProperty({ response, fuelConsumed }, 'durationMs', {
      value: durationMs,
    }) as SelfCheckExecution;
  } catch (error) {
    if (!(error instanceof SelfCheckExecutionError)) throw error;
    throw withCallDiagnostics(error, logs, error.kind === 'DecodeResponse' ? output : undefined);
  }
}

/** Steps 8–11: the guest's answer, decoded and checked. */
function responseFrom(output: Uint8Array, text: string): SelfCheckResponse {
  // 8. strictly more than the cap, counted in bytes
  if (output.length > SELF_CHECK_OUTPUT_MAX_BYTES) {
    throw new SelfCheckExecutionError({
      kind: 'OutputTooLarge',
      bytes: output.length,
      max: SELF_CHECK_OUTPUT_MAX_BYTES,
    });
  }
  // 9.
  let response: SelfCheckResponse;
  try {
    response = decodeWire(SelfCheckResponse, text);
  } catch (error) {
    if (error instanceof WireDecodeError) {
      throw new SelfCheckExecutionError({ kind: 'DecodeResponse', reason: error.serdeText }, error);
    }
    throw error;
  }
  // 10.
  try {
    validateSelfCheckResponse(response);
  } catch (error) {
    if (error instanceof SelfCheckValidationError) throw validationError(error);
    throw error;
  }
  // 11.
  checkStatusAgainstFailures(response);
  return response;
}

function validationError(cause: SelfCheckValidationError): SelfCheckExecutionError {
  return new SelfCheckExecutionError({ kind: 'Validation' }, cause);
}

function checkStatusAgainstFailures(response: SelfCheckResponse): void {
  const count = response.failures.length;
  if (response.status === 'success' && count > 0)
    throw new SelfCheckExecutionError({ kind: 'SuccessWithFailures', count });
  if (response.status === 'failure' && count === 0)
    throw new SelfCheckExecutionError({ kind: 'FailureWithoutFailures' });
  if (response.status === 'failure')
    throw new SelfCheckExecutionError({ kind: 'FailureStatus', failures: count });
}

function systemClockSeconds(): number {
  return Date.now() / 1000;
}

const I64_MAX = 9223372036854775807n;

/**
 * 0.1.0 reads `SystemTime::now()` since the epoch as whole seconds, then converts to i64. A clock
 * before the epoch and a value beyond i64 fail with the Rust error texts (`SystemTimeError`,
 * `TryFromIntError`); a clock that returns no finite number is reported in our own words.
 */
function unixSeconds(now: () => number): number | bigint {
  const value = now();
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new SelfCheckExecutionError({
      kind: 'Clock',
      reason: `clock returned ${String(value)}, not a number of seconds`,
    });
  }
  if (value < 0)
    throw new SelfCheckExecutionError({ kind: 'Clock', reason: 'second time provided was later than self' });
  if (value === Number.POSITIVE_INFINITY || BigInt(Math.trunc(value)) > I64_MAX) {
    throw new SelfCheckExecutionError({
      kind: 'Clock',
      reason: 'out of range integral type conversion attempted',
    });
  }
  const seconds = Math.trunc(value);
  return Number.isSafeInteger(seconds) ? seconds : BigInt(seconds);
}
