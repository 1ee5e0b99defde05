/**
 * Vitest layer: `await expect(plugin).toPassStaticChecks()` — all nine static identity checks pass.
 * The checks never fail to run; when the identity read itself fails, `IdentityError` still carries
 * them, so the message can list every failing check with its detail either way.
 */
import type { MatcherState } from 'vitest';
import { IdentityError, identity, type StaticCheck } from '../../conformance/index.js';
import { deferVerdict, type Verdict } from '../awaited-verdict.js';
import { hintText } from '../hint-text.js';
import { matcherCall } from '../matcher-call.js';
import { identitySourceOf } from '../receiver.js';

export function toPassStaticChecks(this: MatcherState, received: unknown): Promise<Verdict> {
  const call = matcherCall(this, 'toPassStaticChecks', '');
  return deferVerdict(this, call.text, async () => {
    const source = identitySourceOf(this, call.hint, received);
    let checks: readonly StaticCheck[];
    try {
      checks = (await identity.read(source)).staticChecks;
    } catch (error) {
      if (!(error instanceof IdentityError)) throw error;
      checks = error.staticChecks;
    }
    const failing = checks.filter((check) => !check.pass);
    const { RECEIVED_COLOR } = this.utils;
    return {
      pass: failing.length === 0,
      message: () =>
        failing.length === 0
          ? `${call.hint}\n\nExpected a static check to fail, but all ${checks.length} passed`
          : `${call.hint}\n\nExpected all ${checks.length} static checks to pass; ${failing.length} failed:\n` +
            failing.map((check) => `  ✗ ${check.name}: ${RECEIVED_COLOR(check.detail ?? '')}`).join('\n') +
            hintText(source),
    };
  });
}
