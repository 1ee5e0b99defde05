/**
 * Conformance layer: where the fuel went when a call ran out of it. Failure messages (the
 * `toDispatch` matcher, the CLI) add the functions with the most self fuel, from a replay of the
 * same call with profiling on a fresh instance: the failing call itself ran on the default
 * variant, which records nothing.
 */
import { type FuelProfile, topSelfFuel } from '../engine/profile/fuel-profile.js';
import type { DispatchOutcome } from '../host/index.js';
import type { AnyWireFunction } from '../wire/index.js';
import { dispatch } from './dispatch.js';
import { RunError } from './errors.js';
import type { PluginSource } from './plugin-under-test.js';

/** The fallback text of a dispatch whose guest call ran out of fuel (the Rust texts). */
const OUT_OF_FUEL = 'plugin call failed: plugin ran out of fuel';

/** Whether the outcome is a fallback because the guest call ran out of fuel. */
export function ranOutOfFuel(outcome: DispatchOutcome<unknown>): boolean {
  return outcome.kind === 'fallback' && outcome.stage === 'plugin_call' && outcome.error === OUT_OF_FUEL;
}

/** The hint's lines for a profile of a call that ran out of fuel. */
export function outOfFuelHintText(profile: FuelProfile, count = 5): string {
  const lines = topSelfFuel(profile, count).map((line, i) => `  ${i + 1}. ${line}`);
  return [`Most self fuel (a profiled replay of the call on a fresh instance):`, ...lines].join('\n');
}

/**
 * Replays the call with profiling on a fresh instance and returns the hint, or undefined when the
 * replay did not run out of fuel too (a guest whose state changed what the call costs).
 */
export async function outOfFuelHint(
  source: PluginSource,
  fn: AnyWireFunction,
  request: unknown,
): Promise<string | undefined> {
  let replay: DispatchOutcome<unknown>;
  try {
    replay = await dispatch.run(source, fn, request as never, { profile: true });
  } catch (error) {
    // the plugin handshook for the call that failed; should a fresh instance not, say so
    if (!(error instanceof RunError)) throw error;
    return `No fuel profile: the profiled replay on a fresh instance failed: ${error.message}`;
  }
  if (!ranOutOfFuel(replay) || replay.profile === undefined) return undefined;
  return outOfFuelHintText(replay.profile);
}

/**
 * The hint for a dispatch outcome: undefined unless it ran out of fuel; then from the call's own
 * profile when it was profiled, else from {@link outOfFuelHint}'s replay.
 */
export async function outOfFuelHintFor(
  outcome: DispatchOutcome<unknown>,
  source: PluginSource,
  fn: AnyWireFunction,
  request: unknown,
): Promise<string | undefined> {
  if (!ranOutOfFuel(outcome)) return undefined;
  return outcome.profile === undefined
    ? outOfFuelHint(source, fn, request)
    : outOfFuelHintText(outcome.profile);
}
