/**
 * Vitest layer: `await expect(plugin).toHandleGeneratedRequests(Fn, options?)` — `fuzz.run` finds
 * no counterexample among the generated requests of `Fn`. The failure message gives the shrunk
 * request as JSON, its outcome (stage, error, fuel), why it failed, the seed and the replay object
 * to pass back as `options.replay`; a request that ran out of fuel adds the functions with the most
 * self fuel (`fuzz.run`'s profiled replay). `.not` passes when a counterexample is found.
 *
 * A plugin that never reaches the calls (it cannot be built or handshaken, or did not negotiate
 * `Fn`) rejects whatever the assertion expected, `.not` included: there is no verdict about it.
 */
import type { MatcherState } from 'vitest';
import { accountOfError } from '../../conformance/error-account.js';
import { type FuzzOptions, type FuzzReport, fuzz, HandshakeError } from '../../conformance/index.js';
import type { DispatchOutcome } from '../../host/index.js';
import { encodeJsonValue, type JsonValue } from '../../wire/index.js';
import { deferVerdict, type Verdict } from '../awaited-verdict.js';
import { matcherCall } from '../matcher-call.js';
import { fuelBudgetOf, fuelText, receiverOf } from '../receiver.js';
import { exportNameOf, isWireFunction, notAWireFunction } from '../wire-function-argument.js';

export function toHandleGeneratedRequests(
  this: MatcherState,
  received: unknown,
  fn: unknown,
  options?: FuzzOptions,
): Promise<Verdict> {
  const args = `${isWireFunction(fn) ? exportNameOf(fn) : 'fn'}${options === undefined ? '' : ', options'}`;
  const call = matcherCall(this, 'toHandleGeneratedRequests', args);
  return deferVerdict(this, call.text, async () => {
    const receiver = receiverOf(this, call.hint, received);
    if (!isWireFunction(fn)) throw notAWireFunction(this, call.hint, fn);
    const target = receiver.kind === 'session' ? receiver.session : receiver.source;
    let report: FuzzReport;
    try {
      report = await fuzz.run(target, fn, options);
    } catch (error) {
      if (!(error instanceof HandshakeError) && !(error instanceof RangeError)) throw error;
      throw new Error(
        `${call.hint}\n\nThe plugin never reached the ${fn.name} calls:\n${accountOfError(error)}`,
        {
          cause: error,
        },
      );
    }
    const budget =
      options?.fuel ??
      (receiver.kind === 'session' ? receiver.session.plugin.limits.fuel : fuelBudgetOf(receiver.source));
    const tried = `${report.runs} generated ${fn.name} request${report.runs === 1 ? '' : 's'}`;
    const counterexample = report.counterexample;
    if (counterexample === undefined) {
      return {
        pass: true,
        message: () =>
          `${call.hint}\n\nExpected a generated ${fn.name} request the plugin does not handle, but all ` +
          `${tried} passed\n\n${statsLines(report, budget)}\nSeed:         ${report.seed}`,
      };
    }
    return {
      pass: false,
      message: () =>
        `${call.hint}\n\nExpected the plugin to handle every generated ${fn.name} request, but ` +
        `${counterexample.failure}\n(failed after ${tried}; shrunk ${counterexample.shrinks} time${counterexample.shrinks === 1 ? '' : 's'})\n\n` +
        `Request: ${jsonOf(counterexample.request)}\n\n` +
        `${outcomeLines(counterexample.outcome, budget)}\n\n` +
        (counterexample.outOfFuelHint === undefined ? '' : `${counterexample.outOfFuelHint}\n\n`) +
        `Seed:   ${report.seed}\n` +
        `Replay: { seed: ${counterexample.replay.seed}, path: '${counterexample.replay.path}' } (pass as options.replay)`,
    };
  });
}

function outcomeLines(outcome: DispatchOutcome<unknown>, budget: number | undefined): string {
  const fuel = fuelText(outcome.fuelConsumed, budget);
  const lines =
    outcome.kind === 'ok'
      ? ['Outcome: Ok', `Response: ${jsonOf(outcome.response)}`]
      : [
          `Outcome: fallback ${outcome.policy} at stage ${outcome.stage}`,
          `Error:   ${outcome.errorKind}: ${outcome.error}`,
        ];
  lines.push(`${fuel.charAt(0).toUpperCase()}${fuel.slice(1)}`);
  return lines.join('\n');
}

function statsLines(report: FuzzReport, budget: number | undefined): string {
  const { ok, guestErrors, fallbacks, maxFuel } = report.stats;
  const stages = Object.entries(fallbacks)
    .filter(([, count]) => count > 0)
    .map(([stage, count]) => `${stage} ${count}`);
  return [
    `Ok:           ${ok}`,
    `Guest errors: ${guestErrors}`,
    `Fallbacks:    ${stages.length === 0 ? 'none' : stages.join(', ')}`,
    `Max ${fuelText(maxFuel, budget)}`,
  ].join('\n');
}

/** Compact JSON in field order, bigints exact: the request as the host writes it, minus `_v`. */
function jsonOf(value: unknown): string {
  return encodeJsonValue(value as JsonValue);
}
