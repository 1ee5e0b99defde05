/**
 * Wire layer: `filter` — the v3 router hook (fallback UseDefault): one decision per candidate.
 * The request is flat (request fields are not nested under `request`) and carries v2 candidates,
 * which may hold a `cache_score`. The later `{kept_upstream_ids, …}` response is not 0.1.x.
 */
import { base64, list, nullable, type Static, str, struct } from '../schema.js';
import { CandidateWire, dryRunSamples, HeaderWire, PerCandidateReasonWire, Principal } from './common.js';
import { defineWireFunction } from './wire-function.js';

export const FilterRequest = struct('FilterRequest', {
  request_id: str(),
  headers: list(HeaderWire),
  method: str(),
  path: str(),
  query: nullable(str()),
  body_base64: base64(),
  principal: Principal,
  candidates: list(CandidateWire),
});
export type FilterRequest = Static<typeof FilterRequest>;

export const FilterResponse = struct('FilterResponse', {
  results: list(PerCandidateReasonWire),
});
export type FilterResponse = Static<typeof FilterResponse>;

export const FilterFn = defineWireFunction({
  name: 'filter',
  supportedVersions: [1],
  fallback: 'UseDefault',
  request: FilterRequest,
  response: FilterResponse,
  dryRunRequest: (): FilterRequest => ({
    ...dryRunSamples.RequestWire(),
    principal: dryRunSamples.Principal(),
    candidates: [],
  }),
  dryRunResponse: (): FilterResponse => ({ results: [dryRunSamples.PerCandidateReasonWire()] }),
});
export type FilterFn = typeof FilterFn;
