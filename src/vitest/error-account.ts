/**
 * Vitest layer: the "why" part of a failure message — an error of this package told as its class,
 * `kind` and message, followed by every error in its `cause` chain (conformance → host → wire or
 * engine), so a failing assertion shows the variant to match on at each layer; then what the guest
 * wrote (when it did not decode) and the last lines it logged in the failing call.
 */
import { guestDiagnosticLines } from '../conformance/index.js';

/** The deepest cause chain in this package is four errors long; the cap guards against cycles. */
const MAX_CAUSES = 8;

/** One line per error: `HandshakeError DowngradeAttempt: downgrade attempt …`, then `caused by …` lines. */
export function accountOfError(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < MAX_CAUSES; depth++) {
    lines.push(`${depth === 0 ? '' : '  caused by '}${titleOf(current)}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  lines.push(...guestDiagnosticLines(error));
  return lines.join('\n');
}

/** The `kind` of an error and of each error in its cause chain, outermost first. */
export function kindsOfErrorChain(error: unknown): string[] {
  const kinds: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < MAX_CAUSES; depth++) {
    const kind = (current as { kind?: unknown }).kind;
    if (typeof kind === 'string') kinds.push(kind);
    current = current.cause;
  }
  return kinds;
}

function titleOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // `name` may be a Rust field shadowing the class name (`FunctionMissing { name }`): use the class.
  const className = Object.getPrototypeOf(error)?.constructor?.name;
  const label = typeof className === 'string' && className !== '' ? className.replace(/Class$/, '') : 'Error';
  const { kind, stage, errorKind, reason } = error as Partial<
    Record<'kind' | 'stage' | 'errorKind' | 'reason', unknown>
  >;
  const title = `${label}${typeof kind === 'string' && kind !== label ? ` ${kind}` : ''}: ${error.message}`;
  // A dispatch fallback's message names only the policy (as the Rust Display does); the stage and
  // the internal error, which our DispatchError keeps, are the reason it fell back.
  if (typeof stage === 'string' && typeof reason === 'string') {
    return `${title} (stage ${stage}: ${typeof errorKind === 'string' ? `${errorKind}: ` : ''}${reason})`;
  }
  return title;
}
