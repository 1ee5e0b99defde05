// Generated requests: every kind of valid `shape` request the host could send, derived from the
// wire schema, with any failure shrunk to a minimal one and replayable from its seed and path.
import { ShapeFn } from 'cc-lb-plugin-conformance';
import { withIdentity } from 'cc-lb-plugin-conformance/wat';
import { describe, expect, test } from 'vitest';
import identity from '../identity.json' with { type: 'json' };
import source from '../plugin.wat';

const wasm = withIdentity(source, identity);

describe('generated shape requests', () => {
  test('every one is shaped into an upstream request that keeps method, headers and body', async () => {
    await expect(wasm).toHandleGeneratedRequests(ShapeFn, {
      runs: 200,
      deterministic: true,
      check: (request, outcome) => {
        if (outcome.kind !== 'ok') return false;
        const { response } = outcome;
        expect(response.method).toBe(request.request.method);
        expect(response.headers).toEqual([
          ...request.request.headers,
          { name: 'x-cc-lb-dialect', value_base64: expect.any(String) },
        ]);
        expect(response.body_base64).toBe(request.request.body_base64);
        const base = (request.upstream_base_url ?? 'https://api.anthropic.com').replace(/\/$/, '');
        const query = request.request.query === null ? '' : `?${request.request.query}`;
        expect(response.url).toBe(`${base}${request.request.path}${query}`);
      },
    });
  }, 30_000);
});
