/**
 * Vitest layer: every matcher of the package, as the object `expect.extend` takes — the
 * `cc-lb-plugin-conformance/matchers` entry, for registering them by hand.
 */
export type { Verdict } from '../awaited-verdict.js';

import { toDispatch } from './to-dispatch.js';
import { toFailHandshake } from './to-fail-handshake.js';
import { toFailSelfCheck } from './to-fail-self-check.js';
import { toHandleGeneratedRequests } from './to-handle-generated-requests.js';
import { toHandshake } from './to-handshake.js';
import { toHaveIdentity } from './to-have-identity.js';
import { toPassSelfCheck } from './to-pass-self-check.js';
import { toPassStaticChecks } from './to-pass-static-checks.js';
import { toVerifyAs } from './to-verify-as.js';

export {
  toDispatch,
  toFailHandshake,
  toFailSelfCheck,
  toHandleGeneratedRequests,
  toHandshake,
  toHaveIdentity,
  toPassSelfCheck,
  toPassStaticChecks,
  toVerifyAs,
};

export const matchers = {
  toHandshake,
  toFailHandshake,
  toPassSelfCheck,
  toFailSelfCheck,
  toHaveIdentity,
  toPassStaticChecks,
  toVerifyAs,
  toDispatch,
  toHandleGeneratedRequests,
};

export default matchers;
