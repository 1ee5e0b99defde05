// The observe-hook plugin, layer by layer as the cc-lb host sees it: identity section, the
// capability-gated handshake, self-check, the `observe` call and the whole verify flow.
import {
  buildPlugin,
  dispatch,
  HandshakeError,
  handshake,
  ObserveFn,
  PluginSession,
  plugin,
} from 'cc-lb-plugin-conformance';
import { acceptJson, output, pluginModule, selfCheckJson, withIdentity } from 'cc-lb-plugin-conformance/wat';
import { describe, expect, test } from 'vitest';
import identity from '../identity.json' with { type: 'json' };
import source from '../plugin.wat';

// What `npm run build` ships: the compiled WAT plus its identity section.
const wasm = withIdentity(source, identity);
const CAPABILITY = 'observability:emit';
/** The plugin as a host that grants the telemetry capability runs it. */
const granted = plugin(wasm, { capabilities: [CAPABILITY] });

describe('identity', () => {
  test('the stamped module carries identity.json and passes all nine static checks', async () => {
    await expect(wasm).toHaveIdentity({ name: 'observe-hook', version: '0.1.0', abiEnvelope: 1 });
    await expect(granted).toPassStaticChecks();
  });
});

describe('handshake', () => {
  test('needs observability:emit: without it the plugin refuses the offer', async () => {
    await expect(wasm).toFailHandshake('MissingCapability');
    await expect(wasm).toFailHandshake({
      kind: 'MissingCapability',
      name: CAPABILITY,
      message: `missing host capability: ${CAPABILITY}`,
    });
    await expect(wasm).not.toHandshake();
  });

  test('the refusal is the guest error text, which the conformance layer maps to MissingCapability', async () => {
    const error = await handshake
      .run(wasm, { capabilities: ['observability:metrics'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({
      kind: 'MissingCapability',
      name: CAPABILITY,
      cause: {
        kind: 'Call',
        message: `handshake call failed: required capability '${CAPABILITY}' not available in host capabilities`,
      },
    });
  });

  test('with the capability it accepts observe at version 1 and requires the capability', async () => {
    await expect(granted).toHandshake({
      chosenVersions: { observe: 1 },
      envelopeVersion: 1,
      identity: { name: 'observe-hook', version: '0.1.0', abiEnvelope: 1 },
      negotiatedCapabilities: [CAPABILITY],
    });
    await expect(granted).not.toFailHandshake('MissingCapability');
  });

  test('other capabilities offered alongside do not matter', async () => {
    const report = await handshake.run(wasm, { capabilities: ['storage', CAPABILITY, 'streaming'] });
    expect(report.negotiatedCapabilities).toEqual([CAPABILITY]);
  });

  test('a session cannot be opened without the capability', async () => {
    await expect(PluginSession.create(wasm)).rejects.toThrow(`missing host capability: ${CAPABILITY}`);
  });
});

describe('self-check', () => {
  test('passes, with or without the capability: the host runs it without one', async () => {
    await expect(wasm).toPassSelfCheck();
    await expect(granted).toPassSelfCheck();
    await expect(wasm).not.toFailSelfCheck('FailureStatus');
  });
});

describe('observe', () => {
  test('takes an empty batch and a mixed one, answering an empty response', async () => {
    await expect(granted).toDispatch(ObserveFn).ok({});
    const request = {
      events: [
        { kind: 'request_started' as const, request_id: 'req-1', downstream_user_agent: 'curl/8.5' },
        { kind: 'upstream_chosen' as const, upstream: { kind: 'anthropic_direct' as const } },
        {
          kind: 'request_finished' as const,
          status: 200,
          input_tokens: 12,
          output_tokens: 40,
          cache_creation_input_tokens: null,
          cache_read_input_tokens: 1024,
          duration_ms: 830,
        },
      ],
    };
    await expect(granted).toDispatch(ObserveFn, request).ok({});
    await expect(granted).not.toDispatch(ObserveFn, request).fallback('SilentSkip');
  });

  test('never reaches observe when the host lacks the capability', async () => {
    await expect(dispatch.run(wasm, ObserveFn)).rejects.toMatchObject({
      kind: 'Handshake',
      message: `handshake failed: missing host capability: ${CAPABILITY}`,
    });
  });

  test('refuses a batch whose event has no kind, and an envelope without `_v`', async () => {
    const instance = await buildPlugin(wasm, { fuel: 10_000_000, wallMs: 200 });
    try {
      expect((await instance.call('observe', '{"_v":1,"events":[]}')).text()).toBe('{"_v":1}');
      await expect(instance.call('observe', '{"_v":1,"events":[{"request_id":"r"}]}')).rejects.toThrow(
        'observe-hook: event without a string kind',
      );
      await expect(instance.call('observe', '{"events":[]}')).rejects.toThrow(
        'plugin envelope missing numeric _v',
      );
      await expect(instance.call('observe', '{"_v":3,"events":[]}')).rejects.toThrow(
        'unsupported plugin envelope _v: 3',
      );
    } finally {
      await instance.close();
    }
  });

  test('a build answering `{}` without `_v` is skipped silently by the host', async () => {
    const withoutEnvelope = pluginModule({
      identity,
      exports: {
        cc_lb_handshake: output(
          acceptJson({
            chosen_versions: { observe: 1 },
            plugin_supported: { observe: [1] },
            implemented_functions: ['observe'],
          }),
        ),
        cc_lb_self_check: output(selfCheckJson()),
        observe: output({}),
      },
    });
    await expect(withoutEnvelope)
      .toDispatch(ObserveFn)
      .fallback('SilentSkip', { stage: 'response_envelope' });
    await expect(withoutEnvelope).not.toDispatch(ObserveFn).ok();
  });
});

describe('verify', () => {
  test('passes the observability verify flow when the host grants the capability', async () => {
    await expect(granted).toVerifyAs('observability');
  });

  test('fails it when the host does not', async () => {
    await expect(wasm).not.toVerifyAs('observability');
  });
});
