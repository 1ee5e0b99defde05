/**
 * Vitest layer: the verdict shared by the failure matchers (`toFailHandshake`, `toFailSelfCheck`):
 * run the layer, and judge the error it throws — of the layer's own error class — against a kind or
 * a partial object; a success fails the assertion with the fuel it used.
 */
import type { MatcherState } from 'vitest';
import { accountOfError } from '../conformance/error-account.js';
import type { Verdict } from './awaited-verdict.js';
import {
  checkErrorExpectation,
  errorFields,
  expectationText,
  matchesErrorExpectation,
} from './error-expectation.js';
import { fuelText } from './receiver.js';
import { projectOnto } from './subset-projection.js';

export interface LayerFailureCheck<R extends { fuelConsumed: number }> {
  /** runs the layer; resolves with its report when it passes */
  readonly run: () => Promise<R>;
  /** the layer's error class: any other error is not a verdict and propagates */
  readonly errorClass: abstract new (
    ...args: never[]
  ) => Error;
  /** what the failure message says happened when the layer passed, e.g. `the self-check passed` */
  readonly succeeded: string;
  /** the fuel budget of the plugin, for the message */
  readonly fuelBudget: number;
  /** also print the report of an unexpected success */
  readonly printReport?: boolean;
}

export async function layerFailureVerdict<R extends { fuelConsumed: number }>(
  state: MatcherState,
  hint: string,
  expectation: unknown,
  check: LayerFailureCheck<R>,
): Promise<Verdict> {
  const expected = checkErrorExpectation(state, hint, expectation);
  const wanted = expectationText(state, expected);
  try {
    const report = await check.run();
    const fuel = fuelText(report.fuelConsumed, check.fuelBudget);
    const shown = check.printReport === true ? `\n\nReport: ${state.utils.printReceived(report)}` : '';
    return {
      pass: false,
      message: () => `${hint}\n\nExpected failure: ${wanted}\nReceived: ${check.succeeded} (${fuel})${shown}`,
    };
  } catch (error) {
    if (!(error instanceof check.errorClass)) throw error;
    const pass = matchesErrorExpectation(state, error, expected);
    const partial = typeof expected === 'object';
    return {
      pass,
      ...(partial ? { actual: projectOnto(errorFields(error), expected), expected } : {}),
      message: () =>
        `${hint}\n\nExpected failure: ${pass ? 'not ' : ''}${wanted}\nReceived failure: ${accountOfError(error)}`,
    };
  }
}
