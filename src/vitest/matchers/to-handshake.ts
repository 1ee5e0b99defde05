/**
 * Vitest layer: `await expect(plugin).toHandshake(expected?)` — `handshake.run` succeeds and, when
 * given, its report matches `expected` as a subset (like `toMatchObject`). On a session, the
 * session's handshake is repeated on a fresh instance: same plugin, capabilities and offer.
 */
import type { MatcherState } from 'vitest';
import { HandshakeError, type HandshakeReport, handshake } from '../../conformance/index.js';
import { deferVerdict, type Verdict } from '../awaited-verdict.js';
import { accountOfError } from '../error-account.js';
import { matcherCall } from '../matcher-call.js';
import { fuelBudgetOf, fuelText, targetOf, warningText } from '../receiver.js';
import { projectOnto } from '../subset-projection.js';

export function toHandshake(this: MatcherState, received: unknown, expected?: unknown): Promise<Verdict> {
  const call = matcherCall(this, 'toHandshake', expected === undefined ? '' : 'expected');
  return deferVerdict(this, call.text, async () => {
    const { source, handshake: options } = targetOf(this, call.hint, received);
    const { printExpected, printReceived } = this.utils;
    let report: HandshakeReport;
    try {
      report = await handshake.run(source, options);
    } catch (error) {
      if (!(error instanceof HandshakeError)) throw error;
      return {
        pass: false,
        message: () =>
          `${call.hint}\n\nExpected the handshake to succeed\nReceived failure: ${accountOfError(error)}`,
      };
    }
    const fuel = fuelText(report.fuelConsumed, fuelBudgetOf(source));
    if (expected === undefined) {
      return {
        pass: true,
        message: () =>
          `${call.hint}\n\nExpected the handshake to fail, but it succeeded (${fuel})\n\nReceived: ${printReceived(report)}` +
          warningText(report.warnings),
      };
    }
    const { iterableEquality, subsetEquality } = this.utils;
    const pass = this.equals(report, expected, [...this.customTesters, iterableEquality, subsetEquality]);
    const actual = projectOnto(report, expected);
    return {
      pass,
      actual,
      expected,
      message: () =>
        pass
          ? `${call.hint}\n\nExpected the handshake report not to match, but it did (${fuel})\n\n` +
            `Expected: not ${printExpected(expected)}\nReceived: ${printReceived(report)}`
          : `${call.hint}\n\nThe handshake succeeded (${fuel}), but its report does not match\n\n` +
            `Expected: ${printExpected(expected)}\nReceived: ${printReceived(actual)}` +
            warningText(report.warnings),
    };
  });
}
