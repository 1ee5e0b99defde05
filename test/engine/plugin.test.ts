/**
 * buildPlugin / LoadedPlugin: hostile guests end with the Rust host's verdicts and texts, never
 * hang or crash the worker, and the plugin stays usable afterwards.
 */
import { describe, expect, it } from 'vitest';
import { BuildPluginError, buildPlugin, type LoadedPlugin, PluginCallError } from '../../src/engine/index.js';
import { wat } from '../../src/wat/compile.js';
import { ECHO_EXPORT, KERNEL_IMPORTS, WRITE_HELPER } from '../support/extism-kernel-wat.js';

const LIMITS = { wallMs: 200, fuel: 10_000_000 };

async function callError(plugin: LoadedPlugin, name: string, input = ''): Promise<PluginCallError> {
  try {
    await plugin.call(name, input);
  } catch (error) {
    expect(error).toBeInstanceOf(PluginCallError);
    return error as PluginCallError;
  }
  throw new Error(`call ${name} unexpectedly succeeded`);
}

async function buildError(bytes: Uint8Array, options = LIMITS): Promise<BuildPluginError> {
  try {
    await buildPlugin(bytes, options);
  } catch (error) {
    expect(error).toBeInstanceOf(BuildPluginError);
    return error as BuildPluginError;
  }
  throw new Error('build unexpectedly succeeded');
}

const hostile = wat`(module
  ${KERNEL_IMPORTS}
  (memory 1)
  (data (i32.const 0) "hello")
  (data (i32.const 16) "boom: something failed")
  ${WRITE_HELPER}
  ${ECHO_EXPORT}
  (func $spin (loop $forever (br $forever)))
  (func $recurse (call $recurse))
  (func $plain (result i32) (i32.const 1))
  (func (export "spin") (result i32) (call $spin) (i32.const 0))
  (func (export "spin_callee_in_loop") (result i32)
    (loop $again (drop (call $plain)) (call $spin) (br $again))
    (i32.const 0))
  (func (export "recurse") (result i32) (call $recurse) (i32.const 0))
  (func (export "unreachable") (result i32) unreachable)
  (func (export "div_zero") (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
  (func (export "oob") (result i32) (i32.load (i32.const 70000)))
  (func (export "seven") (result i32) (i32.const 7))
  (func (export "minus_one") (result i32) (i32.const -1))
  (func (export "wide") (result i64) (i64.const 0))
  (func (export "void_ok"))
  (func (export "with_param") (param i32) (result i32) (i32.const 0))
  (func (export "pair") (result i32 i32) (i32.const 0) (i32.const 0))
  (func (export "fail") (result i32)
    (call $error_set (call $write (i32.const 16) (i32.const 22)))
    (i32.const 1))
  (func (export "fail_rc0") (result i32)
    (call $error_set (call $write (i32.const 16) (i32.const 22)))
    (i32.const 0))
  (func (export "empty_error") (result i32)
    (call $error_set (call $alloc (i64.const 0)))
    (i32.const 0))
  (func (export "short_output") (result i32)
    (call $output_set (call $write (i32.const 0) (i32.const 5)) (i64.const 3))
    (i32.const 0))
  (func (export "offset_output") (result i32)
    (call $output_set (i64.add (call $write (i32.const 0) (i32.const 5)) (i64.const 1)) (i64.const 3))
    (i32.const 0))
  (func (export "no_output") (result i32) (i32.const 0))
  (func (export "bad_utf8") (result i32) (local $b i64)
    (local.set $b (call $alloc (i64.const 2)))
    (call $store_u8 (local.get $b) (i32.const 0x61))
    (call $store_u8 (i64.add (local.get $b) (i64.const 1)) (i32.const 0xff))
    (call $output_set (local.get $b) (i64.const 2))
    (i32.const 0))
  (func (export "big_output") (result i32) (local $b i64) (local $n i64)
    (local.set $n (i64.const 10485760))
    (local.set $b (call $alloc (local.get $n)))
    (call $store_u8 (local.get $b) (i32.const 0x61))
    (call $store_u8 (i64.sub (i64.add (local.get $b) (local.get $n)) (i64.const 1)) (i32.const 0x7a))
    (call $output_set (local.get $b) (local.get $n))
    (i32.const 0))
  (func (export "grow_bomb") (result i32)
    (block $failed (loop $grow
      (br_if $failed (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
      (br $grow)))
    ;; report the final size as the return code: the cap, proving memory.grow failed there
    (memory.size))
  (func (export "alloc_bomb") (result i32) (local $count i32)
    (block $failed (loop $alloc
      (br_if $failed (i64.eqz (call $alloc (i64.const 1048576))))
      (local.set $count (i32.add (local.get $count) (i32.const 1)))
      (br $alloc)))
    (i32.add (i32.const 100) (local.get $count))))`;

describe('fuel stops every kind of endless guest', () => {
  it('an infinite loop in an export', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    const error = await callError(plugin, 'spin');
    expect(error).toMatchObject({
      kind: 'OutOfFuel',
      message: 'plugin ran out of fuel',
      fuelConsumed: 10_000_000,
    });
    expect(error.reason).toBe('plugin ran out of fuel');
  });

  it('an infinite loop in a callee called from a loop', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect(await callError(plugin, 'spin_callee_in_loop')).toMatchObject({ kind: 'OutOfFuel' });
  });

  // Extism runtime/src/plugin.rs: `raw_call` sets the fuel, then `instantiate` (lazily, on the
  // first call) runs the start function — so the build succeeds and the first call pays for it.
  it('an infinite loop in the start function builds, and the first call runs out of fuel', async () => {
    const bytes = wat`(module (func $start (loop $l (br $l))) (start $start) (func (export "run") (result i32) (i32.const 0)))`;
    const plugin = await buildPlugin(bytes, LIMITS);
    expect(await callError(plugin, 'run')).toMatchObject({
      kind: 'OutOfFuel',
      message: 'plugin ran out of fuel',
      fuelConsumed: 10_000_000,
    });
  });

  it('a trapping start function builds, and the first call fails with the trap text', async () => {
    const bytes = wat`(module (func $start unreachable) (start $start) (func (export "run") (result i32) (i32.const 0)))`;
    const plugin = await buildPlugin(bytes, LIMITS);
    expect(await callError(plugin, 'run')).toMatchObject({
      kind: 'Trap',
      message: 'wasm trap: wasm `unreachable` instruction executed',
    });
  });

  it('the start function and the first call share one budget', async () => {
    const bytes = wat`(module
      (global $n (mut i32) (i32.const 0))
      (func $start (local i32)
        (loop $l (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 1000)))))
      (start $start)
      (func (export "run") (result i32) (i32.const 0)))`;
    const plugin = await buildPlugin(bytes, LIMITS);
    const first = await plugin.call('run', '');
    const second = await plugin.call('run', '');
    // the start function runs once, inside the first call, and is paid from its fuel
    expect(first.fuelConsumed).toBeGreaterThan(second.fuelConsumed + 1000);
    expect(second.fuelConsumed).toBe(2);
  });

  it('a trapping _initialize fails the first call with Extism’s context text', async () => {
    const bytes = wat`(module (func (export "_initialize") unreachable) (func (export "run") (result i32) (i32.const 0)))`;
    const plugin = await buildPlugin(bytes, LIMITS);
    expect(await callError(plugin, 'run')).toMatchObject({
      kind: 'Trap',
      message: 'failed to initialize wasi runtime',
    });
    // Extism stored the instance before initializing the runtime: the next call runs normally
    expect((await plugin.call('run', '')).output).toEqual(new Uint8Array(0));
  });

  it('a call after fuel exhaustion runs normally with a fresh budget', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    await callError(plugin, 'spin');
    const result = await plugin.call('echo', 'still here');
    expect(result.text()).toBe('still here');
  });
});

describe('traps carry wasmtime’s texts', () => {
  it('unbounded recursion is a stack-overflow trap, not a crash', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect(await callError(plugin, 'recurse')).toMatchObject({
      kind: 'Trap',
      message: 'wasm trap: call stack exhausted',
    });
    expect((await plugin.call('echo', 'after overflow')).text()).toBe('after overflow');
  });

  it.each([
    ['unreachable', 'wasm trap: wasm `unreachable` instruction executed'],
    ['div_zero', 'wasm trap: integer divide by zero'],
    ['oob', 'wasm trap: out of bounds memory access'],
  ])('%s', async (name, text) => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect(await callError(plugin, name)).toMatchObject({ kind: 'Trap', message: text, reason: text });
    expect((await plugin.call('echo', 'after trap')).text()).toBe('after trap');
  });
});

describe('return codes and guest errors follow Rust Extism', () => {
  it('a non-zero return without error_set', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect(await callError(plugin, 'seven')).toMatchObject({
      kind: 'NonZeroExit',
      message: 'Returned non-zero exit code: 7',
      returnCode: 7,
    });
    expect(await callError(plugin, 'minus_one')).toMatchObject({
      message: 'Returned non-zero exit code: -1',
      returnCode: -1,
    });
  });

  it('a single non-i32 result counts as return code -1, as Extism reads it', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect(await callError(plugin, 'wide')).toMatchObject({ message: 'Returned non-zero exit code: -1' });
  });

  it('an export without results succeeds with empty output', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect((await plugin.call('void_ok', '')).output).toEqual(new Uint8Array(0));
  });

  it('error_set with return 1 gives the guest text verbatim', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    const error = await callError(plugin, 'fail');
    expect(error).toMatchObject({ kind: 'GuestError', message: 'boom: something failed' });
    expect(error.message).not.toContain('Plugin-originated');
  });

  it('error_set with return 0 is still an error (Extism turns any set error into Err)', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect(await callError(plugin, 'fail_rc0')).toMatchObject({
      kind: 'GuestError',
      message: 'boom: something failed',
    });
  });

  it('an empty error text is ignored, as Extism ignores a zero-length error', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect((await plugin.call('empty_error', '')).output).toEqual(new Uint8Array(0));
  });

  it('calling a missing export gives Extism’s text', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect(await callError(plugin, 'nope')).toMatchObject({
      kind: 'MissingExport',
      message: 'Function not found: nope',
    });
    expect(await callError(plugin, 'memory')).toMatchObject({ message: 'Function not found: memory' });
  });

  it('exports Extism cannot call fail with wasmtime/Extism texts', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect(await callError(plugin, 'with_param')).toMatchObject({ message: 'expected 1 arguments, got 0' });
    expect(await callError(plugin, 'pair')).toMatchObject({
      message: 'Function pair has 2 results, expected 0 or 1',
    });
  });
});

describe('output', () => {
  it('is exactly the len given to output_set', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect((await plugin.call('short_output', '')).text()).toBe('hel');
  });

  it('starts at the output_set address, even inside a block', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect((await plugin.call('offset_output', '')).text()).toBe('ell');
  });

  it('is empty when output_set is never called', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    const result = await plugin.call('no_output', '');
    expect(result.output).toEqual(new Uint8Array(0));
    expect(result.text()).toBe('');
  });

  it('can be 10 MiB', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    const { output } = await plugin.call('big_output', '');
    expect(output.length).toBe(10 * 1024 * 1024);
    expect(output[0]).toBe(0x61);
    expect(output[output.length - 1]).toBe(0x7a);
  });

  it('text() rejects invalid UTF-8 with Rust’s Utf8Error text', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    const result = await plugin.call('bad_utf8', '');
    expect(result.output).toEqual(new Uint8Array([0x61, 0xff]));
    expect(() => result.text()).toThrow(PluginCallError);
    expect(() => result.text()).toThrow('invalid utf-8 sequence of 1 bytes from index 1');
    try {
      result.text();
    } catch (error) {
      expect(error).toMatchObject({ kind: 'InvalidUtf8Output' });
    }
  });

  it('accepts string and byte input (including views that do not start at offset 0)', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect((await plugin.call('echo', 'héllo')).text()).toBe('héllo');
    const backing = new Uint8Array([9, 9, 0x6f, 0x6b, 9]);
    expect((await plugin.call('echo', backing.subarray(2, 4))).text()).toBe('ok');
    expect((await plugin.call('echo', '')).output).toEqual(new Uint8Array(0));
  });
});

describe('memory bombs fail inside the guest', () => {
  it('memory.grow stops at maxMemoryPages', async () => {
    const plugin = await buildPlugin(hostile, { ...LIMITS, maxMemoryPages: 32 });
    expect(await callError(plugin, 'grow_bomb')).toMatchObject({
      message: 'Returned non-zero exit code: 32',
    });
  });

  it('kernel alloc returns 0 once a call’s allocations would pass the cap', async () => {
    // 64 pages = 4 MiB: four 1 MiB blocks fit, the fifth fails (return code 100 + 4).
    const plugin = await buildPlugin(hostile, { ...LIMITS, maxMemoryPages: 64 });
    expect(await callError(plugin, 'alloc_bomb')).toMatchObject({
      message: 'Returned non-zero exit code: 104',
    });
    // The allowance is per call.
    expect(await callError(plugin, 'alloc_bomb')).toMatchObject({
      message: 'Returned non-zero exit code: 104',
    });
  });

  it('a declared minimum above the cap fails the build', async () => {
    const error = await buildError(wat`(module (memory 40))`, {
      ...LIMITS,
      maxMemoryPages: 32,
    } as typeof LIMITS);
    expect(error.message).toBe(
      "failed to instantiate plugin: memory minimum of 40 pages exceeds the engine's memory limit of 32 pages (maxMemoryPages)",
    );
  });
});

describe('imports the cc-lb host cannot satisfy fail the build', () => {
  it.each([
    [
      '(import "extism:host/user" "cc_lb_log" (func (param i64)))',
      'import "extism:host/user" "cc_lb_log" is not provided: the cc-lb host registers no host functions for conformance runs',
    ],
    [
      '(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))',
      'import "wasi_snapshot_preview1" "fd_write" is not provided: the cc-lb host builds plugins with WASI disabled',
    ],
    [
      '(import "env" "abort" (func (param i32 i32 i32 i32)))',
      'import "env" "abort" is not provided: the cc-lb host provides only the Extism kernel ("extism:host/env")',
    ],
    [
      '(import "extism:host/env" "frobnicate" (func))',
      'import "extism:host/env" "frobnicate" is not provided: the Extism kernel has no function of that name',
    ],
    [
      '(import "extism:host/env" "reset" (func))',
      'import "extism:host/env" "reset" is not provided: it is internal to the Rust Extism kernel and the engine\'s kernel does not implement it',
    ],
    [
      '(import "extism:host/env" "alloc" (func (param i32) (result i32)))',
      'import "extism:host/env" "alloc" has type (i32) -> i32, but the Extism kernel function has type (i64) -> i64',
    ],
    [
      '(import "env" "memory" (memory 1))',
      'import "env" "memory" is a memory import: the cc-lb host provides no memories, tables, globals or tags to plugins',
    ],
    [
      '(import "env" "table" (table 1 funcref))',
      'import "env" "table" is a table import: the cc-lb host provides no memories, tables, globals or tags to plugins',
    ],
    [
      '(import "env" "g" (global i32))',
      'import "env" "g" is a global import: the cc-lb host provides no memories, tables, globals or tags to plugins',
    ],
  ])('%s', async (importDecl, reason) => {
    const error = await buildError(wat`(module ${importDecl})`);
    expect(error).toMatchObject({
      kind: 'Instantiate',
      reason,
      message: `failed to instantiate plugin: ${reason}`,
    });
  });
});

describe('bytes that are not a module fail the build with the engine’s text', () => {
  it.each([
    ['empty', new Uint8Array(0), 'BufferSource argument is empty'],
    [
      'truncated header',
      new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0]),
      'expected 4 bytes, fell off end @+4',
    ],
    [
      'truncated section',
      new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60]),
      'section (code 1, "Type") extends past end of the module (length 5, remaining bytes 2) @+8',
    ],
    [
      'garbage',
      new TextEncoder().encode('hello, not wasm'),
      'expected magic word 00 61 73 6d, found 68 65 6c 6c @+0',
    ],
  ])('%s', async (_label, bytes, reason) => {
    expect(await buildError(bytes)).toMatchObject({ kind: 'Instantiate', reason });
  });
});

describe('module shapes', () => {
  it('a module with 10,000 functions', async () => {
    const chain = Array.from({ length: 10_000 }, (_, i) =>
      i < 9_999 ? `(func $f${i} (call $f${i + 1}))` : `(func $f${i})`,
    ).join('\n');
    const plugin = await buildPlugin(
      wat`(module ${chain} (func (export "run") (result i32) (call $f0) (i32.const 0)))`,
      LIMITS,
    );
    expect(plugin.exports()).toEqual(['run']);
    // run: entry 1 + call 1 + i32.const 1 = 3; $f0..$f9998: entry 1 + call 1 = 2 each; $f9999: entry 1
    expect((await plugin.call('run', '')).fuelConsumed).toBe(3 + 9_999 * 2 + 1);
  });

  it('SIMD, bulk-memory and multi-value code runs and is metered', async () => {
    const bytes = wat`(module
      (memory 1)
      (func $pair (result i32 i32) (i32.const 20) (i32.const 22))
      (func (export "simd") (result i32)
        (i32x4.extract_lane 0 (i32x4.add (i32x4.splat (i32.const 5)) (v128.const i32x4 1 2 3 4))))
      (func (export "bulk") (result i32)
        (memory.fill (i32.const 0) (i32.const 7) (i32.const 16))
        (memory.copy (i32.const 100) (i32.const 0) (i32.const 16))
        (i32.load8_u (i32.const 115)))
      (func (export "multi") (result i32)
        (call $pair)
        (i32.add)))`;
    const plugin = await buildPlugin(bytes, LIMITS);
    // 5 + 1 = 6; every instruction metered: entry 1 + i32.const, splat, v128.const, add, extract 5 = 6
    expect(await callError(plugin, 'simd')).toMatchObject({
      message: 'Returned non-zero exit code: 6',
      fuelConsumed: 6,
    });
    expect(await callError(plugin, 'bulk')).toMatchObject({ message: 'Returned non-zero exit code: 7' });
    // $pair: entry 1 + 2 consts = 3; multi: entry 1 + call 1 + add 1 = 3 → 6
    expect(await callError(plugin, 'multi')).toMatchObject({
      message: 'Returned non-zero exit code: 42',
      fuelConsumed: 6,
    });
  });
});

describe('plugin surface', () => {
  it('lists function exports and imports; functionExists follows Extism’s signature rule', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    expect(plugin.exports()).toContain('echo');
    expect(plugin.exports()).toContain('with_param');
    expect(plugin.exports()).not.toContain('memory');
    expect(plugin.imports()).toContainEqual({ module: 'extism:host/env', name: 'alloc', kind: 'function' });
    expect(plugin.functionExists('echo')).toBe(true);
    expect(plugin.functionExists('void_ok')).toBe(true);
    expect(plugin.functionExists('with_param')).toBe(false);
    expect(plugin.functionExists('wide')).toBe(false);
    expect(plugin.functionExists('nope')).toBe(false);
  });

  it('serializes concurrent calls on one plugin: results are never mixed', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    const inputs = Array.from({ length: 25 }, (_, i) => `input-${i}-${'x'.repeat(i)}`);
    const outcomes = await Promise.allSettled([
      ...inputs.map((input) => plugin.call('echo', input).then((r) => r.text())),
      plugin.call('spin', ''),
    ]);
    outcomes.slice(0, inputs.length).forEach((outcome, i) => {
      expect(outcome).toEqual({ status: 'fulfilled', value: inputs[i] });
    });
    expect(outcomes[inputs.length]).toMatchObject({ status: 'rejected', reason: { kind: 'OutOfFuel' } });
  });

  it('a failing call does not stop the calls queued behind it', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    const first = plugin.call('spin', '');
    const second = plugin.call('echo', 'after a failure');
    await expect(first).rejects.toMatchObject({ kind: 'OutOfFuel' });
    expect((await second).text()).toBe('after a failure');
  });

  it('close() settles even when the last queued call fails; calls queued behind it are refused', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    const first = plugin.call('echo', 'in flight');
    const last = plugin.call('spin', '');
    await expect(plugin.close()).resolves.toBeUndefined();
    expect((await first).text()).toBe('in flight');
    await expect(last).rejects.toMatchObject({ kind: 'Trap', message: 'plugin is closed' });
  });

  it('runs Extism’s runtime initialization (_initialize) once, inside the first call', async () => {
    const bytes = wat`(module
      (global $ready (mut i32) (i32.const 0))
      (func (export "_initialize") (global.set $ready (i32.add (global.get $ready) (i32.const 1))))
      (func (export "ready") (result i32) (global.get $ready)))`;
    const plugin = await buildPlugin(bytes, LIMITS);
    expect(await callError(plugin, 'ready')).toMatchObject({ message: 'Returned non-zero exit code: 1' });
  });

  it('prefers __wasm_call_ctors over _initialize, as Extism does', async () => {
    const bytes = wat`(module
      (global $who (mut i32) (i32.const 0))
      (func (export "__wasm_call_ctors") (global.set $who (i32.const 2)))
      (func (export "_initialize") (global.set $who (i32.const 3)))
      (func (export "who") (result i32) (global.get $who)))`;
    const plugin = await buildPlugin(bytes, LIMITS);
    expect(await callError(plugin, 'who')).toMatchObject({ message: 'Returned non-zero exit code: 2' });
  });

  it('strictWallClock turns a call slower than wallMs into `timeout`', async () => {
    const bytes = wat`(module
      (func (export "busy") (result i32) (local $i i32)
        (loop $l (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 100000))))
        (i32.const 0)))`;
    const strict = await buildPlugin(bytes, { ...LIMITS, wallMs: 0, strictWallClock: true });
    expect(await callError(strict, 'busy')).toMatchObject({ kind: 'Timeout', message: 'timeout' });
    const lenient = await buildPlugin(bytes, { ...LIMITS, wallMs: 0 });
    expect((await lenient.call('busy', '')).durationMs).toBeGreaterThan(0);
  });

  it('a closed plugin refuses calls', async () => {
    const plugin = await buildPlugin(hostile, LIMITS);
    await plugin.close();
    await expect(plugin.call('echo', 'x')).rejects.toMatchObject({
      kind: 'Trap',
      message: 'plugin is closed',
    });
  });

  it('rejects nonsensical limits with a TypeError naming the option', async () => {
    await expect(buildPlugin(hostile, { wallMs: 200, fuel: -1 })).rejects.toThrow(
      'buildPlugin: fuel must be an integer between 0 and 9007199254740991, received -1',
    );
  });
});
