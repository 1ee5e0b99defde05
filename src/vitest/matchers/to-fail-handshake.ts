/**
 * Vitest layer: `await expect(plugin).toFailHandshake(kindOrFields)` — `handshake.run` throws a
 * `HandshakeError` whose kind (or the kind of a host or wire error in its cause chain, such as
 * `'UndeclaredExport'`) or whose fields match. On a session, the session's handshake is repeated
 * on a fresh instance (same plugin, capabilities and offer), which a deterministic plugin passes.
 */
import type { MatcherState } from 'vitest';
import { HandshakeError, handshake } from '../../conformance/index.js';
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

export function toFailHandshake(
  this: MatcherState,
  received: unknown,
  expectation: unknown,
): Promise<Verdict> {
  const call = matcherCall(this, 'toFailHandshake', 'expected');
  return deferVerdict(this, call.text, async () => {
    const { source, handshake: options } = targetOf(this, call.hint, received);
    const expected = checkErrorExpectation(this, call.hint, expectation);
    const wanted = expectationText(this, expected);
    try {
      const report = await handshake.run(source, options);
      const fuel = fuelText(report.fuelConsumed, fuelBudgetOf(source));
      return {
        pass: false,
        message: () =>
          `${call.hint}\n\nExpected failure: ${wanted}\nReceived: the handshake succeeded (${fuel})\n\n` +
          `Report: ${this.utils.printReceived(report)}`,
      };
    } catch (error) {
      if (!(error instanceof HandshakeError)) throw error;
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
