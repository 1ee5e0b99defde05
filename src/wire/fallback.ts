/**
 * Wire layer: what the host does when a wire-function call fails (PROTOCOL.md §6.1). Our values
 * are the Rust variant names (as Rust's `Debug` prints them); the JSON form is snake_case and is
 * converted only at the wire boundary.
 */
import { type Static, unitEnum } from './schema.js';

export const FALLBACK_POLICIES = ['FailRequest', 'SilentSkip', 'UseDefault', 'PassThrough'] as const;
export type FallbackPolicy = (typeof FALLBACK_POLICIES)[number];

export const FallbackPolicyWire = unitEnum('FallbackPolicy', [
  'fail_request',
  'silent_skip',
  'use_default',
  'pass_through',
]);
export type FallbackPolicyWire = Static<typeof FallbackPolicyWire>;

const TO_WIRE: Readonly<Record<FallbackPolicy, FallbackPolicyWire>> = {
  FailRequest: 'fail_request',
  SilentSkip: 'silent_skip',
  UseDefault: 'use_default',
  PassThrough: 'pass_through',
};

const FROM_WIRE: Readonly<Record<FallbackPolicyWire, FallbackPolicy>> = {
  fail_request: 'FailRequest',
  silent_skip: 'SilentSkip',
  use_default: 'UseDefault',
  pass_through: 'PassThrough',
};

export function fallbackPolicyToWire(policy: FallbackPolicy): FallbackPolicyWire {
  if (!Object.hasOwn(TO_WIRE, policy))
    throw new TypeError(`unknown fallback policy ${JSON.stringify(policy)}`);
  return TO_WIRE[policy];
}

export function fallbackPolicyFromWire(wire: FallbackPolicyWire): FallbackPolicy {
  if (!Object.hasOwn(FROM_WIRE, wire)) throw new TypeError(`unknown fallback policy ${JSON.stringify(wire)}`);
  return FROM_WIRE[wire];
}
