/**
 * Engine layer: `buildPlugin` and the loaded plugin — a guest run the way the Rust cc-lb host runs
 * it (Extism on wasmtime, no WASI, no host functions, fuel-limited), on the Extism JS SDK in the
 * foreground of the current thread.
 *
 * Semantics mirrored from Rust Extism's `Plugin::raw_call`/`call` (runtime/src/plugin.rs):
 * - fuel is set to the full budget before every call; afterwards, remaining fuel ≤ 0 means
 *   `plugin ran out of fuel`, whatever else happened (Extism checks `get_fuel() == 0` first);
 * - a non-empty `error_set` text is the error, whatever the return code — also with return code 0
 *   (Extism turns any set error into `Err`); an empty one is ignored;
 * - a trap is reported with wasmtime's trap text (see trap-text.ts);
 * - otherwise a non-zero i32 result is `Returned non-zero exit code: N`; an export whose single
 *   result is not i32 counts as -1, as in Extism;
 * - a missing export is `Function not found: NAME`; an export with parameters fails like
 *   wasmtime's `Func::call` (`expected N arguments, got 0`); more than one result is Extism's
 *   `Function NAME has N results, expected 0 or 1`.
 * - `functionExists` is Extism's `function_exists`: a function export typed `() -> ()` or
 *   `() -> i32`.
 * - instantiation is lazy, as in Extism (`Plugin::instantiate` runs inside `raw_call`, after
 *   `set_fuel`): `buildPlugin` compiles and links only; the start function and the guest
 *   runtime's initializer run inside the first call, on that call's fuel (see instrument.ts). A
 *   trapping start function fails that call with its trap text; a failing runtime initializer
 *   fails it with Extism's context text (`failed to initialize wasi runtime`, …).
 * - bulk memory and table work past the per-call bound is stopped as `timeout` (see
 *   `bulkWorkBound`), so no call runs unbounded whatever its fuel.
 * - the guest's Extism log calls are kept per call (`CallResult.logs`, `PluginCallError.logs`), not
 *   printed (see guest-log.ts);
 * - `call(name, input, { fuel })` runs one call under its own budget instead of the instance's.
 * Calls on one instance run one at a time, in order (the SDK's call context is not re-entrant):
 * this queue is the only one — a session's dispatches are ordered by it too. A call made before
 * `close()` runs, and `close()` settles after it; a call made after `close()` is refused.
 * The wall clock is measured, not enforced, unless `strictWallClock` is set (then
 * `durationMs > wallMs` → `timeout`); a call slower than `wallMs` says so in `CallResult`.
 */
import type { WasmInput } from '../wire/wasm-input.js';
import { wasmBytes } from '../wire/wasm-input.js';
import { BuildPluginError, PluginCallError, type PluginCallErrorKind } from './errors.js';
import { type GuestLogEntry, GuestLogSink, RUST_DEFAULT_LOG_LEVEL } from './guest-log.js';
import { ENGINE_EXPORTS, type FunctionExportMeta, INIT_PHASE, STOP } from './instrument.js';
import { type PreparedModule, preparedModuleIfReady, prepareModule } from './module-cache.js';
import { CallProfiler } from './profile/call-profiler.js';
import type { FuelProfile } from './profile/fuel-profile.js';
import { rawOutputOf } from './raw-output.js';
import { createPlugin, type ExtismPlugin } from './sdk.js';
import { wasmtimeTrapText } from './trap-text.js';
import { decodeUtf8Strict } from './utf8.js';

export const DEFAULT_MAX_MEMORY_PAGES = 2048;

/**
 * Fuel charged per Extism kernel call. The Rust host's kernel is wasm (extism kernel/src/lib.rs);
 * its hot functions — `input_load_u8`, `load_u8`, `store_u8`, `output_set`, `length` — are a
 * handful of loads, a bounds check against `memory.size` and the `MemoryRoot` initialisation
 * check, about 10–20 wasmtime operators each including the entry unit; `alloc` costs more (it
 * walks the block list). 15 approximates the common case; the JS kernel itself costs nothing.
 */
export const DEFAULT_KERNEL_CALL_FUEL = 15;

export interface BuildOptions {
  wallMs: number;
  fuel: number;
  maxMemoryPages?: number;
  strictWallClock?: boolean;
  kernelCallFuel?: number;
  /**
   * Build the profiling variant: every call records its fuel profile (`CallResult.profile`, and
   * a failed call's partial one on `PluginCallError.profile`). Only when asked: the default
   * variant carries no profiling code at all.
   */
  profile?: boolean;
}

export interface ImportDescriptor {
  module: string;
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

export interface CallResult {
  readonly output: Uint8Array;
  readonly fuelConsumed: number;
  readonly durationMs: number;
  /** the guest's log lines of this call, in order */
  readonly logs: readonly GuestLogEntry[];
  /** the call's fuel profile, on a plugin built with `profile: true` */
  readonly profile?: FuelProfile;
  /**
   * Strict UTF-8 decode; invalid → PluginCallError 'InvalidUtf8Output' with Rust's Utf8Error text,
   * carrying the raw output and the call's logs.
   */
  text(): string;
}

/** Options of one call. */
export interface CallOptions {
  /** this call's fuel budget instead of the instance's (an integer, 0 … 2^53 − 1) */
  readonly fuel?: number;
}

export interface LoadedPlugin {
  functionExists(name: string): boolean;
  exports(): string[];
  imports(): ImportDescriptor[];
  call(name: string, input: string | Uint8Array, options?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

/**
 * The per-millisecond bulk-work bound: units (bytes of `memory.fill`, other operations weighted by
 * instrument.ts `BULK_WORK_WEIGHT`) the Rust host could certainly not get through in a millisecond.
 *
 * Calibration: bench/bulk-work.ts (`node --import tsx bench/bulk-work.ts`) times 40 × 64 MiB
 * `memory.fill`s, `memory.copy`s and 40 × 1 M-element `table.fill`s through this engine, best of
 * five calls. On the calibration machine (2 shared cores, Node 20.20.2, V8 11.3) it measured
 * fill 8.4 MiB/ms, copy 4.3 MiB/ms, table.fill 18.3 k elements/ms. wasmtime runs these as memset /
 * memmove on one core; 40 MiB/ms (≈ 42 GB/s) is beyond any single core's memset bandwidth, so a
 * call past wallMs × 40 MiB of work was certainly stopped by the host's 200 ms timer. Here that
 * much work takes about 40 / 8.4 ≈ 5 × wallMs (about 1 s at 200 ms): the worst a call can overrun.
 */
export const BULK_WORK_UNITS_PER_MS = 40 * 1024 * 1024;

/** The per-call bulk-work bound for `wallMs`, in work units (at least one 64 KiB page's worth). */
export function bulkWorkBound(wallMs: number): number {
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(65536, Math.ceil(wallMs * BULK_WORK_UNITS_PER_MS)));
}

/**
 * The warning for a call slower than `wallMs` that the engine let finish (without
 * `strictWallClock` the clock never fails a call: a loaded machine must not flip verdicts).
 */
export function wallClockWarning(durationMs: number, wallMs: number): string | undefined {
  if (!(durationMs > wallMs)) return undefined;
  return (
    `a plugin call took ${Math.round(durationMs)} ms, more than wallMs (${wallMs} ms): the Rust host ` +
    'would likely have stopped it with `timeout` (not a failure here; strictWallClock makes it one)'
  );
}

/** Extism's texts for a failed guest-runtime initializer (anyhow context of `initialize_guest_runtime`). */
const INIT_FAILURE_TEXT: Readonly<Record<number, string>> = {
  [INIT_PHASE.wasiRuntime]: 'failed to initialize wasi runtime',
  [INIT_PHASE.haskellReactor]: 'failed to initialize Haskell reactor runtime',
  [INIT_PHASE.haskellInit]: 'failed to initialize Haskell using hs_init',
};

type SdkOutput = Awaited<ReturnType<ExtismPlugin['call']>>;

const GUEST_ERROR_PREFIX = 'Plugin-originated error: ';

export async function buildPlugin(wasm: WasmInput, options: BuildOptions): Promise<LoadedPlugin> {
  const limits = checkOptions(options);
  const bytes = wasmBytes(wasm);
  const instrumentOptions = {
    maxMemoryPages: limits.maxMemoryPages,
    kernelCallFuel: limits.kernelCallFuel,
    ...(options.profile === true ? { profile: true } : {}),
  };
  // A module built before is taken as it is; only a first build of this content is waited for.
  const prepared =
    preparedModuleIfReady(bytes, instrumentOptions) ?? (await prepareModule(bytes, instrumentOptions));
  let sdkPlugin: ExtismPlugin;
  let instance: WebAssembly.Instance;
  const logs = new GuestLogSink();
  try {
    sdkPlugin = await createPlugin(
      { wasm: [{ module: prepared.module }] },
      {
        useWasi: false,
        runInWorker: false,
        allowedHosts: [],
        // every line reaches the sink; the guest is told the Rust host's level (see guest-log.ts)
        logger: logs as unknown as Console,
        logLevel: 'trace',
        functions: { 'extism:host/env': { get_log_level: rustLogLevel } },
      },
    );
    instance = await sdkPlugin.getInstance();
  } catch (error) {
    throw new BuildPluginError(normalizeThrown(error).reason, { cause: error });
  }
  const profiler = options.profile === true ? new CallProfiler(bytes, instance) : undefined;
  return new EnginePlugin(sdkPlugin, instance, prepared, limits, logs, profiler);
}

function rustLogLevel(): number {
  return RUST_DEFAULT_LOG_LEVEL;
}

interface Limits {
  readonly fuel: number;
  readonly wallMs: number;
  readonly strictWallClock: boolean;
  readonly maxMemoryPages: number;
  readonly kernelCallFuel: number;
}

function checkOptions(options: BuildOptions): Limits {
  const { fuel, wallMs } = options;
  const maxMemoryPages = options.maxMemoryPages ?? DEFAULT_MAX_MEMORY_PAGES;
  const kernelCallFuel = options.kernelCallFuel ?? DEFAULT_KERNEL_CALL_FUEL;
  checkInteger(fuel, 'fuel', Number.MAX_SAFE_INTEGER);
  checkInteger(maxMemoryPages, 'maxMemoryPages', 65536);
  checkInteger(kernelCallFuel, 'kernelCallFuel', 1_000_000);
  if (!(wallMs >= 0))
    throw new TypeError(`buildPlugin: wallMs must be a non-negative number, received ${wallMs}`);
  return { fuel, wallMs, strictWallClock: options.strictWallClock ?? false, maxMemoryPages, kernelCallFuel };
}

/** Throws the TypeError a call with this `fuel` option gets (`where` names the caller). */
export function checkCallFuel(fuel: number, where: string): void {
  checkInteger(fuel, 'fuel', Number.MAX_SAFE_INTEGER, where);
}

function checkInteger(value: number, name: string, max: number, where = 'buildPlugin'): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new TypeError(`${where}: ${name} must be an integer between 0 and ${max}, received ${value}`);
  }
}

/** The instrumenter's `state` export: what the last guest call left behind (see ENGINE_EXPORTS). */
type EngineState = [
  remainingAfterReturn: number,
  fuel: number,
  outOfFuel: number,
  returnCode: number,
  outputOffset: number,
  outputLength: number,
  initPhase: number,
];

class EnginePlugin implements LoadedPlugin {
  private readonly state: () => EngineState;
  private readonly setBudget: (fuel: number) => void;
  private readonly byName: ReadonlyMap<string, FunctionExportMeta>;
  /** the budget the export wrappers currently start from (the instance's, or the last call's own) */
  private budget: number;
  /** the latest call accepted; the next one starts after it settles */
  private queue: Promise<unknown> = Promise.resolve();
  /** calls accepted and not yet settled */
  private pending = 0;
  private closed = false;

  constructor(
    private readonly sdk: ExtismPlugin,
    instance: WebAssembly.Instance,
    private readonly prepared: PreparedModule,
    private readonly limits: Limits,
    private readonly logs: GuestLogSink,
    private readonly profiler: CallProfiler | undefined,
  ) {
    const { exports } = instance;
    this.state = exports[ENGINE_EXPORTS.state] as () => EngineState;
    this.byName = prepared.exportsByName;
    // Every export wrapper starts by setting remaining fuel to this budget.
    this.setBudget = exports[ENGINE_EXPORTS.setBudget] as (fuel: number) => void;
    this.setBudget(limits.fuel);
    this.budget = limits.fuel;
    (exports[ENGINE_EXPORTS.setWorkBound] as (bytes: number) => void)(bulkWorkBound(limits.wallMs));
  }

  functionExists(name: string): boolean {
    const entry = this.byName.get(name);
    if (entry === undefined || entry.params.length !== 0) return false;
    return entry.results.length === 0 || (entry.results.length === 1 && entry.results[0] === 'i32');
  }

  exports(): string[] {
    return this.prepared.meta.functionExports.map((e) => e.name);
  }

  imports(): ImportDescriptor[] {
    return this.prepared.meta.imports.map((i) => ({ module: i.module, name: i.name, kind: i.kind }));
  }

  call(name: string, input: string | Uint8Array, options?: CallOptions): Promise<CallResult> {
    if (this.closed) return Promise.reject(new PluginCallError('Trap', 'plugin is closed'));
    const fuel = options?.fuel ?? this.limits.fuel;
    if (fuel !== this.limits.fuel) {
      try {
        checkCallFuel(fuel, 'call');
      } catch (error) {
        return Promise.reject(error);
      }
    }
    // When nothing is in flight the call starts at once (no extra microtask hop on the hot path).
    // `queue` is the latest call itself (no extra promise per call); a queued call starts after
    // it whatever its outcome, and the caller that got it handles its rejection.
    const idle = this.pending === 0;
    this.pending++;
    let run: Promise<CallResult>;
    if (idle) {
      run = this.callNow(name, input, fuel);
    } else {
      const next = () => this.callNow(name, input, fuel);
      run = this.queue.then(next, next);
    }
    this.queue = run;
    return run;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    // The SDK's own close promise, not one more async frame around it; accepted calls finish first.
    if (this.pending > 0) return this.queue.then(noop, noop).then(() => this.sdk.close());
    return this.sdk.close();
  }

  /** One call under `fuel`; `pending` counts it from `call()` until it has settled. */
  private async callNow(name: string, input: string | Uint8Array, fuel: number): Promise<CallResult> {
    let profile: FuelProfile | undefined;
    try {
      const entry = this.byName.get(name);
      if (entry === undefined) throw new PluginCallError('MissingExport', `Function not found: ${name}`);
      if (entry.params.length > 0) {
        throw new PluginCallError('Trap', `expected ${entry.params.length} arguments, got 0`);
      }
      if (entry.results.length > 1) {
        throw new PluginCallError(
          'Trap',
          `Function ${name} has ${entry.results.length} results, expected 0 or 1`,
        );
      }
      if (fuel !== this.budget) {
        this.setBudget(fuel);
        this.budget = fuel;
      }

      const started = performance.now();
      let output: SdkOutput = null;
      let thrown: unknown;
      let failed = false;
      this.profiler?.begin(fuel);
      try {
        output = await this.sdk.call(entry.sdkName, input);
      } catch (error) {
        failed = true;
        thrown = error;
      }
      const durationMs = performance.now() - started;
      const logs = this.logs.take();
      const state = this.state();
      const remaining = remainingFuel(state);
      const fuelConsumed = Math.min(Math.max(fuel - remaining, 0), fuel);
      profile = this.profiler?.finish(remaining);

      if (remaining <= 0 || (failed && state[2] === STOP.outOfFuel)) {
        throw new PluginCallError('OutOfFuel', 'plugin ran out of fuel', {
          fuelConsumed: fuel,
          cause: thrown,
          logs,
        });
      }
      if (
        (failed && state[2] === STOP.bulkWork) ||
        (this.limits.strictWallClock && durationMs > this.limits.wallMs)
      ) {
        throw new PluginCallError('Timeout', 'timeout', { fuelConsumed, cause: thrown, logs });
      }
      if (failed) {
        const initFailure = INIT_FAILURE_TEXT[state[6]];
        if (initFailure !== undefined) {
          throw new PluginCallError('Trap', initFailure, { fuelConsumed, cause: thrown, logs });
        }
        const normalized = normalizeThrown(thrown);
        // Extism ignores an empty error text; the SDK still throws for it, so fall through.
        if (!(normalized.kind === 'GuestError' && normalized.reason === '')) {
          throw new PluginCallError(normalized.kind, normalized.reason, {
            fuelConsumed,
            cause: thrown,
            logs,
          });
        }
        output = null;
      }
      const returnCode = entry.results.length === 0 ? 0 : entry.results[0] === 'i32' ? state[3] : -1;
      if (returnCode !== 0) {
        throw new PluginCallError('NonZeroExit', `Returned non-zero exit code: ${returnCode}`, {
          returnCode,
          fuelConsumed,
          logs,
        });
      }
      const result = new EngineCallResult(extractOutput(output, state), fuelConsumed, durationMs, logs);
      if (profile !== undefined) result.profile = profile;
      return result;
    } catch (error) {
      // a failed call keeps its partial profile
      if (profile !== undefined && error instanceof PluginCallError) {
        Object.defineProperty(error, 'profile', { value: profile, enumerable: true });
      }
      throw error;
    } finally {
      this.pending--;
    }
  }
}

function noop(): void {}

/** Remaining fuel: the wrapper's copy after a normal return (NaN otherwise), else the counter. */
function remainingFuel(state: EngineState): number {
  return Number.isNaN(state[0]) ? state[1] : state[0];
}

/** Exactly the `len` bytes at the `output_set` address (the JS kernel hands back the whole block). */
function extractOutput(output: SdkOutput, state: EngineState): Uint8Array {
  // indexed reads, not array destructuring (which goes through the iterator protocol)
  const offset = state[4];
  const length = state[5];
  if (output === null || length < 0) return new Uint8Array(0);
  const block = (output as unknown as DataView).buffer;
  const start = Math.min(offset, block.byteLength);
  const end = Math.min(start + length, block.byteLength);
  return new Uint8Array(block, start, end - start);
}

/**
 * A call's result. A class rather than an object literal with a `text` closure: every dispatch
 * makes one, and a shared prototype method costs no per-call function allocation.
 */
class EngineCallResult implements CallResult {
  profile?: FuelProfile;

  constructor(
    readonly output: Uint8Array,
    readonly fuelConsumed: number,
    readonly durationMs: number,
    readonly logs: readonly GuestLogEntry[],
  ) {}

  text(): string {
    try {
      return decodeUtf8Strict(this.output);
    } catch (error) {
      // The decoder's InvalidUtf8Output, told again with what the guest wrote and logged.
      if (!(error instanceof PluginCallError)) throw error;
      throw new PluginCallError(error.kind, error.reason, {
        fuelConsumed: this.fuelConsumed,
        output: rawOutputOf(this.output),
        logs: this.logs,
      });
    }
  }
}

/** Any value thrown out of the SDK or the guest, as a call-error kind and the Rust-side text. */
export function normalizeThrown(error: unknown): { kind: PluginCallErrorKind; reason: string } {
  if (error instanceof PluginCallError) return { kind: error.kind, reason: error.reason };
  if (error instanceof Error) {
    if (error.message.startsWith(GUEST_ERROR_PREFIX)) {
      return { kind: 'GuestError', reason: error.message.slice(GUEST_ERROR_PREFIX.length) };
    }
    if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) {
      // RangeErrors come from V8's stack guard and from the JS kernel's DataView bounds checks,
      // where the Rust kernel (wasm) would trap on its own memory.
      const text =
        wasmtimeTrapText(error.message) ??
        (/outside the bounds|out of bounds|Invalid (typed )?array/.test(error.message)
          ? 'wasm trap: out of bounds memory access'
          : error.message);
      return { kind: 'Trap', reason: text };
    }
    return { kind: 'Trap', reason: error.message };
  }
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return { kind: 'Trap', reason: String((error as { message: unknown }).message) };
  }
  return { kind: 'Trap', reason: String(error) };
}
