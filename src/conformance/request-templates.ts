/**
 * Conformance layer: a realistic request for every wire function — what a cc-lb host would send
 * for one Anthropic Messages call through an API-key upstream — for authors to start a test or a
 * `dispatch --request` file from (`cc-lb-conformance dispatch plugin.wasm FN --template` prints
 * it). Unlike the dry-run samples, every list holds entries and every optional field is set where
 * the function's version carries it; the values are consistent across functions (one request id,
 * one principal, one upstream).
 *
 * Written as wire literals so a reader sees the JSON the plugin receives. Only fields a v1 guest
 * accepts are used, except `cache_score`, which `filter` candidates carry at version 1.
 */
import { Buffer } from 'node:buffer';
import type {
  AnyWireFunction,
  BuildSignerRequest,
  CandidateWire,
  FilterRequest,
  HeaderWire,
  NormalizeErrorRequest,
  ObserveRequest,
  OnUnauthorizedRequest,
  Principal,
  RequestOf,
  RequestWire,
  ShapeRequest,
  SignRequest,
} from '../wire/index.js';

const REQUEST_ID = 'req_01JD7ZQ4M8R2V6X9K3T5W1Y0BC';
const PRINCIPAL: Principal = {
  id: 'alice@example.com',
  kind: 'api_key',
  claims: { team: 'platform', tier: 'pro', scopes: ['messages:write'] },
};
const MESSAGES_BODY = JSON.stringify({
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  stream: true,
  messages: [{ role: 'user', content: 'Summarise the attached incident report in three bullet points.' }],
});
/** Unix seconds of the templates' "now" (2026-01-15T09:30:00Z); u64 fields stay below 2^53. */
const NOW = 1_768_469_400;

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const h = (name: string, value: string): HeaderWire => ({ name, value_base64: base64(value) });

function downstreamRequest(): RequestWire {
  return {
    request_id: REQUEST_ID,
    headers: [
      h('content-type', 'application/json'),
      h('anthropic-version', '2023-06-01'),
      h('anthropic-beta', 'prompt-caching-2024-07-31'),
      h('user-agent', 'claude-cli/1.0.113 (external, cli)'),
      h('x-api-key', 'cc-lb-client-key-redacted'),
    ],
    method: 'POST',
    path: '/v1/messages',
    query: 'beta=true',
    body_base64: base64(MESSAGES_BODY),
  };
}

function candidates(): CandidateWire[] {
  return [
    {
      upstream_id: '6f1c2a9e-4b7d-4e21-9a53-0c8d7b2e1f40',
      name: 'anthropic-key-primary',
      kind: 'anthropic_api_key',
      observed_rate_limits: [
        { kind: 'requests', window: '1m', limit: 4000, remaining: 3712, reset: '2026-01-15T09:31:00Z' },
        { kind: 'input_tokens', window: '1m', limit: 2_000_000, remaining: 1_874_220, reset: null },
      ],
      subscription_quotas: [],
      observed_at_unix_secs: NOW - 2,
      cache_score: {
        predicted_cache_read_tokens: 18_432,
        predicted_cache_creation_tokens_5m: 512,
        predicted_cache_creation_tokens_1h: 0,
        predicted_uncached_input_tokens: 96,
        predicted_expires_at_unix_secs: NOW + 300,
        matched_breakpoint_index: 1,
        confidence: 0.875,
      },
    },
    {
      upstream_id: '0b9e5d3c-7a18-4f6e-b2c4-91d0e8a7f352',
      name: 'claude-max-subscription',
      kind: 'anthropic_oauth',
      observed_rate_limits: [],
      subscription_quotas: [
        {
          window: '5h',
          source: 'response_headers',
          data_state: 'fresh',
          utilization: 0.42,
          status: 'allowed',
          resets_at_unix_secs: NOW + 7_200,
          surpassed_threshold: false,
          representative_claim: 'five_hour',
          disabled_reason: null,
          observed_at_unix_millis: (NOW - 3) * 1000,
          age_secs: 3,
        },
      ],
      observed_at_unix_secs: NOW - 3,
    },
    {
      upstream_id: 'd4a7f0b2-2c5e-4d8a-8f16-3e9b7c0a5d21',
      name: 'anthropic-key-fallback',
      kind: 'anthropic_api_key',
      observed_rate_limits: [
        { kind: 'requests', window: '1m', limit: 50, remaining: 0, reset: '2026-01-15T09:30:41Z' },
      ],
      subscription_quotas: [],
      observed_at_unix_secs: NOW - 19,
    },
  ];
}

const SHAPED_HEADERS = (): HeaderWire[] => [
  h('content-type', 'application/json'),
  h('anthropic-version', '2023-06-01'),
  h('anthropic-beta', 'prompt-caching-2024-07-31'),
];

const SIGNER_STATE = { key_id: 'primary', account: 'acme-prod', issued_at: NOW - 600 };

const TEMPLATES = {
  shape: (): ShapeRequest => ({
    request: downstreamRequest(),
    upstream: { kind: 'anthropic_direct' },
    principal: structuredClone(PRINCIPAL),
  }),
  normalize_error: (): NormalizeErrorRequest => ({
    status: 529,
    body_base64: base64(
      JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
    ),
  }),
  build_signer: (): BuildSignerRequest => ({
    upstream: { kind: 'anthropic_direct' },
    factory_state: { account: 'acme-prod', key_ids: ['primary', 'secondary'], region: 'us-east-1' },
  }),
  sign: (): SignRequest => ({
    shaped: {
      url: 'https://api.anthropic.com/v1/messages?beta=true',
      method: 'POST',
      headers: SHAPED_HEADERS(),
      body_base64: base64(MESSAGES_BODY),
    },
    signer_state: structuredClone(SIGNER_STATE),
  }),
  on_unauthorized: (): OnUnauthorizedRequest => ({
    error: {
      status: 401,
      body_base64: base64(
        JSON.stringify({
          type: 'error',
          error: { type: 'authentication_error', message: 'invalid x-api-key' },
        }),
      ),
      category: 'unauthorized',
    },
    signer_state: structuredClone(SIGNER_STATE),
  }),
  observe: (): ObserveRequest => ({
    events: [
      { kind: 'request_started', request_id: REQUEST_ID, downstream_user_agent: 'claude-cli/1.0.113' },
      { kind: 'authn_complete', principal_id: PRINCIPAL.id, principal_kind: PRINCIPAL.kind },
      { kind: 'upstream_chosen', upstream: { kind: 'anthropic_direct' } },
      { kind: 'chunk', batch_index: 0, event_count: 12, total_bytes: 3_481 },
      { kind: 'chunk', batch_index: 1, event_count: 9, total_bytes: 2_266 },
      {
        kind: 'request_finished',
        status: 200,
        input_tokens: 96,
        output_tokens: 287,
        cache_creation_input_tokens: 512,
        cache_read_input_tokens: 18_432,
        duration_ms: 4_812,
      },
    ],
  }),
  filter: (): FilterRequest => ({
    ...downstreamRequest(),
    principal: structuredClone(PRINCIPAL),
    candidates: candidates(),
  }),
} as const;

/**
 * A realistic, complete request for `fn` (a fresh object each call), in the wire form. Throws a
 * `TypeError` for a function this package does not know.
 */
export function requestTemplate<F extends AnyWireFunction>(fn: F): RequestOf<F> {
  const make = TEMPLATES[fn.name as keyof typeof TEMPLATES];
  if (make === undefined) throw new TypeError(`no request template for wire function '${fn.name}'`);
  return make() as RequestOf<F>;
}
