/**
 * The rewriter preserves semantics apart from fuel: a fixed set of binaryen translate-to-fuzz
 * modules per feature set runs as it is and instrumented, under plain V8, and every export must
 * return or trap alike, make the same import calls and leave the same memory, globals and tables,
 * with the same fuel on a second run (fuzz/differential.ts; `npm run fuzz` runs long campaigns).
 * The harness itself is held to catching a rewriter that changes each of those.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDivergence, runCampaign } from '../../fuzz/campaign.js';
import { runDifferential } from '../../fuzz/differential.js';
import { exposeForComparison } from '../../fuzz/expose.js';
import { FEATURE_SET_NAMES, TranslateToFuzz } from '../../fuzz/translate-to-fuzz.js';
import { binaryInstrumenter, type Instrumenter } from '../../src/engine/instrument.js';
import { readModuleInfo } from '../../src/engine/module-info.js';
import { wat } from '../../src/wat/compile.js';

const SEEDS_PER_SET = 50;

let generator: TranslateToFuzz;
beforeAll(async () => {
  generator = await TranslateToFuzz.load();
}, 120_000);
afterAll(() => generator?.close());

describe('differential fuzzing of the rewriter (fixed seeds)', () => {
  it('generates the same module for the same seed and feature set', () => {
    expect(Buffer.compare(generator.generate(7, 'simd'), generator.generate(7, 'simd'))).toBe(0);
    expect(Buffer.compare(generator.generate(7, 'simd'), generator.generate(8, 'simd'))).not.toBe(0);
  });

  it.each(FEATURE_SET_NAMES)(
    'feature set %s: every module behaves the same instrumented, with deterministic fuel',
    async (features) => {
      const divergences: string[] = [];
      const tally = await runCampaign(
        generator,
        features,
        { first: 1, count: SEEDS_PER_SET },
        { onDivergence: (d) => divergences.push(describeDivergence(d)) },
      );
      expect(divergences).toEqual([]);
      expect(tally.generatorCrashes).toBe(0);
      expect(tally.modules).toBe(SEEDS_PER_SET);
      // Not vacuous: nearly every module is compiled by V8 and compared export by export.
      expect(tally.rejectedByV8).toBeLessThan(SEEDS_PER_SET / 5);
      expect(tally.steps).toBeGreaterThan(SEEDS_PER_SET * 5);
    },
    300_000,
  );
});

describe('the differential harness', () => {
  const source = (result: number, logged: number, stored: number, global: number) => wat`(module
    (import "fuzzing-support" "log-i32" (func $log (param i32)))
    (memory 1 1)
    (global $g (mut i32) (i32.const 0))
    (func (export "step") (result i32)
      (call $log (i32.const ${logged}))
      (i32.store (i32.const 8) (i32.const ${stored}))
      (global.set $g (i32.const ${global}))
      (i32.const ${result}))
    (func (export "wide") (param i64) (result i64 f64)
      (i64.add (local.get 0) (i64.const 1))
      (f64.const 2.5)))`;
  /** A "rewriter" that instruments a different module: what a semantics-changing bug looks like. */
  const rewritingTo = (bytes: Uint8Array): Instrumenter => ({
    id: 'broken',
    instrument: (_info, options) => binaryInstrumenter.instrument(readModuleInfo(bytes), options),
  });
  const exposed = () => exposeForComparison(source(5, 7, 9, 3));

  it('finds nothing when the rewriter is faithful, and compares every step', () => {
    // one step per export: the instantiation runs no guest code on the instrumented side
    expect(runDifferential(exposed())).toEqual({ kind: 'same', steps: 2 });
  });

  it("compares a start function's work with the first call, where the rewriter runs it", () => {
    const started = (stored: number) =>
      exposeForComparison(wat`(module
        (import "fuzzing-support" "log-i32" (func $log (param i32)))
        (memory 1 1)
        (data (i32.const 16) "*")
        (func $start (call $log (i32.const 1)) (i32.store (i32.const 8) (i32.const ${stored})))
        (start $start)
        (func (export "read") (result i32) (i32.load (i32.const 8))))`);
    expect(runDifferential(started(9))).toEqual({ kind: 'same', steps: 1 });
    expect(runDifferential(started(9), { instrumenter: rewritingTo(started(10).bytes) })).toEqual({
      kind: 'divergence',
      step: 'read',
      what: 'outcome',
      detail: 'original:\nreturned 9\ninstrumented:\nreturned 10',
    });
  });

  it('a start that traps fails the instantiation of the original and the first call of the copy', () => {
    const trapping = exposeForComparison(wat`(module
      (import "fuzzing-support" "log-i32" (func $log (param i32)))
      (func $start (call $log (i32.const 1)) unreachable)
      (start $start)
      (func (export "f") (result i32) (i32.const 0)))`);
    expect(runDifferential(trapping)).toEqual({ kind: 'same', steps: 1 });
  });

  it('reads a table entry redirected to a kernel wrapper as the import it wraps', () => {
    const tabled = exposeForComparison(wat`(module
      (import "fuzzing-support" "log-i32" (func $log (param i32)))
      (table 1 funcref)
      (elem (i32.const 0) $log)
      (func (export "f") (call_indirect (param i32) (i32.const 3) (i32.const 0))))`);
    expect(runDifferential(tabled)).toEqual({ kind: 'same', steps: 1 });
  });

  it.each([
    ['a result', source(6, 7, 9, 3), 'outcome', 'original:\nreturned 5\ninstrumented:\nreturned 6'],
    [
      'an import call',
      source(5, 8, 9, 3),
      'import calls',
      'original:\nfuzzing-support.log-i32(7)\ninstrumented:\nfuzzing-support.log-i32(8)',
    ],
    ['memory', source(5, 7, 10, 3), 'memory', 'first difference at byte 8: original 9, instrumented 10'],
  ])('reports a rewriter that changes %s', (_what, variant, what, detail) => {
    expect(
      runDifferential(exposed(), { instrumenter: rewritingTo(exposeForComparison(variant).bytes) }),
    ).toEqual({
      kind: 'divergence',
      step: 'step',
      what,
      detail,
    });
  });

  it('reports a rewriter that changes a global, and exposes multi-value results through globals', () => {
    const changed = runDifferential(exposed(), {
      instrumenter: rewritingTo(exposeForComparison(source(5, 7, 9, 4)).bytes),
    });
    expect(changed).toEqual({
      kind: 'divergence',
      step: 'step',
      what: 'globals',
      detail:
        'original:\nfuzz:result:0=0n\nfuzz:result:1=0\nfuzz:global:0=3\ninstrumented:\nfuzz:result:0=0n\nfuzz:result:1=0\nfuzz:global:0=4',
    });
    const wide = exposed();
    expect(wide.functions).toEqual(['step', 'wide']);
    expect(wide.globals).toEqual(['fuzz:result:0', 'fuzz:result:1', 'fuzz:global:0']);
  });

  it('never runs the original through a step the metered copy ran out of fuel in', () => {
    // The original of this module never returns: reaching it would hang the test.
    const spin = exposeForComparison(wat`(module
      (func (export "first") (result i32) (i32.const 1))
      (func (export "spin") (loop $l (br $l)))
      (func (export "after") (result i32) (i32.const 2)))`);
    expect(runDifferential(spin, { fuel: 10_000 })).toEqual({
      kind: 'same',
      steps: 1,
      stopped: 'out-of-fuel',
    });
  });

  it('sets modules V8 cannot compile aside instead of blaming the rewriter', () => {
    const typedFuncref = exposeForComparison(wat`(module (func (export "f") (result i32) (i32.const 0)))`);
    const bytes = new Uint8Array(typedFuncref.bytes);
    // Turn the body's `i32.const 0` into `ref.as_non_null` (0xd4), which this V8 rejects.
    const at = bytes.lastIndexOf(0x41);
    bytes[at] = 0xd4;
    expect(runDifferential({ ...typedFuncref, bytes })).toMatchObject({ kind: 'rejected-by-v8' });
  });
});
