/**
 * Conformance layer: the `fixtures` module of cc-lb-plugin-conformance 0.1.x — typed request
 * builders that start from the dry-run samples, and synthetic principal and metadata.
 *
 * Builders are mutable with chainable camelCase setters (TypeScript has no consuming `self`);
 * `build()` returns an independent deep copy in the wire (snake_case) form, so a builder can be
 * reused and a built request changed without affecting the other.
 */
import {
  type AnyWireFunction,
  type AugmentedMetadata,
  CC_LB_PLUGIN_MAGIC,
  dryRunSamples,
  FilterFn,
  ObserveFn,
  type RequestOf,
  ShapeFn,
} from '../wire/index.js';

type ShapeRequest = RequestOf<typeof ShapeFn>;
type FilterRequest = RequestOf<typeof FilterFn>;
type ObserveRequest = RequestOf<typeof ObserveFn>;
type HeaderWire = ShapeRequest['request']['headers'][number];
type Principal = ShapeRequest['principal'];
type UpstreamWire = ShapeRequest['upstream'];
type CandidateWire = FilterRequest['candidates'][number];
type ObserveEventWire = ObserveRequest['events'][number];

export class ShapeRequestBuilder {
  #request: ShapeRequest = ShapeFn.dryRunRequest();
  method(method: string): this {
    this.#request.request.method = method;
    return this;
  }
  path(path: string): this {
    this.#request.request.path = path;
    return this;
  }
  /** Sets the query (the sample has none). */
  query(query: string): this {
    this.#request.request.query = query;
    return this;
  }
  bodyBase64(bodyBase64: string): this {
    this.#request.request.body_base64 = bodyBase64;
    return this;
  }
  headers(headers: readonly HeaderWire[]): this {
    this.#request.request.headers = structuredClone([...headers]);
    return this;
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

export class FilterRequestBuilder {
  #request: FilterRequest = FilterFn.dryRunRequest();
  requestId(requestId: string): this {
    this.#request.request_id = requestId;
    return this;
  }
  headers(headers: readonly HeaderWire[]): this {
    this.#request.headers = structuredClone([...headers]);
    return this;
  }
  method(method: string): this {
    this.#request.method = method;
    return this;
  }
  path(path: string): this {
    this.#request.path = path;
    return this;
  }
  query(query: string): this {
    this.#request.query = query;
    return this;
  }
  bodyBase64(bodyBase64: string): this {
    this.#request.body_base64 = bodyBase64;
    return this;
  }
  principal(principal: Principal): this {
    this.#request.principal = structuredClone(principal);
    return this;
  }
  /** Replaces the candidate list. */
  candidates(candidates: readonly CandidateWire[]): this {
    this.#request.candidates = structuredClone([...candidates]);
    return this;
  }
  /** Appends one candidate (default: the dry-run candidate). */
  addCandidate(candidate: CandidateWire = dryRunSamples.CandidateWire()): this {
    this.#request.candidates.push(structuredClone(candidate));
    return this;
  }
  build(): FilterRequest {
    return structuredClone(this.#request);
  }
}

export class ObserveRequestBuilder {
  #request: ObserveRequest = ObserveFn.dryRunRequest();
  addEvent(event: ObserveEventWire): this {
    this.#request.events.push(structuredClone(event));
    return this;
  }
  build(): ObserveRequest {
    return structuredClone(this.#request);
  }
}

export function shapeRequestBuilder(): ShapeRequestBuilder {
  return new ShapeRequestBuilder();
}

export function filterRequestBuilder(): FilterRequestBuilder {
  return new FilterRequestBuilder();
}

export function observeRequestBuilder(): ObserveRequestBuilder {
  return new ObserveRequestBuilder();
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

export const fixtures = Object.freeze({
  shapeRequestBuilder,
  filterRequestBuilder,
  observeRequestBuilder,
  synthPrincipal,
  synthMetadata,
  dryRunSample,
});
