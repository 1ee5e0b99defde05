/**
 * Wire layer: the types shared by the wire functions (PROTOCOL.md §6.4). These are the v2
 * generation (v1 plus two omittable keys); the one v1 type that differs, `CandidateWireV1`, is
 * kept for decoding what a v1 guest would accept. Field order is the serialization order.
 *
 * Dry-run samples: `dryRunSamples.<TypeName>()` returns a fresh copy of the reference's
 * `dry_run_sample()` for every common type that has one (the v2-only cache types have none).
 */
import { type TLiteral, type TObject, type TProperties, type TUnion, Type } from '@sinclair/typebox';
import {
  anyValue,
  base64,
  bool,
  f32,
  f64,
  list,
  map,
  nullable,
  omittable,
  type Static,
  str,
  struct,
  tagged,
  u16,
  u32,
  u64,
  unitEnum,
  usize,
} from '../schema.js';

/**
 * `tagged` with the tag's name kept as a literal type, so that each variant's static type is
 * `{ kind: 'x' } & fields` rather than an index signature that rejects the fields.
 */
const taggedBy = <const T extends string, const V extends Record<string, TProperties>>(
  name: string,
  tag: T,
  variants: V,
) =>
  tagged(name, tag, variants) as unknown as TUnion<
    { [K in keyof V]: TObject<{ [P in T]: TLiteral<K & string> } & V[K]> }[keyof V][]
  >;

export const HeaderWire = struct('HeaderWire', {
  name: str(),
  /** base64 of the raw header value */
  value_base64: base64(),
});
export type HeaderWire = Static<typeof HeaderWire>;

export const Principal = struct('Principal', {
  id: str(),
  kind: str(),
  claims: map(anyValue()),
});
export type Principal = Static<typeof Principal>;

export const RequestWire = struct('RequestWire', {
  request_id: str(),
  headers: list(HeaderWire),
  method: str(),
  path: str(),
  query: nullable(str()),
  body_base64: base64(),
});
export type RequestWire = Static<typeof RequestWire>;

export const RateLimitObservationWire = struct('RateLimitObservationWire', {
  kind: str(),
  window: str(),
  limit: nullable(u64()),
  remaining: nullable(u64()),
  reset: nullable(str()),
});
export type RateLimitObservationWire = Static<typeof RateLimitObservationWire>;

export const SubscriptionQuotaCandidateSnapshotWire = struct('SubscriptionQuotaCandidateSnapshotWire', {
  window: str(),
  source: str(),
  data_state: str(),
  utilization: nullable(f64()),
  status: nullable(str()),
  resets_at_unix_secs: nullable(u64()),
  surpassed_threshold: nullable(bool()),
  representative_claim: nullable(str()),
  disabled_reason: nullable(str()),
  observed_at_unix_millis: nullable(u64()),
  age_secs: nullable(u64()),
});
export type SubscriptionQuotaCandidateSnapshotWire = Static<typeof SubscriptionQuotaCandidateSnapshotWire>;

export const TtlClassWire = unitEnum('TtlClassWire', ['ephemeral5m', 'ephemeral1h']);
export type TtlClassWire = Static<typeof TtlClassWire>;

export const BreakpointOriginWire = unitEnum('BreakpointOriginWire', ['explicit', 'auto_cache_inferred']);
export type BreakpointOriginWire = Static<typeof BreakpointOriginWire>;

export const CacheBreakpointSourceWire = unitEnum('CacheBreakpointSourceWire', [
  'tools',
  'system',
  'message',
]);
export type CacheBreakpointSourceWire = Static<typeof CacheBreakpointSourceWire>;

/** Defined by the v2 generation but reachable from no 0.1.x wire function. */
export const CacheBreakpointWire = struct('CacheBreakpointWire', {
  block_index: u32(),
  source: CacheBreakpointSourceWire,
  path: str(),
  message_index: omittable(u32()),
  prefix_hash: str(),
  prefix_token_count: u64(),
  requested_ttl: TtlClassWire,
  origin: BreakpointOriginWire,
});
export type CacheBreakpointWire = Static<typeof CacheBreakpointWire>;

/** Defined by the v2 generation but reachable from no 0.1.x wire function. */
export const WarmCacheEntryWire = struct('WarmCacheEntryWire', {
  prefix_hash: str(),
  expires_at_unix_secs: u64(),
  ttl_class: TtlClassWire,
  last_observed_at_unix_secs: u64(),
});
export type WarmCacheEntryWire = Static<typeof WarmCacheEntryWire>;

/** Reachable through `CandidateWire.cache_score` in `filter`. */
export const CacheScoreWire = struct('CacheScoreWire', {
  predicted_cache_read_tokens: u32(),
  predicted_cache_creation_tokens_5m: u32(),
  predicted_cache_creation_tokens_1h: u32(),
  predicted_uncached_input_tokens: u32(),
  predicted_expires_at_unix_secs: omittable(u64()),
  matched_breakpoint_index: omittable(u32()),
  confidence: f32(),
  ambiguity_reason: omittable(str()),
});
export type CacheScoreWire = Static<typeof CacheScoreWire>;

const candidateFields = {
  /** a UUID in practice; the format is never validated */
  upstream_id: str(),
  name: str(),
  kind: str(),
  observed_rate_limits: list(RateLimitObservationWire),
  subscription_quotas: list(SubscriptionQuotaCandidateSnapshotWire),
  observed_at_unix_secs: u64(),
};

/** The v1 candidate: identical JSON to v2 while `cache_score` is absent, and rejects it when present. */
export const CandidateWireV1 = struct('CandidateWire', candidateFields);
export type CandidateWireV1 = Static<typeof CandidateWireV1>;

export const CandidateWire = struct('CandidateWire', {
  ...candidateFields,
  cache_score: omittable(CacheScoreWire),
});
export type CandidateWire = Static<typeof CandidateWire>;

/** 0.1.x knows only `anthropic_direct` (PROTOCOL.md §12 on the older `custom_anthropic_spec`). */
export const UpstreamWire = taggedBy('UpstreamWire', 'kind', { anthropic_direct: {} });
export type UpstreamWire = Static<typeof UpstreamWire>;

/** Defined but used by no 0.1.x function (it belonged to the legacy `route`). */
export const DialectBinding = taggedBy('DialectBinding', 'kind', { self: {} });
export type DialectBinding = Static<typeof DialectBinding>;

export const ShapedRequestWire = struct('ShapedRequestWire', {
  url: str(),
  method: str(),
  headers: list(HeaderWire),
  body_base64: base64(),
});
export type ShapedRequestWire = Static<typeof ShapedRequestWire>;

export const UpstreamErrorCategory = unitEnum('UpstreamErrorCategory', [
  'unauthorized',
  'retryable',
  'failed',
]);
export type UpstreamErrorCategory = Static<typeof UpstreamErrorCategory>;

export const UpstreamErrorWire = struct('UpstreamErrorWire', {
  status: u16(),
  body_base64: nullable(base64()),
  category: UpstreamErrorCategory,
});
export type UpstreamErrorWire = Static<typeof UpstreamErrorWire>;

export const ObserveEventWire = taggedBy('ObserveEventWire', 'kind', {
  request_started: {
    request_id: str(),
    downstream_user_agent: nullable(str()),
  },
  authn_complete: {
    principal_id: str(),
    principal_kind: str(),
  },
  upstream_chosen: {
    upstream: UpstreamWire,
  },
  chunk: {
    batch_index: u64(),
    event_count: usize(),
    total_bytes: usize(),
  },
  request_finished: {
    status: u16(),
    input_tokens: nullable(u64()),
    output_tokens: nullable(u64()),
    cache_creation_input_tokens: nullable(u64()),
    cache_read_input_tokens: nullable(u64()),
    duration_ms: u64(),
  },
  error: {
    code: str(),
    message: str(),
    source: str(),
  },
});
export type ObserveEventWire = Static<typeof ObserveEventWire>;

/**
 * One result of `filter` per candidate. `decision` is free-form on the wire (a serde `String`; the
 * host reads `accept` and `reject`): its type offers those two and still takes any string.
 */
export const PerCandidateReasonWire = struct('PerCandidateReasonWire', {
  upstream_id: str(),
  decision: Type.Unsafe<FilterDecision>(str()),
  reason: str(),
});
export type PerCandidateReasonWire = Static<typeof PerCandidateReasonWire>;
/**
 * `accept` and `reject` complete in an editor; any other string is still a valid wire value
 * (`string & {}` keeps the two literals from collapsing into `string`).
 */
export type FilterDecision = 'accept' | 'reject' | (string & {});

const DRY_RUN_REQUEST_ID = 'dry-run-request';
const DRY_RUN_UPSTREAM_ID = '00000000-0000-0000-0000-000000000000';

/** The reference's `dry_run_sample()` of each common type; each call returns a fresh value. */
export const dryRunSamples = {
  HeaderWire: (): HeaderWire => ({ name: 'x-cc-lb-dry-run', value_base64: '' }),
  Principal: (): Principal => ({ id: 'dry-run-principal', kind: 'api_key', claims: {} }),
  RequestWire: (): RequestWire => ({
    request_id: DRY_RUN_REQUEST_ID,
    headers: [],
    method: 'POST',
    path: '/v1/messages',
    query: null,
    body_base64: '',
  }),
  RateLimitObservationWire: (): RateLimitObservationWire => ({
    kind: 'requests',
    window: 'dry-run',
    limit: null,
    remaining: null,
    reset: null,
  }),
  SubscriptionQuotaCandidateSnapshotWire: (): SubscriptionQuotaCandidateSnapshotWire => ({
    window: '5h',
    source: 'missing',
    data_state: 'missing',
    utilization: null,
    status: null,
    resets_at_unix_secs: null,
    surpassed_threshold: null,
    representative_claim: null,
    disabled_reason: null,
    observed_at_unix_millis: null,
    age_secs: null,
  }),
  CandidateWire: (): CandidateWire => dryRunCandidate(),
  CandidateWireV1: (): CandidateWireV1 => dryRunCandidate(),
  UpstreamWire: (): UpstreamWire => ({ kind: 'anthropic_direct' }),
  DialectBinding: (): DialectBinding => ({ kind: 'self' }),
  ShapedRequestWire: (): ShapedRequestWire => ({
    url: 'https://api.anthropic.com/v1/messages',
    method: 'POST',
    headers: [],
    body_base64: '',
  }),
  UpstreamErrorCategory: (): UpstreamErrorCategory => 'unauthorized',
  UpstreamErrorWire: (): UpstreamErrorWire => ({ status: 401, body_base64: null, category: 'unauthorized' }),
  ObserveEventWire: (): ObserveEventWire => ({
    kind: 'request_started',
    request_id: DRY_RUN_REQUEST_ID,
    downstream_user_agent: null,
  }),
  PerCandidateReasonWire: (): PerCandidateReasonWire => ({
    upstream_id: DRY_RUN_UPSTREAM_ID,
    decision: 'accept',
    reason: '',
  }),
} as const;

function dryRunCandidate(): CandidateWireV1 {
  return {
    upstream_id: DRY_RUN_UPSTREAM_ID,
    name: 'dry-run-upstream',
    kind: 'anthropic_api_key',
    observed_rate_limits: [],
    subscription_quotas: [],
    observed_at_unix_secs: 0,
  };
}
