/**
 * Vitest layer: `await expect(plugin).toFailSelfCheck(kindOrFields)` — `selfCheck.run` throws a
 * `SelfCheckError` whose kind (or the kind of a host or wire error in its cause chain, such as
 * `'SuccessWithFailures'`) or whose fields match. On a session, the self-check runs on
 * `session.plugin` in an instance of its own, as the host runs it.
 */
import type { MatcherState } from 'vitest';
import { SelfCheckError, selfCheck } from '../../conformance/index.js';
import { deferVerdict, type Verdict } from '../awaited-verdict.js';
import { layerFailureVerdict } from '../failure-verdict.js';
import { matcherCall } from '../matcher-call.js';
import { fuelBudgetOf, targetOf } from '../receiver.js';

export function toFailSelfCheck(
  this: MatcherState,
  received: unknown,
  expectation: unknown,
): Promise<Verdict> {
  const call = matcherCall(this, 'toFailSelfCheck', 'expected');
  return deferVerdict(this, call.text, async () => {
    const { source } = targetOf(this, call.hint, received);
    return layerFailureVerdict(this, call.hint, expectation, {
      run: () => selfCheck.run(source),
      errorClass: SelfCheckError,
      succeeded: 'the self-check passed',
      fuelBudget: fuelBudgetOf(source),
    });
  });
}
