// Generated requests: instead of a handful of hand-written cases, every kind of valid `filter`
// request the host could send — empty and long texts, non-ASCII and escapes, huge integers, large
// bodies, many candidates — derived from the wire schema, with any failure shrunk to a minimal one.
import { FilterFn, fuzz } from 'cc-lb-plugin-conformance';
import { withIdentity } from 'cc-lb-plugin-conformance/wat';
import { describe, expect, test } from 'vitest';
import identity from '../identity.json' with { type: 'json' };
import source from '../plugin.wat';

const wasm = withIdentity(source, identity);

describe('generated filter requests', () => {
  test('every one gets one decision per candidate, in order, rejecting only the -fallback names', async () => {
    await expect(wasm).toHandleGeneratedRequests(FilterFn, {
      runs: 300,
      check: (request, outcome) => {
        if (outcome.kind !== 'ok') return false;
        expect(outcome.response.results.map((r) => r.upstream_id)).toEqual(
          request.candidates.map((c) => c.upstream_id),
        );
        expect(outcome.response.results.map((r) => r.decision)).toEqual(
          request.candidates.map((c) => (c.name.includes('-fallback') ? 'reject' : 'accept')),
        );
      },
    });
  }, 30_000);

  test("a thousand of them within a normal test timeout (Vitest's default 5 s)", async () => {
    const report = await fuzz.run(wasm, FilterFn, { runs: 1000, seed: 2026 });
    expect(report).toMatchObject({ passed: true, runs: 1000, seed: 2026 });
    expect(report.stats.ok).toBe(1000);
    expect(report.stats.maxFuel).toBeLessThan(10_000_000);
  });
});
