/**
 * Calibration of the bulk-work bound (engine/plugin.ts `BULK_WORK_BYTES_PER_MS`, instrument.ts
 * `BULK_WORK_WEIGHT`): how fast this machine runs `memory.fill`, `memory.copy` and `table.fill`
 * through the instrumented engine. Run with `node --import tsx bench/bulk-work.ts`; never part of
 * the pass/fail test run. Prints bytes (or elements) per millisecond, best of five calls each.
 */
import { performance } from 'node:perf_hooks';
import { buildPlugin } from '../src/engine/index.js';
import { wat } from '../src/wat/compile.js';

const MIB = 1024 * 1024;
const ROUNDS = 40;

const guest = wat`(module
  (memory 2048 2048)
  (table $t 1000000 funcref)
  (func $f)
  (elem declare func $f)
  (func (export "fill") (local $i i32)
    (loop $l
      (memory.fill (i32.const 0) (local.get $i) (i32.const ${64 * MIB}))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${ROUNDS})))))
  (func (export "copy") (local $i i32)
    (loop $l
      (memory.copy (i32.const ${64 * MIB}) (i32.const 0) (i32.const ${64 * MIB}))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${ROUNDS})))))
  (func (export "table_fill") (local $i i32)
    (loop $l
      (table.fill $t (i32.const 0) (ref.func $f) (i32.const 1000000))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${ROUNDS}))))))`;

async function perMs(name: string, units: number): Promise<number> {
  // a bound far beyond the work, so the calls measure the operations themselves
  const plugin = await buildPlugin(guest, { wallMs: 1e7, fuel: 10_000_000, maxMemoryPages: 2048 });
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await plugin.call(name, '');
    best = Math.min(best, performance.now() - started);
  }
  await plugin.close();
  return units / best;
}

const fill = await perMs('fill', ROUNDS * 64 * MIB);
const copy = await perMs('copy', ROUNDS * 64 * MIB);
const tableFill = await perMs('table_fill', ROUNDS * 1_000_000);
console.log(`memory.fill: ${(fill / MIB).toFixed(1)} MiB/ms`);
console.log(`memory.copy: ${(copy / MIB).toFixed(1)} MiB/ms`);
console.log(
  `table.fill:  ${(tableFill / 1000).toFixed(1)} k elements/ms = ${(fill / tableFill).toFixed(1)} fill bytes per element`,
);
