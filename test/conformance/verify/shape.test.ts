import { beforeAll, describe, expect, it } from 'vitest';
import { HandshakeError, VerifyError } from '../../../src/conformance/errors.js';
import { guestDiagnosticLines, verify, verifyShapePlugin } from '../../../src/conformance/index.js';
import { walkWasm } from '../../../src/host/index.js';
import { body, fail } from '../../../src/wat/index.js';
import { fixturePlugin } from '../../support/fixture-plugins.js';
import {
  acceptFor,
  guestModule,
  loggingGuestModule,
  logWat,
  setOutputWat,
} from '../../support/guest-modules.js';

// Compiling a fixture from its AssemblyScript source can take seconds on a cold cache.
beforeAll(async () => {
  await Promise.all([fixturePlugin('shape')]);
}, 120_000);

const DETAIL = 'shape dispatch returned a decodable response';

describe('verifyShapePlugin', () => {
  it('T-03: the shape fixture passes with the reference report', async () => {
    const report = await verifyShapePlugin(await fixturePlugin('shape'));
    const fuel = expect.any(Number);
    expect(report).toEqual({
      identity: { layer: 'identity', passed: true, detail: 'conformance-shape' },
      handshake: { layer: 'handshake', passed: true, detail: '1 function(s) negotiated', fuelConsumed: fuel },
      selfCheck: { layer: 'self_check', passed: true, detail: undefined, fuelConsumed: fuel },
      dispatch: [
        'dispatch:shape:basic',
        'dispatch:robustness:empty_body',
        'dispatch:robustness:malformed_json',
        'dispatch:robustness:invalid_utf8',
        'dispatch:robustness:large_body',
        'dispatch:robustness:unicode_preservation',
      ].map((layer) => ({ layer, passed: true, detail: DETAIL, fuelConsumed: fuel })),
      extras: [],
    });
    expect(verify.shape).toBe(verifyShapePlugin);
  });

  it('T-07: an identity section overwritten in place with `{` and spaces fails as a malformed payload', async () => {
    const wasm = Uint8Array.from(await fixturePlugin('shape'));
    const section = walkWasm(wasm).customSections.find((s) => s.name === 'cc_lb.plugin.v1');
    if (section === undefined) throw new Error('the fixture has no identity section');
    const length = section.data.length;
    wasm.set(new TextEncoder().encode(`{${' '.repeat(length - 1)}`), section.dataOffset);

    const error = await verifyShapePlugin(wasm).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
    const verifyError = error as VerifyError;
    expect(verifyError.kind).toBe('Handshake');
    expect(verifyError.cause).toBeInstanceOf(HandshakeError);
    const reason = `malformed cc_lb.plugin.v1 payload: EOF while parsing an object at line 1 column ${length}`;
    expect(verifyError.cause).toMatchObject({ kind: 'InvalidIdentity', field: 'payload', reason });
    expect(verifyError.message).toBe(
      `handshake verification failed: invalid identity field payload: ${reason}`,
    );
  });

  it('a shape handler that fails → VerifyError Dispatch Fallback FailRequest, with stage and error text', async () => {
    const wasm = guestModule({ handshake: acceptFor('shape'), handlers: { shape: fail('cannot shape') } });
    const error = await verifyShapePlugin(wasm).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).message).toBe(
      'dispatch verification failed: shape dispatch fell back with policy FailRequest',
    );
    expect((error as VerifyError).cause).toMatchObject({
      kind: 'Fallback',
      function: 'shape',
      policy: 'FailRequest',
      stage: 'plugin_call',
      reason: 'plugin call failed: cannot shape',
      errorKind: 'PluginCall',
    });
  });

  it('a shape answer that does not decode → the Fallback keeps what the guest wrote and logged', async () => {
    const wasm = loggingGuestModule({
      handshake: acceptFor('shape'),
      handlers: {
        shape: body(
          ['    (local $o i64)', logWat('warn', 'no url configured'), setOutputWat('{"_v":1}')].join('\n'),
        ),
      },
    });
    const error = await verifyShapePlugin(wasm).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
    expect(guestDiagnosticLines(error)).toEqual([
      'Guest output: the guest wrote 8 bytes: "{\\"_v\\":1}"',
      'Guest log (1 line):',
      '  [warn] no url configured',
    ]);
  });
});
