// The conformance ladder for __PLUGIN_NAME__, in the order the cc-lb host goes: identity, static
// checks, handshake, self-check, then `filter` dispatches (each through the host's `_v` envelope
// and fallback rules, exactly as the Rust host would run them).
import { FilterFn, fixtures, ShapeFn } from 'cc-lb-plugin-conformance';
import { pluginTest } from 'cc-lb-plugin-conformance/vitest';
import { describe, expect } from 'vitest';

const test = pluginTest({ wasm: new URL('../dist/__PLUGIN_NAME__.wasm', import.meta.url) });

describe('__PLUGIN_NAME__', () => {
  test('carries its identity section', async ({ wasm }) => {
    await expect(wasm).toHaveIdentity({ name: '__PLUGIN_NAME__', version: '0.1.0' });
  });

  test('passes the static checks the host runs before any call', async ({ wasm }) => {
    await expect(wasm).toPassStaticChecks();
  });

  test('negotiates filter at version 1', async ({ plugin }) => {
    await expect(plugin).toHandshake({ chosenVersions: { filter: 1 } });
  });

  test('passes the self-check', async ({ plugin }) => {
    await expect(plugin).toPassSelfCheck();
  });

  test('passes the router verify flow', async ({ plugin }) => {
    await expect(plugin).toVerifyAs('router');
  });

  test('accepts every candidate of a realistic request, in order', async ({ session }) => {
    const request = fixtures.requestTemplate(FilterFn);
    await expect(session)
      .toDispatch(FilterFn, request)
      .ok({
        results: request.candidates.map((c) => ({
          upstream_id: c.upstream_id,
          decision: 'accept',
          reason: 'eligible',
        })),
      });
    // Every guest instruction costs fuel, and the host stops a call at 10,000,000: keep a margin.
    expect(session.lastCall?.fuelConsumed).toBeLessThan(1_000_000);
  });

  test('refuses a candidate without an id, and the host falls back to its default routing', async ({
    session,
  }) => {
    const request = fixtures
      .filterRequestBuilder()
      .addCandidate(fixtures.candidateBuilder().upstreamId(''))
      .build();
    await expect(session).toDispatch(FilterFn, request).fallback('UseDefault', { stage: 'plugin_call' });
  });

  test('is never called for a function it did not negotiate', async ({ session }) => {
    await expect(session).toDispatch(ShapeFn).fallback('FailRequest', { stage: 'version_lookup' });
  });

  test('handles any valid request the host could send (generated, shrunk on failure)', async ({ plugin }) => {
    await expect(plugin).toHandleGeneratedRequests(FilterFn);
  });
});
