import { describe, expect, it } from 'vitest';
import { VerifyError } from '../../../src/conformance/errors.js';
import { verify, verifySignerPlugin } from '../../../src/conformance/index.js';
import { body, type ExportBehaviour, fail, output } from '../../../src/wat/index.js';
import { SignFn } from '../../../src/wire/index.js';
import { acceptFor, guestModule, setOutputWat } from '../../support/guest-modules.js';

const SIGNER_STATE = { key_id: 'k-1' };

/**
 * `sign` answers only when its input has the length of the dry-run request carrying the
 * build_signer state (with `_v`): the envelope's key order is unspecified, its length is not.
 */
function signExpectingState(): ExportBehaviour {
  const expected = JSON.stringify({ ...SignFn.dryRunRequest(), signer_state: SIGNER_STATE, _v: 1 }).length;
  return body(
    [
      '    (local $o i64)',
      `    (if (i64.ne (call $input_length) (i64.const ${expected}))`,
      '      (then (return (i32.const 1))))',
      setOutputWat('{"_v":1}'),
    ].join('\n'),
  );
}

function signerModule(handlers: Record<string, ExportBehaviour>, functions = ['build_signer', 'sign']) {
  return guestModule({ handshake: acceptFor(...functions), handlers });
}

const BUILD = output(JSON.stringify({ _v: 1, signer_state: SIGNER_STATE }));

describe('verifySignerPlugin', () => {
  it('passes a WAT signer; sign receives the state build_signer returned', async () => {
    const report = await verifySignerPlugin(
      signerModule({ build_signer: BUILD, sign: signExpectingState() }),
    );
    const fuel = expect.any(Number);
    expect(report).toEqual({
      identity: { layer: 'identity', passed: true, detail: 'test-plugin' },
      handshake: { layer: 'handshake', passed: true, detail: '2 function(s) negotiated', fuelConsumed: fuel },
      selfCheck: { layer: 'self_check', passed: true, detail: undefined, fuelConsumed: fuel },
      dispatch: [
        {
          layer: 'dispatch:build_signer:dry_run',
          passed: true,
          detail: 'build_signer dispatch returned a decodable response',
          fuelConsumed: fuel,
        },
        {
          layer: 'dispatch:sign:with_signer_state',
          passed: true,
          detail: 'sign dispatch returned a decodable response',
          fuelConsumed: fuel,
        },
      ],
      extras: [],
    });
    expect(verify.signer).toBe(verifySignerPlugin);
  });

  it('dispatches on_unauthorized when chosen (and lists it as an extra)', async () => {
    const wasm = signerModule(
      {
        build_signer: BUILD,
        sign: signExpectingState(),
        on_unauthorized: output('{"_v":1,"decision":"fail","signer_state":null}'),
      },
      ['build_signer', 'sign', 'on_unauthorized'],
    );
    const report = await verifySignerPlugin(wasm);
    expect(report.dispatch.map((d) => d.layer)).toEqual([
      'dispatch:build_signer:dry_run',
      'dispatch:sign:with_signer_state',
      'dispatch:on_unauthorized:dry_run',
    ]);
    expect(report.extras).toEqual([
      { kind: 'extra_function', message: "plugin also declares 'on_unauthorized'" },
    ]);
  });

  it('fails at sign with a FailRequest fallback', async () => {
    const wasm = signerModule({ build_signer: BUILD, sign: fail('no credentials') });
    const error = await verifySignerPlugin(wasm).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).message).toBe(
      'dispatch verification failed: sign dispatch fell back with policy FailRequest',
    );
    expect((error as VerifyError).cause).toMatchObject({
      kind: 'Fallback',
      function: 'sign',
      policy: 'FailRequest',
      stage: 'plugin_call',
      reason: 'plugin call failed: no credentials',
    });
  });

  it('a sign that never sees the state fails (the state is really forwarded)', async () => {
    const wasm = signerModule({
      build_signer: output('{"_v":1,"signer_state":null}'),
      sign: signExpectingState(),
    });
    const error = await verifySignerPlugin(wasm).catch((e: unknown) => e);
    expect((error as VerifyError).cause).toMatchObject({ function: 'sign', stage: 'plugin_call' });
  });

  it('requires both build_signer and sign', async () => {
    const wasm = guestModule({ handshake: acceptFor('build_signer'), handlers: { build_signer: BUILD } });
    const error = await verifySignerPlugin(wasm).catch((e: unknown) => e);
    expect((error as VerifyError).message).toBe(
      'handshake verification failed: declared function missing wasm export: sign',
    );
  });
});
