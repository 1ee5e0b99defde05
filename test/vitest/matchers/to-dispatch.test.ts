import '../../../src/vitest/setup.js';
import { describe, expect, test } from 'vitest';
import { fixtures, PluginSession, plugin } from '../../../src/conformance/index.js';
import { body, output } from '../../../src/wat/index.js';
import { FilterFn, ShapeFn } from '../../../src/wire/index.js';
import { acceptFor, loggingGuestModule, logWat, setOutputWat } from '../../support/guest-modules.js';
import { uncoloured } from '../../support/uncoloured.js';
import { failingShapePlugin, SHAPE_RESPONSE, shapePlugin } from '../../support/vitest-plugins.js';

const good = shapePlugin();
const failing = failingShapePlugin();
/** Answers `shape` with only the envelope version: the typed decode rejects it. */
const undecodable = shapePlugin({ exports: { shape: output({ _v: 1 }) } });

describe('toDispatch', () => {
  test('awaiting the chain head alone means .ok()', async () => {
    await expect(good).toDispatch(ShapeFn);
    await expect(uncoloured(expect(failing).toDispatch(ShapeFn))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toDispatch(ShapeFn)

      Expected shape to return Ok, but it fell back

      Policy: FailRequest
      Stage:  plugin_call
      Error:  PluginCall: plugin call failed: upstream refused
      Fuel used: <n> of 10000000]
    `);
  });

  test('.ok(expected) compares the whole response; asymmetric matchers allowed', async () => {
    const { _v, ...response } = SHAPE_RESPONSE;
    await expect(good).toDispatch(ShapeFn).ok(response);
    await expect(good)
      .toDispatch(ShapeFn)
      .ok(expect.objectContaining({ method: 'POST' }));
    await expect(plugin(good))
      .toDispatch(ShapeFn, fixtures.shapeRequestBuilder().bodyBase64('e30=').build())
      .ok();
    await expect(
      uncoloured(
        expect(good)
          .toDispatch(ShapeFn)
          .ok({ ...response, method: 'GET' }),
      ),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toDispatch(ShapeFn).ok(expected)

      shape returned Ok (fuel used: <n> of 10000000), but the response differs

      Expected response: Object {
        "body_base64": "",
        "headers": Array [],
        "method": "GET",
        "url": "https://api.anthropic.com/v1/messages",
      }
      Received response: Object {
        "body_base64": "",
        "headers": Array [],
        "method": "POST",
        "url": "https://api.anthropic.com/v1/messages",
      }]
    `);
  });

  test('.ok() on a fallback says the policy, stage, error and fuel', async () => {
    await expect(
      uncoloured(expect(undecodable).toDispatch(ShapeFn).ok()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toDispatch(ShapeFn).ok()

      Expected shape to return Ok, but it fell back

      Policy: FailRequest
      Stage:  response_decode
      Error:  ResponseDecode: response decode failed: missing field \`url\`
      Fuel used: <n> of 10000000
      Guest output: the guest wrote 8 bytes: "{\\"_v\\":1}"]
    `);
  });

  test('the third argument carries per-call options: { fuel } is the budget of that call alone', async () => {
    await expect(good)
      .toDispatch(ShapeFn, undefined, { fuel: 10 })
      .fallback('FailRequest', { stage: 'plugin_call' });
    await expect(
      uncoloured(expect(good).toDispatch(ShapeFn, undefined, { fuel: 10 })),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toDispatch(ShapeFn)

      Expected shape to return Ok, but it fell back

      Policy: FailRequest
      Stage:  plugin_call
      Error:  PluginCall: plugin call failed: plugin ran out of fuel
      Fuel used: <n> of 10]
    `);
    const session = await PluginSession.create(good);
    try {
      await expect(session).toDispatch(ShapeFn, undefined, { fuel: 10 }).fallback('FailRequest');
      await expect(session).toDispatch(ShapeFn).ok();
    } finally {
      await session.close();
    }
  });

  test('a failure shows the last lines the guest logged in the failing call', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => logWat(i === 11 ? 'error' : 'info', `step ${i + 1}`));
    const chatty = loggingGuestModule({
      handshake: acceptFor('shape'),
      handlers: { shape: body(['    (local $o i64)', ...lines, setOutputWat('{"_v":1}')].join('\n')) },
    });
    await expect(uncoloured(expect(chatty).toDispatch(ShapeFn))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toDispatch(ShapeFn)

      Expected shape to return Ok, but it fell back

      Policy: FailRequest
      Stage:  response_decode
      Error:  ResponseDecode: response decode failed: missing field \`url\`
      Fuel used: <n> of 10000000
      Guest output: the guest wrote 8 bytes: "{\\"_v\\":1}"
      Guest log (last 10 of 12 lines):
        [info] step 3
        [info] step 4
        [info] step 5
        [info] step 6
        [info] step 7
        [info] step 8
        [info] step 9
        [info] step 10
        [info] step 11
        [error] step 12]
    `);
  });

  test('.fallback(policy?, { stage? }) matches the fallback', async () => {
    await expect(failing).toDispatch(ShapeFn).fallback();
    await expect(failing).toDispatch(ShapeFn).fallback('FailRequest', { stage: 'plugin_call' });
    await expect(undecodable).toDispatch(ShapeFn).fallback(undefined, { stage: 'response_decode' });
    await expect(
      uncoloured(expect(failing).toDispatch(ShapeFn).fallback('SilentSkip')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toDispatch(ShapeFn).fallback(policy)

      Expected shape to fall back with policy SilentSkip, but it fell back otherwise

      Policy: FailRequest
      Stage:  plugin_call
      Error:  PluginCall: plugin call failed: upstream refused
      Fuel used: <n> of 10000000]
    `);
    await expect(
      uncoloured(expect(good).toDispatch(ShapeFn).fallback('FailRequest')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toDispatch(ShapeFn).fallback(policy)

      Expected shape to fall back with policy FailRequest, but it returned Ok (fuel used: <n> of 10000000)

      Received response: Object {
        "body_base64": "",
        "headers": Array [],
        "method": "POST",
        "url": "https://api.anthropic.com/v1/messages",
      }]
    `);
  });

  test('.not negates the final check', async () => {
    await expect(failing).not.toDispatch(ShapeFn).ok();
    await expect(failing).not.toDispatch(ShapeFn);
    await expect(good).not.toDispatch(ShapeFn).fallback();
    await expect(failing).not.toDispatch(ShapeFn).fallback('FailRequest', { stage: 'response_decode' });
    await expect(
      uncoloured(expect(failing).not.toDispatch(ShapeFn).fallback('FailRequest')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).not.toDispatch(ShapeFn).fallback(policy)

      Expected shape not to fall back with policy FailRequest, but it did

      Policy: FailRequest
      Stage:  plugin_call
      Error:  PluginCall: plugin call failed: upstream refused
      Fuel used: <n> of 10000000]
    `);
    await expect(
      uncoloured(expect(good).not.toDispatch(ShapeFn)),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).not.toDispatch(ShapeFn)

      Expected shape not to return Ok, but it did (fuel used: <n> of 10000000)

      Received response: Object {
        "body_base64": "",
        "headers": Array [],
        "method": "POST",
        "url": "https://api.anthropic.com/v1/messages",
      }]
    `);
  });

  test('dispatches on a PluginSession, which a fallback does not poison', async () => {
    const session = await PluginSession.create(good);
    try {
      await expect(session).toDispatch(ShapeFn).ok();
      await expect(session).toDispatch(FilterFn).fallback('UseDefault', { stage: 'version_lookup' });
      await expect(session)
        .toDispatch(ShapeFn)
        .ok(expect.objectContaining({ headers: [] }));
    } finally {
      await session.close();
    }
  });

  test('a plugin that never reaches the call rejects, even under .not', async () => {
    const noHandshake = shapePlugin({ exports: { cc_lb_handshake: output('not an accept') } });
    await expect(
      uncoloured(expect(noHandshake).not.toDispatch(ShapeFn).ok()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).not.toDispatch(ShapeFn).ok()

      The plugin never reached the shape call:
      RunError Handshake: handshake failed: handshake serialization failed: expected ident at line 1 column 2
        caused by HandshakeError Serialization: handshake serialization failed: expected ident at line 1 column 2
        caused by HandshakeExecutionError DecodeAccept: handshake accept decode failed: expected ident at line 1 column 2
        caused by WireDecodeError: expected ident at line 1 column 2 (at /)
      Guest output: the guest wrote 13 bytes: "not an accept"]
    `);
  });

  test('one chain settles once', async () => {
    const chain = expect(good).toDispatch(ShapeFn);
    const ok = chain.ok();
    await ok;
    await ok;
    await expect(chain.fallback()).rejects.toThrow(
      'expect(received).toDispatch(ShapeFn).ok() already settled this chain; start a new expect(…).toDispatch(…) for .fallback()',
    );
    await expect(chain.ok({ url: 'elsewhere' } as never)).rejects.toThrow('already settled this chain');
    const head = expect(good).toDispatch(ShapeFn);
    await head;
    await head;
  });

  test('rejects a wrong receiver, function, policy or stage', async () => {
    await expect(
      uncoloured(expect('good.wasm').toDispatch(ShapeFn).ok()),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toDispatch(ShapeFn).ok()

      Matcher error: received value must be wasm bytes (Uint8Array, ArrayBuffer or ArrayBufferView), a PluginUnderTest from plugin() or a PluginSession

      Received has type:  String
      Received has value: "good.wasm"]
    `);
    await expect(
      uncoloured(expect(good).toDispatch('shape' as never)),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toDispatch(fn)

      Matcher error: fn must be a wire function such as ShapeFn (exported by cc-lb-plugin-conformance)

      Expected has type:  String
      Expected has value: "shape"]
    `);
    await expect(
      uncoloured(
        expect(good)
          .toDispatch(ShapeFn)
          .fallback('fail_request' as never),
      ),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toDispatch(ShapeFn).fallback(policy)

      Matcher error: policy must be one of 'FailRequest', 'SilentSkip', 'UseDefault', 'PassThrough'

      Expected has type:  String
      Expected has value: "fail_request"]
    `);
    await expect(
      uncoloured(
        expect(good)
          .toDispatch(ShapeFn)
          .fallback(undefined, { stage: 'call' as never }),
      ),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [TypeError: expect(received).toDispatch(ShapeFn).fallback(undefined, options)

      Matcher error: stage must be one of 'version_lookup', 'request_envelope', 'serialize_request', 'plugin_call', 'deserialize_response', 'response_envelope', 'response_decode', 'panic'

      Expected has type:  String
      Expected has value: "call"]
    `);
  });
});
