import { describe, expect, it } from 'vitest';
import {
  HandshakeError,
  IdentityError,
  SelfCheckError,
  VerifyError,
} from '../../../src/conformance/errors.js';
import { plugin, verifyLayers } from '../../../src/conformance/index.js';
import { requireFunction } from '../../../src/conformance/verify/common.js';
import { verifyShapePlugin } from '../../../src/conformance/verify/shape.js';
import { acceptJson, body, fail, output } from '../../../src/wat/index.js';
import { FilterFn, ShapeFn } from '../../../src/wire/index.js';
import { acceptFor, guestModule, setOutputWat } from '../../support/guest-modules.js';

const SHAPE_ANSWER = output(
  '{"_v":1,"url":"https://api.anthropic.com/v1/messages","method":"POST","headers":[],"body_base64":""}',
);

async function verifyError(promise: Promise<unknown>): Promise<VerifyError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(VerifyError);
  return error as VerifyError;
}

describe('the common verify flow', () => {
  it('V-01: every chosen function other than the required one is an extra, in key order', async () => {
    const wasm = guestModule({
      handshake: acceptFor('shape', 'observe', 'normalize_error'),
      handlers: {
        shape: SHAPE_ANSWER,
        observe: output('{"_v":1}'),
        normalize_error: output('{"_v":1,"body_base64":null}'),
      },
    });
    const report = await verifyShapePlugin(wasm);
    expect(report.extras).toEqual([
      { kind: 'extra_function', message: "plugin also declares 'normalize_error'" },
      { kind: 'extra_function', message: "plugin also declares 'observe'" },
    ]);
    expect(report.handshake).toEqual({
      layer: 'handshake',
      passed: true,
      detail: '3 function(s) negotiated',
      fuelConsumed: expect.any(Number),
    });
    expect(report.identity).toEqual({ layer: 'identity', passed: true, detail: 'test-plugin' });
  });

  it('requireFunction: an unsupported chosen version is InvalidIdentity chosen_versions', () => {
    const report = {
      chosenVersions: { shape: 2 },
      envelopeVersion: 1,
      identity: { name: 'p', version: '1', abiEnvelope: 1 },
      negotiatedCapabilities: [],
      fuelConsumed: 0,
    };
    let caught: unknown;
    try {
      requireFunction(report, ShapeFn);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VerifyError);
    const error = caught as VerifyError;
    expect(error.kind).toBe('Handshake');
    expect(error.cause).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'chosen_versions',
      reason: 'function shape chose unsupported version 2; host supports [1]',
    });
    expect(error.message).toBe(
      'handshake verification failed: invalid identity field chosen_versions: function shape chose unsupported version 2; host supports [1]',
    );
    expect(() => requireFunction(report, FilterFn)).toThrow(
      'handshake verification failed: declared function missing wasm export: filter',
    );
  });

  it('a version negotiated against a future offer is still refused by verify (the host supports [1])', async () => {
    // the plugin chooses 2 only if offered; verify offers the default, so it chooses 1 and passes
    const wasm = guestModule({ handshake: acceptFor('shape'), handlers: { shape: SHAPE_ANSWER } });
    expect((await verifyShapePlugin(wasm)).dispatch).toHaveLength(6);
  });

  it('static-check failures only mark the identity layer', async () => {
    const wasm = guestModule({
      identity: { abi_envelope: 2 },
      handshake: acceptFor('shape'),
      handlers: { shape: SHAPE_ANSWER },
    });
    const report = await verifyShapePlugin(wasm);
    expect(report.identity).toEqual({ layer: 'identity', passed: false, detail: 'test-plugin' });
  });

  it('a self-check failure is VerifyError SelfCheck', async () => {
    const wasm = guestModule({
      handshake: acceptFor('shape'),
      handlers: { shape: SHAPE_ANSWER },
      selfCheck: fail('nope'),
    });
    const error = await verifyError(verifyShapePlugin(wasm));
    expect(error.kind).toBe('SelfCheck');
    expect(error.cause).toBeInstanceOf(SelfCheckError);
    expect(error.message).toBe('self-check verification failed: wasm execution failed: nope');
  });

  it('a handshake failure is VerifyError Handshake', async () => {
    const error = await verifyError(verifyShapePlugin(guestModule({ handshake: false })));
    expect(error.kind).toBe('Handshake');
    expect(error.cause).toBeInstanceOf(HandshakeError);
    expect(error.message).toBe('handshake verification failed: plugin does not export cc_lb_handshake');
  });

  it('an identity read failure after a good handshake is reported by the handshake (it reads the identity)', async () => {
    const wasm = guestModule({
      identity: false,
      handshake: acceptFor('shape'),
      handlers: { shape: SHAPE_ANSWER },
    });
    const error = await verifyError(verifyShapePlugin(wasm));
    expect(error.kind).toBe('Handshake');
    expect(error.message).toBe(
      'handshake verification failed: invalid identity field custom_section: missing cc_lb.plugin.v1 custom section',
    );
    expect(error.cause).not.toBeInstanceOf(IdentityError);
  });

  it('the handshake and self-check warnings reach the flow and, non-enumerable, the report', async () => {
    // 50M loop iterations take tens of milliseconds on any machine: with wallMs 1 the warning is certain
    const slow = plugin(
      guestModule({
        handshake: body(
          [
            '    (local $i i32) (local $o i64)',
            '    (loop $l (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 50000000))))',
            setOutputWat(acceptJson(acceptFor('shape'))),
          ].join('\n'),
        ),
        handlers: { shape: SHAPE_ANSWER },
      }),
      { wallMs: 1, fuel: 1_000_000_000 },
    );
    // The slow handshake warns for certain; on a loaded machine a later call may pass 1 ms too, so
    // the count is not asserted, only that the first warning is there and each one has the text.
    const warning = expect.stringMatching(/^a plugin call took \d+ ms, more than wallMs \(1 ms\)/);
    const everyWarning = (warnings: readonly string[] | undefined) => {
      expect(warnings?.length).toBeGreaterThan(0);
      expect(warnings).toEqual(warnings?.map(() => warning));
    };
    const report = await verifyShapePlugin(slow);
    everyWarning(report.warnings);
    expect(Object.keys(report)).not.toContain('warnings');
    const flow = verifyLayers(slow, { kinds: 'auto' });
    const layers: string[] = [];
    for await (const layer of flow) layers.push(layer.result.layer);
    expect(layers).toContain('dispatch:shape:basic');
    everyWarning(flow.warnings);
  });
});
