/** Wire layer: `normalize_error` — rewrite an upstream error body (fallback PassThrough). */
import { base64, nullable, type Static, struct, u16 } from '../schema.js';
import { defineWireFunction } from './wire-function.js';

export const NormalizeErrorRequest = struct('NormalizeErrorRequest', {
  status: u16(),
  body_base64: base64(),
});
export type NormalizeErrorRequest = Static<typeof NormalizeErrorRequest>;

export const NormalizeErrorResponse = struct('NormalizeErrorResponse', {
  body_base64: nullable(base64()),
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
