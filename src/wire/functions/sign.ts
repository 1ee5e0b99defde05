/**
 * Wire layer: `sign` — sign a shaped request (fallback FailRequest). Every response field is
 * nullable (always emitted): `null` keeps the shaped request's value.
 */
import { anyValue, base64, list, nullable, type Static, str, struct } from '../schema.js';
import { dryRunSamples, HeaderWire, ShapedRequestWire } from './common.js';
import { defineWireFunction } from './wire-function.js';

export const SignRequest = struct('SignRequest', {
  shaped: ShapedRequestWire,
  signer_state: anyValue(),
});
export type SignRequest = Static<typeof SignRequest>;

export const SignResponse = struct('SignResponse', {
  url: nullable(str()),
  method: nullable(str()),
  headers: nullable(list(HeaderWire)),
  body_base64: nullable(base64()),
});
export type SignResponse = Static<typeof SignResponse>;

export const SignFn = defineWireFunction({
  name: 'sign',
  supportedVersions: [1],
  fallback: 'FailRequest',
  request: SignRequest,
  response: SignResponse,
  dryRunRequest: (): SignRequest => ({ shaped: dryRunSamples.ShapedRequestWire(), signer_state: null }),
  dryRunResponse: (): SignResponse => ({ url: null, method: null, headers: null, body_base64: null }),
});
export type SignFn = typeof SignFn;
