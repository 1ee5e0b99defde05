/**
 * Vitest layer: how a matcher call is written at the top of its messages. `hint` is Vitest's
 * coloured `expect(received).not.toX(expected)`; `text` the same without colours, for the
 * never-awaited failure (which is thrown after the assertion, outside Vitest's message pipeline).
 */
import { stripVTControlCharacters } from 'node:util';
import type { MatcherState } from 'vitest';

export interface MatcherCall {
  readonly hint: string;
  readonly text: string;
}

/** `expected` is the label of the argument list (`''` when the matcher takes none). */
export function matcherCall(state: MatcherState, name: string, expected: string, suffix = ''): MatcherCall {
  const hint = state.utils.matcherHint(name, undefined, expected, {
    isNot: state.isNot,
    promise: state.promise,
  });
  const promise = state.promise ? `.${state.promise}` : '';
  const not = state.isNot ? '.not' : '';
  return {
    hint: hint + suffix,
    text: `expect(received)${promise}${not}.${name}(${expected})${stripVTControlCharacters(suffix)}`,
  };
}
