/**
 * Vitest layer: what a matcher was called on. Every matcher takes wasm bytes or a
 * `PluginUnderTest`; `toDispatch` also takes a `PluginSession`. A session holds one instance and
 * the metadata of its handshake but not the module, so the matchers that build their own
 * instances cannot run on it. Anything else is a usage error, reported in Jest's matcher-error style.
 */
import type { MatcherState } from 'vitest';
import { isPluginUnderTest, type PluginSession, type PluginSource } from '../conformance/index.js';
import { HANDSHAKE_FUEL } from '../wire/index.js';

export type Receiver =
  | { readonly kind: 'source'; readonly source: PluginSource }
  | { readonly kind: 'session'; readonly session: PluginSession };

const SOURCE = 'wasm bytes (Uint8Array, ArrayBuffer or ArrayBufferView) or a PluginUnderTest from plugin()';

/** The plugin a source-only matcher runs on, or a `TypeError` that names what was received. */
export function sourceOf(state: MatcherState, hint: string, received: unknown): PluginSource {
  if (isSource(received)) return received;
  const problem = receivedProblem(state);
  if (looksLikeSession(received)) {
    throw new TypeError(
      `${hint}\n\n${problem} is a PluginSession, which only dispatches; this matcher needs the plugin ` +
        'itself: pass the wasm bytes or the PluginUnderTest (the `plugin` fixture)',
    );
  }
  throw wrongReceiver(state, hint, received, SOURCE);
}

/** The plugin or session `toDispatch` runs on, or a `TypeError` that names what was received. */
export function receiverOf(state: MatcherState, hint: string, received: unknown): Receiver {
  if (isSource(received)) return { kind: 'source', source: received };
  if (looksLikeSession(received)) return { kind: 'session', session: received };
  throw wrongReceiver(state, hint, received, `${SOURCE.replace(' or a ', ', a ')} or a PluginSession`);
}

/** The fuel each guest call of `source` may burn: its own limit, or the reference's 10 000 000. */
export function fuelBudgetOf(source: PluginSource): number {
  return isPluginUnderTest(source) ? source.limits.fuel : HANDSHAKE_FUEL;
}

/** `fuel used: 1234 of 10000000` — said in every message that reports a guest call. */
export function fuelText(used: number, budget: number | undefined): string {
  return budget === undefined ? `fuel used: ${used}` : `fuel used: ${used} of ${budget}`;
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

function receivedProblem(state: MatcherState): string {
  return `${state.utils.BOLD_WEIGHT('Matcher error')}: ${state.utils.RECEIVED_COLOR('received')} value`;
}

function wrongReceiver(state: MatcherState, hint: string, received: unknown, wanted: string): TypeError {
  const { printReceived, printWithType } = state.utils;
  return new TypeError(
    `${hint}\n\n${receivedProblem(state)} must be ${wanted}\n\n${printWithType('Received', received, printReceived)}`,
  );
}
