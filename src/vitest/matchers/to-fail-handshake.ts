/**
 * Vitest layer: `await expect(plugin).toFailHandshake(kindOrFields)` — `handshake.run` throws a
 * `HandshakeError` whose kind (or the kind of a host or wire error in its cause chain, such as
 * `'UndeclaredExport'`) or whose fields match. On a session, the session's handshake is repeated
 * on a fresh instance (same plugin, capabilities and offer), which a deterministic plugin passes.
 */
import type { MatcherState } from 'vitest';
import { HandshakeError, handshake } from '../../conformance/index.js';
import { deferVerdict, type Verdict } from '../awaited-verdict.js';
import { layerFailureVerdict } from '../failure-verdict.js';
import { matcherCall } from '../matcher-call.js';
import { fuelBudgetOf, targetOf } from '../receiver.js';

export function toFailHandshake(
  this: MatcherState,
  received: unknown,
  expectation: unknown,
): Promise<Verdict> {
  const call = matcherCall(this, 'toFailHandshake', 'expected');
  return deferVerdict(this, call.text, async () => {
    const { source, handshake: options } = targetOf(this, call.hint, received);
    return layerFailureVerdict(this, call.hint, expectation, {
      run: () => handshake.run(source, options),
      errorClass: HandshakeError,
      succeeded: 'the handshake succeeded',
      fuelBudget: fuelBudgetOf(source),
      printReport: true,
    });
  });
}
