// The assemblyscript-signer plugin, layer by layer as the cc-lb host sees it: identity section,
// handshake, self-check, the three signer calls (alone and in one session), and the verify flow.
// test/global-setup.ts has built dist/assemblyscript-signer.wasm before this file runs.
import {
  BuildSignerFn,
  buildPlugin,
  dispatch,
  handshake,
  OnUnauthorizedFn,
  PluginSession,
  plugin,
  SignFn,
  type SignRequest,
} from 'cc-lb-plugin-conformance';
import { pluginTest } from 'cc-lb-plugin-conformance/vitest';
import { withoutCustomSection } from 'cc-lb-plugin-conformance/wat';
import { describe, expect } from 'vitest';
import { outputPath } from '../build.mjs';

// `wasm` (read once for the file), `plugin` and a fresh `session` per test, as fixtures.
const test = pluginTest({ wasm: outputPath });

/** What build_signer hands the host to keep. */
const SIGNER_STATE = { key_id: 'example-key', scheme: 'x-example-signature' };

function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

/** The header sign adds: base64 of the key id, method and URL (not cryptography: an example). */
function signature(method: string, url: string, keyId = 'example-key') {
  return { name: 'x-example-signature', value_base64: base64(`${keyId} ${method} ${url}`) };
}

/** A sign request for a shaped POST to the Anthropic API, with the given headers and state. */
function signRequest(headers: SignRequest['shaped']['headers'], signerState: unknown): SignRequest {
  return {
    shaped: {
      url: 'https://api.anthropic.com/v1/messages',
      method: 'POST',
      headers,
      body_base64: base64('{}'),
    },
    signer_state: signerState as SignRequest['signer_state'],
  };
}

/** Calls one export directly, bypassing the host's `_v` envelope, and returns its output text. */
async function callRaw(wasm: Uint8Array, name: string, input: string): Promise<string> {
  const instance = await buildPlugin(wasm, { fuel: 10_000_000, wallMs: 200 });
  try {
    return (await instance.call(name, input)).text();
  } finally {
    await instance.close();
  }
}

describe('identity', () => {
  test('carries the stamped name and version, and passes all nine static checks', async ({ wasm }) => {
    await expect(wasm).toHaveIdentity({ name: 'assemblyscript-signer', version: '0.1.0', abiEnvelope: 1 });
    await expect(wasm).toPassStaticChecks();
  });

  test('without the stamped section (what asc alone produces) the host would refuse it', async ({ wasm }) => {
    await expect(withoutCustomSection(wasm, 'cc_lb.plugin.v1')).not.toPassStaticChecks();
  });
});

describe('handshake', () => {
  test('negotiates version 1 of all three signer functions, needing no capability', async ({ wasm }) => {
    await expect(wasm).toHandshake({
      chosenVersions: { build_signer: 1, sign: 1, on_unauthorized: 1 },
      envelopeVersion: 1,
      identity: { name: 'assemblyscript-signer', version: '0.1.0' },
      negotiatedCapabilities: [],
    });
  });

  test('keeps version 1 when a newer host offers 1 and 2', async ({ wasm }) => {
    const report = await handshake.run(wasm, { functionVersions: { sign: [1, 2] } });
    expect(report.chosenVersions).toEqual({ build_signer: 1, sign: 1, on_unauthorized: 1 });
  });

  test('leaves out a function the host offers only in a version the plugin does not speak', async ({
    wasm,
  }) => {
    const report = await handshake.run(wasm, { functionVersions: { on_unauthorized: [2] } });
    expect(report.chosenVersions).toEqual({ build_signer: 1, sign: 1 });
  });
});

describe('self-check', () => {
  test('passes', async ({ wasm }) => {
    await expect(wasm).toPassSelfCheck();
  });

  test('answers with the request timestamp, and refuses a non-positive one', async ({ wasm }) => {
    expect(
      await callRaw(wasm, 'cc_lb_self_check', '{"functions_to_test":["sign"],"initiated_at":1800000000}'),
    ).toBe('{"status":"success","failures":[],"completed_at":1800000000}');
    await expect(
      callRaw(wasm, 'cc_lb_self_check', '{"functions_to_test":["sign"],"initiated_at":0}'),
    ).rejects.toThrow('invalid timestamp: initiated_at must be positive');
  });
});

describe('build_signer', () => {
  test('returns the signer state for the dry-run request', async ({ wasm }) => {
    await expect(wasm).toDispatch(BuildSignerFn).ok({ signer_state: SIGNER_STATE });
  });

  test('ignores factory_state in this example', async ({ wasm }) => {
    await expect(wasm)
      .toDispatch(BuildSignerFn, { upstream: { kind: 'anthropic_direct' }, factory_state: { region: 'eu' } })
      .ok({ signer_state: SIGNER_STATE });
  });
});

describe('sign', () => {
  test('appends the signature header to the shaped headers and changes nothing else', async ({ wasm }) => {
    const versionHeader = { name: 'anthropic-version', value_base64: base64('2023-06-01') };
    await expect(wasm)
      .toDispatch(SignFn, signRequest([versionHeader], SIGNER_STATE))
      .ok({
        url: null,
        method: null,
        headers: [versionHeader, signature('POST', 'https://api.anthropic.com/v1/messages')],
        body_base64: null,
      });
  });

  test('signs with the key id of the state it is given', async ({ wasm }) => {
    await expect(wasm)
      .toDispatch(SignFn, signRequest([], { key_id: 'other-key', scheme: 'x-example-signature' }))
      .ok(
        expect.objectContaining({
          headers: expect.arrayContaining([
            signature('POST', 'https://api.anthropic.com/v1/messages', 'other-key'),
          ]),
        }),
      );
  });

  test('replaces a stale signature header, whatever its case', async ({ wasm }) => {
    const stale = { name: 'X-Example-Signature', value_base64: base64('stale') };
    await expect(wasm)
      .toDispatch(SignFn, signRequest([stale], SIGNER_STATE))
      .ok(expect.objectContaining({ headers: [signature('POST', 'https://api.anthropic.com/v1/messages')] }));
  });

  test('without a signer_state it refuses, and the host fails the request', async ({ wasm }) => {
    await expect(wasm).toDispatch(SignFn).fallback('FailRequest', { stage: 'plugin_call' });
    const outcome = await dispatch.run(wasm, SignFn);
    expect(outcome).toMatchObject({
      kind: 'fallback',
      error: 'plugin call failed: sign called without signer_state',
    });
  });
});

describe('on_unauthorized', () => {
  test('fails the request and hands the signer state back unchanged', async ({ wasm }) => {
    await expect(wasm)
      .toDispatch(OnUnauthorizedFn, { ...OnUnauthorizedFn.dryRunRequest(), signer_state: SIGNER_STATE })
      .ok({ decision: 'fail', signer_state: SIGNER_STATE });
  });

  test('passes any JSON state through intact: escapes, non-ASCII text, big and fractional numbers', async ({
    wasm,
  }) => {
    const state = {
      key_id: 'example-key',
      note: '한글 "quoted" \\ tab\t newline\n 🙂 \u0001',
      counters: [0, -1, 1.5, 18446744073709551615n, true, null],
      nested: { empty: {}, list: [] },
    };
    await expect(wasm)
      .toDispatch(OnUnauthorizedFn, { ...OnUnauthorizedFn.dryRunRequest(), signer_state: state })
      .ok({ decision: 'fail', signer_state: state });
  });
});

describe('the _v envelope and request decoding', () => {
  const request = '"upstream":{"kind":"anthropic_direct"},"factory_state":null';

  test('answers with the _v it was called with', async ({ wasm }) => {
    expect(await callRaw(wasm, 'build_signer', `{"_v":1,${request}}`)).toBe(
      '{"_v":1,"signer_state":{"key_id":"example-key","scheme":"x-example-signature"}}',
    );
  });

  test('refuses a request without a numeric _v, or with a version it does not speak', async ({ wasm }) => {
    await expect(callRaw(wasm, 'build_signer', `{${request}}`)).rejects.toThrow(
      'plugin envelope missing numeric _v',
    );
    await expect(callRaw(wasm, 'build_signer', `{"_v":"1",${request}}`)).rejects.toThrow(
      'plugin envelope missing numeric _v',
    );
    await expect(callRaw(wasm, 'build_signer', `{"_v":2,${request}}`)).rejects.toThrow(
      'unsupported plugin envelope _v: 2',
    );
  });

  test('refuses unknown and missing fields, as the host-side types do', async ({ wasm }) => {
    await expect(callRaw(wasm, 'build_signer', `{"_v":1,${request},"extra":true}`)).rejects.toThrow(
      'unknown field `extra`, expected `upstream` or `factory_state`',
    );
    await expect(
      callRaw(wasm, 'build_signer', '{"_v":1,"upstream":{"kind":"anthropic_direct"}}'),
    ).rejects.toThrow('missing field `factory_state`');
  });
});

describe('verify', () => {
  test('passes the signer verify flow', async ({ wasm }) => {
    await expect(wasm).toVerifyAs('signer');
  });

  test('is not a shape plugin', async ({ wasm }) => {
    await expect(wasm).not.toVerifyAs('shape');
  });
});

describe('a session', () => {
  test('signs with the state build_signer returned, on one instance', async ({ session }) => {
    expect(session.negotiatedFunctions).toEqual({ build_signer: 1, on_unauthorized: 1, sign: 1 });

    const built = await session.dispatch(BuildSignerFn);
    if (built.kind !== 'ok') throw new Error(`build_signer fell back: ${built.error}`);
    expect(built.response.signer_state).toEqual(SIGNER_STATE);

    await expect(session)
      .toDispatch(SignFn, signRequest([], built.response.signer_state))
      .ok(
        expect.objectContaining({
          headers: expect.arrayContaining([signature('POST', 'https://api.anthropic.com/v1/messages')]),
        }),
      );
    expect(session.lastCall?.function).toBe('sign');
  });

  test('each call stays far inside the host fuel budget', async ({ session, plugin: underTest }) => {
    await expect(session).toDispatch(BuildSignerFn).ok();
    await expect(session).toDispatch(SignFn, signRequest([], SIGNER_STATE)).ok();
    const fuel = session.lastCall?.fuelConsumed ?? 0;
    expect(fuel).toBeGreaterThan(0);
    // Measured near 0.3 M of the 10 M budget; a tenth leaves room yet catches a runaway loop.
    expect(fuel).toBeLessThan(underTest.limits.fuel / 10);
  });

  test('signs a request with a 64 KiB body inside the budget', async ({ session, plugin: underTest }) => {
    // sign receives the whole shaped body, so its cost grows with the body; the plugin only
    // scans past it (measured near 3.3 M fuel here).
    const request = signRequest([], SIGNER_STATE);
    request.shaped.body_base64 = base64('x'.repeat(65_536));
    await expect(session)
      .toDispatch(SignFn, request)
      .ok(expect.objectContaining({ headers: [signature('POST', 'https://api.anthropic.com/v1/messages')] }));
    expect(session.lastCall?.fuelConsumed).toBeLessThan(underTest.limits.fuel / 2);
  });

  test("frees each call's memory: many large requests fit in 1 MiB of guest memory", async ({ wasm }) => {
    // The host keeps one instance for many calls. Each of these requests takes ~90 KB of guest
    // memory while it runs; without the collection at the end of every export (assembly/guest.ts)
    // the ninth call would already trap at the 16-page cap.
    const session = await PluginSession.create(plugin(wasm, { maxMemoryPages: 16 }));
    try {
      const request = signRequest([], SIGNER_STATE);
      request.shaped.body_base64 = base64('x'.repeat(65_536));
      for (let call = 0; call < 30; call++) {
        await expect(session).toDispatch(SignFn, request).ok();
      }
    } finally {
      await session.close();
    }
  });
});
