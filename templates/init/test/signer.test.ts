// The conformance ladder for __PLUGIN_NAME__, in the order the cc-lb host goes: identity, static
// checks, handshake, self-check, then `build_signer`, `sign` and `on_unauthorized` dispatches
// (each through the host's `_v` envelope and fallback rules, exactly as the Rust host would run
// them).
import { BuildSignerFn, fixtures, OnUnauthorizedFn, SignFn } from 'cc-lb-plugin-conformance';
import { pluginTest } from 'cc-lb-plugin-conformance/vitest';
import { describe, expect } from 'vitest';

const test = pluginTest({ wasm: new URL('../dist/__PLUGIN_NAME__.wasm', import.meta.url) });

/** base64 of `Bearer example-key`, the header the plugin adds. */
const AUTHORIZATION = { name: 'authorization', value_base64: 'QmVhcmVyIGV4YW1wbGUta2V5' };

describe('__PLUGIN_NAME__', () => {
  test('carries its identity section', async ({ wasm }) => {
    await expect(wasm).toHaveIdentity({ name: '__PLUGIN_NAME__', version: '0.1.0' });
  });

  test('passes the static checks the host runs before any call', async ({ wasm }) => {
    await expect(wasm).toPassStaticChecks();
  });

  test('negotiates its three functions at version 1', async ({ plugin }) => {
    await expect(plugin).toHandshake({ chosenVersions: { build_signer: 1, on_unauthorized: 1, sign: 1 } });
  });

  test('passes the self-check', async ({ plugin }) => {
    await expect(plugin).toPassSelfCheck();
  });

  test('passes the signer verify flow', async ({ plugin }) => {
    await expect(plugin).toVerifyAs('signer');
  });

  test('builds a state, then signs a realistic request with it', async ({ session }) => {
    const built = await session.dispatch(BuildSignerFn, fixtures.requestTemplate(BuildSignerFn));
    expect(built).toMatchObject({ kind: 'ok', response: { signer_state: { key_id: 'example-key' } } });
    const signerState = built.kind === 'ok' ? built.response.signer_state : null;
    const request = fixtures.requestTemplate(SignFn);
    await expect(session)
      .toDispatch(SignFn, { ...request, signer_state: signerState })
      .ok({
        url: null,
        method: null,
        headers: [...request.shaped.headers, AUTHORIZATION],
        body_base64: null,
      });
    // Every guest instruction costs fuel, and the host stops a call at 10,000,000: keep a margin.
    expect(session.lastCall?.fuelConsumed).toBeLessThan(1_000_000);
  });

  test('answers fail after a 401, handing the state back', async ({ session }) => {
    const request = fixtures.requestTemplate(OnUnauthorizedFn);
    await expect(session)
      .toDispatch(OnUnauthorizedFn, request)
      .ok({ decision: 'fail', signer_state: request.signer_state });
  });

  test('refuses to sign without a state, and the host fails the request', async ({ session }) => {
    const request = fixtures.signRequestBuilder().signerState(null).build();
    await expect(session).toDispatch(SignFn, request).fallback('FailRequest', { stage: 'plugin_call' });
  });

  test('handles any valid build_signer request the host could send (generated, shrunk on failure)', async ({
    plugin,
  }) => {
    await expect(plugin).toHandleGeneratedRequests(BuildSignerFn);
  });

  test('handles any valid sign request the host could send (generated, shrunk on failure)', async ({
    plugin,
  }) => {
    await expect(plugin).toHandleGeneratedRequests(SignFn);
  });

  test('handles any valid on_unauthorized request the host could send (generated, shrunk on failure)', async ({
    plugin,
  }) => {
    await expect(plugin).toHandleGeneratedRequests(OnUnauthorizedFn);
  });
});
