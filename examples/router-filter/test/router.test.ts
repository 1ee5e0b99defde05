// The router-filter plugin, layer by layer as the cc-lb host sees it: identity section, handshake,
// self-check, the `filter` call with its `_v` envelope, and the whole verify flow.
import {
  buildPlugin,
  dispatchWireCall,
  dryRunSamples,
  FilterFn,
  fixtures,
  PluginCallError,
  ShapeFn,
} from 'cc-lb-plugin-conformance';
import { acceptJson, output, pluginModule, selfCheckJson, withIdentity } from 'cc-lb-plugin-conformance/wat';
import { describe, expect, test } from 'vitest';
import identity from '../identity.json' with { type: 'json' };
import source from '../plugin.wat';

// What `npm run build` ships: the compiled WAT plus its identity section.
const wasm = withIdentity(source, identity);

type Candidate = ReturnType<typeof FilterFn.dryRunRequest>['candidates'][number];

/** The dry-run candidate with its own id and name. */
function candidate(upstreamId: string, name: string): Candidate {
  return { ...dryRunSamples.CandidateWire(), upstream_id: upstreamId, name };
}

describe('identity', () => {
  test('the stamped module carries identity.json and passes all nine static checks', async () => {
    await expect(wasm).toHaveIdentity({ name: 'router-filter', version: '0.1.0', abiEnvelope: 1 });
    await expect(wasm).toPassStaticChecks();
  });
});

describe('handshake and self-check', () => {
  test('accepts filter at version 1 from the default offer, needing no capability', async () => {
    await expect(wasm).toHandshake({
      chosenVersions: { filter: 1 },
      envelopeVersion: 1,
      identity: { name: 'router-filter', version: '0.1.0', abiEnvelope: 1 },
      negotiatedCapabilities: [],
    });
  });

  test('passes the self-check', async () => {
    await expect(wasm).toPassSelfCheck();
  });
});

describe('filter', () => {
  test('answers no results for no candidates', async () => {
    await expect(wasm).toDispatch(FilterFn).ok({ results: [] });
  });

  test('answers every candidate in order, rejecting the fallback upstreams', async () => {
    const request = fixtures
      .filterRequestBuilder()
      .requestId('req-42')
      .addCandidate(candidate('7d0c5c1e-0000-4000-8000-000000000001', 'us-primary'))
      .addCandidate(candidate('7d0c5c1e-0000-4000-8000-000000000002', 'us-fallback'))
      .addCandidate(candidate('7d0c5c1e-0000-4000-8000-000000000003', 'eu-primary'))
      .build();
    await expect(wasm)
      .toDispatch(FilterFn, request)
      .ok({
        results: [
          { upstream_id: '7d0c5c1e-0000-4000-8000-000000000001', decision: 'accept', reason: 'eligible' },
          {
            upstream_id: '7d0c5c1e-0000-4000-8000-000000000002',
            decision: 'reject',
            reason: 'reserved for fallback',
          },
          { upstream_id: '7d0c5c1e-0000-4000-8000-000000000003', decision: 'accept', reason: 'eligible' },
        ],
      });
  });

  test('echoes ids exactly, escapes included, and reads candidates carrying a cache score', async () => {
    const scored: Candidate = {
      ...candidate('id with "quotes" and \\ backslash', 'scored'),
      cache_score: {
        predicted_cache_read_tokens: 1200,
        predicted_cache_creation_tokens_5m: 0,
        predicted_cache_creation_tokens_1h: 0,
        predicted_uncached_input_tokens: 80,
        confidence: 0.75,
      },
    };
    const request = fixtures.filterRequestBuilder().addCandidate(scored).build();
    await expect(wasm)
      .toDispatch(FilterFn, request)
      .ok({ results: [expect.objectContaining({ upstream_id: 'id with "quotes" and \\ backslash' })] });
    await expect(wasm).not.toDispatch(FilterFn, request).fallback();
  });

  test('refuses a request envelope without `_v` or with a version it does not speak', async () => {
    const instance = await buildPlugin(wasm, { fuel: 10_000_000, wallMs: 200 });
    try {
      // The host always sends `_v`; calling the export directly shows the guest's own check.
      const missing = instance.call('filter', '{"candidates":[]}');
      await expect(missing).rejects.toBeInstanceOf(PluginCallError);
      await expect(missing).rejects.toMatchObject({
        kind: 'GuestError',
        message: 'plugin envelope missing numeric _v',
      });
      await expect(instance.call('filter', '{"_v":"1","candidates":[]}')).rejects.toThrow(
        'plugin envelope missing numeric _v',
      );

      // A host that negotiated version 2 sends `"_v":2`: the guest refuses, and the host falls back
      // to its default routing.
      const metadata = { ...fixtures.synthMetadata(), negotiated_functions: { filter: 2 } };
      const outcome = await dispatchWireCall(instance, metadata, FilterFn, FilterFn.dryRunRequest());
      expect(outcome).toMatchObject({
        kind: 'fallback',
        policy: 'UseDefault',
        stage: 'plugin_call',
        error: 'plugin call failed: unsupported plugin envelope _v: 2',
      });
    } finally {
      await instance.close();
    }
  });

  test('a build that answers another envelope version makes the host use its default routing', async () => {
    const wrongVersion = pluginModule({
      identity,
      exports: {
        cc_lb_handshake: output(
          acceptJson({
            chosen_versions: { filter: 1 },
            plugin_supported: { filter: [1] },
            implemented_functions: ['filter'],
          }),
        ),
        cc_lb_self_check: output(selfCheckJson()),
        filter: output({ _v: 2, results: [] }),
      },
    });
    await expect(wrongVersion).toDispatch(FilterFn).fallback('UseDefault', { stage: 'response_envelope' });
    await expect(wrongVersion).not.toDispatch(FilterFn).ok();
  });
});

describe('verify', () => {
  test('passes the router verify flow', async () => {
    await expect(wasm).toVerifyAs('router');
  });

  test('is not a shape plugin', async () => {
    await expect(wasm).not.toVerifyAs('shape');
    await expect(wasm).toDispatch(ShapeFn).fallback('FailRequest', { stage: 'version_lookup' });
  });

  test('a build answering a fixed empty list fails verify: one result per candidate is required', async () => {
    const alwaysEmpty = pluginModule({
      identity,
      exports: {
        cc_lb_handshake: output(
          acceptJson({
            chosen_versions: { filter: 1 },
            plugin_supported: { filter: [1] },
            implemented_functions: ['filter'],
          }),
        ),
        cc_lb_self_check: output(selfCheckJson()),
        filter: output({ _v: 1, results: [] }),
      },
    });
    await expect(alwaysEmpty).toDispatch(FilterFn).ok({ results: [] });
    await expect(alwaysEmpty).not.toVerifyAs('router');
  });
});
