/**
 * Wire layer: the description every wire function carries (PROTOCOL.md §6.2) — its name (also the
 * guest export and the key in offers, accepts and metadata), the versions the host offers, the
 * compile-time fallback policy, the request/response schemas and fixed dry-run samples.
 */
import type { TSchema } from '@sinclair/typebox';
import type { FallbackPolicy } from '../fallback.js';

export interface WireFunction<Req, Res, N extends string = string> {
  readonly name: N;
  readonly supportedVersions: readonly number[];
  readonly fallback: FallbackPolicy;
  readonly request: TSchema;
  readonly response: TSchema;
  /** A fresh sample request on every call, so callers may mutate it. */
  dryRunRequest(): Req;
  /** A fresh sample response on every call, so callers may mutate it. */
  dryRunResponse(): Res;
}

/** Any wire function; `Req`/`Res` only appear as return types, so every WireFunction fits. */
export type AnyWireFunction = WireFunction<unknown, unknown, string>;

export type RequestOf<F> = F extends WireFunction<infer Q, unknown, string> ? Q : never;
export type ResponseOf<F> = F extends WireFunction<unknown, infer R, string> ? R : never;

/** Freezes the description (the samples stay fresh per call). */
export function defineWireFunction<Req, Res, const N extends string>(
  fn: WireFunction<Req, Res, N>,
): WireFunction<Req, Res, N> {
  return Object.freeze({ ...fn, supportedVersions: Object.freeze([...fn.supportedVersions]) });
}
