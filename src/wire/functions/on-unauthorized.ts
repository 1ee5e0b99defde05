/**
 * Wire layer: `on_unauthorized` — decide what to do after an upstream 401 (fallback PassThrough).
 * `decision` is free-form: the wire crate enumerates no values (the sample uses `fail`).
 */
import { anyValue, type Static, str, struct } from '../schema.js';
import { dryRunSamples, UpstreamErrorWire } from './common.js';
import { defineWireFunction } from './wire-function.js';

export const OnUnauthorizedRequest = struct('OnUnauthorizedRequest', {
  error: UpstreamErrorWire,
  signer_state: anyValue(),
});
export type OnUnauthorizedRequest = Static<typeof OnUnauthorizedRequest>;

export const OnUnauthorizedResponse = struct('OnUnauthorizedResponse', {
  decision: str(),
  signer_state: anyValue(),
});
export type OnUnauthorizedResponse = Static<typeof OnUnauthorizedResponse>;

export const OnUnauthorizedFn = defineWireFunction({
  name: 'on_unauthorized',
  supportedVersions: [1],
  fallback: 'PassThrough',
  request: OnUnauthorizedRequest,
  response: OnUnauthorizedResponse,
  dryRunRequest: (): OnUnauthorizedRequest => ({
    error: dryRunSamples.UpstreamErrorWire(),
    signer_state: null,
  }),
  dryRunResponse: (): OnUnauthorizedResponse => ({ decision: 'fail', signer_state: null }),
});
export type OnUnauthorizedFn = typeof OnUnauthorizedFn;
