/**
 * Wire layer: the seven wire functions of the 0.1.x protocol, in the reference order of
 * `all_wire_functions()` — the order the host offers them, sends them to the self-check and
 * cross-checks exports in.
 */
import { BuildSignerFn } from './build-signer.js';
import { FilterFn } from './filter.js';
import { NormalizeErrorFn } from './normalize-error.js';
import { ObserveFn } from './observe.js';
import { OnUnauthorizedFn } from './on-unauthorized.js';
import { ShapeFn } from './shape.js';
import { SignFn } from './sign.js';
import type { AnyWireFunction } from './wire-function.js';

export * from './build-signer.js';
export * from './common.js';
export * from './filter.js';
export * from './normalize-error.js';
export * from './observe.js';
export * from './on-unauthorized.js';
export * from './shape.js';
export * from './sign.js';
export * from './wire-function.js';

export const WIRE_FUNCTION_NAMES = [
  'shape',
  'normalize_error',
  'build_signer',
  'sign',
  'on_unauthorized',
  'observe',
  'filter',
] as const;
export type WireFunctionName = (typeof WIRE_FUNCTION_NAMES)[number];

export const allWireFunctions: readonly AnyWireFunction[] = Object.freeze([
  ShapeFn,
  NormalizeErrorFn,
  BuildSignerFn,
  SignFn,
  OnUnauthorizedFn,
  ObserveFn,
  FilterFn,
]);

/** Each wire function by its wire name: what `wireFunction(name)` returns for that name. */
export interface WireFunctionsByName {
  shape: typeof ShapeFn;
  normalize_error: typeof NormalizeErrorFn;
  build_signer: typeof BuildSignerFn;
  sign: typeof SignFn;
  on_unauthorized: typeof OnUnauthorizedFn;
  observe: typeof ObserveFn;
  filter: typeof FilterFn;
}

/** The wire function of that exact name, or undefined for any other name (the legacy `route` included). */
export function wireFunction<N extends WireFunctionName>(name: N): WireFunctionsByName[N];
export function wireFunction(name: string): AnyWireFunction | undefined;
export function wireFunction(name: string): AnyWireFunction | undefined {
  return allWireFunctions.find((fn) => fn.name === name);
}

export function isWireFunctionName(name: string): name is WireFunctionName {
  return (WIRE_FUNCTION_NAMES as readonly string[]).includes(name);
}
