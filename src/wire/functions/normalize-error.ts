/** Wire layer: `normalize_error` — rewrite an upstream error body (fallback PassThrough). */
import { nullable, type Static, str, struct, u16 } from '../schema.js';
import { defineWireFunction } from './wire-function.js';

export const NormalizeErrorRequest = struct('NormalizeErrorRequest', {
  status: u16(),
  body_base64: str(),
});
export type NormalizeErrorRequest = Static<typeof NormalizeErrorRequest>;

export const NormalizeErrorResponse = struct('NormalizeErrorResponse', {
  body_base64: nullable(str()),
});
export type NormalizeErrorResponse = Static<typeof NormalizeErrorResponse>;

export const NormalizeErrorFn = defineWireFunction({
  name: 'normalize_error',
  supportedVersions: [1],
  fallback: 'PassThrough',
  request: NormalizeErrorRequest,
  response: NormalizeErrorResponse,
  dryRunRequest: (): NormalizeErrorRequest => ({ status: 500, body_base64: '' }),
  dryRunResponse: (): NormalizeErrorResponse => ({ body_base64: null }),
});
export type NormalizeErrorFn = typeof NormalizeErrorFn;
