/**
 * Vitest layer: `await expect(plugin).toFailSelfCheck(kindOrFields)` — `selfCheck.run` throws a
 * `SelfCheckError` whose kind (or the kind of a host or wire error in its cause chain, such as
 * `'SuccessWithFailures'`) or whose fields match. On a session, the self-check runs on
 * `session.plugin` in an instance of its own, as the host runs it.
 */
import type { MatcherState } from 'vitest';
import { SelfCheckError, selfCheck } from '../../conformance/index.js';
import { deferVerdict, type Verdict } from '../awaited-verdict.js';
import { accountOfError } from '../error-account.js';
import {
  checkErrorExpectation,
  errorFields,
  expectationText,
  matchesErrorExpectation,
} from '../error-expectation.js';
import { matcherCall } from '../matcher-call.js';
import { fuelBudgetOf, fuelText, targetOf } from '../receiver.js';
import { projectOnto } from '../subset-projection.js';

export function toFailSelfCheck(
  this: MatcherState,
  received: unknown,
  expectation: unknown,
): Promise<Verdict> {
  const call = matcherCall(this, 'toFailSelfCheck', 'expected');
  return deferVerdict(this, call.text, async () => {
    const { source } = targetOf(this, call.hint, received);
    const expected = checkErrorExpectation(this, call.hint, expectation);
    const wanted = expectationText(this, expected);
    try {
      const report = await selfCheck.run(source);
      const fuel = fuelText(report.fuelConsumed, fuelBudgetOf(source));
      return {
        pass: false,
        message: () =>
          `${call.hint}\n\nExpected failure: ${wanted}\nReceived: the self-check passed (${fuel})`,
      };
    } catch (error) {
      if (!(error instanceof SelfCheckError)) throw error;
      const pass = matchesErrorExpectation(this, error, expected);
      const partial = typeof expected === 'object';
      return {
        pass,
        ...(partial ? { actual: projectOnto(errorFields(error), expected), expected } : {}),
        message: () =>
          pass
            ? `${call.hint}\n\nExpected failure: not ${wanted}\nReceived failure: ${accountOfError(error)}`
            : `${call.hint}\n\nExpected failure: ${wanted}\nReceived failure: ${accountOfError(error)}`,
      };
    }
  });
}
