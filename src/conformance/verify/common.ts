/**
 * Conformance layer: the flow every `verify*Plugin` shares (PROTOCOL.md §8.5 steps 1–5):
 * handshake, require the kind's function(s), identity report, self-check, the three fixed layers
 * and the extras, then a session on which the kind-specific dispatches run.
 *
 * A verify call either returns a report in which every dispatch layer passed, or throws the
 * `VerifyError` of the first failure; there is no partially failed report.
 */
import type { DispatchOutcome } from '../../host/index.js';
import { type AnyWireFunction, type RequestOf, type ResponseOf, rustDebugList } from '../../wire/index.js';
import { sortedKeys, valueAt } from '../../wire/ordered.js';
import { DispatchError, HandshakeError, IdentityError, SelfCheckError, VerifyError } from '../errors.js';
import { handshake } from '../handshake.js';
import { identity } from '../identity.js';
import type { PluginSource } from '../plugin-under-test.js';
import {
  attachWarnings,
  type HandshakeReport,
  type LayerResult,
  type VerifyReport,
  warningsOf,
} from '../reports.js';
import { selfCheck } from '../self-check.js';
import { PluginSession } from '../session.js';

export interface VerifyOptions {
  /** host capabilities to offer; replaces the `PluginUnderTest`'s own list when given */
  capabilities?: Iterable<string>;
}

/** A report under construction: the dispatch list is appended to as layers pass. */
export interface ReportInProgress extends VerifyReport {
  readonly dispatch: LayerResult[];
}

/**
 * Runs the whole flow for a plugin kind whose `required` functions must be negotiated, then
 * `dispatches` on a session that is closed afterwards whatever happens.
 */
export async function verifyKind(
  source: PluginSource,
  options: VerifyOptions,
  required: readonly AnyWireFunction[],
  dispatches: (session: PluginSession, report: ReportInProgress) => Promise<void>,
): Promise<VerifyReport> {
  // Materialise the capabilities once: an iterator would be used up by the first handshake.
  const capabilities = options.capabilities === undefined ? undefined : [...options.capabilities];
  const handshakeOptions = capabilities === undefined ? {} : { capabilities };

  const negotiated = await layer('Handshake', () => handshake.run(source, handshakeOptions));
  for (const fn of required) requireFunction(negotiated, fn);
  const report = await beginReport(source, negotiated, required);

  const session = await layer('Handshake', () => PluginSession.create(source, handshakeOptions));
  try {
    await dispatches(session, report);
  } finally {
    await session.close();
  }
  return report;
}

/** Step 2: the function must be chosen, at a version the host supports. */
export function requireFunction(report: HandshakeReport, fn: AnyWireFunction): void {
  const chosen = valueAt(report.chosenVersions, fn.name);
  if (chosen === undefined) {
    throw new VerifyError({
      kind: 'Handshake',
      cause: new HandshakeError({ kind: 'FunctionMissing', name: fn.name }),
    });
  }
  if (!fn.supportedVersions.includes(chosen)) {
    const reason = `function ${fn.name} chose unsupported version ${chosen}; host supports ${rustDebugList(fn.supportedVersions)}`;
    throw new VerifyError({
      kind: 'Handshake',
      cause: new HandshakeError({ kind: 'InvalidIdentity', field: 'chosen_versions', reason }),
    });
  }
}

/** Step 3: identity report (static-check failures only mark the layer), self-check, extras. */
async function beginReport(
  source: PluginSource,
  negotiated: HandshakeReport,
  required: readonly AnyWireFunction[],
): Promise<ReportInProgress> {
  const identityReport = await layer('Identity', () => identity.read(source));
  const selfCheckReport = await layer('SelfCheck', () => selfCheck.run(source));
  // chosen_versions is a BTreeMap in the reference: extras follow its key order.
  const chosen = sortedKeys(negotiated.chosenVersions);
  const requiredNames = new Set(required.map((fn) => fn.name));
  const report: ReportInProgress = {
    identity: {
      layer: 'identity',
      passed: identityReport.staticChecks.every((check) => check.pass),
      detail: identityReport.identity.plugin_name,
    },
    handshake: {
      layer: 'handshake',
      passed: true,
      detail: `${chosen.length} function(s) negotiated`,
      fuelConsumed: negotiated.fuelConsumed,
    },
    selfCheck: {
      layer: 'self_check',
      passed: true,
      detail: undefined,
      fuelConsumed: selfCheckReport.fuelConsumed,
    },
    dispatch: [],
    extras: chosen
      .filter((name) => !requiredNames.has(name))
      .map((name) => ({ kind: 'extra_function', message: `plugin also declares '${name}'` })),
  };
  return attachWarnings(report, [...warningsOf(negotiated), ...warningsOf(selfCheckReport)]);
}

/**
 * Step 5: one dispatch that must answer; a fallback becomes `DispatchError` `Fallback` carrying the
 * stage and the error text the Rust outcome would have hidden.
 */
export async function dispatchOk<F extends AnyWireFunction>(
  session: PluginSession,
  fn: F,
  request: RequestOf<F>,
): Promise<{ response: ResponseOf<F>; fuelConsumed: number }> {
  const outcome: DispatchOutcome<ResponseOf<F>> = await session.dispatch(fn, request);
  if (outcome.kind === 'ok') return { response: outcome.response, fuelConsumed: outcome.fuelConsumed };
  throw new VerifyError({
    kind: 'Dispatch',
    cause: new DispatchError({
      kind: 'Fallback',
      function: fn.name,
      policy: outcome.policy,
      stage: outcome.stage,
      reason: outcome.error,
      errorKind: outcome.errorKind,
    }),
  });
}

export function invalidResponse(fn: AnyWireFunction, reason: string): VerifyError {
  return new VerifyError({
    kind: 'Dispatch',
    cause: new DispatchError({ kind: 'InvalidResponse', function: fn.name, reason }),
  });
}

export function pushDispatchOk(
  report: ReportInProgress,
  layer: string,
  detail: string,
  fuelConsumed: number,
): void {
  report.dispatch.push({ layer, passed: true, detail, fuelConsumed });
}

/** Runs one layer, wrapping its own conformance error in the matching `VerifyError` kind. */
async function layer<T>(kind: 'Identity' | 'Handshake' | 'SelfCheck', step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (kind === 'Identity' && error instanceof IdentityError) throw new VerifyError({ kind, cause: error });
    if (kind === 'Handshake' && error instanceof HandshakeError)
      throw new VerifyError({ kind, cause: error });
    if (kind === 'SelfCheck' && error instanceof SelfCheckError)
      throw new VerifyError({ kind, cause: error });
    throw error;
  }
}
