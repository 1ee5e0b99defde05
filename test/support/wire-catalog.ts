/**
 * Test support: every struct schema the wire layer exports, each with a sample value and the exact
 * compact JSON the reference (serde_json) writes for it. Where PROTOCOL.md or REFERENCE-CASES.md
 * print the text (dry-run samples, examples, vectors) it is copied from there; the others follow
 * the table order of the spec. Keyed by export name (`ShapeRequest` and `ShapeRequestV1` share the
 * Rust name).
 */
import type { TSchema } from '@sinclair/typebox';
import * as wire from '../../src/wire/index.js';

export interface CatalogEntry {
  readonly schema: TSchema;
  readonly sample: () => unknown;
  readonly json: string;
  /** where the JSON text comes from */
  readonly source: 'spec' | 'table order';
}

const identityJson =
  '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"cache-aware","plugin_version":"0.1.0"}';
const identity = (): wire.PluginIdentity => ({
  magic: [...wire.CC_LB_PLUGIN_MAGIC],
  abi_envelope: 1,
  plugin_name: 'cache-aware',
  plugin_version: '0.1.0',
});

const metadata = (): wire.AugmentedMetadata => ({
  identity: identity(),
  negotiated_functions: { shape: 1, observe: 1 },
  negotiated_capabilities: ['async', 'streaming'],
  handshake_completed_at: 1000,
  self_check_passed: true,
  self_check_completed_at: 1100,
  expires_at: 2000,
});
const metadataJson = `{"identity":${identityJson},"negotiated_functions":{"observe":1,"shape":1},"negotiated_capabilities":["async","streaming"],"handshake_completed_at":1000,"self_check_passed":true,"self_check_completed_at":1100,"expires_at":2000}`;

const cacheScore = (): wire.CacheScoreWire => ({
  predicted_cache_read_tokens: 1000,
  predicted_cache_creation_tokens_5m: 200,
  predicted_cache_creation_tokens_1h: 0,
  predicted_uncached_input_tokens: 50,
  predicted_expires_at_unix_secs: 1700000000,
  matched_breakpoint_index: 0,
  confidence: 0.5,
});
const cacheScoreJson =
  '{"predicted_cache_read_tokens":1000,"predicted_cache_creation_tokens_5m":200,"predicted_cache_creation_tokens_1h":0,"predicted_uncached_input_tokens":50,"predicted_expires_at_unix_secs":1700000000,"matched_breakpoint_index":0,"confidence":0.5}';

const s = wire.dryRunSamples;
const fnSample = (fn: wire.AnyWireFunction, which: 'request' | 'response') =>
  which === 'request' ? () => fn.dryRunRequest() : () => fn.dryRunResponse();

export const WIRE_STRUCTS: Readonly<Record<string, CatalogEntry>> = {
  // identity, handshake, canonical hash
  PluginIdentity: { schema: wire.PluginIdentity, sample: identity, json: identityJson, source: 'spec' },
  HandshakeOffer: {
    schema: wire.HandshakeOffer,
    sample: (): wire.HandshakeOffer => ({
      handshake_schema_version: 1,
      envelope_version: 1,
      function_versions: Object.fromEntries(wire.allWireFunctions.map((fn) => [fn.name, [1]])),
      host_capabilities: [],
    }),
    json: '{"handshake_schema_version":1,"envelope_version":1,"function_versions":{"build_signer":[1],"filter":[1],"normalize_error":[1],"observe":[1],"on_unauthorized":[1],"shape":[1],"sign":[1]},"host_capabilities":[]}',
    source: 'spec',
  },
  HandshakeAccept: {
    schema: wire.HandshakeAccept,
    sample: (): wire.HandshakeAccept => ({
      handshake_schema_version: 1,
      envelope_version: 1,
      chosen_versions: { shape: 1 },
      plugin_supported: { shape: [1] },
      implemented_functions: ['shape'],
      required_capabilities: [],
    }),
    json: '{"handshake_schema_version":1,"envelope_version":1,"chosen_versions":{"shape":1},"plugin_supported":{"shape":[1]},"implemented_functions":["shape"],"required_capabilities":[]}',
    source: 'spec',
  },
  RawFunctionVersions: {
    schema: wire.RawFunctionVersions,
    sample: (): wire.RawFunctionVersions => ({ function: 'route', versions: [2, 1, 2] }),
    json: '{"function":"route","versions":[2,1,2]}',
    source: 'table order',
  },
  RawHandshakeOffer: {
    schema: wire.RawHandshakeOffer,
    sample: (): wire.RawHandshakeOffer => ({
      handshake_schema_version: 1,
      envelope_version: 1,
      function_versions: [
        { function: 'shape', versions: [1] },
        { function: 'route', versions: [2, 1, 2] },
      ],
      host_capabilities: ['streaming', 'Streaming'],
    }),
    json: '{"handshake_schema_version":1,"envelope_version":1,"function_versions":[{"function":"shape","versions":[1]},{"function":"route","versions":[2,1,2]}],"host_capabilities":["streaming","Streaming"]}',
    source: 'table order',
  },
  CanonicalOffer: {
    schema: wire.CanonicalOffer,
    sample: (): wire.CanonicalOffer => ({
      handshake_schema_version: 1,
      envelope_version: 1,
      function_versions: { route: [1, 2], shape: [1] },
      host_capabilities: ['streaming'],
    }),
    json: '{"handshake_schema_version":1,"envelope_version":1,"function_versions":{"route":[1,2],"shape":[1]},"host_capabilities":["streaming"]}',
    source: 'spec',
  },
  // self-check
  SelfCheckFailure: {
    schema: wire.SelfCheckFailure,
    sample: (): wire.SelfCheckFailure => ({
      stage: 'wire_function_test',
      message: 'request serialize failed',
    }),
    json: '{"stage":"wire_function_test","message":"request serialize failed"}',
    source: 'table order',
  },
  SelfCheckRequest: {
    schema: wire.SelfCheckRequest,
    sample: (): wire.SelfCheckRequest => ({ functions_to_test: ['route', 'observe'], initiated_at: 1000 }),
    json: '{"functions_to_test":["route","observe"],"initiated_at":1000}',
    source: 'spec',
  },
  SelfCheckResponse: {
    schema: wire.SelfCheckResponse,
    sample: (): wire.SelfCheckResponse => ({ status: 'success', failures: [], completed_at: 2000 }),
    json: '{"status":"success","failures":[],"completed_at":2000}',
    source: 'spec',
  },
  // persistence
  AugmentedMetadata: {
    schema: wire.AugmentedMetadata,
    sample: metadata,
    json: metadataJson,
    source: 'table order',
  },
  PluginRegistryRecord: {
    schema: wire.PluginRegistryRecord,
    sample: (): wire.PluginRegistryRecord => ({
      plugin_id: 'plugin-uuid-123',
      augmented_metadata: metadata(),
      registered_at: 900,
    }),
    json: `{"plugin_id":"plugin-uuid-123","augmented_metadata":${metadataJson},"registered_at":900}`,
    source: 'table order',
  },
  // common types (dry-run samples, PROTOCOL.md §6.4)
  HeaderWire: {
    schema: wire.HeaderWire,
    sample: s.HeaderWire,
    json: '{"name":"x-cc-lb-dry-run","value_base64":""}',
    source: 'spec',
  },
  Principal: {
    schema: wire.Principal,
    sample: s.Principal,
    json: '{"id":"dry-run-principal","kind":"api_key","claims":{}}',
    source: 'spec',
  },
  RequestWire: {
    schema: wire.RequestWire,
    sample: s.RequestWire,
    json: '{"request_id":"dry-run-request","headers":[],"method":"POST","path":"/v1/messages","query":null,"body_base64":""}',
    source: 'spec',
  },
  RateLimitObservationWire: {
    schema: wire.RateLimitObservationWire,
    sample: s.RateLimitObservationWire,
    json: '{"kind":"requests","window":"dry-run","limit":null,"remaining":null,"reset":null}',
    source: 'spec',
  },
  SubscriptionQuotaCandidateSnapshotWire: {
    schema: wire.SubscriptionQuotaCandidateSnapshotWire,
    sample: s.SubscriptionQuotaCandidateSnapshotWire,
    json: '{"window":"5h","source":"missing","data_state":"missing","utilization":null,"status":null,"resets_at_unix_secs":null,"surpassed_threshold":null,"representative_claim":null,"disabled_reason":null,"observed_at_unix_millis":null,"age_secs":null}',
    source: 'spec',
  },
  CandidateWire: {
    schema: wire.CandidateWire,
    sample: s.CandidateWire,
    json: '{"upstream_id":"00000000-0000-0000-0000-000000000000","name":"dry-run-upstream","kind":"anthropic_api_key","observed_rate_limits":[],"subscription_quotas":[],"observed_at_unix_secs":0}',
    source: 'spec',
  },
  CandidateWireV1: {
    schema: wire.CandidateWireV1,
    sample: s.CandidateWireV1,
    json: '{"upstream_id":"00000000-0000-0000-0000-000000000000","name":"dry-run-upstream","kind":"anthropic_api_key","observed_rate_limits":[],"subscription_quotas":[],"observed_at_unix_secs":0}',
    source: 'spec',
  },
  ShapedRequestWire: {
    schema: wire.ShapedRequestWire,
    sample: s.ShapedRequestWire,
    json: '{"url":"https://api.anthropic.com/v1/messages","method":"POST","headers":[],"body_base64":""}',
    source: 'spec',
  },
  UpstreamErrorWire: {
    schema: wire.UpstreamErrorWire,
    sample: s.UpstreamErrorWire,
    json: '{"status":401,"body_base64":null,"category":"unauthorized"}',
    source: 'spec',
  },
  PerCandidateReasonWire: {
    schema: wire.PerCandidateReasonWire,
    sample: s.PerCandidateReasonWire,
    json: '{"upstream_id":"00000000-0000-0000-0000-000000000000","decision":"accept","reason":""}',
    source: 'spec',
  },
  // v2-only cache types
  CacheScoreWire: {
    schema: wire.CacheScoreWire,
    sample: cacheScore,
    json: cacheScoreJson,
    source: 'table order',
  },
  CacheBreakpointWire: {
    schema: wire.CacheBreakpointWire,
    sample: (): wire.CacheBreakpointWire => ({
      block_index: 0,
      source: 'tools',
      path: '/v1/messages/create',
      message_index: 5,
      prefix_hash: 'abc123def456',
      prefix_token_count: 2048,
      requested_ttl: 'ephemeral5m',
      origin: 'explicit',
    }),
    json: '{"block_index":0,"source":"tools","path":"/v1/messages/create","message_index":5,"prefix_hash":"abc123def456","prefix_token_count":2048,"requested_ttl":"ephemeral5m","origin":"explicit"}',
    source: 'table order',
  },
  WarmCacheEntryWire: {
    schema: wire.WarmCacheEntryWire,
    sample: (): wire.WarmCacheEntryWire => ({
      prefix_hash: 'abc123def456',
      expires_at_unix_secs: 1700000300,
      ttl_class: 'ephemeral1h',
      last_observed_at_unix_secs: 1700000000,
    }),
    json: '{"prefix_hash":"abc123def456","expires_at_unix_secs":1700000300,"ttl_class":"ephemeral1h","last_observed_at_unix_secs":1700000000}',
    source: 'table order',
  },
  // per-function requests and responses (dry-run samples, PROTOCOL.md §6.5)
  ShapeRequest: {
    schema: wire.ShapeRequest,
    sample: fnSample(wire.ShapeFn, 'request'),
    json: '{"request":{"request_id":"dry-run-request","headers":[],"method":"POST","path":"/v1/messages","query":null,"body_base64":""},"upstream":{"kind":"anthropic_direct"},"principal":{"id":"dry-run-principal","kind":"api_key","claims":{}}}',
    source: 'spec',
  },
  ShapeRequestV1: {
    schema: wire.ShapeRequestV1,
    sample: fnSample(wire.ShapeFn, 'request'),
    json: '{"request":{"request_id":"dry-run-request","headers":[],"method":"POST","path":"/v1/messages","query":null,"body_base64":""},"upstream":{"kind":"anthropic_direct"},"principal":{"id":"dry-run-principal","kind":"api_key","claims":{}}}',
    source: 'spec',
  },
  ShapeResponse: {
    schema: wire.ShapeResponse,
    sample: fnSample(wire.ShapeFn, 'response'),
    json: '{"url":"https://api.anthropic.com/v1/messages","method":"POST","headers":[],"body_base64":""}',
    source: 'spec',
  },
  NormalizeErrorRequest: {
    schema: wire.NormalizeErrorRequest,
    sample: fnSample(wire.NormalizeErrorFn, 'request'),
    json: '{"status":500,"body_base64":""}',
    source: 'spec',
  },
  NormalizeErrorResponse: {
    schema: wire.NormalizeErrorResponse,
    sample: fnSample(wire.NormalizeErrorFn, 'response'),
    json: '{"body_base64":null}',
    source: 'spec',
  },
  BuildSignerRequest: {
    schema: wire.BuildSignerRequest,
    sample: fnSample(wire.BuildSignerFn, 'request'),
    json: '{"upstream":{"kind":"anthropic_direct"},"factory_state":null}',
    source: 'spec',
  },
  BuildSignerResponse: {
    schema: wire.BuildSignerResponse,
    sample: fnSample(wire.BuildSignerFn, 'response'),
    json: '{"signer_state":null}',
    source: 'spec',
  },
  SignRequest: {
    schema: wire.SignRequest,
    sample: fnSample(wire.SignFn, 'request'),
    json: '{"shaped":{"url":"https://api.anthropic.com/v1/messages","method":"POST","headers":[],"body_base64":""},"signer_state":null}',
    source: 'spec',
  },
  SignResponse: {
    schema: wire.SignResponse,
    sample: fnSample(wire.SignFn, 'response'),
    json: '{"url":null,"method":null,"headers":null,"body_base64":null}',
    source: 'spec',
  },
  OnUnauthorizedRequest: {
    schema: wire.OnUnauthorizedRequest,
    sample: fnSample(wire.OnUnauthorizedFn, 'request'),
    json: '{"error":{"status":401,"body_base64":null,"category":"unauthorized"},"signer_state":null}',
    source: 'spec',
  },
  OnUnauthorizedResponse: {
    schema: wire.OnUnauthorizedResponse,
    sample: fnSample(wire.OnUnauthorizedFn, 'response'),
    json: '{"decision":"fail","signer_state":null}',
    source: 'spec',
  },
  ObserveRequest: {
    schema: wire.ObserveRequest,
    sample: fnSample(wire.ObserveFn, 'request'),
    json: '{"events":[]}',
    source: 'spec',
  },
  ObserveResponse: {
    schema: wire.ObserveResponse,
    sample: fnSample(wire.ObserveFn, 'response'),
    json: '{}',
    source: 'spec',
  },
  FilterRequest: {
    schema: wire.FilterRequest,
    sample: fnSample(wire.FilterFn, 'request'),
    json: '{"request_id":"dry-run-request","headers":[],"method":"POST","path":"/v1/messages","query":null,"body_base64":"","principal":{"id":"dry-run-principal","kind":"api_key","claims":{}},"candidates":[]}',
    source: 'spec',
  },
  FilterResponse: {
    schema: wire.FilterResponse,
    sample: fnSample(wire.FilterFn, 'response'),
    json: '{"results":[{"upstream_id":"00000000-0000-0000-0000-000000000000","decision":"accept","reason":""}]}',
    source: 'spec',
  },
};

/** The JSON text with one extra key appended to its top-level object. */
export function withUnknownKey(json: string, key = 'zz_unknown'): string {
  return json === '{}' ? `{"${key}":1}` : `${json.slice(0, -1)},"${key}":1}`;
}

/** serde's "expected …" wording for the fields of a struct, in declaration order. */
export function serdeExpectedFields(fields: readonly string[]): string {
  const quoted = fields.map((f) => `\`${f}\``);
  if (quoted.length === 0) return 'there are no fields';
  if (quoted.length === 1) return `expected ${quoted[0]}`;
  if (quoted.length === 2) return `expected ${quoted[0]} or ${quoted[1]}`;
  return `expected one of ${quoted.join(', ')}`;
}
