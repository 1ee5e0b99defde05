/**
 * Conformance layer: the `fixtures` module of cc-lb-plugin-conformance 0.1.x — typed request
 * builders that start from the dry-run samples, and synthetic principal and metadata — extended
 * with a builder for every wire function's request and for a filter candidate, and realistic
 * request templates (`request-templates.ts`).
 *
 * Builders are mutable with chainable camelCase setters (TypeScript has no consuming `self`);
 * `build()` returns an independent deep copy in the wire (snake_case) form, so a builder can be
 * reused and a built request changed without affecting the other. Setters named after a wire
 * field take the wire value as is (`bodyBase64` takes base64); the few convenience setters that
 * encode for you say so in their name (`body`, `addHeader`).
 */
import { Buffer } from 'node:buffer';
import {
  type AnyWireFunction,
  type AugmentedMetadata,
  BuildSignerFn,
  type BuildSignerRequest,
  type CacheScoreWire,
  type CandidateWire,
  CC_LB_PLUGIN_MAGIC,
  dryRunSamples,
  FilterFn,
  type FilterRequest,
  type HeaderWire,
  type JsonValue,
  NormalizeErrorFn,
  type NormalizeErrorRequest,
  type ObserveEventWire,
  ObserveFn,
  type ObserveRequest,
  OnUnauthorizedFn,
  type OnUnauthorizedRequest,
  type Principal,
  type RateLimitObservationWire,
  type RequestOf,
  type RequestWire,
  type ShapedRequestWire,
  ShapeFn,
  type ShapeRequest,
  SignFn,
  type SignRequest,
  type SubscriptionQuotaCandidateSnapshotWire,
  type UpstreamErrorCategory,
  type UpstreamWire,
} from '../wire/index.js';
import { requestTemplate } from './request-templates.js';

/** Text or bytes as the wire's base64 (standard alphabet, padded); text is encoded as UTF-8. */
function toBase64(body: string | Uint8Array): string {
  return typeof body === 'string'
    ? Buffer.from(body, 'utf8').toString('base64')
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64');
}

/** A `HeaderWire` from a header name and its value (text is encoded as UTF-8, then base64). */
export function header(name: string, value: string | Uint8Array): HeaderWire {
  return { name, value_base64: toBase64(value) };
}

/** The HTTP fields a request carries, wherever they sit in it. */
interface HttpFields {
  method: string;
  headers: HeaderWire[];
  body_base64: string;
}

/**
 * The setters of the HTTP fields, shared by the builders whose requests carry them (a downstream
 * request, flat or nested, and a shaped request); each builder says where the fields sit.
 */
export abstract class HttpFieldSetters {
  protected abstract http(): HttpFields;
  method(method: string): this {
    this.http().method = method;
    return this;
  }
  headers(headers: readonly HeaderWire[]): this {
    this.http().headers = structuredClone([...headers]);
    return this;
  }
  /** Appends one header; the value is text (UTF-8) or bytes, stored base64-encoded. */
  addHeader(name: string, value: string | Uint8Array): this {
    this.http().headers.push(header(name, value));
    return this;
  }
  bodyBase64(bodyBase64: string): this {
    this.http().body_base64 = bodyBase64;
    return this;
  }
  /** The body as text (UTF-8) or bytes; stored base64-encoded in `body_base64`. */
  body(body: string | Uint8Array): this {
    return this.bodyBase64(toBase64(body));
  }
}

/** The setters of a downstream request's fields (`RequestWire`), nested or flat. */
export abstract class DownstreamFieldSetters extends HttpFieldSetters {
  protected abstract override http(): RequestWire;
  requestId(requestId: string): this {
    this.http().request_id = requestId;
    return this;
  }
  path(path: string): this {
    this.http().path = path;
    return this;
  }
  /** Sets the query (the sample has none: `null`). */
  query(query: string | null): this {
    this.http().query = query;
    return this;
  }
}

export class ShapeRequestBuilder extends DownstreamFieldSetters {
  #request: ShapeRequest = ShapeFn.dryRunRequest();
  protected http(): RequestWire {
    return this.#request.request;
  }
  principal(principal: Principal): this {
    this.#request.principal = structuredClone(principal);
    return this;
  }
  upstream(upstream: UpstreamWire): this {
    this.#request.upstream = structuredClone(upstream);
    return this;
  }
  /**
   * The v2-only `upstream_base_url`. A guest that decodes the v1 request (like the reference shape
   * fixture) rejects it, and dispatch then falls back.
   */
  upstreamBaseUrl(url: string): this {
    this.#request.upstream_base_url = url;
    return this;
  }
  build(): ShapeRequest {
    return structuredClone(this.#request);
  }
}

/** A `filter` request: the downstream request's fields sit flat beside the principal and candidates. */
export class FilterRequestBuilder extends DownstreamFieldSetters {
  #request: FilterRequest = FilterFn.dryRunRequest();
  protected http(): RequestWire {
    return this.#request;
  }
  principal(principal: Principal): this {
    this.#request.principal = structuredClone(principal);
    return this;
  }
  /** Replaces the candidate list. */
  candidates(candidates: readonly (CandidateWire | CandidateBuilder)[]): this {
    this.#request.candidates = candidates.map(candidateWire);
    return this;
  }
  /** Appends one candidate (default: the dry-run candidate); a `CandidateBuilder` is built. */
  addCandidate(candidate: CandidateWire | CandidateBuilder = dryRunSamples.CandidateWire()): this {
    this.#request.candidates.push(candidateWire(candidate));
    return this;
  }
  build(): FilterRequest {
    return structuredClone(this.#request);
  }
}

function candidateWire(candidate: CandidateWire | CandidateBuilder): CandidateWire {
  return candidate instanceof CandidateBuilder ? candidate.build() : structuredClone(candidate);
}

/** One `filter` candidate, starting from the dry-run candidate. */
export class CandidateBuilder {
  #candidate: CandidateWire = dryRunSamples.CandidateWire();
  upstreamId(upstreamId: string): this {
    this.#candidate.upstream_id = upstreamId;
    return this;
  }
  name(name: string): this {
    this.#candidate.name = name;
    return this;
  }
  kind(kind: string): this {
    this.#candidate.kind = kind;
    return this;
  }
  observedRateLimits(observations: readonly RateLimitObservationWire[]): this {
    this.#candidate.observed_rate_limits = structuredClone([...observations]);
    return this;
  }
  addRateLimit(observation: RateLimitObservationWire): this {
    this.#candidate.observed_rate_limits.push(structuredClone(observation));
    return this;
  }
  subscriptionQuotas(quotas: readonly SubscriptionQuotaCandidateSnapshotWire[]): this {
    this.#candidate.subscription_quotas = structuredClone([...quotas]);
    return this;
  }
  addSubscriptionQuota(quota: SubscriptionQuotaCandidateSnapshotWire): this {
    this.#candidate.subscription_quotas.push(structuredClone(quota));
    return this;
  }
  observedAtUnixSecs(seconds: number | bigint): this {
    this.#candidate.observed_at_unix_secs = seconds as CandidateWire['observed_at_unix_secs'];
    return this;
  }
  /** The v2 `cache_score`; `undefined` omits the key again. */
  cacheScore(score: CacheScoreWire | undefined): this {
    if (score === undefined) delete this.#candidate.cache_score;
    else this.#candidate.cache_score = structuredClone(score);
    return this;
  }
  build(): CandidateWire {
    return structuredClone(this.#candidate);
  }
}

type RequestFinished = Extract<ObserveEventWire, { kind: 'request_finished' }>;
type TokenCount = RequestFinished['input_tokens'];

/** The `request_finished` fields; the token counts default to `null` (not reported). */
export interface RequestFinishedFields {
  readonly status: number;
  readonly durationMs: number | bigint;
  readonly inputTokens?: TokenCount;
  readonly outputTokens?: TokenCount;
  readonly cacheCreationInputTokens?: TokenCount;
  readonly cacheReadInputTokens?: TokenCount;
}

/** An `observe` batch; one appending setter per event kind, in the order the host emits them. */
export class ObserveRequestBuilder {
  #request: ObserveRequest = ObserveFn.dryRunRequest();
  /** Replaces the whole batch. */
  events(events: readonly ObserveEventWire[]): this {
    this.#request.events = structuredClone([...events]);
    return this;
  }
  addEvent(event: ObserveEventWire): this {
    this.#request.events.push(structuredClone(event));
    return this;
  }
  requestStarted(requestId: string, downstreamUserAgent: string | null = null): this {
    return this.addEvent({
      kind: 'request_started',
      request_id: requestId,
      downstream_user_agent: downstreamUserAgent,
    });
  }
  authnComplete(principalId: string, principalKind: string): this {
    return this.addEvent({
      kind: 'authn_complete',
      principal_id: principalId,
      principal_kind: principalKind,
    });
  }
  upstreamChosen(upstream: UpstreamWire = dryRunSamples.UpstreamWire()): this {
    return this.addEvent({ kind: 'upstream_chosen', upstream: structuredClone(upstream) });
  }
  chunk(batchIndex: number | bigint, eventCount: number | bigint, totalBytes: number | bigint): this {
    return this.addEvent({
      kind: 'chunk',
      batch_index: batchIndex,
      event_count: eventCount,
      total_bytes: totalBytes,
    } as ObserveEventWire);
  }
  requestFinished(fields: RequestFinishedFields): this {
    return this.addEvent({
      kind: 'request_finished',
      status: fields.status,
      input_tokens: fields.inputTokens ?? null,
      output_tokens: fields.outputTokens ?? null,
      cache_creation_input_tokens: fields.cacheCreationInputTokens ?? null,
      cache_read_input_tokens: fields.cacheReadInputTokens ?? null,
      duration_ms: fields.durationMs,
    } as ObserveEventWire);
  }
  /** An `error` event (the setter is named after the event kind). */
  error(code: string, message: string, source: string): this {
    return this.addEvent({ kind: 'error', code, message, source });
  }
  build(): ObserveRequest {
    return structuredClone(this.#request);
  }
}

export class NormalizeErrorRequestBuilder {
  #request: NormalizeErrorRequest = NormalizeErrorFn.dryRunRequest();
  status(status: number): this {
    this.#request.status = status;
    return this;
  }
  bodyBase64(bodyBase64: string): this {
    this.#request.body_base64 = bodyBase64;
    return this;
  }
  /** The upstream's error body as text (UTF-8) or bytes; stored base64-encoded. */
  body(body: string | Uint8Array): this {
    return this.bodyBase64(toBase64(body));
  }
  build(): NormalizeErrorRequest {
    return structuredClone(this.#request);
  }
}

export class BuildSignerRequestBuilder {
  #request: BuildSignerRequest = BuildSignerFn.dryRunRequest();
  upstream(upstream: UpstreamWire): this {
    this.#request.upstream = structuredClone(upstream);
    return this;
  }
  /** The host's opaque factory configuration for this signer (any JSON value). */
  factoryState(state: JsonValue): this {
    this.#request.factory_state = structuredClone(state);
    return this;
  }
  build(): BuildSignerRequest {
    return structuredClone(this.#request);
  }
}

/** A `sign` request: the shaped request's fields, flattened, and the signer state. */
export class SignRequestBuilder extends HttpFieldSetters {
  #request: SignRequest = SignFn.dryRunRequest();
  protected http(): ShapedRequestWire {
    return this.#request.shaped;
  }
  /** Replaces the whole shaped request (for example a `shape` response). */
  shaped(shaped: ShapedRequestWire): this {
    this.#request.shaped = structuredClone(shaped);
    return this;
  }
  url(url: string): this {
    this.#request.shaped.url = url;
    return this;
  }
  /** The state `build_signer` (or `on_unauthorized`) returned (any JSON value). */
  signerState(state: JsonValue): this {
    this.#request.signer_state = structuredClone(state);
    return this;
  }
  build(): SignRequest {
    return structuredClone(this.#request);
  }
}

/** An `on_unauthorized` request: the upstream error's fields, flattened, and the signer state. */
export class OnUnauthorizedRequestBuilder {
  #request: OnUnauthorizedRequest = OnUnauthorizedFn.dryRunRequest();
  status(status: number): this {
    this.#request.error.status = status;
    return this;
  }
  bodyBase64(bodyBase64: string | null): this {
    this.#request.error.body_base64 = bodyBase64;
    return this;
  }
  /** The upstream's error body as text (UTF-8) or bytes; stored base64-encoded. */
  body(body: string | Uint8Array): this {
    return this.bodyBase64(toBase64(body));
  }
  category(category: UpstreamErrorCategory): this {
    this.#request.error.category = category;
    return this;
  }
  signerState(state: JsonValue): this {
    this.#request.signer_state = structuredClone(state);
    return this;
  }
  build(): OnUnauthorizedRequest {
    return structuredClone(this.#request);
  }
}

export function shapeRequestBuilder(): ShapeRequestBuilder {
  return new ShapeRequestBuilder();
}

export function filterRequestBuilder(): FilterRequestBuilder {
  return new FilterRequestBuilder();
}

export function candidateBuilder(): CandidateBuilder {
  return new CandidateBuilder();
}

export function observeRequestBuilder(): ObserveRequestBuilder {
  return new ObserveRequestBuilder();
}

export function normalizeErrorRequestBuilder(): NormalizeErrorRequestBuilder {
  return new NormalizeErrorRequestBuilder();
}

export function buildSignerRequestBuilder(): BuildSignerRequestBuilder {
  return new BuildSignerRequestBuilder();
}

export function signRequestBuilder(): SignRequestBuilder {
  return new SignRequestBuilder();
}

export function onUnauthorizedRequestBuilder(): OnUnauthorizedRequestBuilder {
  return new OnUnauthorizedRequestBuilder();
}

/** The `Principal` dry-run sample. */
export function synthPrincipal(): Principal {
  return dryRunSamples.Principal();
}

/**
 * Synthetic metadata negotiating `filter`, `observe` and `shape` at 1, with zero timestamps. As
 * in the reference, it would fail `validateAugmentedMetadata` (timestamps must be positive);
 * dispatch reads only `negotiated_functions`.
 */
export function synthMetadata(): AugmentedMetadata {
  return {
    identity: {
      magic: [...CC_LB_PLUGIN_MAGIC],
      abi_envelope: 1,
      plugin_name: 'dry-run-plugin',
      plugin_version: '0.0.0',
    },
    negotiated_functions: { filter: 1, observe: 1, shape: 1 },
    negotiated_capabilities: [],
    handshake_completed_at: 0,
    self_check_passed: true,
    self_check_completed_at: 0,
    expires_at: 0,
  };
}

/** The function's dry-run request (a fresh object each call). */
export function dryRunSample<F extends AnyWireFunction>(fn: F): RequestOf<F> {
  return fn.dryRunRequest() as RequestOf<F>;
}

/**
 * Builds one function's request: `requestBuilder(FilterFn)` is `filterRequestBuilder()`, and so on
 * for every wire function.
 */
export function requestBuilder<F extends AnyWireFunction>(fn: F): RequestBuilderOf<F> {
  const make = BUILDERS[fn.name as keyof typeof BUILDERS];
  if (make === undefined) throw new TypeError(`no request builder for wire function '${fn.name}'`);
  return make() as RequestBuilderOf<F>;
}

const BUILDERS = {
  shape: shapeRequestBuilder,
  normalize_error: normalizeErrorRequestBuilder,
  build_signer: buildSignerRequestBuilder,
  sign: signRequestBuilder,
  on_unauthorized: onUnauthorizedRequestBuilder,
  observe: observeRequestBuilder,
  filter: filterRequestBuilder,
} as const;

/** The builder class of a wire function, by its name (any builder when the name is not known). */
export type RequestBuilderOf<F> = F extends { readonly name: infer N }
  ? N extends keyof typeof BUILDERS
    ? ReturnType<(typeof BUILDERS)[N]>
    : ReturnType<(typeof BUILDERS)[keyof typeof BUILDERS]>
  : never;

export const fixtures = Object.freeze({
  shapeRequestBuilder,
  filterRequestBuilder,
  candidateBuilder,
  observeRequestBuilder,
  normalizeErrorRequestBuilder,
  buildSignerRequestBuilder,
  signRequestBuilder,
  onUnauthorizedRequestBuilder,
  requestBuilder,
  requestTemplate,
  header,
  synthPrincipal,
  synthMetadata,
  dryRunSample,
});
