/**
 * Conformance layer (mirrors cc-lb-plugin-conformance 0.1.x, plus a signer verifier): the API
 * plugin authors call. Namespaces as in the reference's modules, the verify functions and
 * `PluginSession` at top level, and the report and error types. Re-exports only.
 */
export {
  FAILURE_LOG_LINES,
  type GuestDiagnostics,
  guestDiagnosticLines,
  guestDiagnostics,
} from './diagnostics.js';
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
export {
  BuildSignerRequestBuilder,
  CandidateBuilder,
  FilterRequestBuilder,
  fixtures,
  NormalizeErrorRequestBuilder,
  ObserveRequestBuilder,
  OnUnauthorizedRequestBuilder,
  type RequestBuilderOf,
  type RequestFinishedFields,
  ShapeRequestBuilder,
  SignRequestBuilder,
} from './fixtures.js';
export {
  type FuzzCounterexample,
  type FuzzOptions,
  type FuzzReplay,
  type FuzzReport,
  type FuzzStats,
  type FuzzTarget,
  fuzz,
} from './fuzz.js';
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
  type GuestLogLine,
  type HandshakeReport,
  type IdentityReport,
  type LayerFailure,
  type LayerResult,
  type SelfCheckFailure,
  type SelfCheckReport,
  STATIC_CHECK_NAMES,
  type StaticCheck,
  type StaticCheckName,
  type VerifyReport,
} from './reports.js';
export { type RequestArbitraryOptions, requestArbitrary } from './request-arbitrary.js';
export { requestTemplate } from './request-templates.js';
export { type SelfCheckOptions, selfCheck } from './self-check.js';
export { type DispatchCallOptions, type LastCall, PluginSession, type SessionOptions } from './session.js';
export {
  kindsFromFunctions,
  VERIFY_KINDS,
  type VerifyFlow,
  type VerifyKind,
  type VerifyLayer,
  type VerifyLayersOptions,
  type VerifyOptions,
  verify,
  verifyLayers,
  verifyObservabilityPlugin,
  verifyRouterPlugin,
  verifyShapePlugin,
  verifySignerPlugin,
} from './verify/index.js';
