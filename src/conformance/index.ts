/**
 * Conformance layer (mirrors cc-lb-plugin-conformance 0.1.x, plus a signer verifier): the API
 * plugin authors call. Namespaces as in the reference's modules, the verify functions and
 * `PluginSession` at top level, and the report and error types. Re-exports only.
 */
export { dispatch } from './dispatch.js';
export {
  DispatchError,
  type DispatchErrorKind,
  type DispatchErrorVariant,
  HandshakeError,
  type HandshakeErrorKind,
  type HandshakeErrorVariant,
  IdentityError,
  RunError,
  type RunErrorKind,
  type RunErrorVariant,
  SelfCheckError,
  type SelfCheckErrorKind,
  type SelfCheckErrorVariant,
  VerifyError,
  type VerifyErrorKind,
  type VerifyErrorVariant,
} from './errors.js';
export { FilterRequestBuilder, fixtures, ObserveRequestBuilder, ShapeRequestBuilder } from './fixtures.js';
export { type HandshakeOptions, handshake } from './handshake.js';
export { identity } from './identity.js';
export {
  isPluginUnderTest,
  type PluginLimits,
  type PluginOptions,
  type PluginSource,
  type PluginUnderTest,
  plugin,
} from './plugin-under-test.js';
export {
  type ExtraInfo,
  type HandshakeReport,
  type IdentityReport,
  type LayerResult,
  type SelfCheckFailure,
  type SelfCheckReport,
  STATIC_CHECK_NAMES,
  type StaticCheck,
  type StaticCheckName,
  type VerifyReport,
} from './reports.js';
export { type SelfCheckOptions, selfCheck } from './self-check.js';
export { type DispatchCallOptions, type LastCall, PluginSession, type SessionOptions } from './session.js';
export {
  type VerifyOptions,
  verify,
  verifyObservabilityPlugin,
  verifyRouterPlugin,
  verifyShapePlugin,
  verifySignerPlugin,
} from './verify/index.js';
