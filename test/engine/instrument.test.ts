/**
 * Fuel parity: the instrumented module must consume exactly what wasmtime counts for the executed
 * path (cost 0 for nop/drop/block/loop/unreachable/return/else/end, 1 for every other operator,
 * +1 per function entry), and exhaust at the same checks. Expected counts are worked out by hand
 * in the comments.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildPlugin, PluginCallError } from '../../src/engine/index.js';
import { binaryInstrumenter, ENGINE_EXPORTS } from '../../src/engine/instrument.js';
import { readModuleInfo } from '../../src/engine/module-info.js';
import { wat } from '../../src/wat/compile.js';

const LIMITS = { wallMs: 200, fuel: 10_000_000, kernelCallFuel: 0 };

async function fuelOf(bytes: Uint8Array, exportName: string, options = LIMITS): Promise<number> {
  const plugin = await buildPlugin(bytes, options);
  try {
    return (await plugin.call(exportName, '')).fuelConsumed;
  } finally {
    await plugin.close();
  }
}

describe('wasmtime fuel model', () => {
  it('counts straight-line code', async () => {
    const bytes = wat`(module
      (func (export "run") (result i32)
        i32.const 1
        i32.const 2
        i32.add
        drop
        nop
        i32.const 0))`;
    // entry 1 + i32.const 1 + i32.const 1 + i32.add 1 + drop 0 + nop 0 + i32.const 1 + end 0 = 5
    expect(await fuelOf(bytes, 'run')).toBe(5);
  });

  it('counts every loop iteration', async () => {
    const bytes = wat`(module
      (func (export "run") (result i32) (local $n i32)
        (local.set $n (i32.const 10))
        (loop $again
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br_if $again (local.get $n)))
        (i32.const 0)))`;
    // entry 1 + (i32.const, local.set) 2 + loop 0
    // + 10 iterations × (local.get, i32.const, i32.sub, local.set, local.get, br_if) 6 = 60
    // + end 0 + i32.const 1 + end 0 = 64
    expect(await fuelOf(bytes, 'run')).toBe(64);
  });

  it('counts calls, including each callee entry', async () => {
    const bytes = wat`(module
      (func $five (result i32) (i32.const 5))
      (func (export "run") (result i32)
        (drop (call $five))
        (drop (call $five))
        (i32.const 0)))`;
    // callee: entry 1 + i32.const 1 = 2, called twice = 4
    // caller: entry 1 + call 1 + drop 0 + call 1 + drop 0 + i32.const 1 = 4 → 8
    expect(await fuelOf(bytes, 'run')).toBe(8);
  });

  it('counts only the taken arm of if/else', async () => {
    const bytes = wat`(module
      (func (export "then") (result i32)
        (drop (if (result i32) (i32.const 1)
          (then (i32.add (i32.const 2) (i32.const 3)))
          (else (i32.const 4))))
        (i32.const 0))
      (func (export "else") (result i32)
        (drop (if (result i32) (i32.const 0)
          (then (i32.add (i32.const 2) (i32.const 3)))
          (else (i32.const 4))))
        (i32.const 0)))`;
    // then: entry 1 + i32.const 1 + if 1 + (i32.const, i32.const, i32.add) 3 + else/end 0 + drop 0 + i32.const 1 = 7
    expect(await fuelOf(bytes, 'then')).toBe(7);
    // else: entry 1 + i32.const 1 + if 1 + i32.const 1 + end 0 + drop 0 + i32.const 1 = 5
    expect(await fuelOf(bytes, 'else')).toBe(5);
  });

  it('counts br_table and the code at its target', async () => {
    const bytes = wat`(module
      (func (export "run") (result i32)
        (block $out
          (block $one
            (block $zero
              (br_table $zero $one $out (i32.const 1)))
            (return (i32.const 10)))
          nop
          (return (i32.const 0)))
        (i32.const 20)))`;
    // entry 1 + blocks 0 + i32.const 1 + br_table 1 → lands after $one: nop 0 + i32.const 1 + return 0 = 4
    expect(await fuelOf(bytes, 'run')).toBe(4);
  });

  it('charges the configured fuel per kernel call', async () => {
    const bytes = wat`(module
      (import "extism:host/env" "input_length" (func $input_length (result i64)))
      (func (export "run") (result i32)
        (drop (call $input_length))
        (i32.const 0)))`;
    // entry 1 + call 1 + kernel 7 + drop 0 + i32.const 1 = 10
    expect(await fuelOf(bytes, 'run', { ...LIMITS, kernelCallFuel: 7 })).toBe(10);
    // entry 1 + call 1 + drop 0 + i32.const 1 = 3
    expect(await fuelOf(bytes, 'run', { ...LIMITS, kernelCallFuel: 0 })).toBe(3);
  });

  it('resets the budget before every call', async () => {
    const bytes = wat`(module (func (export "run") (result i32) (i32.const 0)))`;
    const plugin = await buildPlugin(bytes, LIMITS);
    // entry 1 + i32.const 1 = 2, every time
    expect((await plugin.call('run', '')).fuelConsumed).toBe(2);
    expect((await plugin.call('run', '')).fuelConsumed).toBe(2);
    await plugin.close();
  });

  it('runs out exactly when the budget is used up, as Extism reports get_fuel() == 0', async () => {
    const bytes = wat`(module
      (func (export "run") (result i32)
        i32.const 1
        i32.const 2
        i32.add
        drop
        i32.const 0))`;
    // cost 5 (see the straight-line case): a budget of 6 leaves 1; a budget of 5 leaves 0.
    expect(await fuelOf(bytes, 'run', { ...LIMITS, fuel: 6 })).toBe(5);
    const exact = await buildPlugin(bytes, { ...LIMITS, fuel: 5 });
    await expect(exact.call('run', '')).rejects.toMatchObject({
      kind: 'OutOfFuel',
      message: 'plugin ran out of fuel',
      fuelConsumed: 5,
    });
    // The entry check sees 1 consumed of a budget of 1 (remaining 0) and traps.
    const tiny = await buildPlugin(bytes, { ...LIMITS, fuel: 1 });
    await expect(tiny.call('run', '')).rejects.toBeInstanceOf(PluginCallError);
  });

  it('checks at loop headers, so a loop stops within one iteration of the budget', async () => {
    const bytes = wat`(module
      (func (export "run") (result i32)
        (loop $forever (br $forever))
        (i32.const 0)))`;
    // Each iteration costs 1 (br); the header check stops it once remaining ≤ 0.
    const plugin = await buildPlugin(bytes, { ...LIMITS, fuel: 1000 });
    await expect(plugin.call('run', '')).rejects.toMatchObject({ kind: 'OutOfFuel', fuelConsumed: 1000 });
  });
});

describe('the fuel count wherever it can be observed', () => {
  // Each function's count lives in a local while it runs (instrument.ts, instrumentBody); the engine
  // reads the global. These pin the global at every way out: a trap reports exactly the fuel
  // charged before it (operators since the last charge point are not charged yet, as in wasmtime).
  const traps = wat`(module
    (memory 1)
    (table 1 funcref)
    (type $v (func))
    (func $seven (result i32) (i32.const 7))
    (func $countdown (local $n i32)
      (local.set $n (i32.const 3))
      (loop $l
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $l (local.get $n))))
    (func (export "load_after_loop") (result i32) (local $n i32)
      (local.set $n (i32.const 3))
      (loop $l
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $l (local.get $n)))
      (i32.load (i32.const 65536)))
    (func (export "store_after_call") (result i32)
      (drop (call $seven))
      (if (i32.const 1) (then nop))
      (i32.store (i32.const 65536) (i32.const 1))
      (i32.const 0))
    (func (export "divide_after_if") (result i32)
      (if (i32.const 1) (then nop))
      (i32.div_u (i32.const 1) (i32.const 0)))
    (func (export "fill_after_if") (result i32)
      (if (i32.const 1) (then nop))
      (memory.fill (i32.const 65535) (i32.const 0) (i32.const 8))
      (i32.const 0))
    (func (export "truncate_after_if") (result i32)
      (if (i32.const 1) (then nop))
      (i32.trunc_f32_s (f32.const nan)))
    (func (export "unreachable_after_loop") (result i32)
      (call $countdown)
      (loop $once)
      unreachable)
    (func (export "null_indirect") (result i32)
      (if (i32.const 1) (then nop))
      (call_indirect (type $v) (i32.const 0))
      (i32.const 0)))`;

  it.each([
    // entry 1 + (i32.const, local.set) 2 + 3 iterations × 6 = 21; the load and its address not yet
    ['load_after_loop', 'out of bounds memory access', 21],
    // entry 1 + call 1 + callee (entry 1 + i32.const 1) 2 + drop 0 + (i32.const, if) 2 = 6;
    // the consts and the store not yet
    ['store_after_call', 'out of bounds memory access', 6],
    // entry 1 + (i32.const, if) 2 = 3; then: nop 0, end 0; the division and its operands not yet
    ['divide_after_if', 'integer divide by zero', 3],
    ['fill_after_if', 'out of bounds memory access', 3],
    ['truncate_after_if', 'invalid conversion to integer', 3],
    // entry 1 + call 1 + countdown 21 = 23, loop 0, end 0, unreachable 0
    ['unreachable_after_loop', 'unreachable', 23],
    // entry 1 + (i32.const, if) 2 + (i32.const, call_indirect) 2 = 5
    ['null_indirect', 'uninitialized element', 5],
  ])('%s: a trap reports the fuel charged before it', async (name, text, fuel) => {
    const plugin = await buildPlugin(traps, LIMITS);
    try {
      const failure = await plugin.call(name, '').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(PluginCallError);
      expect(failure).toMatchObject({ kind: 'Trap', fuelConsumed: fuel });
      expect((failure as Error).message).toContain(text);
    } finally {
      await plugin.close();
    }
  });

  it('keeps the count in the global for a function already at V8’s limit of 50,000 locals', async () => {
    const locals = (n: number) => Array.from({ length: n }, () => 'i32').join(' ');
    const bytes = wat`(module
      (func $full (param $p i32) (result i32) (local ${locals(49_999)})
        (loop $l (br_if $l (i32.const 0)))
        (local.get $p))
      (func $room (result i32) (local ${locals(49_999)})
        (i32.const 1))
      (func (export "run") (result i32)
        (drop (call $full (i32.const 7)))
        (drop (call $room))
        (i32.const 0)))`;
    // $full: entry 1 + (i32.const, br_if) 2 + local.get 1 = 4; $room: entry 1 + i32.const 1 = 2
    // run: entry 1 + (i32.const, call) 2 + 4 + call 1 + 2 + i32.const 1 = 11
    expect(await fuelOf(bytes, 'run')).toBe(11);
  });

  it('counts a return through a branch to the function label, from any depth', async () => {
    const bytes = wat`(module
      (func $out (param $x i32) (result i32)
        (block $b
          (loop $l
            (br_if 2 (local.get $x) (local.get $x))
            (local.set $x (i32.const 1))
            (br $l)))
        (i32.const 9))
      (func $table (param $x i32) (result i32)
        (drop (block $a (result i32)
          (drop (block $b (result i32)
            (br_table $b $a 2 (local.get $x) (local.get $x))))
          (i32.const 8)))
        (i32.const 9))
      (func (export "run") (result i32)
        (drop (call $out (i32.const 0)))
        (drop (call $table (i32.const 2)))
        (i32.const 0)))`;
    // $out(0): entry 1, loop 0; iteration 1: (local.get, local.get, br_if) 3 not taken,
    // (i32.const, local.set, br) 3; iteration 2: local.get, local.get, br_if 3 taken = 10
    // $table(2): entry 1 + (local.get, local.get, br_table) 3 → label 2 = the function = 4
    // run: entry 1 + (i32.const, call) 2 + 10 + drop 0 + (i32.const, call) 2 + 4 + i32.const 1 = 20
    expect(await fuelOf(bytes, 'run')).toBe(20);
  });
});

describe('binary instrumenter', () => {
  const options = { maxMemoryPages: 16, kernelCallFuel: 15 };

  it('keeps existing function and global indices and appends its own exports', async () => {
    const bytes = wat`(module
      (import "extism:host/env" "input_length" (func $len (result i64)))
      (global $g (mut i32) (i32.const 7))
      (func $helper (result i32) (global.get $g))
      (func (export "run") (result i32) (call $helper))
      (export "g" (global $g)))`;
    const { bytes: out, meta } = binaryInstrumenter.instrument(readModuleInfo(bytes), options);
    const module = new WebAssembly.Module(out as Uint8Array<ArrayBuffer>);
    const names = WebAssembly.Module.exports(module).map((e) => `${e.kind}:${e.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'function:run',
        'global:g',
        `function:${ENGINE_EXPORTS.setBudget}`,
        `function:${ENGINE_EXPORTS.state}`,
      ]),
    );
    // engine state stays internal: an exported global costs a wrapper object per instantiation
    expect(names.filter((n) => n.startsWith('global:'))).toEqual(['global:g']);
    expect(WebAssembly.Module.imports(module)).toEqual([
      { module: 'extism:host/env', name: 'input_length', kind: 'function' },
    ]);
    expect(meta.functionExports).toEqual([{ name: 'run', sdkName: 'run', params: [], results: ['i32'] }]);
    expect(meta.hasStart).toBe(false);
  });

  it('caps the memory maximum and refuses a minimum above the cap', () => {
    const capped = binaryInstrumenter.instrument(readModuleInfo(wat`(module (memory 1 65536))`), options);
    const info = readModuleInfo(capped.bytes);
    expect(info.memories).toEqual([{ flags: 1, min: 1, max: 16 }]);
    const unbounded = readModuleInfo(
      binaryInstrumenter.instrument(readModuleInfo(wat`(module (memory 2))`), options).bytes,
    );
    expect(unbounded.memories).toEqual([{ flags: 1, min: 2, max: 16 }]);
    expect(() => binaryInstrumenter.instrument(readModuleInfo(wat`(module (memory 17))`), options)).toThrow(
      "memory minimum of 17 pages exceeds the engine's memory limit of 16 pages (maxMemoryPages)",
    );
  });

  it('moves the start function and the SDK-autorun exports out of the SDK’s reach (the first call runs them)', () => {
    const bytes = wat`(module
      (func $init)
      (func (export "_initialize"))
      (start $init))`;
    const { bytes: out, meta } = binaryInstrumenter.instrument(readModuleInfo(bytes), options);
    const info = readModuleInfo(out);
    expect(info.startFunction).toBeUndefined();
    const exported = info.exports.map((e) => e.name);
    expect(exported).not.toContain('cc-lb-engine:start');
    expect(exported).toContain('cc-lb-engine:export:_initialize');
    expect(exported).not.toContain('_initialize');
    expect(meta.functionExports[0]).toMatchObject({
      name: '_initialize',
      sdkName: 'cc-lb-engine:export:_initialize',
    });
    expect(meta.hasStart).toBe(true);
  });

  it('refuses guest exports under the reserved prefix', () => {
    const bytes = wat`(module (func (export "cc-lb-engine:fuel")))`;
    expect(() => binaryInstrumenter.instrument(readModuleInfo(bytes), options)).toThrow(
      'export "cc-lb-engine:fuel" uses the prefix reserved by the engine',
    );
  });

  it('instruments a module without any function, global or export section', async () => {
    const out = binaryInstrumenter.instrument(readModuleInfo(wat`(module)`), options).bytes;
    expect(WebAssembly.validate(out as Uint8Array<ArrayBuffer>)).toBe(true);
  });
});

describe('the instrumenter id names its output', () => {
  // The disk cache keys entries on binaryInstrumenter.id (and the package version): an output
  // change under an unchanged id would let an old process's entry stand in for the new output.
  // A changed digest here means: bump `binaryInstrumenter.id` and record the new pair.
  const GOLDEN: Readonly<Record<string, string>> = {
    'binary-rewriter-7': '8d523f34c7ca9b9575232578bf33368846cef6658d2583a83582b3307724c313',
  };

  it('the output for a module using every rewritten construct is the one recorded for this id', () => {
    const bytes = wat`(module
      (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
      (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
      (import "extism:host/env" "error_set" (func $error_set (param i64)))
      (memory 1 4)
      (table $t 2 funcref)
      (elem (i32.const 0) $output_set)
      (global $g (mut funcref) (ref.func $error_set))
      (func $start)
      (start $start)
      (func (export "_initialize"))
      (func (export "run") (result i32) (local $f f32)
        (memory.fill (i32.const 0) (i32.const 1) (i32.const 8))
        (memory.copy (i32.const 8) (i32.const 0) (i32.const 8))
        (drop (memory.grow (i32.const 1)))
        (table.fill $t (i32.const 0) (ref.func $output_set) (i32.const 1))
        (drop (i32.trunc_f32_s (local.get $f)))
        (loop $l (br_if $l (i32.const 0)))
        (call_indirect (param i64 i64) (call $alloc (i64.const 1)) (i64.const 1) (i32.const 0))
        (i32.const 0)))`;
    const out = binaryInstrumenter.instrument(readModuleInfo(bytes), {
      maxMemoryPages: 16,
      kernelCallFuel: 15,
    });
    const digest = createHash('sha256').update(out.bytes).digest('hex');
    expect({ id: binaryInstrumenter.id, digest }).toEqual({
      id: binaryInstrumenter.id,
      digest: GOLDEN[binaryInstrumenter.id],
    });
    expect(WebAssembly.validate(out.bytes as Uint8Array<ArrayBuffer>)).toBe(true);
  });
});
