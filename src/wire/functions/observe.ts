/**
 * Wire layer: `observe` — a batch of request lifecycle events (fallback SilentSkip). The v1 and v2
 * generations are identical; the response is an empty object that rejects every key.
 */
import { list, type Static, struct } from '../schema.js';
import { ObserveEventWire } from './common.js';
import { defineWireFunction } from './wire-function.js';

export const ObserveRequest = struct('ObserveRequest', {
  events: list(ObserveEventWire),
});
export type ObserveRequest = Static<typeof ObserveRequest>;

export const ObserveResponse = struct('ObserveResponse', {});
export type ObserveResponse = Static<typeof ObserveResponse>;

export const ObserveFn = defineWireFunction({
  name: 'observe',
  supportedVersions: [1],
  fallback: 'SilentSkip',
  request: ObserveRequest,
  response: ObserveResponse,
  dryRunRequest: (): ObserveRequest => ({ events: [] }),
  dryRunResponse: (): ObserveResponse => ({}),
});
export type ObserveFn = typeof ObserveFn;
