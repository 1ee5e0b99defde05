/**
 * Conformance layer: how an error of this package is told to a person — its class, `kind` and
 * message, then every error in its `cause` chain (conformance → host → wire or engine), so a
 * failure shows the variant to match on at each layer. The matchers' messages and the CLI's
 * report both tell errors and failed verify layers through here.
 */
import { PluginCallError } from '../engine/index.js';
import { FAILURE_LOG_LINES, guestDiagnosticLines } from './diagnostics.js';
import type { LayerFailure } from './reports.js';

/** The deepest cause chain in this package is four errors long; the cap guards against cycles. */
const MAX_CAUSES = 8;

/** A cause's reason shorter than this is not taken as already quoted (`: 1` is not a quote). */
const MIN_QUOTED_REASON = 12;

/** One line per error: `HandshakeError DowngradeAttempt: downgrade attempt …`, then `caused by …` lines. */
export function accountOfError(error: unknown): string {
  return [
    ...chainLines(error),
    // what the guest wrote (when it did not decode) and the last lines it logged in the failing call
    ...guestDiagnosticLines(error),
  ].join('\n');
}

/** A failed verify layer as {@link accountOfError} tells an error, with {@link failureLines} beneath. */
export function accountOfLayerFailure(failure: LayerFailure): string {
  return [...chainLines(failure.error), ...failureLines(failure)].join('\n');
}

function chainLines(error: unknown): string[] {
  return errorChain(error).map((link, depth) => `${depth === 0 ? '' : '  caused by '}${titleOf(link)}`);
}

/**
 * What a failed verify layer shows beneath its error: what the guest wrote (when it did not
 * decode), the last lines it logged in the failing call — the layer keeps them itself, as an
 * `InvalidResponse` error carries none — and, when the call ran out of fuel, where the fuel went.
 * `logLines: Infinity` shows every log line.
 */
export function failureLines(failure: LayerFailure, logLines: number = FAILURE_LOG_LINES): string[] {
  return [
    ...guestDiagnosticLines({ logs: failure.logs, cause: failure.error }, logLines),
    ...(failure.outOfFuelHint === undefined ? [] : failure.outOfFuelHint.split('\n')),
  ];
}

/**
 * The error and each error in its cause chain, outermost first. The chain ends at an engine error
 * for an exhausted budget: beneath it is only the trap the engine stopped the guest with
 * (`RuntimeError: unreachable`), which reads as if the guest had trapped.
 */
export function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < MAX_CAUSES; depth++) {
    chain.push(current);
    const kind = (current as { kind?: unknown }).kind;
    if (current instanceof PluginCallError && (kind === 'OutOfFuel' || kind === 'Timeout')) break;
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

/** The `kind` of an error and of each error in its cause chain, outermost first. */
export function kindsOfErrorChain(error: unknown): string[] {
  return errorChain(error).flatMap((link) => {
    const kind = link instanceof Error ? (link as { kind?: unknown }).kind : undefined;
    return typeof kind === 'string' ? [kind] : [];
  });
}

/** `Class kind: message`, plus the stage and internal error of a dispatch fallback. */
export function titleOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const label = classOf(error);
  const { kind, stage, errorKind, reason } = error as Partial<
    Record<'kind' | 'stage' | 'errorKind' | 'reason', unknown>
  >;
  const title = `${label}${typeof kind === 'string' && kind !== label ? ` ${kindLabel(error)}` : ''}: ${error.message}`;
  // A dispatch fallback's message names only the policy (as the Rust Display does); the stage and
  // the internal error, which our DispatchError keeps, are the reason it fell back.
  if (typeof stage === 'string' && typeof reason === 'string') {
    return `${title} (stage ${stage}: ${typeof errorKind === 'string' ? `${errorKind}: ` : ''}${reason})`;
  }
  return title;
}

/**
 * The error's `kind`, and for the Rust reference's catch-all `InvalidIdentity` (which a chosen
 * version the host never offered also becomes) the innermost kind beside it, so the headline says
 * what happened: `InvalidIdentity (ChosenVersionNotOffered)`.
 */
export function kindLabel(error: unknown): string {
  const kinds = kindsOfErrorChain(error);
  const [kind] = kinds;
  const inner = kinds.at(-1);
  if (kind === undefined) return '';
  return kind === 'InvalidIdentity' && inner !== undefined && inner !== kind ? `${kind} (${inner})` : kind;
}

/** The class name; `name` may be a Rust field shadowing it (`FunctionMissing { name }`). */
export function classOf(error: Error): string {
  const className = Object.getPrototypeOf(error)?.constructor?.name;
  return typeof className === 'string' && className !== '' ? className.replace(/Class$/, '') : 'Error';
}

/** A failed verify layer told in parts: what failed, and the causes beneath it ({@link failureLines} says the rest). */
export interface FailureAccount {
  /** for a fallback `filter fell back with policy UseDefault at stage plugin_call: …`; else the layer's own error */
  readonly headline: string;
  /** titles of the errors beneath the headline's, outermost first */
  readonly causes: readonly string[];
}

export function accountOfFailure(failure: LayerFailure): FailureAccount {
  // The VerifyError only says which layer failed, which the layer's name already says.
  const chain = errorChain(failure.error).slice(1);
  const own = chain[0] ?? failure.error;
  const { reason } = own as { reason?: unknown };
  const headline =
    failure.policy !== undefined && failure.stage !== undefined && typeof reason === 'string'
      ? `${failure.function} fell back with policy ${failure.policy} at stage ${failure.stage}: ${reason}`
      : own instanceof Error
        ? own.message
        : String(own);
  // A cause whose message the text above it already quotes would only repeat it.
  const causes: string[] = [];
  let said = headline;
  for (const link of chain.slice(1)) {
    const message = link instanceof Error ? link.message : String(link);
    // `handshake plugin instantiation failed: X` adds nothing beneath `plugin instantiation failed: X`.
    const reason = message.slice(message.indexOf(': ') + 2);
    if (said.includes(message) || (reason.length >= MIN_QUOTED_REASON && said.includes(reason))) continue;
    causes.push(titleOf(link));
    said += `\n${message}`;
  }
  return { headline, causes };
}
