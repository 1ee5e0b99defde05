/**
 * Conformance layer: `fuzz.run(target, fn, options)` — property-based conformance. Requests from
 * `requestArbitrary(fn)` are dispatched through the host path on one session, each outcome is
 * judged, and a failing request is shrunk by fast-check to a minimal one, which the report gives
 * with the seed and path that replay exactly that case.
 *
 * The default property is "the plugin handles any valid request": the dispatch returns `Ok`, or
 * the guest answers with an error of its own (`error_set` and a non-zero return; legal unless
 * `allowGuestErrors: false`). Everything else fails: a trap, running out of fuel, a timeout, a
 * non-zero exit without an error message, output that is not UTF-8 or does not pass the response
 * envelope and decode, a missing export. `deterministic` also replays each request on a fresh
 * session and requires the same answer; `check` adds the author's own property. A counterexample
 * that ran out of fuel says where the fuel went: the shrunk request is replayed once more, with
 * profiling, on a fresh instance (`outOfFuelHintFor`).
 *
 * Why a call failed is read from the host's error text, as the Rust host reports it (`plugin call
 * failed: …` holding the engine's Extism texts); a guest that sets an error text equal to one of
 * the host's own (`plugin ran out of fuel`, `wasm trap: …`) is judged as that failure.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { DISPATCH_STAGES, type DispatchOutcome, type DispatchStage } from '../host/index.js';
import {
  type AnyWireFunction,
  encodeJsonValue,
  type JsonValue,
  type RequestOf,
  type ResponseOf,
  type WireFunctionName,
} from '../wire/index.js';
import { outOfFuelHintFor } from './out-of-fuel.js';
import { plugin as describePlugin, isPluginUnderTest, type PluginSource } from './plugin-under-test.js';
import { type RequestArbitraryOptions, requestArbitrary } from './request-arbitrary.js';
import { PluginSession } from './session.js';

export type FuzzTarget = PluginSource | PluginSession;

/** What fast-check needs to rerun exactly one case: the run's seed and the counterexample's path. */
export interface FuzzReplay {
  readonly seed: number;
  readonly path: string;
}

export interface FuzzOptions<F extends AnyWireFunction = AnyWireFunction> {
  /** generated requests to try (default 100) */
  readonly runs?: number;
  /** fast-check seed (default: a random one, given back in the report) */
  readonly seed?: number;
  /** a guest error (`error_set` and a non-zero return) is a legal answer (default true) */
  readonly allowGuestErrors?: boolean;
  /** also replay each request on a fresh session and require the same answer (default false) */
  readonly deterministic?: boolean;
  /** fuel budget of each generated call (default: the plugin's own limit) */
  readonly fuel?: number;
  /** the author's property: throw or return `false` to fail */
  readonly check?: (
    request: RequestOf<F>,
    outcome: DispatchOutcome<ResponseOf<F>>,
    // biome-ignore lint/suspicious/noConfusingVoidType: a check written with `expect` returns nothing.
  ) => boolean | void | Promise<boolean | void>;
  /** rerun exactly the case of a report's `counterexample.replay` */
  readonly replay?: FuzzReplay;
  /** bounds of the generated requests */
  readonly requests?: RequestArbitraryOptions;
}

/** Outcomes of the generated runs (shrinking attempts are not counted). */
export interface FuzzStats {
  /** dispatches that returned `Ok` */
  readonly ok: number;
  /** fallbacks that were the guest's own error (also counted in `fallbacks.plugin_call`) */
  readonly guestErrors: number;
  /** every fallback, by the stage that failed */
  readonly fallbacks: Record<DispatchStage, number>;
  /** the most fuel one generated call consumed */
  readonly maxFuel: number;
}

export interface FuzzCounterexample<F extends AnyWireFunction = AnyWireFunction> {
  /** the shrunk request */
  readonly request: RequestOf<F>;
  /** its outcome */
  readonly outcome: DispatchOutcome<ResponseOf<F>>;
  /** why the property failed, e.g. `the plugin trapped` */
  readonly failure: string;
  /** shrink steps from the first failing request to this one */
  readonly shrinks: number;
  /** pass back as `options.replay` to rerun exactly this case */
  readonly replay: FuzzReplay;
  /**
   * When the request ran out of fuel: the functions with the most self fuel, from a profiled
   * replay of it on a fresh instance (absent when that replay did not run out of fuel too)
   */
  readonly outOfFuelHint?: string;
}

export interface FuzzReport<F extends AnyWireFunction = AnyWireFunction> {
  readonly function: F['name'];
  readonly passed: boolean;
  /** generated requests tried, the failing one included */
  readonly runs: number;
  readonly seed: number;
  readonly stats: FuzzStats;
  readonly counterexample?: FuzzCounterexample<F>;
}

const DEFAULT_RUNS = 100;

async function run<F extends AnyWireFunction>(
  target: FuzzTarget,
  fn: F,
  options: FuzzOptions<F> = {},
): Promise<FuzzReport<F>> {
  const runs = positiveInteger('runs', options.runs ?? DEFAULT_RUNS);
  const fuel = options.fuel === undefined ? undefined : positiveInteger('fuel', options.fuel);
  const arbitrary = requestArbitrary(fn, options.requests);
  const opened = await openSession(target, fuel);
  try {
    const { session } = opened;
    if (session.negotiatedFunctions[fn.name] === undefined) {
      const negotiated = Object.keys(session.negotiatedFunctions);
      throw new RangeError(
        `fuzz.run: the plugin did not negotiate ${fn.name} (negotiated: ${negotiated.length === 0 ? 'none' : negotiated.join(', ')})`,
      );
    }
    const judge = new Judge(fn, session, options);
    const property = fc.asyncProperty(arbitrary, (request) => judge.holds(request));
    const replay = options.replay;
    const details = await fc.check(
      property,
      replay === undefined
        ? { numRuns: runs, ...(options.seed === undefined ? {} : { seed: options.seed }) }
        : { seed: replay.seed, path: replay.path, numRuns: 1, endOnFailure: true },
    );
    if (judge.internalError !== undefined) throw judge.internalError;
    const failure = judge.lastFailure;
    const base = {
      function: fn.name,
      runs: judge.generated,
      seed: details.seed,
      stats: judge.stats(),
    };
    if (!details.failed) return { ...base, passed: true };
    if (failure === undefined || details.counterexamplePath === null) {
      // fast-check failed for a reason other than our judgement (it never should)
      throw new Error('fuzz.run: fast-check reported a failure the judge did not record', {
        cause: details.errorInstance,
      });
    }
    // Only the final, shrunk counterexample is profiled: one more call, and only when it ran out of fuel.
    const hint = await outOfFuelHintFor(failure.outcome, session.plugin, fn, failure.request);
    return {
      ...base,
      passed: false,
      counterexample: {
        request: failure.request,
        outcome: failure.outcome,
        failure: failure.failure,
        shrinks: details.numShrinks,
        replay: { seed: details.seed, path: details.counterexamplePath },
        ...(hint === undefined ? {} : { outOfFuelHint: hint }),
      },
    };
  } finally {
    await opened.close();
  }
}

export const fuzz = Object.freeze({ run });

interface Failure<F extends AnyWireFunction> {
  readonly request: RequestOf<F>;
  readonly outcome: DispatchOutcome<ResponseOf<F>>;
  readonly failure: string;
}

/** Judges one request at a time; counts the generated runs until the first failure. */
class Judge<F extends AnyWireFunction> {
  generated = 0;
  lastFailure: Failure<F> | undefined;
  /** an error of ours (not the plugin's): ends the run and is rethrown */
  internalError: unknown;
  #shrinking = false;
  readonly #replaying: boolean;
  #calls = 0;
  #ok = 0;
  #guestErrors = 0;
  #maxFuel = 0;
  readonly #fallbacks = Object.fromEntries(DISPATCH_STAGES.map((stage) => [stage, 0])) as Record<
    DispatchStage,
    number
  >;

  constructor(
    readonly fn: F,
    readonly session: PluginSession,
    readonly options: FuzzOptions<F>,
  ) {
    this.#replaying = options.replay !== undefined;
  }

  stats(): FuzzStats {
    return {
      ok: this.#ok,
      guestErrors: this.#guestErrors,
      fallbacks: { ...this.#fallbacks },
      maxFuel: this.#maxFuel,
    };
  }

  async holds(request: RequestOf<F>): Promise<boolean> {
    if (this.internalError !== undefined) return true;
    // A replayed case that passes would have fast-check walk on through its shrink siblings.
    if (this.#replaying && this.#calls > 0) return true;
    this.#calls++;
    try {
      const outcome = (await this.session.dispatch(this.fn, request)) as DispatchOutcome<ResponseOf<F>>;
      if (!this.#shrinking) this.#count(outcome);
      const failure = await this.#judge(request, outcome);
      if (failure === undefined) return true;
      this.#shrinking = true;
      this.lastFailure = { request, outcome, failure };
      return false;
    } catch (error) {
      // a session that rejects (closed under us) or a fresh one that cannot be made: not a verdict
      this.internalError = error;
      return true;
    }
  }

  #count(outcome: DispatchOutcome<ResponseOf<F>>): void {
    this.generated++;
    if (outcome.fuelConsumed > this.#maxFuel) this.#maxFuel = outcome.fuelConsumed;
    if (outcome.kind === 'ok') {
      this.#ok++;
      return;
    }
    this.#fallbacks[outcome.stage]++;
    if (callFailureOf(outcome) === 'GuestError') this.#guestErrors++;
  }

  async #judge(request: RequestOf<F>, outcome: DispatchOutcome<ResponseOf<F>>): Promise<string | undefined> {
    const why = defaultPropertyFailure(outcome, this.options.allowGuestErrors ?? true);
    if (why !== undefined) return why;
    if (this.options.deterministic === true) {
      const fresh = await this.#onFreshSession(request);
      if (!sameAnswer(outcome, fresh)) {
        return `the plugin answered differently on a fresh session: ${answerText(fresh)}`;
      }
    }
    const check = this.options.check;
    if (check !== undefined) {
      let verdict: boolean | undefined;
      try {
        verdict = (await check(request, outcome)) ?? undefined;
      } catch (error) {
        return `check threw: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (verdict === false) return 'check returned false';
    }
    return undefined;
  }

  async #onFreshSession(request: RequestOf<F>): Promise<DispatchOutcome<unknown>> {
    const fresh = await PluginSession.create(this.session.plugin, {
      functionVersions: versionsOf(this.session),
    });
    try {
      return await fresh.dispatch(this.fn, request);
    } finally {
      await fresh.close();
    }
  }
}

/** Why a plugin call failed, from the host's text (see the module header). */
export type CallFailure =
  | 'OutOfFuel'
  | 'Timeout'
  | 'NonZeroExit'
  | 'Trap'
  | 'InvalidUtf8Output'
  | 'MissingExport'
  | 'GuestError';

const CALL_FAILED = 'plugin call failed: ';

export function callFailureOf(outcome: DispatchOutcome<unknown>): CallFailure | undefined {
  if (outcome.kind !== 'fallback' || outcome.stage !== 'plugin_call') return undefined;
  const reason = outcome.error.startsWith(CALL_FAILED)
    ? outcome.error.slice(CALL_FAILED.length)
    : outcome.error;
  if (reason === 'plugin ran out of fuel') return 'OutOfFuel';
  if (reason === 'timeout') return 'Timeout';
  if (/^Returned non-zero exit code: -?\d+$/.test(reason)) return 'NonZeroExit';
  if (reason.startsWith('wasm trap: ')) return 'Trap';
  if (/^(invalid utf-8 sequence|incomplete utf-8 byte sequence)/.test(reason)) return 'InvalidUtf8Output';
  if (reason.startsWith('Function not found: ')) return 'MissingExport';
  return 'GuestError';
}

const CALL_FAILURE_TEXT: Readonly<Record<Exclude<CallFailure, 'GuestError'>, string>> = {
  OutOfFuel: 'the plugin ran out of fuel',
  Timeout: 'the plugin timed out',
  NonZeroExit: 'the plugin returned a non-zero exit code without an error message',
  Trap: 'the plugin trapped',
  InvalidUtf8Output: 'the plugin wrote output that is not UTF-8',
  MissingExport: 'the plugin does not export the function',
};

/** The default property's verdict: undefined when the outcome is a legal answer. */
function defaultPropertyFailure(
  outcome: DispatchOutcome<unknown>,
  allowGuestErrors: boolean,
): string | undefined {
  if (outcome.kind === 'ok') return undefined;
  const call = callFailureOf(outcome);
  if (call === 'GuestError') {
    return allowGuestErrors ? undefined : 'the plugin answered with a guest error (allowGuestErrors: false)';
  }
  if (call !== undefined) return CALL_FAILURE_TEXT[call];
  switch (outcome.stage) {
    case 'deserialize_response':
    case 'response_envelope':
      return 'the response did not pass the envelope';
    case 'response_decode':
      return 'the response did not decode';
    default:
      return `the host could not dispatch the request (stage ${outcome.stage})`;
  }
}

/** The answer of a dispatch, without the cost of getting it (fuel and time may differ). */
function answerOf(outcome: DispatchOutcome<unknown>): unknown {
  return outcome.kind === 'ok'
    ? { kind: 'ok', response: outcome.response }
    : { kind: 'fallback', stage: outcome.stage, error: outcome.error };
}

function sameAnswer(a: DispatchOutcome<unknown>, b: DispatchOutcome<unknown>): boolean {
  return isDeepStrictEqual(answerOf(a), answerOf(b));
}

function answerText(outcome: DispatchOutcome<unknown>): string {
  return outcome.kind === 'ok'
    ? `ok ${encodeJsonValue(outcome.response as JsonValue)}`
    : `fallback at stage ${outcome.stage}: ${outcome.error}`;
}

interface OpenedSession {
  readonly session: PluginSession;
  readonly close: () => Promise<void>;
}

/**
 * The session the generated requests go to. A session passed in is used as it is (and left open)
 * unless `fuel` asks for another budget: then, as for bytes or a descriptor, a session of our own
 * is made with that budget, and closed at the end.
 */
async function openSession(target: FuzzTarget, fuel: number | undefined): Promise<OpenedSession> {
  if (target instanceof PluginSession || looksLikeSession(target)) {
    const session = target as PluginSession;
    if (fuel === undefined) return { session, close: async () => {} };
    const own = await PluginSession.create(withFuel(session.plugin, fuel), {
      functionVersions: versionsOf(session),
    });
    return { session: own, close: () => own.close() };
  }
  const source = fuel === undefined ? target : withFuel(target, fuel);
  const own = await PluginSession.create(source);
  return { session: own, close: () => own.close() };
}

function withFuel(source: PluginSource, fuel: number): PluginSource {
  return isPluginUnderTest(source)
    ? describePlugin(source.wasm, { ...source.limits, capabilities: source.capabilities, fuel })
    : describePlugin(source, { fuel });
}

function looksLikeSession(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { dispatch?: unknown }).dispatch === 'function' &&
    typeof (value as { metadata?: unknown }).metadata === 'object'
  );
}

function versionsOf(session: PluginSession): Partial<Record<WireFunctionName, number[]>> {
  return Object.fromEntries(
    Object.entries(session.functionVersions).flatMap(([name, versions]) =>
      versions === undefined ? [] : [[name, [...versions]]],
    ),
  );
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`fuzz.run: ${name} must be a positive integer, received ${String(value)}`);
  }
  return value;
}
