/**
 * Vitest layer: `await expect(plugin).toDispatch(Fn, request?, { fuel? })` and its chain — `.ok(expected?)`
 * (the dispatch returned `Ok`, and the response equals `expected` like `toEqual`) and
 * `.fallback(policy?, { stage? })`; awaiting the head alone is `.ok()`. `.not` negates the final
 * check. The receiver may also be a `PluginSession`, whose instance keeps its state between calls.
 *
 * The chain is the value Vitest's `report` is handed to (see awaited-verdict.ts): nothing is
 * dispatched until one terminal — the head, `.ok()` or `.fallback()` — is awaited, and a chain
 * never awaited fails its test. One chain settles once: the head may be awaited again (same
 * result), and the promise of `.ok()`/`.fallback()` too, but a second terminal call is a usage
 * error rather than a second check that could pass unnoticed.
 *
 * A plugin that never reached the wire call (a `RunError`: it could not be built or handshaken)
 * rejects whatever the chain expected, `.not` included: no verdict about the dispatch exists.
 */
import type { MatcherState } from 'vitest';
import { accountOfError } from '../../conformance/error-account.js';
import {
  type DispatchCallOptions,
  dispatch,
  guestDiagnosticLines,
  RunError,
} from '../../conformance/index.js';
import { outOfFuelHint, ranOutOfFuel } from '../../conformance/out-of-fuel.js';
import { DISPATCH_STAGES, type DispatchOutcome } from '../../host/index.js';
import { type AnyWireFunction, FALLBACK_POLICIES, type FallbackPolicy } from '../../wire/index.js';
import { atCallSite, awaitable, handOver, type Verdict, watchAwait } from '../awaited-verdict.js';
import { matcherCall } from '../matcher-call.js';
import { fuelBudgetOf, fuelText, type Receiver, receiverOf } from '../receiver.js';
import type { DispatchChain, FallbackExpectation } from '../types.js';
import { exportNameOf, isWireFunction, notAWireFunction } from '../wire-function-argument.js';

type Outcome = DispatchOutcome<unknown>;

/** One terminal of the chain: the label written after the head, and the check of the outcome. */
interface Terminal {
  readonly label: string;
  readonly validate: (hint: string) => void;
  readonly check: (outcome: Outcome, hint: string, fuel: string) => Verdict;
}

export function toDispatch(
  this: MatcherState,
  received: unknown,
  fn: unknown,
  request?: unknown,
  options?: DispatchCallOptions,
): Promise<Verdict> {
  const head = matcherCall(this, 'toDispatch', isWireFunction(fn) ? exportNameOf(fn) : 'fn');
  return handOver((report): DispatchChain<unknown> => {
    // The never-awaited text names the last terminal asked for, as the test wrote it.
    let lastLabel = '';
    const watch = watchAwait(this, () => `${head.text}${lastLabel}`);
    const callSite = new Error('call site');
    let settled: { readonly terminal: Terminal; readonly run: Promise<void> } | undefined;

    const settle = (terminal: Terminal): Promise<void> => {
      watch.markAwaited();
      if (settled !== undefined) {
        if (settled.terminal === terminal) return settled.run;
        return Promise.reject(
          new Error(
            `${head.text}${settled.terminal.label} already settled this chain; ` +
              `start a new expect(…).toDispatch(…) for ${terminal.label === '' ? 'the head' : terminal.label}`,
          ),
        );
      }
      const hint = `${head.hint}${this.utils.DIM_COLOR(terminal.label)}`;
      const run = (async () => {
        terminal.validate(hint);
        const receiver = receiverOf(this, hint, received);
        if (!isWireFunction(fn)) throw notAWireFunction(this, hint, fn);
        const outcome = await dispatchOn(receiver, fn, request, options, hint);
        const budget =
          options?.fuel ?? (receiver.kind === 'source' ? fuelBudgetOf(receiver.source) : undefined);
        const verdict = terminal.check(outcome, hint, fuelText(outcome.fuelConsumed, budget));
        report(await withOutOfFuelHint(verdict, this.isNot === true, outcome, receiver, fn, request));
      })().catch((error: unknown) => {
        throw atCallSite(error, callSite);
      });
      settled = { terminal, run };
      return run;
    };

    const name = isWireFunction(fn) ? fn.name : String(fn);
    // Each terminal is an awaitable that starts the check when awaited: calling `.ok()` without
    // awaiting it checks nothing, so it must not count as awaited either.
    const headTerminal = okTerminal(this, name, '', undefined);
    const head$ = awaitable(() => settle(headTerminal));
    return {
      // biome-ignore lint/suspicious/noThenProperty: the chain head is awaitable by design.
      then: head$.then,
      ok: (expected?: unknown) => {
        const terminal = okTerminal(this, name, expected === undefined ? '.ok()' : '.ok(expected)', expected);
        lastLabel = terminal.label;
        return awaitable(() => settle(terminal)) as Promise<void>;
      },
      fallback: (policy?: FallbackPolicy, options?: FallbackExpectation) => {
        const terminal = fallbackTerminal(this, name, policy, options);
        lastLabel = terminal.label;
        return awaitable(() => settle(terminal)) as Promise<void>;
      },
    };
  });
}

function okTerminal(state: MatcherState, name: string, label: string, expected: unknown): Terminal {
  const { printExpected, printReceived, iterableEquality } = state.utils;
  return {
    label,
    validate: () => {},
    check: (outcome, hint, fuel) => {
      if (outcome.kind === 'fallback') {
        return {
          pass: false,
          message: () =>
            `${hint}\n\nExpected ${name} to return Ok, but it fell back\n\n${fallbackLines(outcome, fuel)}`,
        };
      }
      if (expected === undefined) {
        return {
          pass: true,
          message: () =>
            `${hint}\n\nExpected ${name} not to return Ok, but it did (${fuel})\n\n` +
            `Received response: ${printReceived(outcome.response)}`,
        };
      }
      const pass = state.equals(outcome.response, expected, [...state.customTesters, iterableEquality]);
      return {
        pass,
        actual: outcome.response,
        expected,
        message: () =>
          pass
            ? `${hint}\n\n${name} returned Ok (${fuel}) with the response it was expected not to return\n\n` +
              `Expected response: not ${printExpected(expected)}`
            : `${hint}\n\n${name} returned Ok (${fuel}), but the response differs\n\n` +
              `Expected response: ${printExpected(expected)}\nReceived response: ${printReceived(outcome.response)}`,
      };
    },
  };
}

function fallbackTerminal(
  state: MatcherState,
  name: string,
  policy: FallbackPolicy | undefined,
  options: FallbackExpectation | undefined,
): Terminal {
  const stage = options?.stage;
  const args =
    policy === undefined
      ? stage === undefined
        ? ''
        : 'undefined, options'
      : stage === undefined
        ? 'policy'
        : 'policy, options';
  const wanted = `fall back${policy === undefined ? '' : ` with policy ${policy}`}${stage === undefined ? '' : ` at stage ${stage}`}`;
  const { printReceived, EXPECTED_COLOR, BOLD_WEIGHT, printExpected, printWithType } = state.utils;
  return {
    label: `.fallback(${args})`,
    validate: (hint) => {
      const bad =
        policy !== undefined && !FALLBACK_POLICIES.includes(policy)
          ? { what: 'policy', value: policy as unknown, allowed: FALLBACK_POLICIES }
          : stage !== undefined && !DISPATCH_STAGES.includes(stage)
            ? { what: 'stage', value: stage as unknown, allowed: DISPATCH_STAGES }
            : undefined;
      if (bad === undefined) return;
      throw new TypeError(
        `${hint}\n\n${BOLD_WEIGHT('Matcher error')}: ${EXPECTED_COLOR(bad.what)} must be one of ` +
          `${bad.allowed.map((v) => `'${v}'`).join(', ')}\n\n${printWithType('Expected', bad.value, printExpected)}`,
      );
    },
    check: (outcome, hint, fuel) => {
      if (outcome.kind === 'ok') {
        return {
          pass: false,
          message: () =>
            `${hint}\n\nExpected ${name} to ${wanted}, but it returned Ok (${fuel})\n\n` +
            `Received response: ${printReceived(outcome.response)}`,
        };
      }
      const pass =
        (policy === undefined || policy === outcome.policy) &&
        (stage === undefined || stage === outcome.stage);
      const expected = {
        ...(policy === undefined ? {} : { policy }),
        ...(stage === undefined ? {} : { stage }),
      };
      const actual = {
        ...(policy === undefined ? {} : { policy: outcome.policy }),
        ...(stage === undefined ? {} : { stage: outcome.stage }),
      };
      return {
        pass,
        actual,
        expected,
        message: () =>
          pass
            ? `${hint}\n\nExpected ${name} not to ${wanted}, but it did\n\n${fallbackLines(outcome, fuel)}`
            : `${hint}\n\nExpected ${name} to ${wanted}, but it fell back otherwise\n\n${fallbackLines(outcome, fuel)}`,
      };
    },
  };
}

/**
 * Everything the outcome knows about why the dispatch fell back: the stage and error, the fuel,
 * what the guest wrote when it did not decode, and the last lines it logged.
 */
function fallbackLines(outcome: Extract<Outcome, { kind: 'fallback' }>, fuel: string): string {
  return [
    `Policy: ${outcome.policy}`,
    `Stage:  ${outcome.stage}`,
    `Error:  ${outcome.errorKind}: ${outcome.error}`,
    `${fuel.charAt(0).toUpperCase()}${fuel.slice(1)}`,
    ...guestDiagnosticLines(outcome),
  ].join('\n');
}

/**
 * A failing verdict about a call that ran out of fuel says where the fuel went (a profiled replay
 * on a fresh instance, see conformance/out-of-fuel.ts); a passing one costs no replay.
 */
async function withOutOfFuelHint(
  verdict: Verdict,
  isNot: boolean,
  outcome: Outcome,
  receiver: Receiver,
  fn: AnyWireFunction,
  request: unknown,
): Promise<Verdict> {
  if (verdict.pass !== isNot || !ranOutOfFuel(outcome)) return verdict;
  const source = receiver.kind === 'session' ? receiver.session.plugin : receiver.source;
  const hint = await outOfFuelHint(source, fn, request);
  if (hint === undefined) return verdict;
  return { ...verdict, message: () => `${verdict.message()}\n\n${hint}` };
}

async function dispatchOn(
  receiver: Receiver,
  fn: AnyWireFunction,
  request: unknown,
  options: DispatchCallOptions | undefined,
  hint: string,
): Promise<Outcome> {
  // An absent request means the function's dry-run request, which both callees supply themselves.
  const args = [fn, request as never, options] as const;
  if (receiver.kind === 'session') return receiver.session.dispatch(...args);
  try {
    return await dispatch.run(receiver.source, ...args);
  } catch (error) {
    if (!(error instanceof RunError)) throw error;
    // Expected: the message tells the whole chain. Attached as `cause`, Vitest would print the
    // chain a second time, one block per error with its frames inside the engine and the SDK.
    throw new Error(`${hint}\n\nThe plugin never reached the ${fn.name} call:\n${accountOfError(error)}`);
  }
}
