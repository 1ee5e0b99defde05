// The conformance ladder for __PLUGIN_NAME__, in the order the cc-lb host goes: identity, static
// checks, handshake, self-check, then `shape` dispatches (each through the host's `_v` envelope
// and fallback rules, exactly as the Rust host would run them).
import { fixtures, ShapeFn } from 'cc-lb-plugin-conformance';
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

  test('negotiates shape at version 1', async ({ plugin }) => {
    await expect(plugin).toHandshake({ chosenVersions: { shape: 1 } });
  });

  test('passes the self-check', async ({ plugin }) => {
    await expect(plugin).toPassSelfCheck();
  });

  test('passes the shape verify flow', async ({ plugin }) => {
    await expect(plugin).toVerifyAs('shape');
  });

  test('sends a realistic request to the Anthropic API unchanged', async ({ session }) => {
    const request = fixtures.requestTemplate(ShapeFn);
    await expect(session)
      .toDispatch(ShapeFn, request)
      .ok({
        url: `https://api.anthropic.com${request.request.path}?${request.request.query}`,
        method: request.request.method,
        headers: request.request.headers,
        body_base64: request.request.body_base64,
      });
    // Every guest instruction costs fuel, and the host stops a call at 10,000,000: keep a margin.
    expect(session.lastCall?.fuelConsumed).toBeLessThan(1_000_000);
  });

  test('puts a path without its leading slash after one', async ({ session }) => {
    const request = fixtures.shapeRequestBuilder().path('v1/models').query(null).method('GET').build();
    await expect(session)
      .toDispatch(ShapeFn, request)
      .ok(expect.objectContaining({ url: 'https://api.anthropic.com/v1/models', method: 'GET' }));
  });

  test('refuses a request without a method, and the host fails the request', async ({ session }) => {
    const request = fixtures.shapeRequestBuilder().method('').build();
    await expect(session).toDispatch(ShapeFn, request).fallback('FailRequest', { stage: 'plugin_call' });
  });

  test('handles any valid request the host could send (generated, shrunk on failure)', async ({ plugin }) => {
    await expect(plugin).toHandleGeneratedRequests(ShapeFn);
  });
});
