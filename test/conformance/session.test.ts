import { beforeAll, describe, expect, it } from 'vitest';
import { HandshakeError } from '../../src/conformance/errors.js';
import { fixtures } from '../../src/conformance/fixtures.js';
import { plugin } from '../../src/conformance/plugin-under-test.js';
import { PluginSession } from '../../src/conformance/session.js';
import { acceptJson, body } from '../../src/wat/index.js';
import { ObserveFn, ShapeFn, SignFn } from '../../src/wire/index.js';
import { fixturePlugin } from '../support/fixture-plugins.js';
import {
  acceptFor,
  guestModule,
  loggingGuestModule,
  logWat,
  setOutputWat,
  trapsOnceThenAnswers,
} from '../support/guest-modules.js';
import { takePanics } from '../support/no-internal-panics.js';

// Compiling a fixture from its AssemblyScript source can take seconds on a cold cache.
beforeAll(async () => {
  await Promise.all([fixturePlugin('observe'), fixturePlugin('shape')]);
}, 120_000);

const trapsOnce = () =>
  guestModule({
    handshake: acceptFor('observe'),
    handlers: { observe: trapsOnceThenAnswers('{"_v":1}') },
    memory: 1,
  });

describe('PluginSession', () => {
  it('T-06: a shape fixture session dispatches the builder request and answers ok', async () => {
    const session = await PluginSession.create(await fixturePlugin('shape'));
    try {
      const outcome = await session.dispatch(ShapeFn, fixtures.shapeRequestBuilder().build());
      expect(outcome.kind).toBe('ok');
      if (outcome.kind === 'ok') expect(outcome.response.url).toBe('https://api.anthropic.com/v1/messages');
      expect(session.identity.plugin_name).toBe('conformance-shape');
      expect(session.negotiatedFunctions).toEqual({ shape: 1 });
      expect(session.metadata.expires_at).toBe(604_801);
      expect(session.lastCall).toEqual({ function: 'shape', fuelConsumed: expect.any(Number), logs: [] });
      expect(session.lastCall?.durationMs).toEqual(expect.any(Number));
    } finally {
      await session.close();
    }
  });

  it('survives a trap: the fallback does not poison the next call on the same instance', async () => {
    const session = await PluginSession.create(trapsOnce());
    try {
      const first = await session.dispatch(ObserveFn);
      expect(first).toMatchObject({ kind: 'fallback', policy: 'SilentSkip', stage: 'plugin_call' });
      expect(session.lastCall?.function).toBe('observe');
      const second = await session.dispatch(ObserveFn);
      expect(second).toMatchObject({ kind: 'ok', response: {} });
    } finally {
      await session.close();
    }
  });

  it('survives a fallback that never reached the guest (version_lookup)', async () => {
    const session = await PluginSession.create(await fixturePlugin('shape'));
    try {
      expect(await session.dispatch(SignFn)).toMatchObject({ kind: 'fallback', stage: 'version_lookup' });
      expect(await session.dispatch(ShapeFn)).toMatchObject({ kind: 'ok' });
    } finally {
      await session.close();
    }
  });

  it('two sessions of one plugin do not share instance state', async () => {
    const wasm = trapsOnce();
    const a = await PluginSession.create(wasm);
    const b = await PluginSession.create(wasm);
    try {
      expect((await a.dispatch(ObserveFn)).kind).toBe('fallback');
      expect((await a.dispatch(ObserveFn)).kind).toBe('ok');
      // b's memory was never touched by a's calls: its first call still traps
      expect((await b.dispatch(ObserveFn)).kind).toBe('fallback');
      expect((await b.dispatch(ObserveFn)).kind).toBe('ok');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('the dispatch instance is not the handshake instance', async () => {
    // cc_lb_handshake marks the instance's memory; observe answers only if the mark is absent
    const markThenAccept = body(
      [
        '    (local $o i64)',
        '    (i32.store8 (i32.const 0) (i32.const 1))',
        setOutputWat(acceptJson(acceptFor('observe'))),
      ].join('\n'),
    );
    const answerIfUnmarked = body(
      [
        '    (local $o i64)',
        '    (if (i32.load8_u (i32.const 0)) (then unreachable))',
        setOutputWat('{"_v":1}'),
      ].join('\n'),
    );
    const wasm = guestModule({
      handshake: markThenAccept,
      handlers: { observe: answerIfUnmarked },
      memory: 1,
    });
    const session = await PluginSession.create(wasm);
    try {
      expect(await session.dispatch(ObserveFn)).toMatchObject({ kind: 'ok' });
    } finally {
      await session.close();
    }
  });

  it('serializes concurrent dispatches on one instance', async () => {
    const session = await PluginSession.create(await fixturePlugin('shape'));
    try {
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => session.dispatch(ShapeFn)));
      expect(outcomes.map((o) => o.kind)).toEqual(Array(8).fill('ok'));
    } finally {
      await session.close();
    }
  });

  it('a dispatch that throws before reaching the plugin does not block the queue or close()', async () => {
    const session = await PluginSession.create(await fixturePlugin('shape'));
    // not a wire function: reading its name throws inside the queued call
    const broken = Object.defineProperty({}, 'name', {
      get() {
        throw new Error('not a wire function');
      },
    }) as unknown as typeof ShapeFn;
    const first = session.dispatch(ShapeFn);
    const failing = session.dispatch(broken, {} as never);
    const after = session.dispatch(ShapeFn);
    await expect(first).resolves.toMatchObject({ kind: 'ok' });
    await expect(failing).rejects.toThrow('not a wire function');
    await expect(after).resolves.toMatchObject({ kind: 'ok' });
    await expect(session.close()).resolves.toBeUndefined();
    // the broken function panicked inside the dispatch, on purpose
    expect(takePanics().map((p) => (p.error as Error).message)).toEqual(['not a wire function']);
  });

  it('lastCall: none before the first dispatch, then the same record on every read until the next', async () => {
    const session = await PluginSession.create(await fixturePlugin('shape'));
    try {
      expect(session.lastCall).toBeUndefined();
      const outcome = await session.dispatch(ShapeFn);
      const first = session.lastCall;
      expect(first).toEqual({ function: 'shape', fuelConsumed: outcome.fuelConsumed, logs: [] });
      expect(first?.durationMs).toBe(outcome.durationMs);
      expect(session.lastCall).toBe(first);
      const fallback = await session.dispatch(SignFn); // not negotiated: never reaches the guest
      expect(fallback).toMatchObject({ kind: 'fallback', stage: 'version_lookup' });
      expect(session.lastCall).not.toBe(first);
      expect(session.lastCall).toEqual({ function: 'sign', fuelConsumed: 0, logs: [] });
      expect(session.lastCall?.durationMs).toBe(0);
    } finally {
      await session.close();
    }
  });

  it('lastCall of concurrent dispatches is the one settled last; one never reaching the guest settles first', async () => {
    const session = await PluginSession.create(await fixturePlugin('shape'));
    try {
      const seen: (string | undefined)[] = [];
      const calls = [session.dispatch(ShapeFn), session.dispatch(SignFn), session.dispatch(ShapeFn)].map(
        (call) => call.then(() => seen.push(session.lastCall?.function)),
      );
      await Promise.all(calls);
      // `sign` is not negotiated: its fallback needs no guest call, so it waits for none
      expect(seen).toEqual(['sign', 'shape', 'shape']);
    } finally {
      await session.close();
    }
  });

  it('a dispatch whose function cannot be named rejects and leaves lastCall as it was', async () => {
    const session = await PluginSession.create(await fixturePlugin('shape'));
    const broken = Object.defineProperty({}, 'name', {
      get() {
        throw new Error('not a wire function');
      },
    }) as unknown as typeof ShapeFn;
    try {
      await session.dispatch(ShapeFn);
      const before = session.lastCall;
      await expect(session.dispatch(broken, {} as never)).rejects.toThrow('not a wire function');
      expect(takePanics()).toHaveLength(1);
      expect(session.lastCall).toBe(before);
      // nothing is left in flight: a later dispatch runs and is recorded
      expect(await session.dispatch(SignFn)).toMatchObject({ kind: 'fallback', stage: 'version_lookup' });
      expect(session.lastCall?.function).toBe('sign');
    } finally {
      await session.close();
    }
  });

  it('close(): dispatches made before it all run, in order, and it settles after them', async () => {
    const session = await PluginSession.create(await fixturePlugin('shape'));
    const settled: string[] = [];
    const calls = [0, 1, 2].map((i) =>
      session.dispatch(ShapeFn).then((outcome) => {
        settled.push(`dispatch ${i}: ${outcome.kind}`);
      }),
    );
    const closing = session.close().then(() => settled.push('closed'));
    await expect(session.dispatch(ShapeFn)).rejects.toThrow('session is closed');
    await Promise.all([...calls, closing]);
    expect(settled).toEqual(['dispatch 0: ok', 'dispatch 1: ok', 'dispatch 2: ok', 'closed']);
  });

  it('dispatch(fn, request, { fuel }) limits that call alone; the handshake and later calls keep the plugin’s', async () => {
    const session = await PluginSession.create(await fixturePlugin('shape'));
    try {
      // the first call also runs the module's initializer (lazy instantiation, as in Extism)
      await session.dispatch(ShapeFn);
      const ok = await session.dispatch(ShapeFn);
      expect(ok.kind).toBe('ok');
      const starved = await session.dispatch(ShapeFn, undefined, { fuel: 100 });
      expect(starved).toMatchObject({
        kind: 'fallback',
        stage: 'plugin_call',
        error: 'plugin call failed: plugin ran out of fuel',
        fuelConsumed: 100,
      });
      expect(session.lastCall).toMatchObject({ function: 'shape', fuelConsumed: 100 });
      expect(await session.dispatch(ShapeFn, undefined, { fuel: ok.fuelConsumed + 1 })).toEqual(ok);
      expect(await session.dispatch(ShapeFn)).toEqual(ok);
      await expect(session.dispatch(ShapeFn, undefined, { fuel: -1 })).rejects.toThrow(
        new TypeError(
          'session.dispatch: fuel must be an integer between 0 and 9007199254740991, received -1',
        ),
      );
    } finally {
      await session.close();
    }
  });

  it('lastCall.logs are the guest’s log lines of that call, in order', async () => {
    const wasm = loggingGuestModule({
      handshake: acceptFor('observe'),
      handlers: {
        observe: body(
          [
            '    (local $o i64)',
            logWat('info', 'observing'),
            logWat('warn', 'no events'),
            setOutputWat('{"_v":1}'),
          ].join('\n'),
        ),
      },
    });
    const session = await PluginSession.create(wasm);
    try {
      const outcome = await session.dispatch(ObserveFn);
      expect(outcome).toEqual({ kind: 'ok', response: {}, fuelConsumed: expect.any(Number) });
      const logs = [
        { level: 'info', message: 'observing' },
        { level: 'warn', message: 'no events' },
      ];
      expect(outcome.logs).toEqual(logs);
      expect(session.lastCall).toEqual({ function: 'observe', fuelConsumed: outcome.fuelConsumed, logs });
      expect(session.lastCall).toMatchInlineSnapshot(
        { fuelConsumed: expect.any(Number) },
        `
        {
          "fuelConsumed": Any<Number>,
          "function": "observe",
          "logs": [
            {
              "level": "info",
              "message": "observing",
            },
            {
              "level": "warn",
              "message": "no events",
            },
          ],
        }
      `,
      );
    } finally {
      await session.close();
    }
  });

  it('close() is idempotent; dispatch after close rejects with `session is closed`', async () => {
    const session = await PluginSession.create(await fixturePlugin('shape'));
    const pending = session.dispatch(ShapeFn);
    await session.close();
    expect((await pending).kind).toBe('ok');
    await session.close();
    expect(session.closed).toBe(true);
    await expect(session.dispatch(ShapeFn)).rejects.toThrow('session is closed');
  });

  it('an unbuildable module → HandshakeError Instantiate (built before the handshake)', async () => {
    const error = await PluginSession.create(guestModule({ userHostImport: true })).catch((e) => e);
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error.kind).toBe('Instantiate');
    expect(error.message).toBe(`plugin instantiation failed: ${error.reason}`);
  });

  it('takes capabilities from options or the descriptor', async () => {
    const wasm = await fixturePlugin('observe');
    const refused = await PluginSession.create(wasm).catch((e) => e);
    expect(refused).toMatchObject({ kind: 'MissingCapability', name: 'observability:emit' });
    const viaOptions = await PluginSession.create(wasm, { capabilities: ['observability:emit'] });
    const viaDescriptor = await PluginSession.create(plugin(wasm, { capabilities: ['observability:emit'] }));
    try {
      expect(viaOptions.metadata.negotiated_capabilities).toEqual(['observability:emit']);
      expect(await viaDescriptor.dispatch(ObserveFn)).toMatchObject({ kind: 'ok' });
    } finally {
      await viaOptions.close();
      await viaDescriptor.close();
    }
  });

  it('`plugin` is the descriptor it was made from, with the offered capabilities applied', async () => {
    const wasm = await fixturePlugin('observe');
    const described = plugin(wasm, { capabilities: ['observability:emit'], fuel: 5_000_000 });
    const fromDescriptor = await PluginSession.create(described);
    const overridden = await PluginSession.create(described, {
      capabilities: new Set(['observability:emit', 'extra:cap']).values(),
    });
    const buffer = wasm.slice();
    const fromBytes = await PluginSession.create(buffer, { capabilities: ['observability:emit'] });
    try {
      expect(fromDescriptor.plugin).toBe(described);
      expect(fromDescriptor.functionVersions).toEqual({});
      // a one-shot iterator served both the handshake and the recorded descriptor
      expect(overridden.metadata.negotiated_capabilities).toEqual(['observability:emit']);
      expect(overridden.plugin.capabilities).toEqual(['observability:emit', 'extra:cap']);
      expect(overridden.plugin.limits).toEqual(described.limits);
      expect(fromBytes.plugin.capabilities).toEqual(['observability:emit']);
      expect(fromBytes.plugin.limits.fuel).toBe(10_000_000);
      // the raw bytes were copied: reusing the buffer does not change the session's plugin
      buffer.fill(0);
      expect(fromBytes.plugin.wasm).toEqual(wasm);
    } finally {
      await fromDescriptor.close();
      await overridden.close();
      await fromBytes.close();
    }
  });

  it('`plugin` of raw bytes is made on first read from the bytes as they were at create', async () => {
    const wasm = await fixturePlugin('shape');
    const buffer = wasm.slice();
    const first = await PluginSession.create(buffer);
    buffer.fill(0); // before anyone read `plugin`
    const second = await PluginSession.create(wasm);
    try {
      expect(first.plugin.wasm).toEqual(wasm);
      expect(first.plugin).toBe(first.plugin);
      // each session's descriptor owns its bytes: changing one changes neither the other nor
      // what a later session of the same content runs
      first.plugin.wasm.fill(0);
      expect(second.plugin.wasm).toEqual(wasm);
      const third = await PluginSession.create(wasm);
      try {
        expect(third.plugin.wasm).toEqual(wasm);
        expect(await third.dispatch(ShapeFn)).toMatchObject({ kind: 'ok' });
      } finally {
        await third.close();
      }
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('`functionVersions` records the offer its handshake used, frozen', async () => {
    const offered = { shape: [1, 2] };
    const session = await PluginSession.create(await fixturePlugin('shape'), { functionVersions: offered });
    try {
      offered.shape.push(3);
      expect(session.functionVersions).toEqual({ shape: [1, 2] });
      expect(Object.isFrozen(session.functionVersions)).toBe(true);
      expect(Object.isFrozen(session.functionVersions.shape)).toBe(true);
    } finally {
      await session.close();
    }
  });
});
