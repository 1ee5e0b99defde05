import { beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/conformance/dispatch.js';
import { HandshakeError, RunError } from '../../src/conformance/errors.js';
import { plugin } from '../../src/conformance/plugin-under-test.js';
import { BuildPluginError } from '../../src/engine/index.js';
import { output, trap } from '../../src/wat/index.js';
import { NormalizeErrorFn, ObserveFn, ShapeFn, SignFn } from '../../src/wire/index.js';
import { fixturePlugin } from '../support/fixture-plugins.js';
import { acceptFor, guestModule } from '../support/guest-modules.js';

// Compiling a fixture from its AssemblyScript source can take seconds on a cold cache.
beforeAll(async () => {
  await Promise.all([fixturePlugin('observe'), fixturePlugin('shape')]);
}, 120_000);

describe('dispatch.run', () => {
  it('dispatches the dry-run request by default and answers ok', async () => {
    const outcome = await dispatch.run(await fixturePlugin('shape'), ShapeFn);
    expect(outcome).toMatchObject({
      kind: 'ok',
      response: {
        url: 'https://api.anthropic.com/v1/messages',
        method: 'POST',
        headers: [],
        body_base64: '',
      },
    });
  });

  it('options.fuel limits the wire call, not the handshake, which keeps the plugin’s budget', async () => {
    const shape = await fixturePlugin('shape');
    const { fuelConsumed } = await dispatch.run(shape, ShapeFn);
    // far below what the handshake needs: only the dispatch runs under it
    const starved = await dispatch.run(shape, ShapeFn, undefined, { fuel: 50 });
    expect(starved).toMatchObject({
      kind: 'fallback',
      stage: 'plugin_call',
      error: 'plugin call failed: plugin ran out of fuel',
      fuelConsumed: 50,
    });
    expect(await dispatch.run(shape, ShapeFn, undefined, { fuel: fuelConsumed + 1 })).toMatchObject({
      kind: 'ok',
      fuelConsumed,
    });
    await expect(dispatch.run(shape, ShapeFn, undefined, { fuel: Number.NaN })).rejects.toThrow(
      new TypeError('dispatch.run: fuel must be an integer between 0 and 9007199254740991, received NaN'),
    );
  });

  it('uses the descriptor capabilities for its handshake', async () => {
    const p = plugin(await fixturePlugin('observe'), { capabilities: ['observability:emit'] });
    expect(await dispatch.run(p, ObserveFn, { events: [] })).toMatchObject({ kind: 'ok', response: {} });
  });

  it('X-23: a sign answer with only _v is ok (all four fields nullable)', async () => {
    const wasm = guestModule({ handshake: acceptFor('sign'), handlers: { sign: output('{"_v":1}') } });
    expect(await dispatch.run(wasm, SignFn)).toMatchObject({
      kind: 'ok',
      response: { url: null, method: null, headers: null, body_base64: null },
    });
  });

  it('X-24: a trapping normalize_error falls back with PassThrough at plugin_call', async () => {
    const wasm = guestModule({
      handshake: acceptFor('normalize_error'),
      handlers: { normalize_error: trap() },
    });
    expect(await dispatch.run(wasm, NormalizeErrorFn)).toMatchObject({
      kind: 'fallback',
      policy: 'PassThrough',
      stage: 'plugin_call',
    });
  });

  it('X-25: a function the handshake did not negotiate falls back at version_lookup', async () => {
    expect(await dispatch.run(await fixturePlugin('shape'), ObserveFn)).toMatchObject({
      kind: 'fallback',
      policy: 'SilentSkip',
      stage: 'version_lookup',
      error: 'negotiated version missing',
    });
  });

  it('a module that cannot be built → RunError Build with the engine reason', async () => {
    const error = await dispatch.run(guestModule({ userHostImport: true }), ShapeFn).catch((e) => e);
    expect(error).toBeInstanceOf(RunError);
    expect(error.kind).toBe('Build');
    expect(error.cause).toBeInstanceOf(BuildPluginError);
    expect(error.reason).toBe((error.cause as BuildPluginError).reason);
    expect(error.message).toBe(`plugin instantiation failed: ${error.reason}`);
  });

  it('a failing handshake → RunError Handshake wrapping the HandshakeError', async () => {
    const error = await dispatch.run(await fixturePlugin('observe'), ObserveFn).catch((e) => e);
    expect(error).toBeInstanceOf(RunError);
    expect(error.kind).toBe('Handshake');
    expect(error.cause).toBeInstanceOf(HandshakeError);
    expect(error.message).toBe('handshake failed: missing host capability: observability:emit');
  });
});
