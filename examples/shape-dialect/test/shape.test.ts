// The shape-dialect plugin, layer by layer as the cc-lb host sees it: identity section, handshake,
// self-check, the `shape` call, and the whole verify flow.
import { buildPlugin, dispatch, fixtures, handshake, plugin, ShapeFn } from 'cc-lb-plugin-conformance';
import { acceptJson, output, pluginModule, selfCheckJson, withIdentity } from 'cc-lb-plugin-conformance/wat';
import { describe, expect, test } from 'vitest';
import identity from '../identity.json' with { type: 'json' };
import source from '../plugin.wat';

// What `npm run build` ships: the compiled WAT plus its identity section.
const wasm = withIdentity(source, identity);

/** The header the dialect adds: `x-cc-lb-dialect: shape-dialect`. */
const DIALECT_HEADER = { name: 'x-cc-lb-dialect', value_base64: base64('shape-dialect') };

function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

describe('identity', () => {
  test('the stamped module carries identity.json and passes all nine static checks', async () => {
    await expect(wasm).toHaveIdentity({ name: 'shape-dialect', version: '0.1.0', abiEnvelope: 1 });
    await expect(wasm).toPassStaticChecks();
  });

  test('the compiled WAT alone has no identity section, so the host would refuse it', async () => {
    await expect(source).not.toPassStaticChecks();
  });
});

describe('handshake', () => {
  test('accepts shape at version 1 from the default offer, needing no capability', async () => {
    await expect(wasm).toHandshake({
      chosenVersions: { shape: 1 },
      envelopeVersion: 1,
      identity: { name: 'shape-dialect', version: '0.1.0' },
      negotiatedCapabilities: [],
    });
  });

  test('keeps choosing version 1 when a newer host offers 1 and 2', async () => {
    const report = await handshake.run(wasm, { functionVersions: { shape: [1, 2] } });
    expect(report.chosenVersions).toEqual({ shape: 1 });
  });

  test('chooses nothing from a host that offers only a version it does not speak', async () => {
    const report = await handshake.run(wasm, { functionVersions: { shape: [2] } });
    expect(report.chosenVersions).toEqual({});
  });
});

describe('self-check', () => {
  test('passes', async () => {
    await expect(wasm).toPassSelfCheck();
  });

  test('answers with the request timestamp as completed_at, and refuses a non-positive one', async () => {
    const instance = await buildPlugin(wasm, { fuel: 10_000_000, wallMs: 200 });
    try {
      const answer = await instance.call(
        'cc_lb_self_check',
        '{"functions_to_test":["shape"],"initiated_at":1800000000}',
      );
      expect(answer.text()).toBe('{"status":"success","failures":[],"completed_at":1800000000}');
      await expect(
        instance.call('cc_lb_self_check', '{"functions_to_test":["shape"],"initiated_at":0}'),
      ).rejects.toThrow('invalid timestamp: initiated_at must be positive');
    } finally {
      await instance.close();
    }
  });
});

describe('shape', () => {
  test('sends the dry-run request to the Anthropic API with the dialect header', async () => {
    await expect(wasm)
      .toDispatch(ShapeFn)
      .ok({
        url: 'https://api.anthropic.com/v1/messages',
        method: 'POST',
        headers: [DIALECT_HEADER],
        body_base64: '',
      });
  });

  test('keeps method, query, headers and body, appending its header after the downstream ones', async () => {
    const request = fixtures
      .shapeRequestBuilder()
      .method('PUT')
      .path('/v1/messages/count_tokens')
      .query('beta=true')
      .headers([{ name: 'anthropic-version', value_base64: base64('2023-06-01') }])
      .bodyBase64(base64('{"model":"claude"}'))
      .build();
    await expect(wasm)
      .toDispatch(ShapeFn, request)
      .ok({
        url: 'https://api.anthropic.com/v1/messages/count_tokens?beta=true',
        method: 'PUT',
        headers: [{ name: 'anthropic-version', value_base64: base64('2023-06-01') }, DIALECT_HEADER],
        body_base64: base64('{"model":"claude"}'),
      });
  });

  test('prefers the upstream_base_url of the request, without doubling its trailing slash', async () => {
    const request = fixtures
      .shapeRequestBuilder()
      .upstreamBaseUrl('https://proxy.internal:8443/anthropic/')
      .build();
    await expect(wasm)
      .toDispatch(ShapeFn, request)
      .ok(expect.objectContaining({ url: 'https://proxy.internal:8443/anthropic/v1/messages' }));
  });

  test('carries escaped and non-ASCII characters of the path through unchanged', async () => {
    const request = fixtures.shapeRequestBuilder().path('/v1/say "안녕"\\n').build();
    await expect(wasm)
      .toDispatch(ShapeFn, request)
      .ok(expect.objectContaining({ url: 'https://api.anthropic.com/v1/say "안녕"\\n' }));
  });

  test('does not fall back on a 64 KiB body under the default budget, but does under a tenth of it', async () => {
    const request = fixtures
      .shapeRequestBuilder()
      .bodyBase64(base64('x'.repeat(65_536)))
      .build();
    await expect(wasm).not.toDispatch(ShapeFn, request).fallback();

    const starved = plugin(wasm, { fuel: 1_000_000 });
    await expect(starved).toDispatch(ShapeFn, request).fallback('FailRequest', { stage: 'plugin_call' });
    const outcome = await dispatch.run(starved, ShapeFn, request);
    expect(outcome).toMatchObject({ kind: 'fallback', error: 'plugin call failed: plugin ran out of fuel' });
  });

  test('a build that forgets the `_v` envelope in its response makes the host fall back', async () => {
    // The same contract with a canned response that lacks `_v`: what a hand-written plugin gets
    // wrong most easily. The host refuses the response, and a shape failure fails the request.
    const withoutEnvelope = pluginModule({
      identity,
      exports: {
        cc_lb_handshake: output(
          acceptJson({
            chosen_versions: { shape: 1 },
            plugin_supported: { shape: [1] },
            implemented_functions: ['shape'],
          }),
        ),
        cc_lb_self_check: output(selfCheckJson()),
        shape: output({
          url: 'https://api.anthropic.com/v1/messages',
          method: 'POST',
          headers: [],
          body_base64: '',
        }),
      },
    });
    await expect(withoutEnvelope).toHandshake({ chosenVersions: { shape: 1 } });
    await expect(withoutEnvelope).toDispatch(ShapeFn).fallback('FailRequest', { stage: 'response_envelope' });
    await expect(withoutEnvelope).not.toDispatch(ShapeFn).ok();
    const outcome = await dispatch.run(withoutEnvelope, ShapeFn);
    expect(outcome).toMatchObject({ kind: 'fallback', error: 'response envelope missing _v' });
  });
});

describe('verify', () => {
  test('passes the shape verify flow, six dispatches included', async () => {
    await expect(wasm).toVerifyAs('shape');
  });

  test('is not a router: it does not negotiate filter', async () => {
    await expect(wasm).not.toVerifyAs('router');
  });
});
