/**
 * Vitest layer: `await expect(plugin).toPassSelfCheck()` — `selfCheck.run` reports `Success`. On a
 * session, the self-check runs on `session.plugin` in an instance of its own, as the host runs it.
 */
import type { MatcherState } from 'vitest';
import { SelfCheckError, selfCheck } from '../../conformance/index.js';
import { deferVerdict, type Verdict } from '../awaited-verdict.js';
import { accountOfError } from '../error-account.js';
import { matcherCall } from '../matcher-call.js';
import { fuelBudgetOf, fuelText, targetOf, warningText } from '../receiver.js';

export function toPassSelfCheck(this: MatcherState, received: unknown): Promise<Verdict> {
  const call = matcherCall(this, 'toPassSelfCheck', '');
  return deferVerdict(this, call.text, async () => {
    const { source } = targetOf(this, call.hint, received);
    try {
      const report = await selfCheck.run(source);
      const fuel = fuelText(report.fuelConsumed, fuelBudgetOf(source));
      const pass = report.status === 'Success';
      return {
        pass,
        message: () =>
          pass
            ? `${call.hint}\n\nExpected the self-check to fail, but it passed (${fuel})${warningText(report.warnings)}`
            : `${call.hint}\n\nExpected the self-check to pass, but it reported ${report.status} (${fuel})\n\n` +
              `Received: ${this.utils.printReceived(report)}` +
              warningText(report.warnings),
      };
    } catch (error) {
      if (!(error instanceof SelfCheckError)) throw error;
      return {
        pass: false,
        message: () =>
          `${call.hint}\n\nExpected the self-check to pass\nReceived failure: ${accountOfError(error)}`,
      };
    }
  });
}
