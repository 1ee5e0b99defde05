/**
 * Vitest layer: what a matcher was called on. Every matcher takes wasm bytes or a
 * `PluginUnderTest`; all but the identity ones also take a `PluginSession`. `toDispatch` calls the
 * session's own instance; the matchers that build their own instances run on `session.plugin`
 * (which carries the capabilities the session offered) and repeat the session's offer, so they
 * test the plugin the session was made from under the same host. The identity matchers read the
 * module's bytes and, per the API, take only the plugin itself. Anything else is a usage error,
 * reported in Jest's matcher-error style.
 */
import type { MatcherState } from 'vitest';
import {
  type HandshakeOptions,
  isPluginUnderTest,
  type PluginSession,
  type PluginSource,
} from '../conformance/index.js';
import { HANDSHAKE_FUEL } from '../wire/index.js';

export type Receiver =
  | { readonly kind: 'source'; readonly source: PluginSource }
  | { readonly kind: 'session'; readonly session: PluginSession };

/** A matcher that builds its own instances: the plugin, and the offer to handshake it with. */
export interface PluginTarget {
  readonly source: PluginSource;
  /** the session's offered versions; empty (the default offer) for a plugin passed directly */
  readonly handshake: HandshakeOptions;
}

const SOURCE = 'wasm bytes (Uint8Array, ArrayBuffer or ArrayBufferView) or a PluginUnderTest from plugin()';
const SOURCE_OR_SESSION = `${SOURCE.replace(' or a ', ', a ')} or a PluginSession`;

/** The plugin an identity matcher reads, or a `TypeError` that names what was received. */
export function identitySourceOf(state: MatcherState, hint: string, received: unknown): PluginSource {
  if (isSource(received)) return received;
  if (looksLikeSession(received)) {
    throw new TypeError(
      `${hint}\n\n${receivedProblem(state)} is a PluginSession; the identity matchers read the module ` +
        'itself: pass the wasm bytes or the PluginUnderTest (the `plugin` fixture, or `session.plugin`)',
    );
  }
  throw wrongReceiver(state, hint, received, SOURCE);
}

/**
 * The plugin a handshake, self-check or verify matcher runs on — for a session, the plugin it was
 * made from and its offer — or a `TypeError` that names what was received.
 */
export function targetOf(state: MatcherState, hint: string, received: unknown): PluginTarget {
  if (isSource(received)) return { source: received, handshake: {} };
  if (looksLikeSession(received) && isPluginUnderTest(received.plugin)) {
    return { source: received.plugin, handshake: { functionVersions: offeredVersions(received) } };
  }
  throw wrongReceiver(state, hint, received, SOURCE_OR_SESSION);
}

/** The plugin or session `toDispatch` runs on, or a `TypeError` that names what was received. */
export function receiverOf(state: MatcherState, hint: string, received: unknown): Receiver {
  if (isSource(received)) return { kind: 'source', source: received };
  if (looksLikeSession(received)) return { kind: 'session', session: received };
  throw wrongReceiver(state, hint, received, SOURCE_OR_SESSION);
}

/** The fuel each guest call of `source` may burn: its own limit, or the reference's 10 000 000. */
export function fuelBudgetOf(source: PluginSource): number {
  return isPluginUnderTest(source) ? source.limits.fuel : HANDSHAKE_FUEL;
}

/** `fuel used: 1234 of 10000000` — said in every message that reports a guest call. */
export function fuelText(used: number, budget: number | undefined): string {
  return budget === undefined ? `fuel used: ${used}` : `fuel used: ${used} of ${budget}`;
}

/** A report's warnings (a call slower than wallMs…), one `Warning:` line each, after a blank line. */
export function warningText(warnings: readonly string[] | undefined): string {
  return warnings === undefined || warnings.length === 0
    ? ''
    : `\n\n${warnings.map((w) => `Warning: ${w}`).join('\n')}`;
}

function isSource(value: unknown): value is PluginSource {
  return isPluginUnderTest(value) || value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/**
 * Sessions are recognised by shape, not `instanceof`: the package may be loaded twice (a setup
 * file and a test importing another path), and a session made by either copy must be accepted.
 */
function looksLikeSession(value: unknown): value is PluginSession {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof PluginSession, unknown>>;
  return (
    typeof candidate.dispatch === 'function' &&
    typeof candidate.close === 'function' &&
    typeof candidate.metadata === 'object' &&
    candidate.metadata !== null
  );
}

/** The session's record is frozen; the handshake options want arrays of their own. */
function offeredVersions(session: PluginSession): HandshakeOptions['functionVersions'] {
  return Object.fromEntries(
    Object.entries(session.functionVersions).flatMap(([name, versions]) =>
      versions === undefined ? [] : [[name, [...versions]]],
    ),
  );
}

function receivedProblem(state: MatcherState): string {
  return `${state.utils.BOLD_WEIGHT('Matcher error')}: ${state.utils.RECEIVED_COLOR('received')} value`;
}

function wrongReceiver(state: MatcherState, hint: string, received: unknown, wanted: string): TypeError {
  const { printReceived, printWithType } = state.utils;
  return new TypeError(
    `${hint}\n\n${receivedProblem(state)} must be ${wanted}\n\n${printWithType('Received', received, printReceived)}`,
  );
}
