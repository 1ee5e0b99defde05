/**
 * A kernel import reached through the function table (issue 9, item 5; ENGINE.md "Every route to
 * a kernel function is wrapped"). `c-observe-fnptr` is the c-observe hook built by clang with
 * -DOUTPUT_THROUGH_POINTER: it calls `output_set` through a function pointer, so the import sits
 * in the table's element segment and is called with `call_indirect`; so is `error_set`. Its answers
 * are written into 256-byte kernel blocks and `output_set` names only the bytes written.
 *
 * The Rust host (Extism on wasmtime) links kernel imports once, whatever calls them: the table
 * entry is the same host function, so `output_set(offset, length)` honours `length`
 * (Extism runtime/src/pdk.rs `output_set` stores offset and length; the call's output is that
 * many bytes) and the handshake passes exactly as for the direct-call build; `error_set` through
 * the table sets the call's error text just the same.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { handshake, PluginSession, selfCheck, verify } from '../../src/conformance/index.js';
import { buildPlugin, loadWasm } from '../../src/engine/index.js';
import { buildOffer } from '../../src/host/index.js';
import '../../src/vitest/setup.js';
import { ObserveFn } from '../../src/wire/index.js';

const ACCEPT =
  '{"handshake_schema_version":1,"envelope_version":1,"chosen_versions":{"observe":1},' +
  '"plugin_supported":{"observe":[1]},"implemented_functions":["observe"],"required_capabilities":[]}';

let wasm: Uint8Array;
beforeAll(async () => {
  wasm = await loadWasm(
    new URL('../fixtures/real-compilers/wasm/c-observe-fnptr.release.wasm', import.meta.url),
  );
});

describe('c-observe-fnptr (clang): output_set and error_set called through function pointers', () => {
  it('really reaches output_set and error_set through the table: imports in the element segment, call_indirect only', async () => {
    const wabt = await wabtInit();
    const text = wabt
      .readWasm(wasm, { readDebugNames: false, bulk_memory: true, reference_types: true })
      .toText({});
    const elements = /\(elem \(;0;\) \(i32\.const \d+\) func ([\d ]+)\)/.exec(text)?.[1]?.split(' ');
    for (const name of ['output_set', 'error_set']) {
      const index = new RegExp(`\\(import "extism:host/env" "${name}" \\(func \\(;(\\d+);\\)`).exec(
        text,
      )?.[1];
      expect(index, name).toBeDefined();
      expect(elements, name).toContain(index);
      expect(text, name).not.toMatch(new RegExp(`\\bcall ${index}\\b`));
    }
    expect(text).toContain('call_indirect');
  });

  it('the engine returns exactly the output_set length, not the 256-byte block', async () => {
    const plugin = await buildPlugin(wasm, { wallMs: 200, fuel: 10_000_000 });
    try {
      const result = await plugin.call('cc_lb_handshake', JSON.stringify(buildOffer()));
      expect(result.text()).toBe(ACCEPT);
      expect(result.output).toHaveLength(ACCEPT.length);
    } finally {
      await plugin.close();
    }
  });

  it('handshakes as in the Rust host', async () => {
    expect(await handshake.run(wasm)).toEqual({
      chosenVersions: { observe: 1 },
      envelopeVersion: 1,
      identity: { name: 'c-observe-fnptr', version: '0.1.0', abiEnvelope: 1 },
      negotiatedCapabilities: [],
      fuelConsumed: expect.any(Number),
    });
    await expect(wasm).toHandshake({ chosenVersions: { observe: 1 } });
  });

  it('passes its self-check, dispatches, and verifies as an observability plugin', async () => {
    expect(await selfCheck.run(wasm)).toEqual({
      status: 'Success',
      failures: [],
      fuelConsumed: expect.any(Number),
    });
    const session = await PluginSession.create(wasm);
    try {
      await expect(session).toDispatch(ObserveFn).ok({});
    } finally {
      await session.close();
    }
    await expect(wasm).toVerifyAs('observability');
    expect((await verify.observability(wasm)).dispatch.map((layer) => layer.passed)).toEqual([true, true]);
  });

  it('a refused batch fails with the guest error text set through the table (SilentSkip at plugin_call)', async () => {
    const session = await PluginSession.create(wasm);
    try {
      const events = Array.from({ length: 65 }, (_, i) => ({
        kind: 'chunk' as const,
        batch_index: BigInt(i),
        event_count: 1n,
        total_bytes: 64n,
      }));
      expect(await session.dispatch(ObserveFn, { events })).toMatchObject({
        kind: 'fallback',
        policy: 'SilentSkip',
        stage: 'plugin_call',
        error: 'plugin call failed: observe batch of 65 events exceeds the 64 this hook buffers',
      });
    } finally {
      await session.close();
    }
  });
});
