/**
 * Vitest layer: `await expect(plugin).toHaveIdentity(expected)` — `identity.read` succeeds and the
 * identity, in its conformance form `{ name, version, abiEnvelope }`, matches `expected` as a subset.
 */
import type { MatcherState } from 'vitest';
import { accountOfError } from '../../conformance/error-account.js';
import { IdentityError, identity } from '../../conformance/index.js';
import { deferVerdict, type Verdict } from '../awaited-verdict.js';
import { hintText } from '../hint-text.js';
import { matcherCall } from '../matcher-call.js';
import { identitySourceOf } from '../receiver.js';
import { projectOnto } from '../subset-projection.js';

export function toHaveIdentity(this: MatcherState, received: unknown, expected: unknown): Promise<Verdict> {
  const call = matcherCall(this, 'toHaveIdentity', 'expected');
  return deferVerdict(this, call.text, async () => {
    const source = identitySourceOf(this, call.hint, received);
    const { printExpected, printReceived, iterableEquality, subsetEquality } = this.utils;
    let found: { name: string; version: string; abiEnvelope: number };
    try {
      const { identity: wire } = await identity.read(source);
      found = { name: wire.plugin_name, version: wire.plugin_version, abiEnvelope: wire.abi_envelope };
    } catch (error) {
      if (!(error instanceof IdentityError)) throw error;
      return {
        pass: false,
        message: () =>
          `${call.hint}\n\nExpected identity: ${printExpected(expected)}\n` +
          `Received failure: ${accountOfError(error)}${hintText(source)}`,
      };
    }
    const pass = this.equals(found, expected, [...this.customTesters, iterableEquality, subsetEquality]);
    const actual = projectOnto(found, expected);
    return {
      pass,
      actual,
      expected,
      message: () =>
        pass
          ? `${call.hint}\n\nExpected identity: not ${printExpected(expected)}\nReceived identity: ${printReceived(found)}`
          : `${call.hint}\n\nExpected identity: ${printExpected(expected)}\nReceived identity: ${printReceived(actual)}`,
    };
  });
}
