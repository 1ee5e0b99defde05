/**
 * Vitest layer: how every matcher of this package hands its verdict to Vitest — only when the
 * assertion is awaited — and how an assertion that is never awaited fails its test.
 *
 * Vitest 4.1 (`JestExtendPlugin` in @vitest/expect) calls a custom matcher, and when the result
 * has a `then` method it calls `result.then(report)` at once, where `report` applies `.not`, the
 * custom message and throws the `JestExtendError` that carries `actual`/`expected` for the diff;
 * whatever that `then` returns is what `expect(x).toMatcher()` returns to the test. We use that
 * seam: the matcher returns a deferred verdict whose `then(report)` hands back our own awaitable.
 * The check runs when the test awaits that awaitable (so a `toDispatch` chain can still be told
 * `.ok()` or `.fallback()` first), and Vitest's `report` decides pass or fail, `.not` included.
 *
 * Vitest only warns about custom async matchers that are not awaited (and not at all for ours,
 * which never reach `recordAsyncExpect`), so an un-awaited assertion would pass silently. Each
 * assertion therefore registers an `onTestFinished` hook on the test that created it; a hook that
 * throws fails that test, and ours throws when the assertion was never awaited.
 */
import { fileURLToPath } from 'node:url';
import type { MatcherState } from 'vitest';

/** What a matcher decides: Vitest's `SyncExpectationResult`. `message` is read only on failure. */
export interface Verdict {
  readonly pass: boolean;
  readonly message: () => string;
  readonly actual?: unknown;
  readonly expected?: unknown;
}

/** Vitest's callback: throws when the verdict fails once `.not` is applied. */
type Report = (verdict: Verdict) => void;

/** A promise-like the test awaits; `then`, `catch` and `finally` all start the check. */
export type AssertionHandle = Pick<Promise<void>, 'then' | 'catch' | 'finally'>;

/** The test object Vitest puts on the matcher state at run time (not part of its typed surface). */
interface RunningTest {
  readonly type?: string;
  readonly context?: { onTestFinished?: (handler: () => void) => void };
}

/** The awaited-or-not bookkeeping of one assertion. */
export interface AwaitWatch {
  /** Marks the assertion as awaited (or otherwise consumed with `then`/`catch`/`finally`). */
  markAwaited(): void;
}

/**
 * Registers the never-awaited guard for one assertion on the test running it. `call` gives the
 * assertion as written (e.g. `expect(received).toDispatch(ShapeFn).ok()`) when the test ends, for
 * the failure text. Outside a test (no running test on the state) there is nothing to fail, so
 * nothing is registered.
 */
export function watchAwait(state: MatcherState, call: () => string): AwaitWatch {
  let awaited = false;
  const test = (state as MatcherState & { task?: RunningTest }).task;
  const register = test?.context?.onTestFinished;
  if (register) {
    // The error is made now so its stack points at the line that created the assertion.
    const neverAwaited = new Error('never awaited');
    neverAwaited.name = 'NeverAwaitedAssertionError';
    try {
      register(() => {
        if (awaited) return;
        neverAwaited.message =
          `${call()} was never awaited. The matchers of cc-lb-plugin-conformance are asynchronous and ` +
          'check nothing until awaited: write `await expect(…)…`.';
        neverAwaited.stack = `${neverAwaited.name}: ${neverAwaited.message}\n${callerFrames(
          neverAwaited.stack ?? '',
        ).join('\n')}`;
        throw neverAwaited;
      });
    } catch {
      // Inside another test hook Vitest forbids registering hooks; the assertion then runs unguarded.
    }
  }
  return {
    markAwaited() {
      awaited = true;
    },
  };
}

/**
 * The deferred verdict of a plain (non-chained) matcher: `evaluate` runs when the test awaits the
 * assertion, and its verdict goes to Vitest's `report`. Typed as the promise Vitest's matcher
 * signature expects; at run time it is the thenable described in the module header.
 */
export function deferVerdict(
  state: MatcherState,
  call: string,
  evaluate: () => Promise<Verdict>,
): Promise<Verdict> {
  return handOver((report) => {
    const watch = watchAwait(state, () => call);
    const callSite = new Error('call site');
    let run: Promise<void> | undefined;
    return awaitable(() => {
      watch.markAwaited();
      run ??= evaluate()
        .then(report)
        .catch((error: unknown) => {
          throw atCallSite(error, callSite);
        });
      return run;
    });
  });
}

/**
 * Wraps the function Vitest's `report` is given to: what `take` returns becomes the value of
 * `expect(x).matcher(...)`.
 */
export function handOver<T>(take: (report: Report) => T): Promise<Verdict> {
  // biome-ignore lint/suspicious/noThenProperty: Vitest must see a thenable here (module header).
  const deferred = { then: take };
  return deferred as unknown as Promise<Verdict>;
}

/** An awaitable whose settlement is `start()`'s, started on first use. */
export function awaitable(start: () => Promise<void>): AssertionHandle {
  return {
    // biome-ignore lint/suspicious/noThenProperty: this object is meant to be awaited.
    then: (onFulfilled, onRejected) => start().then(onFulfilled, onRejected),
    catch: (onRejected) => start().catch(onRejected),
    finally: (onFinally) => start().finally(onFinally),
    // As Vitest's own async assertions do, so the handle prints and type-checks as a promise.
    [Symbol.toStringTag]: 'Promise',
  } as AssertionHandle;
}

/**
 * The failure is thrown from a promise callback, so its own stack names only this module; the
 * stack of the matcher call is the one that shows the test line, so it replaces the frames. Frames
 * inside this package are dropped: they say nothing about the test, and in an installed package
 * Vitest would print each of them (and its source, had it been shipped) under the message.
 */
export function atCallSite(error: unknown, callSite: Error): unknown {
  if (!(error instanceof Error) || callSite.stack === undefined) return error;
  error.stack = `${error.name}: ${error.message}\n${callerFrames(callSite.stack).join('\n')}`;
  return error;
}

/** This package's own code: `src/` here, `dist/` once built (this module sits one folder below). */
const PACKAGE_CODE = [fileURLToPath(new URL('..', import.meta.url)), new URL('..', import.meta.url).href];

/** The stack's frames outside this package's own code. */
export function callerFrames(stack: string): string[] {
  return stack
    .split('\n')
    .slice(1)
    .filter((frame) => !PACKAGE_CODE.some((dir) => frame.includes(dir)));
}
