import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlugin, type LoadedPlugin, PluginCallError, rawOutputOf } from '../../src/engine/index.js';
import { type DispatchErrorEvent, type DispatchOutcome, dispatchWireCall } from '../../src/host/dispatch.js';
import { type ExportBehaviour, output, pluginModule, spin, trap } from '../../src/wat/plugin-module.js';
import { decodeWireValue } from '../../src/wire/decode.js';
import { WireDecodeError } from '../../src/wire/decode-error.js';
import { encodeJsonNode, encodeWire } from '../../src/wire/encode.js';
import { requestValue } from '../../src/wire/envelope.js';
import { type AnyWireFunction, allWireFunctions, type RequestOf } from '../../src/wire/functions/index.js';
import { NormalizeErrorFn } from '../../src/wire/functions/normalize-error.js';
import { ObserveFn } from '../../src/wire/functions/observe.js';
import { SignFn } from '../../src/wire/functions/sign.js';
import { defineWireFunction } from '../../src/wire/functions/wire-function.js';
import { type JsonNode, parseJsonValue } from '../../src/wire/json.js';
import { f32, str, struct } from '../../src/wire/schema.js';
import { expectInput } from '../support/input-check-guest.js';
import { takePanics } from '../support/no-internal-panics.js';
import { valueForm } from '../support/value-form.js';
import { envelopeTextArbitrary, wireArbitrary } from '../support/wire-arbitrary.js';

const open: LoadedPlugin[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((plugin) => plugin.close()));
});

/** REFERENCE-CASES.md §5: a dispatch module with the single export named after the function */
async function dispatchPlugin(
  exportName: string,
  behaviour: ExportBehaviour,
  fuel = 10_000_000,
): Promise<LoadedPlugin> {
  const plugin = await buildPlugin(pluginModule({ exports: { [exportName]: behaviour } }), {
    wallMs: 200,
    fuel,
  });
  open.push(plugin);
  return plugin;
}

/** the reference metadata helper: only `negotiated_functions` matters to dispatch */
const negotiated = (name: string) => ({ negotiated_functions: { [name]: 1 } });

const SIGN_NULLS = '{"_v":1,"url":null,"method":null,"headers":null,"body_base64":null}';

describe('dispatchWireCall: reference cases', () => {
  it('D-01 a versioned response decodes into the sign dry-run response', async () => {
    const plugin = await dispatchPlugin('sign', output(SIGN_NULLS));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome.kind).toBe('ok');
    if (outcome.kind !== 'ok') return;
    expect(outcome.response).toEqual(SignFn.dryRunResponse());
    expect(outcome.fuelConsumed).toBeGreaterThan(0);
  });

  it('D-02 no negotiated version for sign falls back to FailRequest before the guest is called', async () => {
    const plugin = await dispatchPlugin('sign', trap());
    const outcome = await dispatchWireCall(plugin, negotiated('shape'), SignFn, SignFn.dryRunRequest());
    expect(SignFn.fallback).toBe('FailRequest');
    expect(outcome).toEqual({
      kind: 'fallback',
      policy: 'FailRequest',
      stage: 'version_lookup',
      error: 'negotiated version missing',
      errorKind: 'MissingNegotiatedVersion',
      fuelConsumed: 0,
    });
    expect(outcome).toMatchObject({ durationMs: 0, logs: [] });
  });

  it('D-03 a response at another version', async () => {
    const plugin = await dispatchPlugin('sign', output(SIGN_NULLS.replace('"_v":1', '"_v":2')));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome).toMatchObject({
      kind: 'fallback',
      policy: 'FailRequest',
      stage: 'response_envelope',
      error: 'response envelope version mismatch: expected 1, actual 2',
      errorKind: 'ResponseVersionMismatch',
    });
  });

  it('D-04 exactly one error event, carrying the metric labels and the log line', async () => {
    const plugin = await dispatchPlugin('sign', output(SIGN_NULLS));
    const events: DispatchErrorEvent[] = [];
    const outcome = await dispatchWireCall(plugin, negotiated('shape'), SignFn, SignFn.dryRunRequest(), {
      onDispatchError: (event) => events.push(event),
    });
    expect(outcome).toMatchObject({ kind: 'fallback', policy: 'FailRequest' });
    expect(events).toEqual([
      {
        function: 'sign',
        stage: 'version_lookup',
        errorKind: 'MissingNegotiatedVersion',
        policy: 'FailRequest',
        message: 'dispatch error, applying fallback FailRequest',
      },
    ]);
  });
});

describe('dispatchWireCall: derived cases', () => {
  it.each([
    ['1.0', '{"_v":1.0,"url":null,"method":null,"headers":null,"body_base64":null}'],
    ['"1"', '{"_v":"1","url":null,"method":null,"headers":null,"body_base64":null}'],
    ['-1', '{"_v":-1,"url":null,"method":null,"headers":null,"body_base64":null}'],
  ])('X-16 _v %s is not an unsigned integer', async (_label, text) => {
    const plugin = await dispatchPlugin('sign', output(text));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome).toMatchObject({
      kind: 'fallback',
      stage: 'response_envelope',
      error: 'response envelope _v was not an unsigned integer',
      errorKind: 'ResponseVersionInvalid',
    });
  });

  it('X-17 duplicate _v keys: the last one wins', async () => {
    const plugin = await dispatchPlugin('sign', output(SIGN_NULLS.replace('"_v":1', '"_v":1,"_v":2')));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome).toMatchObject({ error: 'response envelope version mismatch: expected 1, actual 2' });
  });

  it('X-17 a duplicated response field silently keeps the last value', async () => {
    const plugin = await dispatchPlugin('sign', output('{"_v":1,"url":"a","url":"b"}'));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome).toMatchObject({
      kind: 'ok',
      response: { url: 'b', method: null, headers: null, body_base64: null },
    });
  });

  it('X-18 an array is not an envelope', async () => {
    const plugin = await dispatchPlugin('sign', output('[]'));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome).toMatchObject({
      stage: 'response_envelope',
      error: 'response envelope was not a JSON object',
      errorKind: 'ResponseNotObject',
    });
  });

  it('X-19 an envelope without _v', async () => {
    const plugin = await dispatchPlugin('sign', output(SIGN_NULLS.replace('"_v":1,', '')));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome).toMatchObject({
      stage: 'response_envelope',
      error: 'response envelope missing _v',
      errorKind: 'ResponseVersionMissing',
    });
  });

  it.each([
    ['not json', 'expected ident at line 1 column 2'],
    ['', 'EOF while parsing a value at line 1 column 0'],
    ['{"_v":1} x', 'trailing characters at line 1 column 10'],
  ])('X-20 output %j does not parse', async (text, serde) => {
    const plugin = await dispatchPlugin('sign', output(text));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome).toMatchObject({
      kind: 'fallback',
      policy: 'FailRequest',
      stage: 'deserialize_response',
      error: `response envelope deserialization failed: ${serde}`,
      errorKind: 'DeserializeResponseEnvelope',
    });
    // what the guest wrote, for the author (non-enumerable: not part of the outcome's equality)
    expect((outcome as { output?: unknown }).output).toEqual(rawOutputOf(new TextEncoder().encode(text)));
    expect(Object.keys(outcome)).not.toContain('output');
  });

  it('X-21 an unknown response field fails the typed decode (from_value: no position)', async () => {
    const plugin = await dispatchPlugin('sign', output(SIGN_NULLS.replace('}', ',"extra":0}')));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome).toMatchObject({
      kind: 'fallback',
      policy: 'FailRequest',
      stage: 'response_decode',
      error:
        'response decode failed: unknown field `extra`, expected one of `url`, `method`, `headers`, `body_base64`',
      errorKind: 'ResponseDecode',
      output: { length: 77, head: SIGN_NULLS.replace('}', ',"extra":0}').replaceAll('"', '\\"') },
    });
  });

  it('X-22 observe answers an empty response', async () => {
    const plugin = await dispatchPlugin('observe', output('{"_v":1}'));
    const outcome = await dispatchWireCall(
      plugin,
      negotiated('observe'),
      ObserveFn,
      ObserveFn.dryRunRequest(),
    );
    expect(outcome).toMatchObject({ kind: 'ok', response: {} });
  });

  it('X-23 sign with only _v: every field is nullable, so missing keys are accepted', async () => {
    const plugin = await dispatchPlugin('sign', output('{"_v":1}'));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome).toMatchObject({ kind: 'ok', response: SignFn.dryRunResponse() });
  });

  it('X-24 a trapping normalize_error passes through, with the engine trap text', async () => {
    const plugin = await dispatchPlugin('normalize_error', trap());
    const direct = await plugin.call('normalize_error', '{}').then(
      () => undefined,
      (e: unknown) => e as PluginCallError,
    );
    expect(direct).toBeInstanceOf(PluginCallError);
    const outcome = await dispatchWireCall(
      plugin,
      negotiated('normalize_error'),
      NormalizeErrorFn,
      NormalizeErrorFn.dryRunRequest(),
    );
    expect(outcome).toMatchObject({
      kind: 'fallback',
      policy: 'PassThrough',
      stage: 'plugin_call',
      error: `plugin call failed: ${direct?.message}`,
      errorKind: 'PluginCall',
    });
  });

  it('X-25 observe without a negotiated version is skipped silently; the guest is not called', async () => {
    const plugin = await dispatchPlugin('observe', trap());
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), ObserveFn, ObserveFn.dryRunRequest());
    expect(outcome).toMatchObject({
      kind: 'fallback',
      policy: 'SilentSkip',
      stage: 'version_lookup',
      fuelConsumed: 0,
    });
  });
});

describe('dispatchWireCall: envelope and hostile guests', () => {
  it('sends the request with _v, keys sorted at every level (the BTreeMap order)', async () => {
    const envelope =
      '{"_v":1,"shaped":{"body_base64":"","headers":[],"method":"POST","url":"https://api.anthropic.com/v1/messages"},"signer_state":null}';
    const plugin = await dispatchPlugin('sign', expectInput(envelope, SIGN_NULLS));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome.kind).toBe('ok');
  });

  it('an any-typed value is sent with its object keys sorted too', async () => {
    const request = {
      ...SignFn.dryRunRequest(),
      signer_state: { zeta: 1, alpha: [true, { y: null, x: 'é' }] },
    };
    const envelope =
      '{"_v":1,"shaped":{"body_base64":"","headers":[],"method":"POST","url":"https://api.anthropic.com/v1/messages"},"signer_state":{"alpha":[true,{"x":"é","y":null}],"zeta":1}}';
    const plugin = await dispatchPlugin('sign', expectInput(envelope, SIGN_NULLS));
    expect((await dispatchWireCall(plugin, negotiated('sign'), SignFn, request)).kind).toBe('ok');
  });

  it('an f32 travels widened to f64, as serde_json::to_value makes it', async () => {
    const Scored = defineWireFunction({
      name: 'scored',
      supportedVersions: [1],
      fallback: 'UseDefault',
      request: struct('ScoredRequest', { confidence: f32() }),
      response: struct('ScoredResponse', {}),
      dryRunRequest: () => ({ confidence: 0.1 }),
      dryRunResponse: () => ({}),
    });
    const plugin = await dispatchPlugin(
      'scored',
      expectInput('{"_v":1,"confidence":0.10000000149011612}', '{"_v":1}'),
    );
    const outcome = await dispatchWireCall(plugin, negotiated('scored'), Scored, Scored.dryRunRequest());
    expect(outcome).toMatchObject({ kind: 'ok', response: {} });
  });

  it('a request that is not a JSON object', async () => {
    const Bare = defineWireFunction({
      name: 'bare',
      supportedVersions: [1],
      fallback: 'PassThrough',
      request: str(),
      response: struct('BareResponse', {}),
      dryRunRequest: () => 'text',
      dryRunResponse: () => ({}),
    });
    const plugin = await dispatchPlugin('bare', trap());
    const outcome = await dispatchWireCall(plugin, negotiated('bare'), Bare, 'text');
    expect(outcome).toMatchObject({
      kind: 'fallback',
      policy: 'PassThrough',
      stage: 'request_envelope',
      error: 'request serialized to non-object JSON',
      errorKind: 'RequestNotObject',
      fuelConsumed: 0,
    });
  });

  it('a request the encoder refuses', async () => {
    const bad = { shaped: 42, signer_state: null } as unknown as ReturnType<typeof SignFn.dryRunRequest>;
    let encoderText = '';
    try {
      encodeWire(SignFn.request, bad);
    } catch (error) {
      encoderText = (error as Error).message;
    }
    expect(encoderText).not.toBe('');
    const plugin = await dispatchPlugin('sign', trap());
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, bad);
    expect(outcome).toMatchObject({
      stage: 'request_envelope',
      errorKind: 'RequestValue',
      error: `request value serialization failed: ${encoderText}`,
    });
  });

  it('a spinning guest runs out of fuel: plugin_call, no classification', async () => {
    const plugin = await dispatchPlugin('sign', spin(), 100_000);
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome).toMatchObject({
      kind: 'fallback',
      policy: 'FailRequest',
      stage: 'plugin_call',
      error: 'plugin call failed: plugin ran out of fuel',
      errorKind: 'PluginCall',
    });
  });

  it('output that is not UTF-8 fails the call step with the Rust Utf8Error text', async () => {
    const plugin = await dispatchPlugin('sign', output(new Uint8Array([0x7b, 0x22, 0xe2, 0x82])));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome).toMatchObject({
      stage: 'plugin_call',
      error: 'plugin call failed: incomplete utf-8 byte sequence from index 2',
      output: { length: 4, head: '{\\"\\xe2\\x82', truncated: false },
    });
  });

  it('options.fuel is the budget of this call alone; a plugin_call failure has no output to show', async () => {
    const plugin = await dispatchPlugin('sign', output(SIGN_NULLS));
    const ok = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    const starved = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest(), {
      fuel: ok.fuelConsumed,
    });
    expect(starved).toMatchObject({
      kind: 'fallback',
      stage: 'plugin_call',
      error: 'plugin call failed: plugin ran out of fuel',
      fuelConsumed: ok.fuelConsumed,
    });
    expect(starved).not.toHaveProperty('output');
    expect(await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest())).toEqual(ok);
  });

  it('a whole outcome, fuel included, snapshots the same on every run', async () => {
    const plugin = await dispatchPlugin('sign', output('not json'));
    const outcomes = [
      await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest()),
      await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest()),
    ];
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0]).toMatchInlineSnapshot(`
      {
        "error": "response envelope deserialization failed: expected ident at line 1 column 2",
        "errorKind": "DeserializeResponseEnvelope",
        "fuelConsumed": 200,
        "kind": "fallback",
        "policy": "FailRequest",
        "stage": "deserialize_response",
      }
    `);
  });

  it('timing and logs are readable but left out of equality and snapshots', async () => {
    const plugin = await dispatchPlugin('sign', output(SIGN_NULLS));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome.durationMs).toBeGreaterThan(0);
    expect(outcome.logs).toEqual([]);
    expect(Object.keys(outcome)).toEqual(['kind', 'response', 'fuelConsumed']);
    expect({ ...outcome, fuelConsumed: 0 }).toMatchInlineSnapshot(`
      {
        "fuelConsumed": 0,
        "kind": "ok",
        "response": {
          "body_base64": null,
          "headers": null,
          "method": null,
          "url": null,
        },
      }
    `);
  });

  it('a missing export is a plugin_call failure', async () => {
    const plugin = await dispatchPlugin('shape', output(SIGN_NULLS));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome).toMatchObject({ stage: 'plugin_call', errorKind: 'PluginCall' });
    expect((outcome as { error: string }).error).toMatch(/^plugin call failed: /);
  });

  it('the largest u64 _v is printed exactly in the mismatch', async () => {
    const plugin = await dispatchPlugin('sign', output('{"_v":18446744073709551615}'));
    const outcome = await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest());
    expect(outcome).toMatchObject({
      error: 'response envelope version mismatch: expected 1, actual 18446744073709551615',
    });
  });

  it('a fallback never poisons the instance: the next call on it succeeds', async () => {
    const plugin = await dispatchPlugin('sign', output(SIGN_NULLS));
    await dispatchWireCall(plugin, negotiated('shape'), SignFn, SignFn.dryRunRequest());
    expect((await dispatchWireCall(plugin, negotiated('sign'), SignFn, SignFn.dryRunRequest())).kind).toBe(
      'ok',
    );
  });

  it('anything unexpected is caught as a panic that keeps the original error; an observer that throws changes nothing', async () => {
    const broken: LoadedPlugin = {
      functionExists: () => true,
      exports: () => ['sign'],
      imports: () => [],
      call: () => Promise.reject(new TypeError('engine bug')),
      close: () => Promise.resolve(),
    };
    const outcome = await dispatchWireCall(broken, negotiated('sign'), SignFn, SignFn.dryRunRequest(), {
      onDispatchError: () => {
        throw new Error('observer bug');
      },
    });
    expect(outcome).toMatchObject({
      kind: 'fallback',
      policy: 'FailRequest',
      stage: 'panic',
      error: 'dispatch panicked',
      errorKind: 'Panic',
    });
    // the Rust-faithful outcome, with what really happened kept beside it
    expect(outcome).toMatchObject({
      cause: new TypeError('engine bug'),
      observerError: new Error('observer bug'),
    });
    expect(Object.keys(outcome)).not.toContain('cause');
    // and published, so this suite fails any test that panics without meaning to
    expect(takePanics()).toEqual([{ function: 'sign', error: new TypeError('engine bug') }]);
  });
});

describe('dispatchWireCall: the one-pass envelope and response paths change no outcome', () => {
  /** A stand-in instance that answers `output` to every call and records what it was sent. */
  function answering(output: string, sent: string[]): LoadedPlugin {
    return {
      functionExists: () => true,
      exports: () => [],
      imports: () => [],
      call: (_name, input) => {
        sent.push(typeof input === 'string' ? input : new TextDecoder().decode(input));
        return Promise.resolve({
          output: new Uint8Array(),
          fuelConsumed: 7,
          durationMs: 0.5,
          logs: [],
          text: () => output,
        });
      },
      close: () => Promise.resolve(),
    };
  }

  it('a request whose getter throws fails as the step-by-step path fails it, the guest never called', async () => {
    const request = {
      ...SignFn.dryRunRequest(),
      get shaped(): never {
        throw new RangeError('a getter of the request failed');
      },
    };
    const sent: string[] = [];
    const outcome = await dispatchWireCall(answering('{"_v":1}', sent), negotiated('sign'), SignFn, request);
    expect(sent).toStrictEqual([]);
    expect(outcome).toMatchObject({
      kind: 'fallback',
      stage: 'request_envelope',
      errorKind: 'RequestValue',
      error: 'request value serialization failed: a getter of the request failed',
    });
  });

  type Expected =
    | { kind: 'ok'; response: unknown }
    | { kind: 'fallback'; stage: string; errorKind: string; error: string };

  /** PROTOCOL.md §7.1 steps 7–12 taken one by one (version 1 negotiated). */
  function stepByStep(fn: AnyWireFunction, text: string): Expected {
    const fail = (stage: string, errorKind: string, error: string): Expected => ({
      kind: 'fallback',
      stage,
      errorKind,
      error,
    });
    let node: JsonNode;
    try {
      node = parseJsonValue(text);
    } catch (error) {
      const reason = (error as WireDecodeError).serdeText;
      return fail(
        'deserialize_response',
        'DeserializeResponseEnvelope',
        `response envelope deserialization failed: ${reason}`,
      );
    }
    if (node.type !== 'object') {
      return fail('response_envelope', 'ResponseNotObject', 'response envelope was not a JSON object');
    }
    const rest = new Map(node.entries);
    const v = rest.get('_v');
    if (v === undefined)
      return fail('response_envelope', 'ResponseVersionMissing', 'response envelope missing _v');
    rest.delete('_v');
    if (v.type !== 'int' || v.value < 0n) {
      return fail(
        'response_envelope',
        'ResponseVersionInvalid',
        'response envelope _v was not an unsigned integer',
      );
    }
    if (v.value !== 1n) {
      return fail(
        'response_envelope',
        'ResponseVersionMismatch',
        `response envelope version mismatch: expected 1, actual ${v.value}`,
      );
    }
    try {
      return { kind: 'ok', response: decodeWireValue(fn.response, { type: 'object', entries: rest }) };
    } catch (error) {
      return fail(
        'response_decode',
        'ResponseDecode',
        `response decode failed: ${(error as WireDecodeError).serdeText}`,
      );
    }
  }

  const outcomeForm = (outcome: DispatchOutcome): Expected =>
    outcome.kind === 'ok'
      ? { kind: 'ok', response: valueForm(outcome.response) }
      : { kind: 'fallback', stage: outcome.stage, errorKind: outcome.errorKind, error: outcome.error };

  it.each(allWireFunctions.map((fn) => [fn.name, fn] as const))(
    '%s: generated and malformed guest answers end as the step-by-step dispatch ends',
    async (_, fn) => {
      await fc.assert(
        fc.asyncProperty(envelopeTextArbitrary(fn.response), async (text) => {
          const outcome = await dispatchWireCall(
            answering(text, []),
            negotiated(fn.name),
            fn,
            fn.dryRunRequest(),
          );
          const expected = stepByStep(fn, text);
          expect(outcomeForm(outcome)).toStrictEqual(
            expected.kind === 'ok' ? { kind: 'ok', response: valueForm(expected.response) } : expected,
          );
          expect(outcome).toMatchObject({ fuelConsumed: 7, durationMs: 0.5 });
        }),
        { numRuns: 100 },
      );
    },
  );

  it.each(allWireFunctions.map((fn) => [fn.name, fn] as const))(
    '%s: generated requests reach the guest as the step-by-step envelope, or fail with its text',
    async (_, fn) => {
      await fc.assert(
        fc.asyncProperty(wireArbitrary(fn.request, 'hostile'), async (request) => {
          let expected: string | Error;
          try {
            const node = requestValue(fn.request, request);
            if (node.type !== 'object') throw new Error('requests are structs');
            const entries = new Map(node.entries);
            entries.set('_v', { type: 'int', value: 1n });
            expected = encodeJsonNode({ type: 'object', entries });
          } catch (error) {
            expected = error as Error;
          }
          const sent: string[] = [];
          const outcome = await dispatchWireCall(
            answering('{"_v":1}', sent),
            negotiated(fn.name),
            fn,
            request as RequestOf<typeof fn>,
          );
          if (typeof expected === 'string') {
            expect(sent).toStrictEqual([expected]);
          } else {
            const reason = expected instanceof WireDecodeError ? expected.serdeText : expected.message;
            expect(sent).toStrictEqual([]);
            expect(outcome).toMatchObject({
              kind: 'fallback',
              stage: 'request_envelope',
              errorKind: 'RequestValue',
              error: `request value serialization failed: ${reason}`,
            });
          }
        }),
        { numRuns: 100 },
      );
    },
  );
});
