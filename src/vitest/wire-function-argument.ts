/**
 * Vitest layer: the wire-function argument of the matchers that take one (`toDispatch(Fn)`,
 * `toHandleGeneratedRequests(Fn)`): recognising it, spelling it as the test's source does, and the
 * usage error for anything else.
 */
import type { MatcherState } from 'vitest';
import type { AnyWireFunction } from '../wire/index.js';

export function isWireFunction(value: unknown): value is AnyWireFunction {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { dryRunRequest?: unknown }).dryRunRequest === 'function'
  );
}

/** `normalize_error` → `NormalizeErrorFn`: how the function is spelled in the test's source. */
export function exportNameOf(fn: AnyWireFunction): string {
  return `${fn.name.replace(/(?:^|_)([a-z])/g, (_, c: string) => c.toUpperCase())}Fn`;
}

export function notAWireFunction(state: MatcherState, hint: string, value: unknown): TypeError {
  const { BOLD_WEIGHT, EXPECTED_COLOR, printExpected, printWithType } = state.utils;
  return new TypeError(
    `${hint}\n\n${BOLD_WEIGHT('Matcher error')}: ${EXPECTED_COLOR('fn')} must be a wire function such as ShapeFn ` +
      `(exported by cc-lb-plugin-conformance)\n\n${printWithType('Expected', value, printExpected)}`,
  );
}
