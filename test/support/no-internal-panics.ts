/**
 * Test support (a setup file of the unit project): our own bugs must not hide behind the
 * Rust-faithful `panic` fallback. Every `panic` outcome is published on the dispatch panic
 * channel; a test that caused one fails, showing the original error, unless it took the panics
 * it expected with `takePanics()`.
 */
import { subscribe } from 'node:diagnostics_channel';
import { afterEach } from 'vitest';
import { DISPATCH_PANIC_CHANNEL } from '../../src/host/dispatch.js';

export interface PublishedPanic {
  readonly function: string | undefined;
  readonly error: unknown;
}

/** The panics published since the last test ended (or since the last `takePanics()`). */
const recorder = {
  panics: [] as PublishedPanic[],
  take(): PublishedPanic[] {
    return recorder.panics.splice(0);
  },
};

subscribe(DISPATCH_PANIC_CHANNEL, (message) => recorder.panics.push(message as PublishedPanic));

/** Takes (and so allows) the panics the current test caused on purpose. */
export function takePanics(): PublishedPanic[] {
  return recorder.take();
}

afterEach(() => {
  const panics = recorder.take();
  if (panics.length === 0) return;
  const first = panics[0] as PublishedPanic;
  throw new Error(
    `${panics.length} dispatch(es) fell back with stage 'panic' on an error that is not the guest's ` +
      `(function ${first.function ?? '?'}): a bug in this package, or a test that must call takePanics()`,
    { cause: first.error },
  );
});
