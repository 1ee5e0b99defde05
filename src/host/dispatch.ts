/**
 * Host layer: one wire-function call through the request/response envelope
 * (reference `dispatch_wire_call`, PROTOCOL.md §7). Any failure, at any of the twelve steps,
 * becomes the function's compile-time fallback policy; dispatch never throws.
 *
 * The reference hides why it fell back (only a metric label and a log line say it); our outcome
 * carries the stage label, the internal error's Display text and its variant name.
 *
 * Every outcome also carries, as non-enumerable properties (readable, but left out of `toEqual`
 * and snapshots, which must not depend on timing or on what the guest logged): `durationMs`, the
 * guest's `logs` of the call, and where it applies the guest's raw `output` (when it could not be
 * read or decoded) and the original error behind a `panic` fallback as `cause`. A `panic` is what
 * Rust would see as one; here it can only come from a bug of ours or a request object that throws,
 * so each one is also published on the `DISPATCH_PANIC_CHANNEL` diagnostics channel, where this
 * package's own test suite fails any test that causes one unexpectedly.
 *
 * Envelope key order: the reference converts the request into a generic serde_json map, whose
 * order depends on whether serde_json's `preserve_order` feature is on in the host build (not
 * confirmed, PROTOCOL.md §7.3). We write the BTreeMap order — keys sorted by code point at every
 * level, `_v` among them — which is what a default serde_json build produces. Guests must not
 * depend on key order either way.
 */
import { channel } from 'node:diagnostics_channel';
import {
  type FuelProfile,
  type GuestLogEntry,
  type LoadedPlugin,
  NO_LOGS,
  PluginCallError,
  type RawOutput,
  rawOutputOf,
} from '../engine/index.js';
import { decodeEnvelope, decodeWireValue } from '../wire/decode.js';
import { WireDecodeError } from '../wire/decode-error.js';
import { encodeEnvelopeUtf8, encodeJsonNode, WireEncodeError } from '../wire/encode.js';
import { requestValue } from '../wire/envelope.js';
import type { FallbackPolicy } from '../wire/fallback.js';
import type { AnyWireFunction, RequestOf, ResponseOf } from '../wire/functions/index.js';
import { type JsonNode, parseJsonValue } from '../wire/json.js';
import type { AugmentedMetadata } from '../wire/metadata.js';
import { valueAt } from '../wire/ordered.js';

export type DispatchStage =
  | 'version_lookup'
  | 'request_envelope'
  | 'serialize_request'
  | 'plugin_call'
  | 'deserialize_response'
  | 'response_envelope'
  | 'response_decode'
  | 'panic';

/** What every outcome carries besides its verdict; `durationMs` and `logs` are non-enumerable. */
export interface OutcomeDiagnostics {
  /** 0 when the guest was not called */
  readonly fuelConsumed: number;
  /** wall time of the guest call (non-enumerable) */
  readonly durationMs: number;
  /** the guest's log lines of the call, in order (non-enumerable) */
  readonly logs: readonly GuestLogEntry[];
  /** the call's fuel profile (partial if the call failed), when the plugin was built to profile */
  readonly profile?: FuelProfile;
}

/** The stage labels in dispatch order. */
export const DISPATCH_STAGES: readonly DispatchStage[] = Object.freeze([
  'version_lookup',
  'request_envelope',
  'serialize_request',
  'plugin_call',
  'deserialize_response',
  'response_envelope',
  'response_decode',
  'panic',
]);

export type DispatchOutcome<R = unknown> =
  | ({ readonly kind: 'ok'; readonly response: R } & OutcomeDiagnostics)
  | ({
      readonly kind: 'fallback';
      readonly policy: FallbackPolicy;
      readonly stage: DispatchStage;
      /** the reference's internal DispatchError Display text */
      readonly error: string;
      /** the internal DispatchError variant name, as its Debug form starts */
      readonly errorKind: DispatchErrorKind;
      /** what the guest wrote, when it could not be read or decoded (non-enumerable) */
      readonly output?: RawOutput;
      /** the original error behind a `panic` fallback (non-enumerable) */
      readonly cause?: unknown;
      /** what the `onDispatchError` observer threw, if it did (non-enumerable) */
      readonly observerError?: unknown;
    } & OutcomeDiagnostics);

/** The diagnostics channel a `panic` fallback is published on: `{ function, error }`. */
export const DISPATCH_PANIC_CHANNEL = 'cc-lb-plugin-conformance:dispatch-panic';
const panics = channel(DISPATCH_PANIC_CHANNEL);

export type DispatchErrorKind =
  | 'MissingNegotiatedVersion'
  | 'RequestValue'
  | 'RequestNotObject'
  | 'SerializeRequestEnvelope'
  | 'PluginCall'
  | 'DeserializeResponseEnvelope'
  | 'ResponseNotObject'
  | 'ResponseVersionMissing'
  | 'ResponseVersionInvalid'
  | 'ResponseVersionMismatch'
  | 'ResponseDecode'
  | 'Panic';

/** What the reference reports on every fallback: its metric labels plus its warning log line. */
export interface DispatchErrorEvent {
  /** metric label and log field `function` */
  readonly function: string;
  /** metric label `stage` of `cc_lb_plugin_dispatch_errors_total` */
  readonly stage: DispatchStage;
  /** log field `error` (the Debug form's variant name) */
  readonly errorKind: DispatchErrorKind;
  readonly policy: FallbackPolicy;
  /** the log message, e.g. `dispatch error, applying fallback FailRequest` */
  readonly message: string;
}

export interface DispatchOptions {
  /** called exactly once per fallback, where the reference counts the metric and logs the warning */
  onDispatchError?: (event: DispatchErrorEvent) => void;
  /** this call's fuel budget instead of the instance's */
  fuel?: number;
}

/** The reference's private DispatchError: variant, Display text and stage label. */
class DispatchFailure {
  constructor(
    readonly kind: DispatchErrorKind,
    readonly text: string,
    readonly stage: DispatchStage,
  ) {}
}

/** Non-enumerable: readable on the outcome, invisible to `toEqual`, snapshots and JSON. */
function hidden(value: unknown): PropertyDescriptor {
  return { value, enumerable: false, writable: false, configurable: false };
}

/**
 * Calls `fn` on `plugin` with `request` wrapped in the envelope, at the version negotiated in
 * `metadata.negotiated_functions` (the only part of the metadata dispatch reads). Never throws.
 */
export async function dispatchWireCall<F extends AnyWireFunction>(
  plugin: LoadedPlugin,
  metadata: Pick<AugmentedMetadata, 'negotiated_functions'>,
  fn: F,
  request: RequestOf<F>,
  options?: DispatchOptions,
): Promise<DispatchOutcome<ResponseOf<F>>> {
  // Plain locals rather than a cost object: nothing is allocated per call beyond the outcome.
  let fuelConsumed = 0;
  let durationMs = 0;
  let logs: readonly GuestLogEntry[] = NO_LOGS;
  let output: Uint8Array | undefined;
  let profile: FuelProfile | undefined;
  let failure: DispatchFailure;
  let panic: unknown;
  try {
    // One async frame for the whole call: the steps around the guest call are synchronous.
    // 1.
    const version = valueAt(metadata.negotiated_functions, fn.name);
    if (version === undefined) {
      throw new DispatchFailure('MissingNegotiatedVersion', 'negotiated version missing', 'version_lookup');
    }
    // 2.–5. the request as a generic JSON value, which must be an object, with `_v` set
    // (overwriting any), serialized compactly. The one-pass writer answers for ordinary requests;
    // anything it declines goes step by step, which is where every error text comes from.
    const input =
      requestEnvelopeOnePass(fn, request, version) ?? requestEnvelopeStepwise(fn, request, version);
    // 6. the export named after the function; output read as UTF-8; nothing is classified
    let text: string;
    const started = performance.now();
    try {
      const result = await plugin.call(
        fn.name,
        input,
        options?.fuel === undefined ? undefined : { fuel: options.fuel },
      );
      fuelConsumed = result.fuelConsumed;
      durationMs = result.durationMs;
      logs = result.logs;
      output = result.output;
      profile = result.profile;
      text = result.text();
    } catch (error) {
      if (!(error instanceof PluginCallError)) throw error;
      if (durationMs === 0) durationMs = performance.now() - started;
      if (fuelConsumed === 0 && error.fuelConsumed !== undefined) fuelConsumed = error.fuelConsumed;
      if (error.logs !== undefined) logs = error.logs;
      if (error.output === undefined) output = undefined;
      profile ??= error.profile;
      throw new DispatchFailure('PluginCall', `plugin call failed: ${error.message}`, 'plugin_call');
    }
    // 7.–12. read straight into the typed response when the text is an ordinary envelope;
    // otherwise step by step, for the exact failing step and text.
    const response = responseOnePass(fn, text, version) ?? { value: responseStepwise(fn, text, version) };
    return Object.defineProperties(
      {
        kind: 'ok',
        response: response.value as ResponseOf<F>,
        fuelConsumed,
        ...(profile === undefined ? {} : { profile }),
      },
      { durationMs: hidden(durationMs), logs: hidden(logs) },
    ) as DispatchOutcome<ResponseOf<F>>;
  } catch (error) {
    // Our steps report through DispatchFailure; anything else is what Rust would see as a panic.
    if (error instanceof DispatchFailure) {
      failure = error;
    } else {
      failure = new DispatchFailure('Panic', 'dispatch panicked', 'panic');
      panic = error;
      if (panics.hasSubscribers) panics.publish({ function: functionName(fn), error });
    }
  }
  const policy = fn.fallback;
  let observerError: unknown;
  let observerFailed = false;
  try {
    options?.onDispatchError?.({
      function: fn.name,
      stage: failure.stage,
      errorKind: failure.kind,
      policy,
      message: `dispatch error, applying fallback ${policy}`,
    });
  } catch (error) {
    // An observer must not turn a fallback into a throw: what it threw is kept on the outcome.
    observerFailed = true;
    observerError = error;
  }
  const outcome = Object.defineProperties(
    {
      kind: 'fallback',
      policy,
      stage: failure.stage,
      error: failure.text,
      errorKind: failure.kind,
      fuelConsumed,
      ...(profile === undefined ? {} : { profile }),
    },
    { durationMs: hidden(durationMs), logs: hidden(logs) },
  );
  // the guest's bytes matter where reading or decoding them is what failed
  if (output !== undefined && failure.stage !== 'panic')
    Object.defineProperty(outcome, 'output', hidden(rawOutputOf(output)));
  if (failure.kind === 'Panic') Object.defineProperty(outcome, 'cause', hidden(panic));
  if (observerFailed) Object.defineProperty(outcome, 'observerError', hidden(observerError));
  return outcome as DispatchOutcome<ResponseOf<F>>;
}

/** The function's name for the panic channel, even when reading it is what threw. */
function functionName(fn: AnyWireFunction): string | undefined {
  try {
    return fn.name;
  } catch {
    // a function object whose `name` throws: the panic it caused is reported without a name
    return undefined;
  }
}

/**
 * The one-pass envelope, or undefined when the step-by-step path must answer. An error the encoder
 * did not throw (a getter of the request that throws, or a bug of ours) is reported as the
 * step-by-step path reports it, never retried there out of sight.
 */
function requestEnvelopeOnePass(
  fn: AnyWireFunction,
  request: unknown,
  version: number,
): Uint8Array | undefined {
  try {
    return encodeEnvelopeUtf8(fn.request, request, version);
  } catch (error) {
    // A value of the wrong type: the step-by-step path fails on it too, with its own first error.
    if (error instanceof WireEncodeError) return undefined;
    throw new DispatchFailure(
      'RequestValue',
      `request value serialization failed: ${messageOf(error)}`,
      'request_envelope',
    );
  }
}

function requestEnvelopeStepwise(fn: AnyWireFunction, request: unknown, version: number): string {
  // 2. and 3. the typed request as a generic JSON value, which must be an object
  let requestNode: JsonNode;
  try {
    requestNode = requestValue(fn.request, request);
  } catch (error) {
    throw new DispatchFailure(
      'RequestValue',
      `request value serialization failed: ${messageOf(error)}`,
      'request_envelope',
    );
  }
  if (requestNode.type !== 'object') {
    throw new DispatchFailure(
      'RequestNotObject',
      'request serialized to non-object JSON',
      'request_envelope',
    );
  }
  // 4. `_v` set (overwriting any), 5. serialized compactly
  const envelope = new Map(requestNode.entries);
  envelope.set('_v', { type: 'int', value: BigInt(version) });
  try {
    return encodeJsonNode({ type: 'object', entries: envelope });
  } catch (error) {
    throw new DispatchFailure(
      'SerializeRequestEnvelope',
      `request envelope serialization failed: ${messageOf(error)}`,
      'serialize_request',
    );
  }
}

/** The response read in one pass; undefined when the step-by-step path must answer. */
function responseOnePass(fn: AnyWireFunction, text: string, version: number): { value: unknown } | undefined {
  try {
    return { value: decodeEnvelope(fn.response, text, version) };
  } catch (error) {
    // Not an ordinary envelope: the step-by-step path has the verdict and its text.
    if (error instanceof WireDecodeError) return undefined;
    throw error;
  }
}

function responseStepwise(fn: AnyWireFunction, text: string, version: number): unknown {
  // 7. a generic value: duplicate keys are not an error here, the last one wins
  let responseNode: JsonNode;
  try {
    responseNode = parseJsonValue(text);
  } catch (error) {
    if (!(error instanceof WireDecodeError)) throw error;
    throw new DispatchFailure(
      'DeserializeResponseEnvelope',
      `response envelope deserialization failed: ${error.serdeText}`,
      'deserialize_response',
    );
  }
  // 8.–11. the envelope
  if (responseNode.type !== 'object') {
    throw new DispatchFailure(
      'ResponseNotObject',
      'response envelope was not a JSON object',
      'response_envelope',
    );
  }
  const rest = new Map(responseNode.entries);
  const versionNode = rest.get('_v');
  if (versionNode === undefined) {
    throw new DispatchFailure('ResponseVersionMissing', 'response envelope missing _v', 'response_envelope');
  }
  rest.delete('_v');
  // Value::as_u64: only an integer literal ≥ 0 qualifies (never 1.0, "1" or -1)
  if (versionNode.type !== 'int' || versionNode.value < 0n) {
    throw new DispatchFailure(
      'ResponseVersionInvalid',
      'response envelope _v was not an unsigned integer',
      'response_envelope',
    );
  }
  if (versionNode.value !== BigInt(version)) {
    throw new DispatchFailure(
      'ResponseVersionMismatch',
      `response envelope version mismatch: expected ${version}, actual ${versionNode.value}`,
      'response_envelope',
    );
  }
  // 12. from_value into the typed response: unknown keys, types and ranges are checked here
  try {
    return decodeWireValue(fn.response, { type: 'object', entries: rest });
  } catch (error) {
    if (!(error instanceof WireDecodeError)) throw error;
    throw new DispatchFailure(
      'ResponseDecode',
      `response decode failed: ${error.serdeText}`,
      'response_decode',
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof WireDecodeError
    ? error.serdeText
    : error instanceof Error
      ? error.message
      : String(error);
}
