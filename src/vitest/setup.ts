/**
 * Vitest layer: the `cc-lb-plugin-conformance/vitest` entry, for `setupFiles` (or an import at the
 * top of a test file). Registers every matcher on Vitest's `expect` and brings in the type
 * augmentation; also exports `pluginTest`. The never-awaited guard needs no hook here: each
 * assertion registers its own on the test that created it.
 */
import { expect } from 'vitest';
import { matchers } from './matchers/index.js';

export type {
  DispatchChain,
  ErrorFields,
  FallbackExpectation,
  HandshakeExpectation,
  HandshakeFailureExpectation,
  IdentityExpectation,
  IdentityReceiverCheck,
  PartialDeep,
  PluginMatchers,
  SelfCheckFailureExpectation,
  VerifyKind,
} from './types.js';

expect.extend(matchers);

export { type PluginTestOptions, pluginTest } from './plugin-test.js';
