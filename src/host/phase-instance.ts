/**
 * Host layer: the instance a host phase (handshake, self-check) builds and disposes of. The
 * reference hard-codes the budgets (200 ms and 10 000 000 fuel for both phases); callers here may
 * override them, e.g. to see how close a plugin runs to its fuel budget.
 */
import {
  type BuildOptions,
  type GuestLogEntry,
  type LoadedPlugin,
  type RawOutput,
  rawOutputOf,
} from '../engine/index.js';

export interface HostCallOptions {
  /** fuel for the instance; default HANDSHAKE_FUEL / SELF_CHECK_FUEL (10 000 000) */
  fuel?: number;
  /** wall-clock budget in ms; default HANDSHAKE_WALL_MS / SELF_CHECK_WALL_MS (200) */
  wallMs?: number;
  /** fail a call that overran `wallMs` (off by default: fuel is the deterministic budget) */
  strictWallClock?: boolean;
  /** guest memory cap in 64 KiB pages; engine default 2048 */
  maxMemoryPages?: number;
}

/** The engine build options for one phase: the caller's overrides over the phase defaults. */
export function phaseBuildOptions(
  options: HostCallOptions,
  defaults: { wallMs: number; fuel: number },
): BuildOptions {
  return {
    wallMs: options.wallMs ?? defaults.wallMs,
    fuel: options.fuel ?? defaults.fuel,
    ...(options.strictWallClock === undefined ? {} : { strictWallClock: options.strictWallClock }),
    ...(options.maxMemoryPages === undefined ? {} : { maxMemoryPages: options.maxMemoryPages }),
  };
}

/** Closing must never replace the phase's own outcome. */
export async function closeQuietly(plugin: LoadedPlugin): Promise<void> {
  try {
    await plugin.close();
  } catch {
    // the instance is discarded either way
  }
}

/**
 * `error`, a phase failure after its guest call returned, carrying what that call left for the
 * author (non-enumerable, outside the error's identity): the call's log lines when it logged, and
 * with `output`, what the guest wrote (for a failure to decode it).
 */
export function withCallDiagnostics<E extends Error>(
  error: E,
  logs: readonly GuestLogEntry[],
  output?: Uint8Array,
): E & { readonly logs?: readonly GuestLogEntry[]; readonly output?: RawOutput } {
  if (logs.length > 0 && !Object.hasOwn(error, 'logs')) Object.defineProperty(error, 'logs', { value: logs });
  if (output !== undefined && !Object.hasOwn(error, 'output')) {
    Object.defineProperty(error, 'output', { value: rawOutputOf(output) });
  }
  return error;
}
