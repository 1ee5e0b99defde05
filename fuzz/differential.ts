/**
 * Rewriter fuzzer (test tooling): runs one exposed module (see expose.ts) under plain V8 both as
 * it is and as the engine's rewriter instruments it, with the same imports, and after every step
 * (instantiation + start, then each export in turn) compares what it did: its result or trap, the
 * import calls it made, memory, globals and tables. The instrumented copy then runs the same steps
 * again from a fresh instance: its fuel after every step must be the same.
 *
 * Fairness: the original cannot be interrupted, so each step runs on the metered copy first, and
 * on the original only if the metered copy finished it without running out of fuel (a step that
 * ran out ends the comparison of that module there). A stack overflow on either side also ends it:
 * the rewriter makes frames larger, so the depth at which V8 gives up legitimately differs.
 */
import {
  binaryInstrumenter,
  ENGINE_EXPORTS,
  type Instrumenter,
  type InstrumentResult,
  STOP,
} from '../src/engine/instrument.js';
import { readModuleInfo } from '../src/engine/module-info.js';
import type { ValType } from '../src/engine/wasm-binary.js';
import type { ExposedModule } from './expose.js';

export interface DifferentialOptions {
  /** Fuel per export call of the instrumented copy. */
  readonly fuel: number;
  readonly kernelCallFuel: number;
  /** The rewriter under test (a deliberately broken one, in the fuzzer's own tests). */
  readonly instrumenter?: Instrumenter;
}

export const DEFAULT_DIFFERENTIAL_OPTIONS: DifferentialOptions = { fuel: 20_000_000, kernelCallFuel: 15 };

/** What one step (instantiation + start, or one export call) left behind. */
interface Step {
  readonly name: string;
  readonly outcome: string;
  readonly log: readonly string[];
  /** A live view, compared before the next step runs. */
  readonly memory: Uint8Array;
  readonly globals: readonly string[];
  readonly tables: readonly string[];
}

interface MeteredStep extends Step {
  readonly fuel: number;
  readonly outOfFuel: boolean;
}

export type DifferentialResult =
  /** The generator used an encoding this V8 does not accept (typed function references): nothing to compare. */
  | { readonly kind: 'rejected-by-v8'; readonly detail: string }
  | { readonly kind: 'same'; readonly steps: number; readonly stopped?: 'out-of-fuel' | 'stack-overflow' }
  | { readonly kind: 'divergence'; readonly step: string; readonly what: string; readonly detail: string };

const INSTANTIATION = '(instantiation)';

/** 1 TiB of bulk memory work per call. */
const BULK_WORK_BOUND = 2 ** 40;
const NO_MEMORY = new Uint8Array(0);

function describeMemory(a: Uint8Array, b: Uint8Array): string | undefined {
  if (Buffer.compare(a, b) === 0) return undefined;
  if (a.length !== b.length) return `original ${a.length} bytes, instrumented ${b.length} bytes`;
  const at = a.findIndex((byte, i) => byte !== b[i]);
  return `first difference at byte ${at}: original ${a[at]}, instrumented ${b[at]}`;
}

/** How a value reads; `functionIndex` names a function by the index it stands for. */
function show(value: unknown, functionIndex: (index: string) => string = (index) => index): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === null || value === undefined) return String(value);
  // Exported wasm functions are named by their function index, which the rewriter preserves.
  if (typeof value === 'function') return `func ${functionIndex(value.name)}`;
  return typeof value;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : `thrown ${show(error)}`;
}

function isStackOverflow(outcome: string): boolean {
  return outcome === 'RangeError: Maximum call stack size exceeded';
}

function defaultValue(type: ValType): unknown {
  if (type === 'i64') return 0n;
  if (type === 'funcref' || type === 'externref') return null;
  return 0;
}

/** Every import is a logger returning zero/null; `call-export*` are logged, never re-entered. */
function makeImports(
  bytes: Uint8Array,
  exposed: ExposedModule,
  log: string[],
  functionIndex: (index: string) => string,
): WebAssembly.Imports {
  const info = readModuleInfo(bytes);
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const global of exposed.importedGlobals) {
    const value = global.value === 'i64' ? 0n : global.value.endsWith('ref') ? null : 0;
    imports[global.module] ??= {};
    imports[global.module]![global.name] = new WebAssembly.Global(
      { value: global.value as WebAssembly.ValueType, mutable: global.mutable },
      value,
    );
  }
  for (const entry of info.imports) {
    if (entry.kind === 'global') continue;
    if (entry.kind !== 'function' || entry.typeIndex === undefined) {
      throw new Error(`unsupported ${entry.kind} import ${entry.module}.${entry.name}`);
    }
    const type = info.types[entry.typeIndex]!;
    const results = type.results.map(defaultValue);
    const name = `${entry.module}.${entry.name}`;
    imports[entry.module] ??= {};
    imports[entry.module]![entry.name] = (...args: unknown[]) => {
      log.push(`${name}(${args.map((arg) => show(arg, functionIndex)).join(', ')})`);
      return results.length === 1 ? results[0] : results.length === 0 ? undefined : results;
    };
  }
  return imports;
}

class Observer {
  readonly log: string[] = [];
  readonly imports: WebAssembly.Imports;
  private seen = 0;

  /**
   * `functionIndex` reads a function reference of the observed module as the guest's own index:
   * on the instrumented side a kernel wrapper stands for the import it wraps.
   */
  constructor(
    bytes: Uint8Array,
    private readonly exposed: ExposedModule,
    private readonly functionIndex: (index: string) => string = (index) => index,
  ) {
    this.imports = makeImports(bytes, exposed, this.log, functionIndex);
  }

  step(exports: WebAssembly.Exports | undefined, name: string, outcome: string): Step {
    const log = this.log.slice(this.seen);
    this.seen = this.log.length;
    if (exports === undefined) return { name, outcome, log, memory: NO_MEMORY, globals: [], tables: [] };
    const memory =
      this.exposed.memory === undefined
        ? NO_MEMORY
        : new Uint8Array((exports[this.exposed.memory] as WebAssembly.Memory).buffer);
    const globals = this.exposed.globals.map(
      (g) => `${g}=${show((exports[g] as WebAssembly.Global).value, this.functionIndex)}`,
    );
    const tables = this.exposed.tables.map((t) => {
      const table = exports[t] as WebAssembly.Table;
      const entries: string[] = [];
      for (let i = 0; i < table.length; i++) entries.push(show(table.get(i), this.functionIndex));
      return `${t}[${entries.join(' ')}]`;
    });
    return { name, outcome, log, memory, globals, tables };
  }
}

type EngineState = [number, number, number, number, number, number];

/** One instance of the instrumented copy, called the way the engine calls it. */
class MeteredSide {
  readonly observer: Observer;
  private exports: WebAssembly.Exports = {};
  private state: () => EngineState = () => [Number.NaN, 0, 0, 0, 0, -1];
  private readonly sdkName: Map<string, string>;
  private readonly returnsI32: Set<string>;

  constructor(
    exposed: ExposedModule,
    instrumented: InstrumentResult,
    private readonly module: WebAssembly.Module,
    private readonly fuel: number,
  ) {
    // Every reference to an import now names its wrapper (the engine's kernel route): read it back.
    const wrapped = new Map([...(instrumented.kernelWrappers ?? [])].map(([i, w]) => [String(w), String(i)]));
    this.observer = new Observer(instrumented.bytes, exposed, (index) => wrapped.get(index) ?? index);
    this.sdkName = new Map(instrumented.meta.functionExports.map((e) => [e.name, e.sdkName]));
    this.returnsI32 = new Set(
      instrumented.meta.functionExports.filter((e) => e.results.length === 1).map((e) => e.name),
    );
  }

  /**
   * Instantiation runs no guest code here: the rewriter defers the start function and the active
   * segments to the first call (Extism's lazy instantiation), so they run, metered, inside the
   * first export's step. Returns the instantiation error, if any.
   */
  instantiate(): string | undefined {
    try {
      this.exports = new WebAssembly.Instance(this.module, this.observer.imports).exports;
    } catch (error) {
      return describeError(error);
    }
    (this.exports[ENGINE_EXPORTS.setBudget] as (fuel: number) => void)(this.fuel);
    // Bulk work (bytes filled, copied, grown) is bounded like fuel: far above what a fuzz module
    // needs, and a step past it is never run on the original, which could not be stopped.
    (this.exports[ENGINE_EXPORTS.setWorkBound] as (bytes: number) => void)(BULK_WORK_BOUND);
    this.state = this.exports[ENGINE_EXPORTS.state] as () => EngineState;
    return undefined;
  }

  run(name: string): MeteredStep {
    return this.call(name, this.sdkName.get(name) ?? name);
  }

  private call(name: string, exportName: string): MeteredStep {
    let outcome = 'returned';
    try {
      (this.exports[exportName] as () => void)();
      if (this.returnsI32.has(name)) outcome = `returned ${this.state()[3]}`;
    } catch (error) {
      outcome = describeError(error);
    }
    const [, fuel, stop] = this.state();
    const step = this.observer.step(this.exports, name, outcome);
    return { ...step, fuel, outOfFuel: stop === STOP.outOfFuel || stop === STOP.bulkWork };
  }
}

/** The original, run as it is; it cannot be interrupted, so it only runs what the metered copy finished. */
class PlainSide {
  readonly observer: Observer;
  private exports: WebAssembly.Exports | undefined;

  constructor(
    exposed: ExposedModule,
    private readonly module: WebAssembly.Module,
  ) {
    this.observer = new Observer(exposed.bytes, exposed);
  }

  /**
   * Instantiates (segments, then the start function), returning the error if that failed. No step
   * is taken: what start did is observed with the first export's step, where the metered copy
   * runs it.
   */
  instantiate(): string | undefined {
    try {
      this.exports = new WebAssembly.Instance(this.module, this.observer.imports).exports;
      return undefined;
    } catch (error) {
      return describeError(error);
    }
  }

  /** The failed instantiation as a step: its import calls and its error, no state to read. */
  failedStart(name: string, outcome: string): Step {
    return this.observer.step(undefined, name, outcome);
  }

  run(name: string): Step {
    let outcome: string;
    try {
      const result = (this.exports![name] as () => unknown)();
      outcome = result === undefined ? 'returned' : `returned ${show(result)}`;
    } catch (error) {
      outcome = describeError(error);
    }
    return this.observer.step(this.exports, name, outcome);
  }
}

/**
 * The one trap the rewriter words differently on purpose: a float-to-int truncation out of range
 * traps through `i32.div_s(INT32_MIN, -1)` ("divide result unrepresentable"), so the engine can
 * tell wasmtime's `integer overflow` from NaN's `invalid conversion to integer`, where V8 says
 * "float unrepresentable in integer range" for both (src/engine/trap-text.ts).
 */
function meteredOutcomeAsOriginal(original: string, metered: string): string {
  const truncation = 'RuntimeError: float unrepresentable in integer range';
  return original === truncation && metered === 'RuntimeError: divide result unrepresentable'
    ? truncation
    : metered;
}

function compareStep(a: Step, b: Step): { step: string; what: string; detail: string } | undefined {
  const memory = describeMemory(a.memory, b.memory);
  if (a.outcome === b.outcome && a.log.join('\n') === b.log.join('\n') && memory !== undefined) {
    return { step: a.name, what: 'memory', detail: memory };
  }
  const fields = [
    ['outcome', a.outcome, meteredOutcomeAsOriginal(a.outcome, b.outcome)],
    ['import calls', a.log.join('\n'), b.log.join('\n')],
    ['globals', a.globals.join('\n'), b.globals.join('\n')],
    ['tables', a.tables.join('\n'), b.tables.join('\n')],
  ] as const;
  for (const [what, left, right] of fields) {
    if (left !== right) return { step: a.name, what, detail: `original:\n${left}\ninstrumented:\n${right}` };
  }
  return undefined;
}

/** Runs `exposed` both ways and reports the first difference, if any. */
export function runDifferential(
  exposed: ExposedModule,
  overrides: Partial<DifferentialOptions> = {},
): DifferentialResult {
  const options = { ...DEFAULT_DIFFERENTIAL_OPTIONS, ...overrides };
  let plainModule: WebAssembly.Module;
  try {
    plainModule = new WebAssembly.Module(exposed.bytes as Uint8Array<ArrayBuffer>);
  } catch (error) {
    if (error instanceof WebAssembly.CompileError) return { kind: 'rejected-by-v8', detail: error.message };
    throw error;
  }
  let instrumented: InstrumentResult;
  try {
    instrumented = (options.instrumenter ?? binaryInstrumenter).instrument(readModuleInfo(exposed.bytes), {
      // The wasm32 maximum: the cap must not change what memory.grow does.
      maxMemoryPages: 65536,
      kernelCallFuel: options.kernelCallFuel,
    });
  } catch (error) {
    return { kind: 'divergence', step: 'instrument', what: 'rewriter refused', detail: describeError(error) };
  }
  let meteredModule: WebAssembly.Module;
  try {
    meteredModule = new WebAssembly.Module(instrumented.bytes as Uint8Array<ArrayBuffer>);
  } catch (error) {
    return { kind: 'divergence', step: 'compile', what: 'invalid output', detail: describeError(error) };
  }
  const metered = new MeteredSide(exposed, instrumented, meteredModule, options.fuel);
  const plain = new PlainSide(exposed, plainModule);
  const meteredInit = metered.instantiate();
  const plainInit = plain.instantiate();
  if (meteredInit !== undefined) {
    // Nothing of the guest runs at the metered instantiation: only unresolvable imports fail it.
    return { kind: 'divergence', step: INSTANTIATION, what: 'instantiation', detail: meteredInit };
  }
  const fuelTrace: string[] = [];
  let compared = 0;
  let stopped: 'out-of-fuel' | 'stack-overflow' | undefined;
  for (const name of exposed.functions) {
    const b = metered.run(name);
    fuelTrace.push(`${b.name}: ${b.outcome}, fuel ${b.fuel}`);
    // Never run the original through a step the metered copy could not finish.
    if (b.outOfFuel) {
      stopped = 'out-of-fuel';
      break;
    }
    if (plainInit !== undefined) {
      // The original failed to instantiate (a trapping start, a segment out of bounds): the
      // metered copy must fail its first call, after the same import calls. V8 words an
      // instantiation failure differently from the trap of the deferred step, so only the failure
      // itself and the import calls before it are compared.
      const a = plain.failedStart(name, plainInit);
      if (isStackOverflow(a.outcome) || isStackOverflow(b.outcome)) {
        stopped = 'stack-overflow';
        break;
      }
      if (b.outcome.startsWith('returned')) {
        return {
          kind: 'divergence',
          step: name,
          what: 'outcome',
          detail: `original failed to instantiate: ${plainInit}\ninstrumented: ${b.outcome}`,
        };
      }
      if (a.log.join('\n') !== b.log.join('\n')) {
        return {
          kind: 'divergence',
          step: name,
          what: 'import calls',
          detail: `original:\n${a.log.join('\n')}\ninstrumented:\n${b.log.join('\n')}`,
        };
      }
      compared++;
      break;
    }
    const a = plain.run(name);
    if (isStackOverflow(a.outcome) || isStackOverflow(b.outcome)) {
      stopped = 'stack-overflow';
      break;
    }
    const difference = compareStep(a, b);
    if (difference !== undefined) return { kind: 'divergence', ...difference };
    compared++;
  }
  // Fuel must not depend on anything but the module and the calls: a fresh instance, the same
  // steps, the same counts.
  const again = new MeteredSide(exposed, instrumented, meteredModule, options.fuel);
  again.instantiate();
  const rerun: string[] = [];
  for (const name of exposed.functions.slice(0, fuelTrace.length)) {
    const b = again.run(name);
    rerun.push(`${b.name}: ${b.outcome}, fuel ${b.fuel}`);
  }
  if (rerun.join('\n') !== fuelTrace.join('\n')) {
    return {
      kind: 'divergence',
      step: 'rerun',
      what: 'fuel is not deterministic',
      detail: `first run:\n${fuelTrace.join('\n')}\nsecond run:\n${rerun.join('\n')}`,
    };
  }
  return stopped === undefined
    ? { kind: 'same', steps: compared }
    : { kind: 'same', steps: compared, stopped };
}
