/**
 * The public surface of cc-lb-plugin-conformance (the package root entry): the wire layer, the
 * engine, the host runtime steps and the conformance API. Re-exports only; Vitest is not imported
 * here (its surface lives in the `/vitest` and `/matchers` entries).
 *
 * Three names exist in two layers; the root gives each its plain name once and the other a
 * qualified one: the wire `SelfCheckFailure` (the JSON type) vs the conformance report's failure,
 * the conformance `DispatchErrorKind` (verify's `Fallback`/`InvalidResponse`) vs the host's
 * internal dispatch error kinds, and `selfCheck.run`'s options vs `executeSelfCheck`'s.
 */

export type {
  DispatchErrorKind,
  SelfCheckFailure as SelfCheckReportFailure,
  SelfCheckOptions,
} from './conformance/index.js';
export * from './conformance/index.js';
export * from './engine/index.js';
export type {
  DispatchErrorKind as HostDispatchErrorKind,
  SelfCheckOptions as ExecuteSelfCheckOptions,
} from './host/index.js';
export * from './host/index.js';
export * from './wire/index.js';
export { SelfCheckFailure } from './wire/index.js';
