/**
 * The profiling variant of the instrumentation on hand-counted modules: every function's self
 * fuel, total fuel and call count, and the call tree, worked out from wasmtime's cost model in the
 * comments (operators 1, `nop`/`drop`/`block`/`loop`/`unreachable`/`return`/`else`/`end` 0, +1 per
 * function entry; pending cost charged at flush points). Each case also runs on the default
 * variant: the profiled call consumes exactly the same fuel, and the profile's total is that fuel.
 */
import { describe, expect, it } from 'vitest';
import { type BuildOptions, buildPlugin, PluginCallError } from '../../../src/engine/index.js';
import { binaryInstrumenter } from '../../../src/engine/instrument.js';
import { readModuleInfo } from '../../../src/engine/module-info.js';
import type { FuelProfile, FuelProfileNode } from '../../../src/engine/profile/fuel-profile.js';
import { PROFILE_HOOK_TABLE } from '../../../src/engine/profile/profile-instrumentation.js';
import { compileWat } from '../../../src/wat/compile.js';

const LIMITS: BuildOptions = { wallMs: 200, fuel: 1_000_000, kernelCallFuel: 0 };

/** The call's profile, after checking the default variant consumes the same fuel. */
async function profiled(
  source: string,
  limits: BuildOptions = LIMITS,
): Promise<{ profile: FuelProfile; fuelConsumed: number }> {
  const bytes = compileWat(source, 'case.wat', { debugNames: true });
  const plain = await buildPlugin(bytes, limits);
  const profiling = await buildPlugin(bytes, { ...limits, profile: true });
  try {
    const expected = await plain.call('run', '');
    const result = await profiling.call('run', '');
    expect(result.fuelConsumed).toBe(expected.fuelConsumed);
    const profile = result.profile as FuelProfile;
    expect(profile.total).toBe(result.fuelConsumed);
    return { profile, fuelConsumed: result.fuelConsumed };
  } finally {
    await plain.close();
    await profiling.close();
  }
}

/** The failure of a call that fails on both variants alike. */
async function profiledFailure(source: string, limits: BuildOptions = LIMITS): Promise<PluginCallError> {
  const bytes = compileWat(source, 'case.wat', { debugNames: true });
  const plain = await buildPlugin(bytes, limits);
  const profiling = await buildPlugin(bytes, { ...limits, profile: true });
  try {
    const expected = await plain.call('run', '').then(
      () => expect.unreachable('the call should fail'),
      (error: unknown) => error as PluginCallError,
    );
    const failure = await profiling.call('run', '').then(
      () => expect.unreachable('the call should fail'),
      (error: unknown) => error as PluginCallError,
    );
    expect(failure).toBeInstanceOf(PluginCallError);
    expect([failure.kind, failure.message, failure.fuelConsumed]).toEqual([
      expected.kind,
      expected.message,
      expected.fuelConsumed,
    ]);
    return failure;
  } finally {
    await plain.close();
    await profiling.close();
  }
}

function stats(profile: FuelProfile): Record<string, [self: number, total: number, calls: number]> {
  return Object.fromEntries(profile.functions.map((f) => [f.name, [f.self, f.total, f.calls]]));
}

/** The tree as `name self/total×calls` lines, indented by depth. */
function tree(node: FuelProfileNode, depth = 0): string[] {
  return [
    `${'  '.repeat(depth)}${node.name} ${node.self}/${node.total}×${node.calls}`,
    ...node.children.flatMap((child) => tree(child, depth + 1)),
  ];
}

describe('profiling variant', () => {
  it('attributes straight calls: each function its own operators and its entry unit', async () => {
    const { profile, fuelConsumed } = await profiled(`(module
      (func $leaf (result i32) i32.const 7)                          ;; 1 + 1 = 2
      (func $mid (result i32) call $leaf call $leaf i32.add)        ;; 1 + 1 + 1 + 1 = 4
      (func $run (export "run") (result i32) call $mid drop i32.const 0))  ;; 1 + 1 + 0 + 1 = 3`);
    expect(fuelConsumed).toBe(11);
    expect(stats(profile)).toEqual({ leaf: [4, 4, 2], mid: [4, 8, 1], run: [3, 11, 1] });
    expect(tree(profile.root)).toEqual([
      '(root) 0/11×1',
      '  run 3/11×1',
      '    mid 4/8×1',
      '      leaf 4/4×2',
    ]);
  });

  it('counts recursion once in a function`s total, one tree node per depth', async () => {
    const { profile } = await profiled(`(module
      (func $fact (param $n i32) (result i32)
        local.get $n i32.eqz                                         ;; 2
        if (result i32) i32.const 1                                   ;; if 1, const 1 (base case)
        else local.get $n local.get $n i32.const 1 i32.sub call $fact i32.mul  ;; 6
        end)
      (func $run (export "run") (result i32) i32.const 5 call $fact drop i32.const 0))`);
    // fact(n>0): 1 + 2 + 1 + 6 = 10; fact(0): 1 + 2 + 1 + 1 = 5; run: 1 + 1 + 1 + 1 = 4
    expect(stats(profile)).toEqual({ fact: [55, 55, 6], run: [4, 59, 1] });
    expect(tree(profile.root)).toEqual([
      '(root) 0/59×1',
      '  run 4/59×1',
      '    fact 10/55×1',
      '      fact 10/45×1',
      '        fact 10/35×1',
      '          fact 10/25×1',
      '            fact 10/15×1',
      '              fact 5/5×1',
    ]);
  });

  it('counts mutual recursion once per function', async () => {
    const { profile } = await profiled(`(module
      (func $even (param $n i32) (result i32)
        local.get $n i32.eqz
        if (result i32) i32.const 1 else local.get $n i32.const 1 i32.sub call $odd end)
      (func $odd (param $n i32) (result i32)
        local.get $n i32.eqz
        if (result i32) i32.const 0 else local.get $n i32.const 1 i32.sub call $even end)
      (func $run (export "run") (result i32) i32.const 4 call $even drop i32.const 0))`);
    // not the base case: 1 + 3 + 4 = 8; the base case: 1 + 3 + 1 = 5
    // even(4) 8 → odd(3) 8 → even(2) 8 → odd(1) 8 → even(0) 5
    expect(stats(profile)).toEqual({ even: [21, 37, 3], odd: [16, 29, 2], run: [4, 41, 1] });
  });

  it('merges the calls of a loop into one node', async () => {
    const { profile } = await profiled(`(module
      (func $leaf (result i32) i32.const 7)
      (func $spin (param $n i32) (local $i i32)
        loop $l
          call $leaf drop
          local.get $i i32.const 1 i32.add local.tee $i
          local.get $n i32.lt_u br_if $l
        end)
      (func $run (export "run") (result i32) i32.const 10 call $spin i32.const 0))`);
    // spin: entry 1, then per iteration call 1 + 6 operators + br_if 1 = 8, ten times
    expect(stats(profile)).toEqual({ spin: [81, 101, 1], leaf: [20, 20, 10], run: [4, 105, 1] });
    expect(tree(profile.root)).toEqual([
      '(root) 0/105×1',
      '  run 4/105×1',
      '    spin 81/101×1',
      '      leaf 20/20×10',
    ]);
  });

  it('follows indirect calls through the guest`s own table', async () => {
    const { profile } = await profiled(`(module
      (type $t (func (result i32)))
      (table 2 funcref)
      (elem (i32.const 0) $a $b)
      (func $a (result i32) i32.const 1)                              ;; 2
      (func $b (result i32) i32.const 2 i32.const 3 i32.add)          ;; 4
      (func $run (export "run") (result i32)
        i32.const 0 call_indirect (type $t)
        i32.const 1 call_indirect (type $t)
        i32.add drop i32.const 0))                                      ;; 1 + 2 + 2 + 1 + 1 = 7`);
    expect(tree(profile.root)).toEqual(['(root) 0/13×1', '  run 7/13×1', '    a 2/2×1', '    b 4/4×1']);
  });

  it('charges kernel-call fuel to the function that called the kernel', async () => {
    const { profile } = await profiled(
      `(module
        (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
        (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
        (func $emit (local $p i64)
          i64.const 4 call $alloc local.set $p                         ;; 2 + 15 (kernel)
          local.get $p i64.const 0 call $output_set)                    ;; set, get, const, call 4 + 15
        (func $run (export "run") (result i32) call $emit i32.const 0))`,
      { ...LIMITS, kernelCallFuel: 15 },
    );
    expect(stats(profile)).toEqual({ emit: [37, 37, 1], run: [3, 40, 1] });
  });

  it('exits through `return` and through a branch to the function`s own label', async () => {
    const { profile } = await profiled(`(module
      (func $early (param $x i32) (result i32)
        i32.const 9 local.get $x br_if 0                               ;; 1 + 3: leaves here
        drop i32.const 5)
      (func $ret (result i32) i32.const 3 return)                      ;; 1 + 1
      (func $run (export "run") (result i32)
        i32.const 1 call $early drop call $ret drop call $ret drop i32.const 0))`);
    // had an exit been missed, ret would sit under early
    expect(tree(profile.root)).toEqual(['(root) 0/14×1', '  run 6/14×1', '    early 4/4×1', '    ret 4/4×2']);
  });

  it('brackets a function with parameters and several results, left by a branch', async () => {
    const { profile } = await profiled(`(module
      (func $pair (param $a i32) (param $b i32) (result i32 i32)
        local.get $b local.get $a                                     ;; 2
        local.get $a br_if 0                                          ;; 2: leaves with (b, a)
        drop drop i32.const 0 i32.const 0)
      (func $run (export "run") (result i32)
        i32.const 1 i32.const 2 call $pair i32.add drop i32.const 0)) ;; 1 + 3 + 1 + 0 + 1 = 6`);
    expect(tree(profile.root)).toEqual(['(root) 0/11×1', '  run 6/11×1', '    pair 5/5×1']);
  });

  it('profiles a recursion thousands of calls deep', async () => {
    const { profile } = await profiled(`(module
      (func $down (param $n i32)
        local.get $n i32.eqz br_if 0                                  ;; 3
        local.get $n i32.const 1 i32.sub call $down)                  ;; 4
      (func $run (export "run") (result i32) i32.const 3000 call $down i32.const 0))`);
    // down(n>0): 1 + 3 + 4 = 8, 3000 times; down(0): 1 + 3 = 4; run: 1 + 1 + 1 + 1 = 4
    expect(stats(profile)).toEqual({ down: [24_004, 24_004, 3001], run: [4, 24_008, 1] });
    let depth = 0;
    for (let node = profile.root; node.children.length > 0; node = node.children[0] as FuelProfileNode)
      depth++;
    expect(depth).toBe(3002);
  });

  it('lets a tail call replace its caller`s frame', async () => {
    const { profile } = await profiled(`(module
      (type $t (func (param i32) (result i32)))
      (table 1 funcref)
      (elem (i32.const 0) $leaf)
      (func $leaf (param $x i32) (result i32) local.get $x)           ;; 1 + 1 = 2
      (func $hop (param $x i32) (result i32)
        local.get $x return_call $leaf)                                ;; 1 + 2 = 3
      (func $jump (param $x i32) (result i32)
        local.get $x i32.const 0 return_call_indirect (type $t))      ;; 1 + 3 = 4
      (func $run (export "run") (result i32)
        i32.const 0 call $hop drop i32.const 0 call $jump))            ;; 1 + 2 + 2 = 5`);
    // leaf runs in place of hop and of jump: the caller's sibling, not its child
    expect(tree(profile.root)).toEqual([
      '(root) 0/16×1',
      '  run 5/16×1',
      '    hop 3/3×1',
      '    leaf 4/4×2',
      '    jump 4/4×1',
    ]);
  });

  it('keeps the partial profile of a call that traps', async () => {
    const failure = await profiledFailure(`(module
      (func $boom (param $x i32) (result i32) local.get $x i32.const 0 i32.div_u)  ;; traps before its charge: 1
      (func $mid (result i32) i32.const 1 call $boom)                              ;; 3
      (func $run (export "run") (result i32) call $mid))                           ;; 2`);
    expect([failure.kind, failure.message]).toEqual(['Trap', 'wasm trap: integer divide by zero']);
    const profile = failure.profile as FuelProfile;
    expect(profile.total).toBe(failure.fuelConsumed);
    expect(tree(profile.root)).toEqual(['(root) 0/6×1', '  run 2/6×1', '    mid 3/4×1', '      boom 1/1×1']);
  });

  it('totals exactly the budget when the call runs out of fuel', async () => {
    const failure = await profiledFailure(
      `(module
        (func $forever (loop $l br $l))
        (func $run (export "run") (result i32) call $forever i32.const 0))`,
      { ...LIMITS, fuel: 100 },
    );
    expect([failure.kind, failure.fuelConsumed]).toEqual(['OutOfFuel', 100]);
    // run: entry 1 + call 1; forever: the other 98 (entry 1, then 1 per br)
    expect(stats(failure.profile as FuelProfile)).toEqual({ forever: [98, 98, 1], run: [2, 100, 1] });
  });

  it('profiles every call of an instance afresh', async () => {
    const bytes = compileWat(`(module (func $run (export "run") (result i32) i32.const 0))`, 'case.wat', {
      debugNames: true,
    });
    const plugin = await buildPlugin(bytes, { ...LIMITS, profile: true });
    try {
      const first = await plugin.call('run', '');
      const second = await plugin.call('run', '');
      expect(first.profile).toEqual(second.profile);
      expect(second.profile?.total).toBe(2);
    } finally {
      await plugin.close();
    }
  });

  it('leaves the default variant without any of it', () => {
    const bytes = compileWat(`(module (func (export "run") (result i32) i32.const 0))`);
    const info = readModuleInfo(bytes);
    const options = { maxMemoryPages: 16, kernelCallFuel: 15 };
    const plain = binaryInstrumenter.instrument(info, options).bytes;
    expect(binaryInstrumenter.instrument(info, { ...options, profile: false }).bytes).toEqual(plain);
    const exports = (bytes: Uint8Array) =>
      WebAssembly.Module.exports(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).map((e) => e.name);
    expect(exports(plain)).not.toContain(PROFILE_HOOK_TABLE);
    const profiling = binaryInstrumenter.instrument(info, { ...options, profile: true }).bytes;
    expect(exports(profiling)).toContain(PROFILE_HOOK_TABLE);
  });
});
