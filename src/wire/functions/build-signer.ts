/** Wire layer: `build_signer` — derive a signer's opaque state for an upstream (fallback FailRequest). */
import { anyValue, type Static, struct } from '../schema.js';
import { dryRunSamples, UpstreamWire } from './common.js';
import { defineWireFunction } from './wire-function.js';

export const BuildSignerRequest = struct('BuildSignerRequest', {
  upstream: UpstreamWire,
  factory_state: anyValue(),
});
export type BuildSignerRequest = Static<typeof BuildSignerRequest>;

export const BuildSignerResponse = struct('BuildSignerResponse', {
  signer_state: anyValue(),
});
export type BuildSignerResponse = Static<typeof BuildSignerResponse>;

export const BuildSignerFn = defineWireFunction({
  name: 'build_signer',
  supportedVersions: [1],
  fallback: 'FailRequest',
  request: BuildSignerRequest,
  response: BuildSignerResponse,
  dryRunRequest: (): BuildSignerRequest => ({ upstream: dryRunSamples.UpstreamWire(), factory_state: null }),
  dryRunResponse: (): BuildSignerResponse => ({ signer_state: null }),
});
export type BuildSignerFn = typeof BuildSignerFn;
