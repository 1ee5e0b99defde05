/**
 * Wire layer: `shape` — turn a downstream request into the upstream request (fallback
 * FailRequest). `ShapeRequest` is the v2 generation the conformance suite sends; `ShapeRequestV1`
 * is what a v1 guest decodes, which rejects `upstream_base_url` when present.
 */
import { base64, list, omittable, type Static, str, struct } from '../schema.js';
import { dryRunSamples, HeaderWire, Principal, RequestWire, UpstreamWire } from './common.js';
import { defineWireFunction } from './wire-function.js';

export const ShapeRequestV1 = struct('ShapeRequest', {
  request: RequestWire,
  upstream: UpstreamWire,
  principal: Principal,
});
export type ShapeRequestV1 = Static<typeof ShapeRequestV1>;

export const ShapeRequest = struct('ShapeRequest', {
  request: RequestWire,
  upstream: UpstreamWire,
  principal: Principal,
  upstream_base_url: omittable(str()),
});
export type ShapeRequest = Static<typeof ShapeRequest>;

export const ShapeResponse = struct('ShapeResponse', {
  url: str(),
  method: str(),
  headers: list(HeaderWire),
  body_base64: base64(),
});
export type ShapeResponse = Static<typeof ShapeResponse>;

export const ShapeFn = defineWireFunction({
  name: 'shape',
  supportedVersions: [1],
  fallback: 'FailRequest',
  request: ShapeRequest,
  response: ShapeResponse,
  dryRunRequest: (): ShapeRequest => ({
    request: dryRunSamples.RequestWire(),
    upstream: dryRunSamples.UpstreamWire(),
    principal: dryRunSamples.Principal(),
  }),
  dryRunResponse: (): ShapeResponse => ({
    url: 'https://api.anthropic.com/v1/messages',
    method: 'POST',
    headers: [],
    body_base64: '',
  }),
});
export type ShapeFn = typeof ShapeFn;
