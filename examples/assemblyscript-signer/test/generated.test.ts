// Generated requests for the three signer calls: every kind of valid request the host could send,
// derived from the wire schema, with any failure shrunk to a minimal one. A generated
// `signer_state` is arbitrary JSON, not a state `build_signer` made, so `sign` may refuse it with
// its own guest error — a legal answer (`allowGuestErrors` is on by default) — but must never trap
// or run out of fuel.
// test/global-setup.ts has built dist/assemblyscript-signer.wasm before this file runs.
import { readFile } from 'node:fs/promises';
import { BuildSignerFn, OnUnauthorizedFn, SignFn } from 'cc-lb-plugin-conformance';
import { describe, expect, test } from 'vitest';
import { outputPath } from '../build.mjs';

const wasm = await readFile(outputPath);

describe('generated signer requests', { timeout: 30_000 }, () => {
  test('build_signer answers every upstream and factory state with a signer state', async () => {
    await expect(wasm).toHandleGeneratedRequests(BuildSignerFn, {
      runs: 200,
      allowGuestErrors: false,
    });
  });

  test('sign signs or refuses a foreign state with its own error, never anything worse', async () => {
    await expect(wasm).toHandleGeneratedRequests(SignFn, {
      runs: 100,
      check: (_request, outcome) =>
        outcome.kind === 'ok' || (outcome.stage === 'plugin_call' && /signer_state/.test(outcome.error)),
    });
  });

  test('on_unauthorized fails the request and hands the state back unchanged', async () => {
    await expect(wasm).toHandleGeneratedRequests(OnUnauthorizedFn, {
      runs: 100,
      allowGuestErrors: false,
      check: (request, outcome) => {
        if (outcome.kind !== 'ok') return false;
        expect(outcome.response.decision).toBe('fail');
        expect(outcome.response.signer_state).toEqual(request.signer_state);
      },
    });
  });
});
