// The conformance ladder for __PLUGIN_NAME__, in the order the cc-lb host goes: identity, static
// checks, handshake, self-check, then `observe` dispatches (each through the host's `_v` envelope
// and fallback rules, exactly as the Rust host would run them).
import { FilterFn, fixtures, ObserveFn } from 'cc-lb-plugin-conformance';
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

  test('negotiates observe at version 1', async ({ plugin }) => {
    await expect(plugin).toHandshake({ chosenVersions: { observe: 1 } });
  });

  test('passes the self-check', async ({ plugin }) => {
    await expect(plugin).toPassSelfCheck();
  });

  test('passes the observability verify flow', async ({ plugin }) => {
    await expect(plugin).toVerifyAs('observability');
  });

  test("accepts a whole request's lifecycle of events", async ({ session }) => {
    await expect(session).toDispatch(ObserveFn, fixtures.requestTemplate(ObserveFn)).ok({});
    // Every guest instruction costs fuel, and the host stops a call at 10,000,000: keep a margin.
    expect(session.lastCall?.fuelConsumed).toBeLessThan(1_000_000);
  });

  test('is never called for a function it did not negotiate: the host routes by default', async ({
    session,
  }) => {
    await expect(session).toDispatch(FilterFn).fallback('UseDefault', { stage: 'version_lookup' });
  });

  test('handles any valid request the host could send (generated, shrunk on failure)', async ({ plugin }) => {
    await expect(plugin).toHandleGeneratedRequests(ObserveFn);
  });
});
