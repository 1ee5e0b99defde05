/**
 * Conformance layer: the report objects returned by identity, handshake, self-check and verify.
 * Our own objects, so camelCase; wire values inside them (`PluginIdentity`) keep snake_case.
 */
import type { GuestLogEntry } from '../engine/index.js';
import type { DispatchStage } from '../host/index.js';
import type { FallbackPolicy, PluginIdentity, WireFunctionName } from '../wire/index.js';

/** The nine static identity checks, in the reference's fixed order. */
export const STATIC_CHECK_NAMES = [
  'CustomSectionExactlyOnce',
  'CustomSectionSizeWithinLimit',
  'JsonFieldsExactlyFour',
  'IdentityFieldsWellFormed',
  'PluginNameRegexCompliant',
  'PluginVersionLengthCompliant',
  'AllRequiredExportsPresent',
  'ExtismCanInstantiate',
  'NoWasiImports',
] as const;
export type StaticCheckName = (typeof STATIC_CHECK_NAMES)[number];

/** One static check; `detail` is `undefined` exactly when the check passes. */
export interface StaticCheck {
  readonly name: StaticCheckName;
  readonly pass: boolean;
  readonly detail: string | undefined;
}

export interface IdentityReport {
  readonly identity: PluginIdentity;
  readonly staticChecks: StaticCheck[];
}

export interface HandshakeReport {
  /** the accept's `chosen_versions`, keyed by wire function name (the host refuses any other key) */
  readonly chosenVersions: Partial<Record<WireFunctionName, number>>;
  readonly envelopeVersion: number;
  readonly identity: { readonly name: string; readonly version: string; readonly abiEnvelope: number };
  /** the accept's `required_capabilities` (sorted, de-duplicated) */
  readonly negotiatedCapabilities: string[];
  /** fuel burnt by the `cc_lb_handshake` call */
  readonly fuelConsumed: number;
  /** see `attachWarnings` */
  readonly warnings?: readonly string[];
}

export interface SelfCheckFailure {
  /** the wire failure's stage name, e.g. `wire_function_test` (the reference puts it here) */
  readonly function: string;
  /** always 0: the wire failure carries no version */
  readonly version: number;
  readonly reason: string;
}

export interface SelfCheckReport {
  readonly status: 'Success' | 'Failure';
  readonly failures: SelfCheckFailure[];
  /** fuel burnt by the `cc_lb_self_check` call */
  readonly fuelConsumed: number;
  /** see `attachWarnings` */
  readonly warnings?: readonly string[];
}

export interface LayerResult {
  readonly layer: string;
  readonly passed: boolean;
  readonly detail: string | undefined;
  /** fuel burnt by the guest call(s) behind this layer, where a guest call was made */
  readonly fuelConsumed?: number;
  /** why the layer failed, when it failed with an error (a static check only marks `passed`) */
  readonly failure?: LayerFailure;
}

/** One line the guest logged through Extism's `log_*` during the failing call (the engine's entry). */
export type GuestLogLine = GuestLogEntry;

/**
 * What an author needs to act on a failed layer: the error (a `VerifyError` whose cause chain goes
 * down to the engine) and, for a dispatch layer, the facts the Rust outcome hides.
 */
export interface LayerFailure {
  readonly error: Error;
  /** dispatch layers: the wire function called */
  readonly function?: string;
  /** dispatch layers that fell back: the function's policy and the stage that failed */
  readonly policy?: FallbackPolicy;
  readonly stage?: DispatchStage;
  /** the guest's log lines of the failing call, oldest first (empty when it logged nothing) */
  readonly logs?: readonly GuestLogLine[];
  /** dispatch layers whose call ran out of fuel: the functions with the most self fuel, from a profiled replay */
  readonly outOfFuelHint?: string;
}

export interface ExtraInfo {
  /** the one kind of note the verify flow makes: a chosen function no verified kind requires */
  readonly kind: 'extra_function';
  readonly message: string;
}

export interface VerifyReport {
  readonly identity: LayerResult;
  readonly handshake: LayerResult;
  readonly selfCheck: LayerResult;
  readonly dispatch: LayerResult[];
  readonly extras: ExtraInfo[];
  /** see `attachWarnings` */
  readonly warnings?: readonly string[];
}

/**
 * Attaches `warnings` (e.g. a call slower than `wallMs`) to a report, when there are any, as a
 * non-enumerable property: matchers and the CLI show them, while report equality (`toEqual`,
 * snapshots, `--json` diffs) stays independent of wall-clock time, which is noise.
 */
export function attachWarnings<T extends object>(report: T, warnings: readonly (string | undefined)[]): T {
  const present = warnings.filter((w): w is string => w !== undefined);
  if (present.length > 0) {
    Object.defineProperty(report, 'warnings', { value: Object.freeze(present), enumerable: false });
  }
  return report;
}

/** The warnings attached to a report (none: an empty list). */
export function warningsOf(report: unknown): readonly string[] {
  const warnings = (report as { warnings?: unknown } | undefined)?.warnings;
  return Array.isArray(warnings) ? (warnings as string[]) : [];
}
