/**
 * Conformance layer: the author-facing error types of cc-lb-plugin-conformance 0.1.x.
 *
 * Each class mirrors one Rust enum: `kind` is the variant name, the variant's fields are readonly
 * camelCase properties, `message` is the Rust Display text, and `cause` holds the lower-layer error
 * (host, engine or another conformance error) the variant was produced from. The enums with several
 * variants are exposed as a class whose instance type is a discriminated union, so that
 * `if (e instanceof HandshakeError && e.kind === 'DowngradeAttempt') e.hostOfferedMax` narrows.
 */

import type { DispatchStage } from '../host/index.js';
import type { FallbackPolicy } from '../wire/index.js';
import type { StaticCheck } from './reports.js';

/** Rust `#[error(transparent)] Read(IdentityReadError)`: the message is the reader's, unchanged. */
export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  readonly kind = 'Read' as const;
  /**
   * The nine static checks computed before the read failed. The Rust report is lost with the
   * error; we keep the checks so a failing read can still explain which static rule broke.
   */
  readonly staticChecks: readonly StaticCheck[];
  constructor(cause: Error, staticChecks: readonly StaticCheck[]) {
    super(cause.message, { cause });
    this.staticChecks = staticChecks;
  }
}

/**
 * The eight variants of the conformance `HandshakeError`, with their fields, plus
 * `UnsupportedFeature`: not a Rust verdict but this engine's refusal to run a module the host
 * would run (a WebAssembly proposal Node cannot execute); `reason` names it.
 */
export type HandshakeErrorVariant =
  | { readonly kind: 'Instantiate'; readonly reason: string }
  | { readonly kind: 'UnsupportedFeature'; readonly feature: string; readonly reason: string }
  | { readonly kind: 'MissingExport' }
  | { readonly kind: 'InvalidIdentity'; readonly field: string; readonly reason: string }
  | { readonly kind: 'FunctionMissing'; readonly name: string }
  | {
      readonly kind: 'DowngradeAttempt';
      readonly function: string;
      readonly hostOfferedMax: number;
      readonly pluginChose: number;
    }
  | { readonly kind: 'MissingCapability'; readonly name: string }
  | { readonly kind: 'Serialization'; readonly reason: string }
  | { readonly kind: 'WasmTrap'; readonly reason: string };
export type HandshakeErrorKind = HandshakeErrorVariant['kind'];

function handshakeMessage(v: HandshakeErrorVariant): string {
  switch (v.kind) {
    case 'Instantiate':
      return `plugin instantiation failed: ${v.reason}`;
    case 'UnsupportedFeature':
      return v.reason;
    case 'MissingExport':
      return 'plugin does not export cc_lb_handshake';
    case 'InvalidIdentity':
      return `invalid identity field ${v.field}: ${v.reason}`;
    case 'FunctionMissing':
      return `declared function missing wasm export: ${v.name}`;
    case 'DowngradeAttempt':
      return `downgrade attempt for function ${v.function}: host offered max ${v.hostOfferedMax}, plugin chose ${v.pluginChose}`;
    case 'MissingCapability':
      return `missing host capability: ${v.name}`;
    case 'Serialization':
      return `handshake serialization failed: ${v.reason}`;
    case 'WasmTrap':
      return `wasm execution failed: ${v.reason}`;
  }
}

/** The five variants of the conformance `SelfCheckError`, plus `UnsupportedFeature` (see above). */
export type SelfCheckErrorVariant =
  | { readonly kind: 'Instantiate'; readonly reason: string }
  | { readonly kind: 'UnsupportedFeature'; readonly feature: string; readonly reason: string }
  | { readonly kind: 'MissingExport' }
  | { readonly kind: 'FailureStatus' }
  | { readonly kind: 'Output'; readonly reason: string }
  | { readonly kind: 'WasmTrap'; readonly reason: string };
export type SelfCheckErrorKind = SelfCheckErrorVariant['kind'];

function selfCheckMessage(v: SelfCheckErrorVariant): string {
  switch (v.kind) {
    case 'Instantiate':
      return `plugin instantiation failed: ${v.reason}`;
    case 'UnsupportedFeature':
      return v.reason;
    case 'MissingExport':
      return 'plugin does not export cc_lb_self_check';
    case 'FailureStatus':
      return 'self-check reported failure status';
    case 'Output':
      return `self-check output invalid: ${v.reason}`;
    case 'WasmTrap':
      return `wasm execution failed: ${v.reason}`;
  }
}

/** `dispatch::run` could not reach the wire call. `Handshake` wraps a `HandshakeError` as `cause`. */
export type RunErrorVariant =
  | { readonly kind: 'Build'; readonly reason: string }
  | { readonly kind: 'Handshake'; readonly cause: HandshakeError };
export type RunErrorKind = RunErrorVariant['kind'];

/**
 * Why a verify flow rejected a dispatch. `Fallback` also carries what the Rust outcome hides:
 * the dispatch `stage` and the internal error text (`reason`) and its Debug name (`errorKind`).
 */
export type DispatchErrorVariant =
  | {
      readonly kind: 'Fallback';
      readonly function: string;
      readonly policy: FallbackPolicy;
      readonly stage: DispatchStage;
      readonly reason: string;
      readonly errorKind: string;
    }
  | { readonly kind: 'InvalidResponse'; readonly function: string; readonly reason: string };
export type DispatchErrorKind = DispatchErrorVariant['kind'];

function dispatchMessage(v: DispatchErrorVariant): string {
  switch (v.kind) {
    case 'Fallback':
      // `{policy:?}` of a fieldless Rust enum is the variant name, which is our policy string.
      return `${v.function} dispatch fell back with policy ${v.policy}`;
    case 'InvalidResponse':
      return `${v.function} response failed conformance check: ${v.reason}`;
  }
}

/** Each verify variant wraps the error of the layer that failed, as `cause`. */
export type VerifyErrorVariant =
  | { readonly kind: 'Identity'; readonly cause: IdentityError }
  | { readonly kind: 'Handshake'; readonly cause: HandshakeError }
  | { readonly kind: 'SelfCheck'; readonly cause: SelfCheckError }
  | { readonly kind: 'Dispatch'; readonly cause: DispatchError };
export type VerifyErrorKind = VerifyErrorVariant['kind'];

function verifyMessage(v: VerifyErrorVariant): string {
  switch (v.kind) {
    case 'Identity':
      return `identity verification failed: ${v.cause.message}`;
    case 'Handshake':
      return `handshake verification failed: ${v.cause.message}`;
    case 'SelfCheck':
      return `self-check verification failed: ${v.cause.message}`;
    case 'Dispatch':
      return `dispatch verification failed: ${v.cause.message}`;
  }
}

/**
 * Copies a variant's fields onto the error. `cause` goes through the Error constructor (so it is
 * the standard own property); every other field becomes a readonly own property.
 */
function assignFields(target: Error, variant: object): void {
  for (const [key, value] of Object.entries(variant)) {
    if (key === 'cause') continue;
    Object.defineProperty(target, key, { value, enumerable: true, writable: false, configurable: false });
  }
}

class HandshakeErrorClass extends Error {
  constructor(variant: HandshakeErrorVariant, cause?: unknown) {
    super(handshakeMessage(variant), cause === undefined ? undefined : { cause });
    assignFields(this, variant);
  }
}
class SelfCheckErrorClass extends Error {
  constructor(variant: SelfCheckErrorVariant, cause?: unknown) {
    super(selfCheckMessage(variant), cause === undefined ? undefined : { cause });
    assignFields(this, variant);
  }
}
class RunErrorClass extends Error {
  constructor(variant: RunErrorVariant, cause?: unknown) {
    const message =
      variant.kind === 'Build'
        ? `plugin instantiation failed: ${variant.reason}`
        : `handshake failed: ${variant.cause.message}`;
    const wrapped = variant.kind === 'Handshake' ? variant.cause : cause;
    super(message, wrapped === undefined ? undefined : { cause: wrapped });
    assignFields(this, variant);
  }
}
class DispatchErrorClass extends Error {
  constructor(variant: DispatchErrorVariant) {
    super(dispatchMessage(variant));
    assignFields(this, variant);
  }
}
class VerifyErrorClass extends Error {
  constructor(variant: VerifyErrorVariant) {
    super(verifyMessage(variant), { cause: variant.cause });
    assignFields(this, variant);
  }
}

/*
 * `name` lives on the prototype, not on instances: two handshake variants (`FunctionMissing`,
 * `MissingCapability`) have a Rust field called `name`, which then shadows the class name on
 * that instance only, exactly as the field rule ("the variant's fields as properties") demands.
 */
for (const [cls, name] of [
  [HandshakeErrorClass, 'HandshakeError'],
  [SelfCheckErrorClass, 'SelfCheckError'],
  [RunErrorClass, 'RunError'],
  [DispatchErrorClass, 'DispatchError'],
  [VerifyErrorClass, 'VerifyError'],
] as const) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
  // The constructor too, so `error.constructor.name` and inspectors print the exported name.
  Object.defineProperty(cls, 'name', { value: name, configurable: true });
}

type Base = Error & { readonly cause?: unknown };

export type HandshakeError = Base & HandshakeErrorVariant;
export const HandshakeError = HandshakeErrorClass as unknown as {
  new (variant: HandshakeErrorVariant, cause?: unknown): HandshakeError;
  readonly prototype: HandshakeError;
};

export type SelfCheckError = Base & SelfCheckErrorVariant;
export const SelfCheckError = SelfCheckErrorClass as unknown as {
  new (variant: SelfCheckErrorVariant, cause?: unknown): SelfCheckError;
  readonly prototype: SelfCheckError;
};

export type RunError = Base & RunErrorVariant;
export const RunError = RunErrorClass as unknown as {
  new (variant: RunErrorVariant, cause?: unknown): RunError;
  readonly prototype: RunError;
};

export type DispatchError = Base & DispatchErrorVariant;
export const DispatchError = DispatchErrorClass as unknown as {
  new (variant: DispatchErrorVariant): DispatchError;
  readonly prototype: DispatchError;
};

export type VerifyError = Base & VerifyErrorVariant;
export const VerifyError = VerifyErrorClass as unknown as {
  new (variant: VerifyErrorVariant): VerifyError;
  readonly prototype: VerifyError;
};
