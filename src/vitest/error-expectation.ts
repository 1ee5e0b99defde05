/**
 * Vitest layer: matching an error of this package against what `toFailHandshake` and
 * `toFailSelfCheck` were given — a kind (of the error or of any error in its cause chain, so a
 * host-level `'UndeclaredExport'` matches the conformance error built from it) or a subset of the
 * error's fields, compared like `toMatchObject` so asymmetric matchers work.
 */
import type { MatcherState } from 'vitest';
import { kindsOfErrorChain } from '../conformance/error-account.js';

/** A kind string, or a subset of {@link errorFields}. */
export type ErrorExpectation = string | object;

/** Rejects an expectation that is neither a kind nor an object, in the matcher-error style. */
export function checkErrorExpectation(
  state: MatcherState,
  hint: string,
  expected: unknown,
): ErrorExpectation {
  if (typeof expected === 'string' || (typeof expected === 'object' && expected !== null)) return expected;
  const { printExpected, printWithType, EXPECTED_COLOR, BOLD_WEIGHT } = state.utils;
  throw new TypeError(
    `${hint}\n\n${BOLD_WEIGHT('Matcher error')}: ${EXPECTED_COLOR('expected')} value must be an error kind ` +
      `(string) or an object of error fields\n\n${printWithType('Expected', expected, printExpected)}`,
  );
}

/** The error as the plain object partial expectations are compared with. */
export function errorFields(error: Error): Record<string, unknown> {
  // The variant's fields are own enumerable properties; `message` and `cause` are not enumerable.
  return { ...Object.fromEntries(Object.entries(error)), message: error.message, cause: error.cause };
}

export function matchesErrorExpectation(
  state: MatcherState,
  error: Error,
  expected: ErrorExpectation,
): boolean {
  if (typeof expected === 'string') return kindsOfErrorChain(error).includes(expected);
  const { iterableEquality, subsetEquality } = state.utils;
  return state.equals(errorFields(error), expected, [
    ...state.customTesters,
    iterableEquality,
    subsetEquality,
  ]);
}

/** How the expectation reads in a message: a kind as-is, an object printed. */
export function expectationText(state: MatcherState, expected: ErrorExpectation): string {
  return typeof expected === 'string'
    ? state.utils.EXPECTED_COLOR(expected)
    : state.utils.printExpected(expected);
}
