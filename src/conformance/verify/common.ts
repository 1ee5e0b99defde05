/**
 * Conformance layer: the one verify flow (PROTOCOL.md §8.5 steps 1–5), offered layer by layer.
 *
 * `runFlow` yields each layer as it is decided — handshake, each kind's required functions,
 * identity (with its static checks), self-check, then every kind's dispatch cases on one session —
 * so the CLI renders every layer (it keeps going after a failure) and `verify*Plugin` and the
 * `toVerifyAs` matcher stop at the first failure. Each of identity, handshake and self-check runs
 * exactly once per flow, whatever the number of kinds. Asked to `profile` (the CLI's `verify
 * --profile DIR`), each dispatch case runs on a fresh profiling instance and its layer carries the
 * case's fuel profile.
 *
 * A `verify*Plugin` call either returns a report in which every dispatch layer passed, or throws the
 * `VerifyError` of the first failure, in the reference's order; there is no partially failed report.
 */
import type { FuelProfile } from '../../engine/index.js';
import type { DispatchOutcome } from '../../host/index.js';
import { type AnyWireFunction, type RequestOf, type ResponseOf, rustDebugList } from '../../wire/index.js';
import { sortedKeys, valueAt } from '../../wire/ordered.js';
import { DispatchError, HandshakeError, IdentityError, SelfCheckError, VerifyError } from '../errors.js';
import { handshake } from '../handshake.js';
import { identity } from '../identity.js';
import { outOfFuelHintFor } from '../out-of-fuel.js';
import type { PluginSource } from '../plugin-under-test.js';
import {
  attachWarnings,
  type ExtraInfo,
  type HandshakeReport,
  type IdentityReport,
  type LayerResult,
  type SelfCheckReport,
  type StaticCheck,
  type VerifyReport,
  warningsOf,
} from '../reports.js';
import { selfCheck } from '../self-check.js';
import { type DispatchCallOptions, PluginSession } from '../session.js';
import { generatedLayers } from './generated.js';

/** The plugin kinds a verify flow exists for (the reference's three, plus our signer). */
export const VERIFY_KINDS = ['shape', 'router', 'observability', 'signer'] as const;
export type VerifyKind = (typeof VERIFY_KINDS)[number];

export interface VerifyOptions {
  /** host capabilities to offer; replaces the `PluginUnderTest`'s own list when given */
  capabilities?: Iterable<string>;
  /** also run this many generated requests per required function (off by default; not in the reference) */
  fuzzRuns?: number;
}

/** Where a kind's dispatch cases run: the flow's one session, and the options of every case's call. */
export interface CaseContext {
  readonly session: PluginSession;
  /** `{ profile: true }` when the flow records a fuel profile of each case */
  readonly call: DispatchCallOptions | undefined;
}

/** A dispatch case as a kind yields it: its layer, the function it called, the call's profile. */
export interface CaseLayer {
  readonly result: LayerResult;
  readonly function: string;
  /** when the flow was asked to profile (and the call reached the guest) */
  readonly profile?: FuelProfile;
}

/** One kind's part of the flow: the functions it needs negotiated and its dispatch cases. */
export interface KindFlow {
  readonly kind: VerifyKind;
  readonly required: readonly AnyWireFunction[];
  /** Yields one layer per dispatch case, failed ones included; may end early when a case needs another's answer. */
  readonly cases: (cx: CaseContext) => AsyncGenerator<CaseLayer, void, undefined>;
}

/** A layer as the flow yields it: the report row, the kind it belongs to, and the step's report. */
export interface VerifyLayer {
  readonly result: LayerResult;
  /** dispatch layers and a kind's requirement layer */
  readonly kind?: VerifyKind;
  /** the identity layer: the nine static checks (also when the read failed) */
  readonly staticChecks?: readonly StaticCheck[];
  /** dispatch layers: the wire function the case called */
  readonly function?: string;
  /** dispatch layers of a flow run with `profile: true`: the case's fuel profile */
  readonly profile?: FuelProfile;
}

export interface FlowOptions extends VerifyOptions {
  /** the kinds' flows, or how to pick them from the negotiated function names (sorted) */
  readonly flows: readonly KindFlow[] | ((chosen: readonly string[]) => readonly KindFlow[]);
  /**
   * Record a fuel profile of every dispatch case (`VerifyLayer.profile`). Each case then runs on a
   * fresh profiling instance (see `DispatchCallOptions.profile`); off by default, as profiling costs.
   */
  readonly profile?: boolean;
}

/**
 * The flow, iterable once. The step reports and the kinds are filled in as the layers are yielded;
 * stopping the iteration early (`break`) closes the dispatch session.
 */
export class VerifyFlow implements AsyncIterable<VerifyLayer> {
  identity: IdentityReport | undefined;
  handshake: HandshakeReport | undefined;
  selfCheck: SelfCheckReport | undefined;
  /** the kinds whose cases run (known once the handshake layer is yielded) */
  kinds: readonly VerifyKind[] = [];
  /** chosen functions that no kind of the flow requires, in code-point order */
  extras: readonly ExtraInfo[] = [];

  /** the handshake's and self-check's warnings (e.g. a call slower than `wallMs`), each once */
  get warnings(): readonly string[] {
    return [...new Set([...warningsOf(this.handshake), ...warningsOf(this.selfCheck)])];
  }
  readonly #source: PluginSource;
  readonly #options: FlowOptions;

  constructor(source: PluginSource, options: FlowOptions) {
    this.#source = source;
    this.#options = options;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<VerifyLayer, void, undefined> {
    const source = this.#source;
    // Materialise the capabilities once: an iterator would be used up by the first handshake.
    const capabilities =
      this.#options.capabilities === undefined ? undefined : [...this.#options.capabilities];
    const handshakeOptions = capabilities === undefined ? {} : { capabilities };
    const { flows } = this.#options;

    // Steps 1–2: the handshake, and each kind's functions.
    const runnable: KindFlow[] = [];
    const handshakeStep = await step('Handshake', () => handshake.run(source, handshakeOptions));
    if (handshakeStep.ok) {
      const negotiated = handshakeStep.value;
      this.handshake = negotiated;
      const chosen = sortedKeys(negotiated.chosenVersions);
      const picked = typeof flows === 'function' ? flows(chosen) : flows;
      this.kinds = picked.map((flow) => flow.kind);
      const required = new Set(picked.flatMap((flow) => flow.required.map((fn) => fn.name)));
      this.extras = chosen
        .filter((name) => !required.has(name))
        .map((name) => ({ kind: 'extra_function', message: `plugin also declares '${name}'` }));
      yield {
        result: {
          layer: 'handshake',
          passed: true,
          detail: `${chosen.length} function(s) negotiated`,
          fuelConsumed: negotiated.fuelConsumed,
        },
      };
      if (picked.length === 0) {
        yield {
          result: {
            layer: 'kind',
            passed: false,
            detail:
              'the plugin negotiated none of shape, filter, observe, build_signer, sign: nothing to dispatch',
          },
        };
      }
      for (const flow of picked) {
        const missing = missingFunction(negotiated, flow.required);
        if (missing === undefined) runnable.push(flow);
        else yield { kind: flow.kind, result: failed(`kind:${flow.kind}`, missing) };
      }
    } else {
      this.kinds = typeof flows === 'function' ? [] : flows.map((flow) => flow.kind);
      yield { result: failed('handshake', handshakeStep.error) };
    }

    // Step 3: identity report (static-check failures only mark the layer), then the self-check.
    const identityStep = await step('Identity', () => identity.read(source));
    if (identityStep.ok) {
      const report = identityStep.value;
      this.identity = report;
      yield {
        result: {
          layer: 'identity',
          passed: report.staticChecks.every((check) => check.pass),
          detail: report.identity.plugin_name,
        },
        staticChecks: report.staticChecks,
      };
    } else {
      // The checks ran before the read failed; the error keeps them for exactly this.
      const cause = identityStep.error.cause;
      yield {
        result: failed('identity', identityStep.error),
        staticChecks: cause instanceof IdentityError ? cause.staticChecks : [],
      };
    }

    const selfCheckStep = await step('SelfCheck', () => selfCheck.run(source));
    if (selfCheckStep.ok) {
      this.selfCheck = selfCheckStep.value;
      yield {
        result: {
          layer: 'self_check',
          passed: true,
          detail: undefined,
          fuelConsumed: selfCheckStep.value.fuelConsumed,
        },
      };
    } else {
      yield { result: failed('self_check', selfCheckStep.error) };
    }

    // Steps 4–5: one session for every kind's cases, closed however the iteration ends.
    if (!handshakeStep.ok || runnable.length === 0) return;
    const sessionStep = await step('Handshake', () => PluginSession.create(source, handshakeOptions));
    if (!sessionStep.ok) {
      yield { result: failed('session', sessionStep.error) };
      return;
    }
    const session = sessionStep.value;
    const cx: CaseContext = { session, call: this.#options.profile === true ? { profile: true } : undefined };
    try {
      for (const flow of runnable) {
        for await (const { result, function: called, profile } of flow.cases(cx)) {
          yield { kind: flow.kind, result, function: called, ...(profile === undefined ? {} : { profile }) };
        }
        // Opt-in, after the reference's own cases: a counterexample marks its layer, never throws.
        const runs = this.#options.fuzzRuns;
        if (runs !== undefined && runs > 0) {
          for (const result of await generatedLayers(session, flow.required, runs)) {
            yield { kind: flow.kind, result };
          }
        }
      }
    } finally {
      await session.close();
    }
  }
}

/** The flow for `source`; iterate it to run it. */
export function runFlow(source: PluginSource, options: FlowOptions): VerifyFlow {
  return new VerifyFlow(source, options);
}

/**
 * One kind's verify as the reference runs it: the first failed layer (in flow order) is thrown,
 * a failed identity layer without an error only marks the report.
 */
export async function verifyKind(
  source: PluginSource,
  options: VerifyOptions,
  flow: KindFlow,
): Promise<VerifyReport> {
  const run = runFlow(source, { ...options, flows: [flow] });
  const layers: Record<string, LayerResult> = {};
  const dispatch: LayerResult[] = [];
  for await (const { result, kind } of run) {
    if (result.failure !== undefined) throw result.failure.error;
    if (kind === undefined) layers[result.layer] = result;
    else dispatch.push(result);
  }
  const report: VerifyReport = {
    identity: layers.identity as LayerResult,
    handshake: layers.handshake as LayerResult,
    selfCheck: layers.self_check as LayerResult,
    dispatch,
    extras: [...run.extras],
  };
  return attachWarnings(report, run.warnings);
}

/** Step 2: every required function must be chosen, at a version the host supports. */
export function requireFunction(report: HandshakeReport, fn: AnyWireFunction): void {
  const missing = missingFunction(report, [fn]);
  if (missing !== undefined) throw missing;
}

function missingFunction(
  report: HandshakeReport,
  required: readonly AnyWireFunction[],
): VerifyError | undefined {
  for (const fn of required) {
    const chosen = valueAt(report.chosenVersions, fn.name);
    if (chosen === undefined) {
      return new VerifyError({
        kind: 'Handshake',
        cause: new HandshakeError({ kind: 'FunctionMissing', name: fn.name }),
      });
    }
    if (!fn.supportedVersions.includes(chosen)) {
      const reason = `function ${fn.name} chose unsupported version ${chosen}; host supports ${rustDebugList(fn.supportedVersions)}`;
      return new VerifyError({
        kind: 'Handshake',
        cause: new HandshakeError({ kind: 'InvalidIdentity', field: 'chosen_versions', reason }),
      });
    }
  }
  return undefined;
}

/** A dispatch case's answer: its layer, and the response when the dispatch answered. */
export interface CaseResult<R> extends CaseLayer {
  readonly response: R | undefined;
}

/**
 * Step 5: one dispatch that must answer, and pass `check` (which returns why not, or nothing). A
 * fallback becomes `DispatchError` `Fallback` carrying the stage and the error text the Rust outcome
 * would have hidden; the layer also keeps the policy, the fuel and the guest's log of that call.
 */
export async function dispatchCase<F extends AnyWireFunction>(
  { session, call }: CaseContext,
  layer: string,
  fn: F,
  request: RequestOf<F>,
  passedDetail: string,
  check?: (response: ResponseOf<F>) => string | undefined,
): Promise<CaseResult<ResponseOf<F>>> {
  const outcome: DispatchOutcome<ResponseOf<F>> = await session.dispatch(fn, request, call);
  const { fuelConsumed } = outcome;
  const logs = outcome.logs;
  const called = {
    function: fn.name,
    ...(outcome.profile === undefined ? {} : { profile: outcome.profile }),
  };
  if (outcome.kind === 'fallback') {
    const fallback = new DispatchError({
      kind: 'Fallback',
      function: fn.name,
      policy: outcome.policy,
      stage: outcome.stage,
      reason: outcome.error,
      errorKind: outcome.errorKind,
    });
    // what the guest logged (and wrote, if it did not decode), for `guestDiagnostics` (non-enumerable)
    Object.defineProperties(fallback, {
      logs: { value: outcome.logs },
      ...(outcome.output === undefined ? {} : { output: { value: outcome.output } }),
    });
    const error = new VerifyError({ kind: 'Dispatch', cause: fallback });
    // Out of fuel: where the fuel went, from the case's own profile or a profiled replay.
    const hint = await outOfFuelHintFor(outcome, session.plugin, fn, request);
    return {
      result: {
        layer,
        passed: false,
        detail: error.message,
        fuelConsumed,
        failure: {
          error,
          function: fn.name,
          policy: outcome.policy,
          stage: outcome.stage,
          logs,
          ...(hint === undefined ? {} : { outOfFuelHint: hint }),
        },
      },
      response: undefined,
      ...called,
    };
  }
  const reason = check?.(outcome.response);
  if (reason !== undefined) {
    const error = new VerifyError({
      kind: 'Dispatch',
      cause: new DispatchError({ kind: 'InvalidResponse', function: fn.name, reason }),
    });
    return {
      result: {
        layer,
        passed: false,
        detail: error.message,
        fuelConsumed,
        failure: { error, function: fn.name, logs },
      },
      response: outcome.response,
      ...called,
    };
  }
  return {
    result: { layer, passed: true, detail: passedDetail, fuelConsumed },
    response: outcome.response,
    ...called,
  };
}

type Step<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: VerifyError };

/** Runs one step, wrapping its own conformance error in the matching `VerifyError` kind. */
async function step<T>(
  kind: 'Identity' | 'Handshake' | 'SelfCheck',
  run: () => Promise<T>,
): Promise<Step<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (kind === 'Identity' && error instanceof IdentityError)
      return { ok: false, error: new VerifyError({ kind, cause: error }) };
    if (kind === 'Handshake' && error instanceof HandshakeError)
      return { ok: false, error: new VerifyError({ kind, cause: error }) };
    if (kind === 'SelfCheck' && error instanceof SelfCheckError)
      return { ok: false, error: new VerifyError({ kind, cause: error }) };
    throw error;
  }
}

function failed(layer: string, error: VerifyError): LayerResult {
  return { layer, passed: false, detail: error.message, failure: { error } };
}
