/**
 * Conformance layer: the report objects returned by identity, handshake, self-check and verify.
 * Our own objects, so camelCase; wire values inside them (`PluginIdentity`) keep snake_case.
 */
import type { PluginIdentity } from '../wire/index.js';

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
  /** the accept's `chosen_versions` */
  readonly chosenVersions: Record<string, number>;
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
}

export interface ExtraInfo {
  readonly kind: string;
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
