/**
 * Vitest layer: the types of the matchers, and the `declare module 'vitest'` augmentation that
 * makes `expect(x).toHandshake()` and the others type-check once the `/vitest` entry is loaded.
 *
 * Request and response types come from the wire function passed to `toDispatch`, so a request of
 * the wrong shape, a policy that is not a `FallbackPolicy` or a stage that is not a `DispatchStage`
 * is a compile error.
 */
import type { DeeplyAllowMatchers } from 'vitest';
import type {
  DispatchCallOptions,
  FuzzOptions,
  HandshakeErrorKind,
  HandshakeErrorVariant,
  HandshakeReport,
  PluginSession,
  SelfCheckErrorKind,
  SelfCheckErrorVariant,
  VerifyKind,
} from '../conformance/index.js';
import type { DispatchStage, HandshakeExecutionError, SelfCheckExecutionError } from '../host/index.js';
import type {
  AnyWireFunction,
  FallbackPolicy,
  HandshakeValidationError,
  RequestOf,
  ResponseOf,
  SelfCheckValidationError,
} from '../wire/index.js';

/** Every property optional, at every depth, as `toMatchObject` takes it. */
export type PartialDeep<T> = T extends readonly (infer E)[]
  ? readonly PartialDeep<E>[]
  : T extends object
    ? { [K in keyof T]?: PartialDeep<T[K]> }
    : T;

/** A subset of the handshake report; asymmetric matchers allowed anywhere. */
export type HandshakeExpectation = DeeplyAllowMatchers<PartialDeep<HandshakeReport>>;

/** A subset of the conformance form of the identity (`{ name, version, abiEnvelope }`). */
export type IdentityExpectation = DeeplyAllowMatchers<
  PartialDeep<{ name: string; version: string; abiEnvelope: number }>
>;

/**
 * What a failed handshake is matched against: a conformance `HandshakeError` kind, the kind of a
 * host or wire error in its cause chain (`'UndeclaredExport'`, `'ChosenVersionNotOffered'`), or a
 * subset of the error's fields (`kind`, the variant's fields, `message`, `cause`).
 */
export type HandshakeFailureExpectation =
  | HandshakeErrorKind
  | HandshakeExecutionError['kind']
  | HandshakeValidationError['kind']
  | DeeplyAllowMatchers<PartialDeep<ErrorFields<HandshakeErrorVariant>>>;

/** As {@link HandshakeFailureExpectation}, for `SelfCheckError` and its causes. */
export type SelfCheckFailureExpectation =
  | SelfCheckErrorKind
  | SelfCheckExecutionError['kind']
  | SelfCheckValidationError['kind']
  | DeeplyAllowMatchers<PartialDeep<ErrorFields<SelfCheckErrorVariant>>>;

/** A variant's fields plus what every error has, as the failure matchers compare them. */
export type ErrorFields<V> = V extends unknown ? V & { message: string; cause: unknown } : never;

/** The plugin kinds `toVerifyAs` runs the verify flow of (the conformance layer's one list). */
export type { VerifyKind };

/** Narrows `.fallback()`. */
export interface FallbackExpectation {
  /** the dispatch stage that failed (the Rust metric label) */
  readonly stage?: DispatchStage;
}

/**
 * What `expect(x).toDispatch(Fn, request?)` returns. Awaiting it directly is `.ok()`. It checks
 * nothing until awaited; a chain that is never awaited fails its test.
 */
export interface DispatchChain<R> extends PromiseLike<void> {
  /** The dispatch returned `Ok`, and (when given) its response equals `expected` (like `toEqual`). */
  ok(expected?: DeeplyAllowMatchers<R>): Promise<void>;
  /** The dispatch fell back, with `policy` and at `stage` when given. */
  fallback(policy?: FallbackPolicy, options?: FallbackExpectation): Promise<void>;
}

/**
 * What an identity matcher takes after its own arguments: nothing, unless the received value is a
 * `PluginSession` — the identity is a property of the module, so these matchers read bytes or a
 * `plugin()` descriptor, and a session makes the call fail to compile with this text in the error.
 */
export type IdentityReceiverCheck<T> = [T] extends [PluginSession]
  ? [
      identityOfASession: 'toHaveIdentity and toPassStaticChecks take the wasm bytes or plugin(), not a PluginSession',
    ]
  : [];

/**
 * The matchers this package adds to Vitest's `expect`, for a received value of type `T`. All of
 * them must be awaited.
 */
export interface PluginMatchers<T = unknown> {
  /** `handshake.run` succeeds, and its report matches `expected` as a subset. */
  toHandshake(expected?: HandshakeExpectation): Promise<void>;
  /** `handshake.run` throws a `HandshakeError` matching `expected`. */
  toFailHandshake(expected: HandshakeFailureExpectation): Promise<void>;
  /** `selfCheck.run` reports `Success`. */
  toPassSelfCheck(): Promise<void>;
  /** `selfCheck.run` throws a `SelfCheckError` matching `expected`. */
  toFailSelfCheck(expected: SelfCheckFailureExpectation): Promise<void>;
  /** `identity.read` succeeds and the identity matches `expected` as a subset. Not on a session. */
  toHaveIdentity(expected: IdentityExpectation, ...session: IdentityReceiverCheck<T>): Promise<void>;
  /** All nine static identity checks pass. Not on a session. */
  toPassStaticChecks(...session: IdentityReceiverCheck<T>): Promise<void>;
  /** The verify flow of `kind` passes every layer. */
  toVerifyAs(kind: VerifyKind): Promise<void>;
  /**
   * Dispatches `request` (default: the function's dry-run request) with `options` (e.g. this
   * call's own `fuel`); see {@link DispatchChain}.
   */
  toDispatch<F extends AnyWireFunction>(
    fn: F,
    request?: NoInfer<RequestOf<F>>,
    options?: DispatchCallOptions,
  ): DispatchChain<ResponseOf<F>>;
  /**
   * `fuzz.run` finds no counterexample among the generated requests of `fn`; `options.check`
   * receives the typed request and outcome of `fn`.
   */
  toHandleGeneratedRequests<F extends AnyWireFunction>(
    fn: F,
    options?: FuzzOptions<NoInfer<F>>,
  ): Promise<void>;
}

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: the declaration merges with Vitest's `Matchers<T = any>`.
  interface Matchers<T = any> extends PluginMatchers<T> {}
}
