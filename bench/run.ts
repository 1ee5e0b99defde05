/**
 * Benchmarks for the engine targets in ENGINE.md, printed as ratios from one run
 * (`npm run bench`). Never part of the pass/fail test run.
 *
 * (a) dispatch-style call (engine call + JSON envelope + strict decode) vs a raw SDK call(), and
 *     the full `PluginSession.dispatch` (envelope, validation, bookkeeping) vs the same call (≤ 1.5×)
 * (b) instrumented vs uninstrumented execution of a loop-heavy guest (ENGINE.md ≤ 2×; issue 13 ≤ 1.3×)
 * (c) second buildPlugin of the same bytes vs raw SDK createPlugin(module)    (target ≤ 1.2×)
 *     and a second PluginSession.create (instance + memoized handshake) vs the same
 * (d) instrumentation cost per KiB of module
 * (e) generated dispatches per second (`fuzz.run`) on the bundled router example, and the share of
 *     the time spent generating requests vs dispatching them                 (floor 5,000/s)
 *     (also by this process's CPU time, which other processes on the cores move less)
 * (f) a call with a fuel profile vs the same call without, on a call-heavy guest (profiling is
 *     only built when asked for; the default variant carries none of it, so (a)–(c) do not move)
 * (g) the first PluginSession.create of a large module (about 4 MiB of code, bench/large-module.ts)
 *     vs the raw SDK creating a plugin from the same bytes and calling its handshake: cold (bytes
 *     never seen, so validation, instrumentation and compilation all run), and from the disk cache
 *     (what a later test run, or another Vitest worker, pays)
 *
 * `npm run bench -- e` runs only line (e) (any of a–g may be named).
 *
 * Every comparison runs the same bytes on both sides with the same input; the sides of (a), (b)
 * and (c) are measured in alternating rounds and reported as medians of round medians.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import { fuzz } from '../src/conformance/fuzz.js';
import { requestArbitrary } from '../src/conformance/request-arbitrary.js';
import { PluginSession } from '../src/conformance/session.js';
import {
  buildPlugin,
  DEFAULT_KERNEL_CALL_FUEL,
  DEFAULT_MAX_MEMORY_PAGES,
  type LoadedPlugin,
} from '../src/engine/index.js';
import { binaryInstrumenter } from '../src/engine/instrument.js';
import { cacheKey, clearModuleCache } from '../src/engine/module-cache.js';
import { readModuleInfo } from '../src/engine/module-info.js';
import { createPlugin } from '../src/engine/sdk.js';
import { compileWat, wat } from '../src/wat/compile.js';
import { acceptJson } from '../src/wat/json-builders.js';
import { withIdentity } from '../src/wat/sections.js';
import { FilterFn } from '../src/wire/functions/filter.js';
import { SignFn, type SignRequest } from '../src/wire/functions/sign.js';
import { largeModule } from './large-module.js';

type Sample = () => unknown | Promise<unknown>;

async function median(
  iterations: number,
  sample: Sample,
  warmup = Math.min(50, iterations),
): Promise<number> {
  for (let i = 0; i < warmup; i++) await sample();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await sample();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Medians of several samplers measured in alternating rounds (each round runs every sampler in
 * turn, with its own warm-up), then the median of each sampler's round medians. On a shared,
 * noisy machine this keeps slow drift from landing on one side of a comparison only.
 */
async function interleavedMedians(rounds: number, iterations: number, samples: Sample[]): Promise<number[]> {
  const perRound = samples.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, sample] of samples.entries()) perRound[i]!.push(await median(iterations, sample));
  }
  return perRound.map((times) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!);
}

const micro = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function report(label: string, ours: number, raw: number, target: number | undefined): void {
  const met = target !== undefined && ours / raw <= target;
  const verdict = target === undefined ? '' : `  (target ≤ ${target}×: ${met ? 'met' : 'MISSED'})`;
  console.log(`${label}: ${micro(ours)} vs ${micro(raw)} = ${ratio(ours, raw)}${verdict}`);
}

// A small plugin in the style of a wire function: `sign` reads its input through the kernel and
// answers a fixed JSON envelope. It also answers the handshake (negotiating `sign` at version 1)
// and carries an identity section, so the same bytes serve the raw SDK, the engine and a
// `PluginSession`: every comparison below is like with like.
const RESPONSE = '{"_v":1,"url":null,"method":null,"headers":null,"body_base64":null}';
const ACCEPT = acceptJson({
  chosen_versions: { sign: 1 },
  plugin_supported: { sign: [1] },
  implemented_functions: ['sign'],
});
/** An export copying `length` bytes at `offset` of the module's memory to the output. */
const copyOut = (name: string, offset: number, length: number) => `
  (func (export "${name}") (result i32) (local $out i64) (local $j i32)
    (local.set $out (call $alloc (i64.const ${length})))
    (block $write (loop $w
      (br_if $write (i32.ge_u (local.get $j) (i32.const ${length})))
      (call $store_u8 (i64.add (local.get $out) (i64.extend_i32_u (local.get $j)))
        (i32.load8_u (i32.add (i32.const ${offset}) (local.get $j))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $w)))
    (call $output_set (local.get $out) (i64.const ${length}))
    (i32.const 0))`;
const smallPlugin = withIdentity(
  wat`(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory 1)
  (data (i32.const 0) ${JSON.stringify(RESPONSE)})
  (data (i32.const 1024) ${JSON.stringify(ACCEPT)})
  (func (export "sign") (result i32) (local $n i64) (local $i i64) (local $sum i32) (local $out i64) (local $j i32)
    (local.set $n (call $input_length))
    (block $read (loop $l
      (br_if $read (i64.ge_u (local.get $i) (local.get $n)))
      (local.set $sum (i32.add (local.get $sum) (call $input_load_u8 (local.get $i))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $l)))
    (local.set $out (call $alloc (i64.const ${RESPONSE.length})))
    (block $write (loop $w
      (br_if $write (i32.ge_u (local.get $j) (i32.const ${RESPONSE.length})))
      (call $store_u8 (i64.add (local.get $out) (i64.extend_i32_u (local.get $j))) (i32.load8_u (local.get $j)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $w)))
    (call $output_set (local.get $out) (i64.const ${RESPONSE.length}))
    (i32.const 0))
  ${copyOut('cc_lb_handshake', 1024, ACCEPT.length)})`,
  { plugin_name: 'bench-signer' },
);

/** A valid `SignRequest`; the session sends it as the envelope text below. */
const REQUEST: SignRequest = {
  shaped: { url: 'https://example.test/v1/messages', method: 'POST', headers: [], body_base64: '' },
  signer_state: null,
};
/** The exact envelope the session writes for REQUEST (keys in code-point order, `_v` among them). */
const ENVELOPE =
  '{"_v":1,"shaped":{"body_base64":"","headers":[],"method":"POST","url":"https://example.test/v1/messages"},"signer_state":null}';

/** Engine call + envelope (`_v` added, serialized) + strict UTF-8 + JSON parse + `_v` check. */
async function engineDispatch(plugin: LoadedPlugin): Promise<unknown> {
  const envelope = JSON.stringify({ _v: 1, ...REQUEST });
  const result = await plugin.call('sign', envelope);
  const response = JSON.parse(result.text()) as Record<string, unknown>;
  if (response._v !== 1) throw new Error('envelope version mismatch');
  delete response._v;
  return response;
}

/**
 * A runner for `PluginSession.dispatch` of `sign` on a session over `smallPlugin`, which (a)
 * reports against the raw SDK call of the same export with the same envelope text.
 */
async function sessionDispatchPath(): Promise<() => Promise<unknown>> {
  const session = await PluginSession.create(smallPlugin);
  return async () => {
    const outcome = await session.dispatch(SignFn, REQUEST);
    if (outcome.kind !== 'ok') throw new Error(`session dispatch fell back: ${outcome.error}`);
    return outcome.response;
  };
}

async function benchDispatch(): Promise<void> {
  const raw = await createPlugin({ wasm: [{ data: smallPlugin }] }, { useWasi: false, runInWorker: false });
  const plugin = await buildPlugin(smallPlugin, { wallMs: 200, fuel: 10_000_000 });
  const session = await sessionDispatchPath();
  const samplers: Sample[] = [() => raw.call('sign', ENVELOPE), () => engineDispatch(plugin), session];
  const [rawTime, ourTime, sessionTime] = await interleavedMedians(5, 1000, samplers);
  report('(a) engine dispatch path vs raw SDK call()', ourTime!, rawTime!, 1.5);
  report('    PluginSession.dispatch vs raw SDK call()', sessionTime!, rawTime!, 1.5);
}

async function benchLoop(): Promise<void> {
  // A loop-heavy guest: integer arithmetic with a memory access per iteration.
  const loopy = wat`(module
    (memory 1)
    (func (export "work") (result i32) (local $i i32) (local $acc i32)
      (loop $l
        (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get $i))))
        (i32.store (i32.and (local.get $i) (i32.const 1020)) (local.get $acc))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 2000000))))
      (i32.and (local.get $acc) (i32.const 0))))`;
  const raw = await createPlugin({ wasm: [{ data: loopy }] }, { useWasi: false, runInWorker: false });
  const plugin = await buildPlugin(loopy, { wallMs: 200, fuel: 1_000_000_000 });
  // alternating rounds: a load change on this shared machine must not land on one side only
  const [rawTime, ourTime] = await interleavedMedians(7, 15, [
    () => raw.call('work', ''),
    () => plugin.call('work', ''),
  ]);
  report('(b) instrumented vs uninstrumented loop-heavy guest', ourTime!, rawTime!, 1.3);
}

async function benchRebuild(): Promise<void> {
  const limits = { wallMs: 200, fuel: 10_000_000 };
  // The first build compiles and instruments the module, the first create also runs the
  // handshake; every later one reuses both.
  await (await buildPlugin(smallPlugin, limits)).close();
  await (await PluginSession.create(smallPlugin)).close();
  const compiled = await WebAssembly.compile(smallPlugin as Uint8Array<ArrayBuffer>);
  const [rawTime, ourTime, sessionTime] = await interleavedMedians(5, 1000, [
    async () => {
      const p = await createPlugin({ wasm: [{ module: compiled }] }, { useWasi: false, runInWorker: false });
      await p.close();
    },
    async () => {
      const p = await buildPlugin(smallPlugin, limits);
      await p.close();
    },
    async () => {
      const session = await PluginSession.create(smallPlugin);
      await session.close();
    },
  ]);
  report('(c) second buildPlugin vs raw createPlugin(compiled module)', ourTime!, rawTime!, 1.2);
  report('    second PluginSession.create vs raw createPlugin(compiled module)', sessionTime!, rawTime!, 1.2);
}

async function benchInstrumentation(): Promise<void> {
  // ~2,000 functions of mixed straight-line code, loops, branches and calls.
  const functions = Array.from(
    { length: 2000 },
    (_, i) => `(func $f${i} (param $x i32) (result i32) (local $i i32)
      (block $out (loop $l
        (br_if $out (i32.ge_u (local.get $i) (local.get $x)))
        (if (i32.and (local.get $i) (i32.const 1))
          (then (local.set $x (i32.sub (local.get $x) (i32.const 1))))
          (else (local.set $x (i32.add (local.get $x) (i32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      ${i > 0 ? `(drop (call $f${i - 1} (i32.const 0)))` : ''}
      (i32.mul (local.get $x) (i32.const ${i + 3})))`,
  ).join('\n');
  const big = wat`(module (memory 1) ${functions} (func (export "run") (result i32) (call $f1999 (i32.const 3))))`;
  const options = { maxMemoryPages: DEFAULT_MAX_MEMORY_PAGES, kernelCallFuel: DEFAULT_KERNEL_CALL_FUEL };
  const time = await median(30, () => binaryInstrumenter.instrument(readModuleInfo(big), options), 3);
  const kib = big.length / 1024;
  console.log(
    `(d) instrumentation: ${(time / kib).toFixed(3)} ms per KiB (${kib.toFixed(0)} KiB module in ${time.toFixed(2)} ms)`,
  );
}

async function benchGenerated(): Promise<void> {
  const example = new URL('../examples/router-filter/', import.meta.url);
  const source = await readFile(new URL('plugin.wat', example), 'utf8');
  const identity = JSON.parse(await readFile(new URL('identity.json', example), 'utf8'));
  const session = await PluginSession.create(withIdentity(compileWat(source), identity));
  const runs = 2000;
  try {
    // Whole fuzz runs (generating, dispatching, judging), then generating alone with the same seeds.
    const seeds = [1, 2, 3, 4, 5];
    await fuzz.run(session, FilterFn, { runs: 200, seed: 99 });
    const total: number[] = [];
    const cpu: number[] = [];
    for (const seed of seeds) {
      const start = performance.now();
      const used = process.cpuUsage();
      const result = await fuzz.run(session, FilterFn, { runs, seed });
      total.push(performance.now() - start);
      const { user, system } = process.cpuUsage(used);
      cpu.push((user + system) / 1000);
      if (!result.passed)
        throw new Error(`the router example failed a generated request: ${result.counterexample?.failure}`);
    }
    const arbitrary = requestArbitrary(FilterFn);
    const generating: number[] = [];
    for (const seed of seeds) {
      const start = performance.now();
      fc.sample(arbitrary, { numRuns: runs, seed });
      generating.push(performance.now() - start);
    }
    const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const perSecond = (runs / mid(total)) * 1000;
    const share = Math.min(1, mid(generating) / mid(total));
    const verdict = perSecond >= 5000 ? '  [ok: floor 5,000/s]' : '  [BELOW floor 5,000/s]';
    console.log(
      `(e) generated filter dispatches on examples/router-filter: ${Math.round(perSecond).toLocaleString('en-US')}/s ` +
        `(${(share * 100).toFixed(0)}% generating, ${((1 - share) * 100).toFixed(0)}% dispatching and judging)${verdict}` +
        // CPU time moves less than wall time when other processes share the cores
        `; by this process's CPU time ${Math.round((runs / mid(cpu)) * 1000).toLocaleString('en-US')}/s`,
    );
  } finally {
    await session.close();
  }
}

async function benchProfile(): Promise<void> {
  // Recursive fib(20): 21,891 calls, so two profile hooks per 10 or so operators.
  const fib = wat`(module
    (func $fib (param $n i32) (result i32)
      (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
        (then (local.get $n))
        (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                       (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
    (func (export "work") (result i32) (drop (call $fib (i32.const 20))) (i32.const 0)))`;
  const limits = { wallMs: 200, fuel: 1_000_000_000 };
  const plain = await buildPlugin(fib, limits);
  const profiling = await buildPlugin(fib, { ...limits, profile: true });
  const plainTime = await median(40, () => plain.call('work', ''), 5);
  const profiledTime = await median(40, () => profiling.call('work', ''), 5);
  console.log(
    `(f) profiled vs default call, call-heavy guest: ${micro(profiledTime)} vs ${micro(plainTime)} = ${ratio(profiledTime, plainTime)} (informational: only when asked for)`,
  );
}

async function benchLargeModule(): Promise<void> {
  const mebibytes = 4;
  const samples = 5;
  const modules = Array.from({ length: samples + 1 }, (_, nonce) => largeModule(mebibytes, ACCEPT, nonce));
  const size = `${(modules[0]!.length / 2 ** 20).toFixed(1)} MiB`;
  const directory = join(process.cwd(), 'node_modules', '.cache', 'cc-lb-plugin-conformance');
  const diskEntries = modules.map(
    (bytes) =>
      `engine-${cacheKey(bytes, { maxMemoryPages: DEFAULT_MAX_MEMORY_PAGES, kernelCallFuel: DEFAULT_KERNEL_CALL_FUEL }, binaryInstrumenter)}.bin`,
  );
  const timed = async (run: () => Promise<unknown>): Promise<number> => {
    const start = performance.now();
    await run();
    return performance.now() - start;
  };
  const raw = async (bytes: Uint8Array) => {
    const plugin = await createPlugin({ wasm: [{ data: bytes }] }, { useWasi: false, runInWorker: false });
    await plugin.call('cc_lb_handshake', '');
    await plugin.close();
  };
  const ours = async (bytes: Uint8Array) => (await PluginSession.create(bytes)).close();
  try {
    // module 0 warms both paths up; then each sample alternates the sides on bytes never seen
    await raw(modules[0]!);
    await ours(modules[0]!);
    const rawTimes: number[] = [];
    const coldTimes: number[] = [];
    const diskTimes: number[] = [];
    for (const bytes of modules.slice(1)) {
      rawTimes.push(await timed(() => raw(bytes)));
      coldTimes.push(await timed(() => ours(bytes)));
      // the disk entry is written in the background: wait for it, then build from it alone
      const entry = join(directory, diskEntries[modules.indexOf(bytes)]!);
      for (let wait = 0; wait < 200 && !existsSync(entry); wait++) await delay(10);
      clearModuleCache();
      diskTimes.push(await timed(() => ours(bytes)));
    }
    const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    console.log(
      `(g) first PluginSession.create of a ${size} module vs raw SDK createPlugin + handshake: ` +
        `${ms(mid(coldTimes))} vs ${ms(mid(rawTimes))} = ${ratio(mid(coldTimes), mid(rawTimes))} cold, ` +
        `${ms(mid(diskTimes))} = ${ratio(mid(diskTimes), mid(rawTimes))} from the disk cache`,
    );
  } finally {
    clearModuleCache();
    await Promise.all(diskEntries.map((name) => rm(join(directory, name), { force: true })));
  }
}

// `npm run bench -- e` (or any of a–g) runs only those lines: a figure taken alone, when the
// shared machine is quietest, without the minutes of the others.
const lines: Record<string, () => Promise<void>> = {
  a: benchDispatch,
  b: benchLoop,
  c: benchRebuild,
  d: benchInstrumentation,
  e: benchGenerated,
  f: benchProfile,
  g: benchLargeModule,
};
const only = process.argv.slice(2);
const unknown = only.filter((name) => !(name in lines));
if (unknown.length > 0) throw new Error(`bench: no line ${unknown.join(', ')} (lines: a–g)`);
for (const [name, line] of Object.entries(lines)) {
  if (only.length === 0 || only.includes(name)) await line();
}
