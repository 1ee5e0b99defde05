import type { GuestLogEntry } from './guest-log.js';
/**
 * Engine layer: the two errors the engine throws. Every failure of building or calling a plugin is
 * normalized to one of these, with the Rust host's texts, so no SDK quirk (plain objects,
 * RangeErrors, BigInt conversion errors, prefixed messages) ever reaches the layers above.
 */
import type { FuelProfile } from './profile/fuel-profile.js';
import type { RawOutput } from './raw-output.js';

export type PluginCallErrorKind =
  | 'OutOfFuel'
  | 'Timeout'
  | 'NonZeroExit'
  | 'GuestError'
  | 'Trap'
  | 'InvalidUtf8Output'
  | 'MissingExport';

/** A failed plugin call; `message` (= `reason`) is the text the Rust Extism host reports. */
export class PluginCallError extends Error {
  override readonly name = 'PluginCallError';
  readonly reason: string;

  constructor(
    readonly kind: PluginCallErrorKind,
    reason: string,
    details: {
      returnCode?: number;
      fuelConsumed?: number;
      cause?: unknown;
      logs?: readonly GuestLogEntry[];
      output?: RawOutput;
    } = {},
  ) {
    super(reason, details.cause === undefined ? undefined : { cause: details.cause });
    this.reason = reason;
    if (details.returnCode !== undefined) (this as { returnCode?: number }).returnCode = details.returnCode;
    if (details.fuelConsumed !== undefined)
      (this as { fuelConsumed?: number }).fuelConsumed = details.fuelConsumed;
    if (details.output !== undefined) (this as { output?: RawOutput }).output = details.output;
    // Diagnostics, not part of the error's identity: left out of equality and snapshots.
    if (details.logs !== undefined) Object.defineProperty(this, 'logs', { value: details.logs });
  }

  /** The guest's i32 return code, for `NonZeroExit`. */
  declare readonly returnCode?: number;
  /** Fuel consumed by the failed call, where known. */
  declare readonly fuelConsumed?: number;
  /** For `InvalidUtf8Output`: what the guest wrote (its length and first bytes). */
  declare readonly output?: RawOutput;
  /** The guest's log lines of the failed call (non-enumerable), where the call ran. */
  declare readonly logs?: readonly GuestLogEntry[];
  /** The failed call's partial fuel profile, on a plugin built with `profile: true`. */
  declare readonly profile?: FuelProfile;
}

/** The Rust `BuildPluginError::Instantiate { reason }`: `failed to instantiate plugin: {reason}`. */
export class BuildPluginError extends Error {
  override readonly name: string = 'BuildPluginError';
  readonly kind: 'Instantiate' | 'UnsupportedFeature' = 'Instantiate';

  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`failed to instantiate plugin: ${reason}`, options);
  }
}

/**
 * A module the Rust host would run but this engine cannot: it uses a WebAssembly proposal that
 * wasmtime's defaults accept and Node's V8 cannot run (correctly). Not a verdict on the plugin:
 * the message names the proposal and says the host accepts it.
 */
export class UnsupportedFeatureError extends BuildPluginError {
  override readonly name = 'UnsupportedFeatureError';
  override readonly kind = 'UnsupportedFeature' as const;

  constructor(
    readonly feature: string,
    what: string,
    options?: { cause?: unknown },
  ) {
    super(unsupportedFeatureText(feature, what), options);
    this.message = this.reason;
  }
}

function unsupportedFeatureText(feature: string, what: string): string {
  return (
    `unsupported feature: ${feature} (${what}) — the cc-lb host (wasmtime) accepts it, but this ` +
    `engine (Node ${process.versions.node}, V8 ${process.versions.v8}) cannot run it, so this ` +
    'plugin cannot be tested here; run it against the Rust host'
  );
}
