/**
 * Engine layer: the one instrumentation pass that makes a guest module behave, under V8, like it
 * does under the Rust host's wasmtime — a direct binary rewriter.
 *
 * What it adds (all new functions, globals and types are appended, so no existing index shifts,
 * and no import is ever added because that would shift every function index):
 *
 * - **Fuel, wasmtime's cost model.** Operators cost 1, except `nop`, `drop`, `block`, `loop`,
 *   `unreachable`, `return`, `else`, `end` (0); every function entry costs 1 more. wasmtime keeps
 *   the pending cost of a straight-line run and adds it to the counter only at `loop`, `if`,
 *   `br*`, `end`, `else`, calls, `return` and `unreachable`, and checks the counter at function
 *   entry and at loop headers (out of fuel when consumed ≥ budget, i.e. remaining ≤ 0). We charge
 *   at exactly those points with exactly those amounts, so the remaining fuel after a call is the
 *   number wasmtime would report, and exhaustion is detected at the same checks. The counter is a
 *   mutable i64 global (remaining fuel) every export wrapper sets to the budget on entry; inside a
 *   guest function it lives in a local, as wasmtime keeps it in a register (instrumentBody says
 *   where it is written back). On exhaustion the check sets the stop flag and executes
 *   `unreachable` in place: a path that never returns costs V8 no register shuffling in the loop.
 * - **Kernel-call fuel, on every route.** In the Rust host the Extism kernel is itself wasm and
 *   burns fuel; the JS kernel is free. Every reference to an `extism:host/env` import — `call`,
 *   `return_call`, `ref.func`, element segments (so `call_indirect` through a table, `table.set`
 *   and `table.grow` all see it), global initializers and the start function — is redirected to
 *   an appended wrapper that charges `kernelCallFuel` (then checks) and forwards; a declarative
 *   element segment declares the wrappers for `ref.func`. The `alloc` wrapper also returns 0 (the
 *   Rust kernel's allocation failure) for `alloc(0)` and once a call's kernel allocations would
 *   exceed the memory cap. The `output_set` wrapper records address and length (the JS kernel
 *   ignores `len`); the `error_set` wrapper drops `error_set(0)`, which clears the error in Rust.
 * - **Return codes.** The SDK discards an export's i32 result; each callable export is re-pointed
 *   at an appended wrapper that stores the result in a global.
 * - **Lazy initialization, on the first call's fuel.** Extism builds a plugin without an instance
 *   and instantiates inside the first call (runtime/src/plugin.rs `Plugin::instantiate`, called
 *   from `raw_call` after `set_fuel`): the start function runs there, then the guest runtime's
 *   initializer (`detect_guest_runtime`: `hs_init` after an optional `_initialize`, else
 *   `__wasm_call_ctors`, else `_initialize`, each only if typed `() -> ()`). Active element and
 *   data segments are initialization too (wasmtime applies them when it instantiates, so an
 *   out-of-bounds segment fails the first call, not the build): they become passive segments
 *   that `init` applies with `table.init`/`memory.init` before the start function. The start
 *   section is removed, the exports the SDK would run on its own (`_start`, `_initialize`, `hs_init`) are
 *   renamed, and an appended `init` function runs those steps from inside the first export
 *   wrapper, on that call's budget. A phase global tells the engine which step trapped.
 * - **Bulk work that fuel cannot see.** `memory.fill/copy/init`, `table.fill/copy/init/grow` and
 *   `memory.grow` cost 1 fuel in wasmtime whatever their length. Each is replaced by a call to an
 *   appended helper that adds its length (weighted, BULK_WORK_WEIGHT) to a per-call work
 *   counter and stops the call (stop flag 2 → `timeout`) once the counter passes the bound the
 *   engine sets (see plugin.ts `BULK_WORK_BYTES_PER_MS`); then performs the operation.
 * - **wasmtime's trap codes.** V8 reports float-to-int overflow and NaN alike; each trapping
 *   truncation is replaced by a helper that traps with V8's integer-overflow trap for an
 *   out-of-range operand (wasmtime: `integer overflow`) and lets the truncation trap for NaN
 *   (`invalid conversion to integer`).
 * - **Engine state, through functions.** The engine's globals are not exported: each exported
 *   global costs V8 a wrapper object at every instantiation (about 0.45 µs apiece, measured).
 *   `set-budget` (once per instance), `set-work-bound` (once per instance) and `state` (one call
 *   after each guest call, all values as one multi-value result, numbers only) are exported.
 * - **Memory cap.** Every defined memory gets maximum = min(declared maximum, cap).
 *
 * Helper substitutions replace one operator with one `call` of the same stack signature, and the
 * fuel accounting runs over the guest's own operators: fuel counts are unchanged by them.
 * Proposals the host accepts but V8 cannot run (memory64, multi-memory) and proposals the host
 * refuses (exceptions, GC, typed function references) are reported as WasmFeatureError.
 */
import { functionType, type ModuleInfo } from './module-info.js';
import { ATOMIC, EMPTY_BLOCK_TYPE, FUNC_TYPE, MISC, OP, SIMD } from './opcodes.js';
import { type BodyHooks, ProfileInstrumentation } from './profile/profile-instrumentation.js';
import {
  ByteReader,
  ByteWriter,
  EXTERNAL_KIND_BYTE,
  type FuncType,
  type ImportEntry,
  LIMITS_64,
  LIMITS_HAS_MAX,
  refusedTypeFeature,
  SECTION,
  SECTION_ORDER,
  VALTYPE_BYTE,
  type ValType,
  WasmFeatureError,
  WasmFormatError,
} from './wasm-binary.js';

export interface InstrumentOptions {
  /** Upper bound for every defined memory's maximum, in 64 KiB pages. */
  readonly maxMemoryPages: number;
  /** Fuel charged per call into `extism:host/env`. */
  readonly kernelCallFuel: number;
  /** Build the profiling variant (profile/profile-instrumentation.ts). */
  readonly profile?: boolean;
}

/** A function export as the engine sees it: the guest's name, and the name to call through the SDK. */
export interface FunctionExportMeta {
  readonly name: string;
  readonly sdkName: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export interface InstrumentMeta {
  readonly functionExports: readonly FunctionExportMeta[];
  readonly imports: readonly {
    readonly module: string;
    readonly name: string;
    readonly kind: ImportEntry['kind'];
  }[];
  /** Whether the module had a start function (run by the first call, see INIT_PHASE). */
  readonly hasStart: boolean;
}

export interface InstrumentResult {
  readonly bytes: Uint8Array;
  readonly meta: InstrumentMeta;
  /**
   * Import function index → the index of the wrapper every reference to it was redirected to.
   * Not cached with the module (the engine never needs it): it lets a comparison of the guest's
   * own and the instrumented module (fuzz/differential.ts) tell a redirected reference from a
   * changed one.
   */
  readonly kernelWrappers?: ReadonlyMap<number, number>;
}

/** The seam a faster rewriter can replace: bytes in, instrumented bytes plus metadata out. */
export interface Instrumenter {
  /** Part of every cache key: bump it whenever the output for the same input changes. */
  readonly id: string;
  instrument(info: ModuleInfo, options: InstrumentOptions): InstrumentResult;
}

/** Exports added by the instrumenter; guest exports under the prefix are refused. */
export const RESERVED_EXPORT_PREFIX = 'cc-lb-engine:';
export const ENGINE_EXPORTS = {
  /** `(f64) -> ()`: the fuel budget every export wrapper starts a call with */
  setBudget: 'cc-lb-engine:set-budget',
  /** `(f64) -> ()`: the bulk-work bound (bytes) per call; past it the call stops (`timeout`) */
  setWorkBound: 'cc-lb-engine:set-work-bound',
  /**
   * `() -> (f64 f64 i32 i32 f64 f64 i32)`: remaining fuel after a normal return (NaN if the last
   * call did not return normally), the fuel counter, the stop flag (STOP), the return code, the
   * `output_set` offset and length (-1: not called) of the last call, and the initialization
   * phase the call was in when it ended (INIT_PHASE; 0 once initialization is done)
   */
  state: 'cc-lb-engine:state',
} as const;

/** Why the instrumentation stopped a call (the third `state` value). */
export const STOP = { none: 0, outOfFuel: 1, bulkWork: 2 } as const;

/** The lazy-initialization step a call was in (the seventh `state` value); 0: none. */
export const INIT_PHASE = {
  none: 0,
  start: 1,
  wasiRuntime: 2,
  haskellReactor: 3,
  haskellInit: 4,
} as const;

/**
 * Bulk-work units per byte or element, so that one unit is about the same wall time whatever the
 * operation: `memory.copy` moves a byte at about half the speed of `memory.fill` and a table
 * element costs about as much as 480 bytes of fill (bench/bulk-work.ts, on the calibration machine:
 * fill 8.4 MiB/ms, copy 4.3 MiB/ms, table.fill 18.3 k elements/ms). `memory.grow` counts its bytes.
 */
export const BULK_WORK_WEIGHT = { fill: 1, init: 1, copy: 2, grow: 1, tableElement: 512 } as const;
const PAGE_BYTES = 65536;

/** Exports the SDK calls by itself at instantiation; the engine runs them instead. */
const SDK_AUTORUN_EXPORTS = new Set(['_start', '_initialize', 'hs_init']);

/** An instrumentation refusal that is the guest's fault (reported as a build failure). */
export class InstrumentError extends Error {
  override readonly name = 'InstrumentError';
}

const ADDRESS_OFFSET_MASK = (1n << 48n) - 1n;

function f64Bytes(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return bytes;
}

function f32Bytes(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return bytes;
}

/**
 * The trapping float-to-int truncations: operand type, result width, signedness. V8 traps with
 * one message for NaN and for overflow; wasmtime has two trap codes.
 */
const TRUNCATIONS: Readonly<Record<number, { from: 'f32' | 'f64'; bits: 32 | 64; signed: boolean }>> = {
  [OP.i32TruncF32S]: { from: 'f32', bits: 32, signed: true },
  [OP.i32TruncF32U]: { from: 'f32', bits: 32, signed: false },
  [OP.i32TruncF64S]: { from: 'f64', bits: 32, signed: true },
  [OP.i32TruncF64U]: { from: 'f64', bits: 32, signed: false },
  [OP.i64TruncF32S]: { from: 'f32', bits: 64, signed: true },
  [OP.i64TruncF32U]: { from: 'f32', bits: 64, signed: false },
  [OP.i64TruncF64S]: { from: 'f64', bits: 64, signed: true },
  [OP.i64TruncF64U]: { from: 'f64', bits: 64, signed: false },
};

/** Operators of proposals the host refuses: the proposal, and the operator's name. */
const REFUSED_OPS: Readonly<Record<number, readonly [string, string]>> = {
  [OP.try]: ['exceptions', 'try'],
  [OP.catch]: ['exceptions', 'catch'],
  [OP.throw]: ['exceptions', 'throw'],
  [OP.rethrow]: ['exceptions', 'rethrow'],
  [OP.throwRef]: ['exceptions', 'throw_ref'],
  [OP.delegate]: ['exceptions', 'delegate'],
  [OP.catchAll]: ['exceptions', 'catch_all'],
  [OP.tryTable]: ['exceptions', 'try_table'],
  [OP.callRef]: ['function-references', 'call_ref'],
  [OP.returnCallRef]: ['function-references', 'return_call_ref'],
  [OP.refAsNonNull]: ['function-references', 'ref.as_non_null'],
  [OP.brOnNull]: ['function-references', 'br_on_null'],
  [OP.brOnNonNull]: ['function-references', 'br_on_non_null'],
  [OP.refEq]: ['gc', 'ref.eq'],
  [OP.prefixGc]: ['gc', 'GC instruction'],
};

/** What the body walk does with a single-byte operator (bit flags, OP_CLASS). */
const OP_FREE = 1; // wasmtime charges nothing for it
const OP_FLUSH = 2; // wasmtime adds the pending cost to the counter before it
const OP_TRAPS = 4; // it can trap (0xfc/0xfd: depending on the sub-opcode, see mayTrapPrefixed)
const OP_PLAIN = 8; // no immediates and nothing to rewrite: the walk only counts it
const OP_REWRITTEN = 16; // it may be replaced (substitution)
const OP_INDEX = 32; // one index immediate, nothing to rewrite, cannot trap (local.*, global.*)

/** OP_* flags by opcode; an operator without any is costed 1 and has its immediates skipped. */
const OP_CLASS: Uint8Array = (() => {
  const c = new Uint8Array(256);
  for (let op: number = OP.i32Eqz; op <= OP.i64Extend32S; op++) c[op] = OP_PLAIN;
  for (const op of [
    OP.i32DivS,
    OP.i32DivU,
    OP.i32RemS,
    OP.i32RemU,
    OP.i64DivS,
    OP.i64DivU,
    OP.i64RemS,
    OP.i64RemU,
  ]) {
    c[op] = OP_PLAIN | OP_TRAPS;
  }
  // replaced by helper calls, which trap like the operator (or stop the call)
  for (const op of Object.keys(TRUNCATIONS)) c[Number(op)] = OP_TRAPS | OP_REWRITTEN;
  c[OP.memoryGrow] = OP_TRAPS | OP_REWRITTEN;
  c[OP.prefixMisc] = OP_TRAPS | OP_REWRITTEN;
  c[OP.refFunc] = OP_REWRITTEN;
  c[OP.prefixSimd] = OP_TRAPS;
  c[OP.prefixAtomic] = OP_TRAPS;
  for (let op: number = OP.i32Load; op <= OP.i64Store32; op++) c[op] = OP_TRAPS;
  c[OP.tableGet] = OP_TRAPS;
  c[OP.tableSet] = OP_TRAPS;
  for (let op: number = OP.localGet; op <= OP.globalSet; op++) c[op] = OP_INDEX;
  c[OP.select] = OP_PLAIN;
  c[OP.refIsNull] = OP_PLAIN;
  c[OP.nop] = OP_PLAIN | OP_FREE;
  c[OP.drop] = OP_PLAIN | OP_FREE;
  c[OP.block] = OP_FREE;
  for (const op of [OP.unreachable, OP.return, OP.loop, OP.else, OP.end]) c[op] = OP_FREE | OP_FLUSH;
  for (const op of [
    OP.call,
    OP.callIndirect,
    OP.returnCall,
    OP.returnCallIndirect,
    OP.if,
    OP.br,
    OP.brIf,
    OP.brTable,
  ]) {
    c[op] = OP_FLUSH;
  }
  return c;
})();

/**
 * The engine's globals, appended after the guest's in this order. The one declaration both their
 * indices (Layout) and their entries in the global section come from.
 */
const ENGINE_GLOBALS = {
  /** remaining fuel in this call (a running guest function keeps its own copy in a local) */
  fuel: { type: 'i64', init: 0 },
  /** why the call was stopped (STOP) */
  stopFlag: { type: 'i32', init: 0 },
  /** the export's i32 result */
  returnCode: { type: 'i32', init: 0 },
  /** the `output_set` offset inside its kernel block */
  outputOffset: { type: 'f64', init: 0 },
  /** the `output_set` length (-1: not called) */
  outputLength: { type: 'f64', init: -1 },
  /** kernel bytes allocated in this call */
  kernelAllocated: { type: 'i64', init: 0 },
  /** the fuel budget per call (set once by the engine) */
  budget: { type: 'i64', init: 0 },
  /** remaining fuel after a normal return (NaN otherwise) */
  remaining: { type: 'f64', init: 0 },
  /** bulk work done in this call */
  workDone: { type: 'i64', init: 0 },
  /** the bulk-work bound per call (set once by the engine) */
  workBound: { type: 'i64', init: 0 },
  /** lazy initialization still to run: 1 in a module that has any */
  initPending: { type: 'i32', init: 'lazy' },
  /** the initialization phase (INIT_PHASE) */
  initPhase: { type: 'i32', init: 0 },
} as const satisfies Record<string, { type: ValType; init: number | 'lazy' }>;

type EngineGlobal = keyof typeof ENGINE_GLOBALS;

/** Where the engine's own globals and functions are: global and function indices. */
type Layout = Record<EngineGlobal, number> & {
  /** `(i64) -> ()`: adds bulk work and stops the call past the bound */
  readonly accountFn: number;
  /** Kernel import function index → its wrapper's function index. */
  readonly kernelWrapper: ReadonlyMap<number, number>;
};

export const binaryInstrumenter: Instrumenter = {
  id: 'binary-rewriter-7',
  instrument: instrumentBinary,
};

/**
 * Everything the instrumenter appends to the module: function types (deduplicated), globals,
 * functions and exports. Each gets its index when it is declared and is emitted from the same
 * list, after the module's own entries, so no existing index moves and no index is ever matched
 * to its entry by position elsewhere.
 */
class Appended {
  readonly types: FuncType[] = [];
  readonly globals: { readonly type: ValType; readonly init: number }[] = [];
  readonly functions: { readonly type: number; body: Uint8Array | undefined }[] = [];
  readonly exports: (readonly [name: string, functionIndex: number])[] = [];
  private readonly typeIndex = new Map<string, number>();
  private readonly typeBase: number;
  private readonly globalBase: number;
  private readonly functionBase: number;

  constructor(info: ModuleInfo) {
    this.typeBase = info.types.length;
    this.globalBase = info.importedGlobalCount + info.definedGlobalCount;
    this.functionBase = info.importedFunctionCount + info.definedFunctionTypes.length;
  }

  type(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(',')}>${results.join(',')}`;
    let found = this.typeIndex.get(key);
    if (found === undefined) {
      found = this.typeBase + this.types.length;
      this.types.push({ params, results });
      this.typeIndex.set(key, found);
    }
    return found;
  }

  global(type: ValType, init: number): number {
    this.globals.push({ type, init });
    return this.globalBase + this.globals.length - 1;
  }

  /** A function whose body comes later (it may refer to functions declared after it). */
  reserve(type: number): number {
    this.functions.push({ type, body: undefined });
    return this.functionBase + this.functions.length - 1;
  }

  define(index: number, bodyBytes: Uint8Array): void {
    const fn = this.functions[index - this.functionBase];
    if (fn === undefined) throw new Error(`function ${index} was not appended`);
    fn.body = bodyBytes;
  }

  function(type: number, bodyBytes: Uint8Array): number {
    const index = this.reserve(type);
    this.define(index, bodyBytes);
    return index;
  }

  export(name: string, functionIndex: number): void {
    this.exports.push([name, functionIndex]);
  }

  functionBodies(): Uint8Array[] {
    return this.functions.map((fn, i) => {
      if (fn.body === undefined) throw new Error(`appended function ${this.functionBase + i} has no body`);
      return fn.body;
    });
  }
}

/** The engine's exported functions: name, signature and body (over the Layout). */
const ENGINE_FUNCTIONS: readonly {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly fill: (w: ByteWriter, layout: Layout) => void;
}[] = [
  {
    name: ENGINE_EXPORTS.setBudget,
    params: ['f64'],
    results: [],
    // the engine passes a safe integer ≥ 0, which the truncation converts exactly
    fill: (w, layout) => w.u8(OP.localGet).u32(0).u8(OP.i64TruncF64S).u8(OP.globalSet).u32(layout.budget),
  },
  {
    name: ENGINE_EXPORTS.setWorkBound,
    params: ['f64'],
    results: [],
    fill: (w, layout) => w.u8(OP.localGet).u32(0).u8(OP.i64TruncF64S).u8(OP.globalSet).u32(layout.workBound),
  },
  {
    name: ENGINE_EXPORTS.state,
    params: [],
    results: ['f64', 'f64', 'i32', 'i32', 'f64', 'f64', 'i32'],
    fill: (w, layout) => {
      w.u8(OP.globalGet).u32(layout.remaining);
      w.u8(OP.globalGet).u32(layout.fuel).u8(OP.f64ConvertI64S);
      w.u8(OP.globalGet).u32(layout.stopFlag);
      w.u8(OP.globalGet).u32(layout.returnCode);
      w.u8(OP.globalGet).u32(layout.outputOffset);
      w.u8(OP.globalGet).u32(layout.outputLength);
      w.u8(OP.globalGet).u32(layout.initPhase);
    },
  },
];

function instrumentBinary(info: ModuleInfo, options: InstrumentOptions): InstrumentResult {
  const { bytes } = info;
  checkModuleFeatures(info);
  for (const entry of info.exports) {
    if (entry.name.startsWith(RESERVED_EXPORT_PREFIX)) {
      throw new InstrumentError(`export "${entry.name}" uses the prefix reserved by the engine`);
    }
  }

  // Lazy initialization: active segments, the start function and the guest runtime's initializer.
  const segments = activeSegments(info);
  const initSteps = initializationSteps(info);
  const lazy = initSteps.length > 0 || segments.elements.length > 0 || segments.data.length > 0;

  const appended = new Appended(info);
  const voidType = appended.type([], []);
  const globals = {} as Record<EngineGlobal, number>;
  for (const [name, spec] of Object.entries(ENGINE_GLOBALS) as [
    EngineGlobal,
    (typeof ENGINE_GLOBALS)[EngineGlobal],
  ][]) {
    globals[name] = appended.global(spec.type, spec.init === 'lazy' ? (lazy ? 1 : 0) : spec.init);
  }
  const kernelWrapper = new Map<number, number>();
  const layout: Layout = {
    ...globals,
    accountFn: appended.function(
      appended.type(['i64'], []),
      body((w) => {
        // workDone += n; past the bound → stop flag 2 and trap (the engine reports `timeout`)
        w.u8(OP.globalGet).u32(globals.workDone).u8(OP.localGet).u32(0).u8(OP.i64Add);
        w.u8(OP.globalSet).u32(globals.workDone);
        w.u8(OP.globalGet).u32(globals.workDone).u8(OP.globalGet).u32(globals.workBound).u8(OP.i64GtU);
        w.u8(OP.if).u8(EMPTY_BLOCK_TYPE);
        w.u8(OP.i32Const).u8(STOP.bulkWork).u8(OP.globalSet).u32(globals.stopFlag).u8(OP.unreachable);
        w.u8(OP.end);
      }),
    ),
    kernelWrapper,
  };

  const capBytes = BigInt(options.maxMemoryPages) * 65536n;
  const kernelFuel = Math.max(0, Math.floor(options.kernelCallFuel));
  const snippets = new Snippets(layout);
  info.imports
    .filter((i) => i.kind === 'function')
    .forEach((entry, index) => {
      const type = info.types[entry.typeIndex!]!;
      const wrapper = appended.function(
        entry.typeIndex!,
        body((w) => kernelWrapperBody(w, entry, type, index, kernelFuel, capBytes, layout, snippets)),
      );
      kernelWrapper.set(index, wrapper);
    });
  const redirect = (index: number): number => kernelWrapper.get(index) ?? index;

  const initFn = lazy ? appended.reserve(voidType) : undefined;
  if (initFn !== undefined) appended.define(initFn, initBody(info, segments, initSteps, layout, redirect));

  // Export wrappers: one per function export the Extism call path can invoke (no parameters).
  const functionExports: FunctionExportMeta[] = [];
  const exportRewrites = new Map<number, { name: string; index: number }>();
  info.exports.forEach((entry, position) => {
    const rename = SDK_AUTORUN_EXPORTS.has(entry.name)
      ? `${RESERVED_EXPORT_PREFIX}export:${entry.name}`
      : entry.name;
    if (entry.kind !== 'function') {
      if (rename !== entry.name) exportRewrites.set(position, { name: rename, index: entry.index });
      return;
    }
    const type = functionType(info, entry.index);
    functionExports.push({ name: entry.name, sdkName: rename, params: type.params, results: type.results });
    if (type.params.length === 0 && type.results.length <= 1) {
      const wrapper = appended.function(
        voidType,
        exportWrapperBody(redirect(entry.index), type.results, layout, initFn),
      );
      exportRewrites.set(position, { name: rename, index: wrapper });
    } else if (rename !== entry.name) {
      exportRewrites.set(position, { name: rename, index: entry.index });
    }
  });

  for (const fn of ENGINE_FUNCTIONS) {
    appended.export(
      fn.name,
      appended.function(
        appended.type(fn.params, fn.results),
        body((w) => fn.fill(w, layout)),
      ),
    );
  }

  // Function bodies are rewritten before any section is written: the helpers they call are
  // appended functions (and types) discovered on the way.
  const helpers = new OperatorHelpers(info, appended, layout);
  const profile =
    options.profile === true
      ? new ProfileInstrumentation(info, layout.fuel, appended.type(['f64', 'i32'], []))
      : undefined;
  const code = codeSection(info, redirect, new LocalFuelCodes(layout, snippets), helpers, appended, profile);

  // Every section the rewrite replaces, adds or drops (null); the others are copied as they are.
  const own = (id: number): { start: number; end: number } | undefined =>
    info.sections.find((s) => s.id === id);
  const rewrites = new Map<number, SectionPayload | null>([
    [SECTION.type, typeSection(bytes, own(SECTION.type), appended.types)],
    [
      SECTION.function,
      functionSection(
        bytes,
        own(SECTION.function),
        appended.functions.map((f) => f.type),
      ),
    ],
    [SECTION.global, globalSection(bytes, own(SECTION.global), redirect, appended.globals)],
    [SECTION.export, exportSection(info, exportRewrites, appended.exports)],
    [SECTION.start, null], // the first call runs the start function itself, under its fuel
    [SECTION.code, code],
  ]);
  if (own(SECTION.memory) !== undefined) {
    rewrites.set(SECTION.memory, memorySection(info, options.maxMemoryPages));
  }
  const kernelWrappers = [...kernelWrapper.values()];
  if (own(SECTION.element) !== undefined || kernelWrappers.length > 0) {
    rewrites.set(SECTION.element, elementSection(bytes, own(SECTION.element), redirect, kernelWrappers));
  }
  const data = own(SECTION.data);
  if (data !== undefined) rewrites.set(SECTION.data, dataSection(bytes, data));
  // memory.init and data.drop in the init function need the data count section
  if (own(SECTION.dataCount) !== undefined || segments.data.length > 0) {
    rewrites.set(SECTION.dataCount, new ByteWriter(8).u32(segments.dataCount));
  }
  const module = assembleModule(info, rewrites);

  return {
    bytes: profile === undefined ? module : profile.extendModule(module),
    meta: {
      functionExports,
      imports: info.imports.map((i) => ({ module: i.module, name: i.name, kind: i.kind })),
      hasStart: info.startFunction !== undefined,
    },
    kernelWrappers: kernelWrapper,
  };
}

/** A section's payload, whole or in pieces written one after the other. */
type SectionPayload = ByteWriter | readonly Uint8Array[];

function payloadLength(payload: SectionPayload): number {
  return payload instanceof ByteWriter ? payload.length : payload.reduce((n, piece) => n + piece.length, 0);
}

/**
 * The module with its sections replaced by `rewrites` (null: dropped), in their places; a
 * rewritten section the module lacks is inserted at its place in the canonical order. Custom and
 * other sections are copied as they are.
 */
function assembleModule(info: ModuleInfo, rewrites: ReadonlyMap<number, SectionPayload | null>): Uint8Array {
  const { bytes } = info;
  // the exact size but for LEB lengths, so no buffer of megabytes is grown (copied) on the way
  let capacity = 8;
  for (const raw of info.sections) {
    if (raw.id === SECTION.custom || !rewrites.has(raw.id)) capacity += raw.end - raw.start + 6;
  }
  for (const payload of rewrites.values()) capacity += payload === null ? 0 : payloadLength(payload) + 6;
  const out = new ByteWriter(capacity);
  const write = (id: number, payload: SectionPayload): void => {
    out.u8(id);
    if (payload instanceof ByteWriter) {
      out.sized(payload);
      return;
    }
    out.u32(payloadLength(payload));
    for (const piece of payload) out.bytes(piece);
  };
  out.bytes(bytes.subarray(0, 8));
  const present = new Set(info.sections.map((s) => s.id));
  const missing = SECTION_ORDER.filter((id) => !present.has(id) && (rewrites.get(id) ?? null) !== null);
  let next = 0;
  const insertBefore = (rank: number): void => {
    for (; next < missing.length && SECTION_ORDER.indexOf(missing[next]!) < rank; next++) {
      write(missing[next]!, rewrites.get(missing[next]!)!);
    }
  };
  for (const raw of info.sections) {
    if (raw.id !== SECTION.custom) insertBefore(SECTION_ORDER.indexOf(raw.id));
    const payload = raw.id === SECTION.custom ? undefined : rewrites.get(raw.id);
    if (payload === null) continue;
    if (payload === undefined) out.u8(raw.id).sized(bytes.subarray(raw.start, raw.end));
    else write(raw.id, payload);
  }
  insertBefore(SECTION_ORDER.length);
  return out.finish();
}

/** Module-level proposals: memories and tables the engine cannot run, tags (exceptions). */
function checkModuleFeatures(info: ModuleInfo): void {
  if (info.sections.some((s) => s.id === SECTION.tag)) {
    throw new WasmFeatureError('exceptions', false, 'a tag section');
  }
  if (info.memories.some((m) => (m.flags & LIMITS_64) !== 0)) {
    throw new WasmFeatureError('memory64', true, 'a 64-bit memory');
  }
  if (info.tables.some((t) => (t.limits.flags & LIMITS_64) !== 0)) {
    throw new WasmFeatureError('memory64', true, 'a 64-bit table');
  }
  if (info.memories.length > 1) {
    throw new WasmFeatureError('multi-memory', true, `${info.memories.length} memories`);
  }
}

function body(fill: (w: ByteWriter) => void, locals: readonly ValType[] = []): Uint8Array {
  const w = new ByteWriter(64);
  w.u32(locals.length);
  for (const local of locals) w.u32(1).u8(VALTYPE_BYTE[local]);
  fill(w);
  w.u8(OP.end);
  return w.finish().slice();
}

/** One initialization step: an INIT_PHASE and the function it calls (guest index). */
interface InitStep {
  readonly phase: number;
  readonly fn: number;
}

/** Extism's order: the start function, then `detect_guest_runtime`'s choice. */
function initializationSteps(info: ModuleInfo): InitStep[] {
  const steps: InitStep[] = [];
  if (info.startFunction !== undefined) steps.push({ phase: INIT_PHASE.start, fn: info.startFunction });
  const exported = (name: string) => info.exports.find((e) => e.kind === 'function' && e.name === name);
  const nullary = (name: string) => {
    const entry = exported(name);
    if (entry === undefined) return undefined;
    const type = functionType(info, entry.index);
    return type.params.length === 0 && type.results.length === 0 ? entry : undefined;
  };
  const hsInit = exported('hs_init');
  if (hsInit !== undefined) {
    const reactor = nullary('_initialize');
    if (reactor !== undefined) steps.push({ phase: INIT_PHASE.haskellReactor, fn: reactor.index });
    steps.push({ phase: INIT_PHASE.haskellInit, fn: hsInit.index });
  } else if (exported('__wasm_call_ctors') !== undefined) {
    const ctors = nullary('__wasm_call_ctors');
    if (ctors !== undefined) steps.push({ phase: INIT_PHASE.wasiRuntime, fn: ctors.index });
  } else {
    const reactor = nullary('_initialize');
    if (reactor !== undefined) steps.push({ phase: INIT_PHASE.wasiRuntime, fn: reactor.index });
  }
  return steps;
}

/**
 * Runs the steps, each under the phase that names it. `initPending` clears once the start
 * function has returned: a failed instantiation is retried by the next call (Extism keeps no
 * instance), a failed runtime initializer is not (Extism has stored the instance by then).
 */
function initBody(
  info: ModuleInfo,
  segments: ActiveSegments,
  steps: readonly InitStep[],
  layout: Layout,
  redirect: (index: number) => number,
): Uint8Array {
  return body((w) => {
    // Instantiation order (wasm spec, wasmtime): element segments, then data segments, then start;
    // a trap here is an instantiation failure, reported like the start function's.
    w.u8(OP.i32Const).u8(INIT_PHASE.start).u8(OP.globalSet).u32(layout.initPhase);
    for (const e of segments.elements) {
      w.bytes(e.offset).u8(OP.i32Const).u8(0).u8(OP.i32Const).s64(e.count);
      w.u8(OP.prefixMisc).u32(MISC.tableInit).u32(e.index).u32(e.target);
      w.u8(OP.prefixMisc).u32(MISC.elemDrop).u32(e.index);
    }
    for (const d of segments.data) {
      w.bytes(d.offset).u8(OP.i32Const).u8(0).u8(OP.i32Const).s64(d.count);
      w.u8(OP.prefixMisc).u32(MISC.memoryInit).u32(d.index).u32(d.target);
      w.u8(OP.prefixMisc).u32(MISC.dataDrop).u32(d.index);
    }
    let cleared = false;
    const clear = () => {
      w.u8(OP.i32Const).u8(0).u8(OP.globalSet).u32(layout.initPending);
      cleared = true;
    };
    for (const step of steps) {
      if (step.phase !== INIT_PHASE.start && !cleared) clear();
      w.u8(OP.i32Const).u8(step.phase).u8(OP.globalSet).u32(layout.initPhase);
      const type = functionType(info, step.fn);
      if (step.phase === INIT_PHASE.haskellInit) {
        // Extism calls hs_init(0, 0) and ignores its results; any other signature fails the call
        if (type.params.length !== 2 || type.params.some((p) => p !== 'i32')) {
          w.u8(OP.unreachable);
          continue;
        }
        w.u8(OP.i32Const).u8(0).u8(OP.i32Const).u8(0);
      }
      w.u8(OP.call).u32(redirect(step.fn));
      for (let i = 0; i < type.results.length; i++) w.u8(OP.drop);
    }
    if (!cleared) clear();
    w.u8(OP.i32Const).u8(INIT_PHASE.none).u8(OP.globalSet).u32(layout.initPhase);
  });
}

function exportWrapperBody(
  target: number,
  results: readonly ValType[],
  layout: Layout,
  initFn: number | undefined,
): Uint8Array {
  return body((w) => {
    // Per-call state is reset here rather than from JS: wasm global writes from JS cost a
    // BigInt conversion each, and this runs on every call.
    w.u8(OP.globalGet).u32(layout.budget).u8(OP.globalSet).u32(layout.fuel);
    w.u8(OP.f64Const).bytes(f64Bytes(Number.NaN)).u8(OP.globalSet).u32(layout.remaining);
    w.u8(OP.i32Const).u8(STOP.none).u8(OP.globalSet).u32(layout.stopFlag);
    w.u8(OP.i32Const).u8(0).u8(OP.globalSet).u32(layout.returnCode);
    w.u8(OP.f64Const).bytes(f64Bytes(0)).u8(OP.globalSet).u32(layout.outputOffset);
    w.u8(OP.f64Const).bytes(f64Bytes(-1)).u8(OP.globalSet).u32(layout.outputLength);
    w.u8(OP.i64Const).u8(0).u8(OP.globalSet).u32(layout.kernelAllocated);
    w.u8(OP.i64Const).u8(0).u8(OP.globalSet).u32(layout.workDone);
    if (initFn !== undefined) {
      w.u8(OP.globalGet)
        .u32(layout.initPending)
        .u8(OP.if)
        .u8(EMPTY_BLOCK_TYPE)
        .u8(OP.call)
        .u32(initFn)
        .u8(OP.end);
    }
    w.u8(OP.call).u32(target);
    if (results.length === 1) {
      if (results[0] === 'i32') w.u8(OP.globalSet).u32(layout.returnCode);
      else w.u8(OP.drop);
    }
    // Only reached on a normal return: the engine reads remaining fuel as a plain number.
    w.u8(OP.globalGet).u32(layout.fuel).u8(OP.f64ConvertI64S).u8(OP.globalSet).u32(layout.remaining);
  });
}

/** Appends the engine's function types to the type section (or creates one holding just them). */
function typeSection(
  bytes: Uint8Array,
  section: { start: number; end: number } | undefined,
  appended: readonly FuncType[],
): ByteWriter {
  const w = new ByteWriter();
  if (section === undefined) {
    w.u32(appended.length);
  } else {
    const reader = new ByteReader(bytes, section.start, section.end);
    w.u32(reader.u32() + appended.length).bytes(bytes.subarray(reader.pos, section.end));
  }
  for (const type of appended) {
    w.u8(FUNC_TYPE).u32(type.params.length);
    for (const p of type.params) w.u8(VALTYPE_BYTE[p]);
    w.u32(type.results.length);
    for (const r of type.results) w.u8(VALTYPE_BYTE[r]);
  }
  return w;
}

function functionSection(
  bytes: Uint8Array,
  section: { start: number; end: number } | undefined,
  appended: readonly number[],
): ByteWriter {
  const w = new ByteWriter();
  if (section === undefined) {
    w.u32(appended.length);
  } else {
    const reader = new ByteReader(bytes, section.start, section.end);
    w.u32(reader.u32() + appended.length).bytes(bytes.subarray(reader.pos, section.end));
  }
  for (const typeIndex of appended) w.u32(typeIndex);
  return w;
}

/** The guest's globals with `ref.func` of kernel imports redirected in their initializers, then the appended ones. */
function globalSection(
  bytes: Uint8Array,
  section: { start: number; end: number } | undefined,
  redirect: (index: number) => number,
  appended: readonly { readonly type: ValType; readonly init: number }[],
): ByteWriter {
  const w = new ByteWriter();
  if (section === undefined) {
    w.u32(appended.length);
  } else {
    const reader = new ByteReader(bytes, section.start, section.end);
    const count = reader.u32();
    w.u32(count + appended.length);
    for (let i = 0; i < count; i++) {
      const typeStart = reader.pos;
      reader.valType();
      reader.u8(); // mutability
      w.bytes(bytes.subarray(typeStart, reader.pos));
      copyConstExpr(reader, w, redirect);
    }
    if (!reader.done) throw new WasmFormatError('unexpected data at the end of the global section');
  }
  for (const { type, init } of appended) {
    w.u8(VALTYPE_BYTE[type]).u8(1); // mutable
    if (type === 'i64') w.u8(OP.i64Const).s64(init);
    else if (type === 'f64') w.u8(OP.f64Const).bytes(f64Bytes(init));
    else w.u8(OP.i32Const).s64(init);
    w.u8(OP.end);
  }
  return w;
}

/** Copies one constant expression (through its `end`), redirecting `ref.func` targets. */
function copyConstExpr(r: ByteReader, w: ByteWriter, redirect: (index: number) => number): void {
  for (;;) {
    const at = r.pos;
    const op = r.u8();
    if (op === OP.refFunc) {
      w.u8(op).u32(redirect(r.u32()));
      continue;
    }
    skipImmediates(op, r, at);
    w.bytes(r.bytes.subarray(at, r.pos));
    if (op === OP.end) return;
  }
}

/** An active segment as the init function applies it: its offset expression (without `end`). */
interface ActiveSegment {
  readonly index: number;
  /** table or memory index */
  readonly target: number;
  readonly offset: Uint8Array;
  /** elements or bytes */
  readonly count: number;
}

interface ActiveSegments {
  readonly elements: readonly ActiveSegment[];
  readonly data: readonly ActiveSegment[];
  /** number of data segments (the data count section's value) */
  readonly dataCount: number;
}

/** The module's active element and data segments, in index order. */
function activeSegments(info: ModuleInfo): ActiveSegments {
  const { bytes } = info;
  const elements: ActiveSegment[] = [];
  const data: ActiveSegment[] = [];
  let dataCount = 0;
  const elementRaw = info.sections.find((s) => s.id === SECTION.element);
  if (elementRaw !== undefined) {
    const r = new ByteReader(bytes, elementRaw.start, elementRaw.end);
    for (let index = 0, count = r.u32(); index < count; index++) {
      const flags = r.u32();
      if (flags > 7) throw new WasmFormatError(`malformed element segment flags ${flags}`);
      const target = (flags & 3) === 2 ? r.u32() : 0;
      const offset = (flags & 1) === 0 ? constExprBody(r) : undefined;
      if (flags & 3) {
        if (flags & 4) r.valType();
        else r.u8();
      }
      const items = r.u32();
      for (let n = 0; n < items; n++) {
        if (flags & 4) skipConstExpr(r);
        else r.u32();
      }
      if (offset !== undefined) elements.push({ index, target, offset, count: items });
    }
  }
  const dataRaw = info.sections.find((s) => s.id === SECTION.data);
  if (dataRaw !== undefined) {
    const r = new ByteReader(bytes, dataRaw.start, dataRaw.end);
    dataCount = r.u32();
    for (let index = 0; index < dataCount; index++) {
      const flags = r.u32();
      if (flags > 2) throw new WasmFormatError(`malformed data segment flags ${flags}`);
      const target = flags === 2 ? r.u32() : 0;
      const offset = flags === 1 ? undefined : constExprBody(r);
      const length = r.u32();
      r.skip(length);
      if (offset !== undefined) data.push({ index, target, offset, count: length });
    }
  }
  return { elements, data, dataCount };
}

/** A constant expression's instructions without its closing `end`; the reader moves past it. */
function constExprBody(r: ByteReader): Uint8Array {
  const start = r.pos;
  skipConstExpr(r);
  return r.bytes.subarray(start, r.pos - 1);
}

function skipConstExpr(r: ByteReader): void {
  for (;;) {
    const at = r.pos;
    const op = r.u8();
    skipImmediates(op, r, at);
    if (op === OP.end) return;
  }
}

/** Data segments with every active one made passive (the init function applies it). */
function dataSection(bytes: Uint8Array, section: { start: number; end: number }): ByteWriter {
  const w = new ByteWriter(section.end - section.start + 16);
  const r = new ByteReader(bytes, section.start, section.end);
  const count = r.u32();
  w.u32(count);
  for (let i = 0; i < count; i++) {
    const flags = r.u32();
    if (flags === 2) r.u32();
    if (flags !== 1) skipConstExpr(r);
    const start = r.pos;
    r.skip(r.u32());
    w.u32(1).bytes(bytes.subarray(start, r.pos));
  }
  if (!r.done) throw new WasmFormatError('unexpected data at the end of the data section');
  return w;
}

/**
 * Element segments with kernel imports redirected to their wrappers (function-index vectors and
 * `ref.func` expressions alike), plus one declarative segment naming every kernel wrapper, so a
 * redirected `ref.func` is always declared.
 */
function elementSection(
  bytes: Uint8Array,
  section: { start: number; end: number } | undefined,
  redirect: (index: number) => number,
  kernelWrappers: readonly number[],
): ByteWriter {
  const w = new ByteWriter();
  const extra = kernelWrappers.length > 0 ? 1 : 0;
  if (section === undefined) {
    w.u32(extra);
  } else {
    const r = new ByteReader(bytes, section.start, section.end);
    const count = r.u32();
    w.u32(count + extra);
    for (let i = 0; i < count; i++) {
      const flags = r.u32();
      if (flags > 7) throw new WasmFormatError(`malformed element segment flags ${flags}`);
      const usesExpressions = (flags & 4) !== 0;
      if ((flags & 1) === 0) {
        // active: made passive, its table index and offset dropped (the init function applies it)
        w.u32((flags & 4) | 1);
        if ((flags & 3) === 2) r.u32();
        skipConstExpr(r);
        if (flags & 2) {
          const kindStart = r.pos;
          if (usesExpressions) r.valType();
          else r.u8();
          w.bytes(bytes.subarray(kindStart, r.pos));
        } else {
          w.u8(usesExpressions ? VALTYPE_BYTE.funcref : 0x00); // the implicit funcref / elemkind
        }
      } else {
        // passive or declarative: an element kind or reference type follows
        w.u32(flags);
        const kindStart = r.pos;
        if (usesExpressions) r.valType();
        else r.u8();
        w.bytes(bytes.subarray(kindStart, r.pos));
      }
      const items = r.u32();
      w.u32(items);
      for (let n = 0; n < items; n++) {
        if (usesExpressions) copyConstExpr(r, w, redirect);
        else w.u32(redirect(r.u32()));
      }
    }
    if (!r.done) throw new WasmFormatError('unexpected data at the end of the element section');
  }
  if (extra > 0) {
    w.u32(3).u8(0x00).u32(kernelWrappers.length); // declarative, funcref, function indices
    for (const index of kernelWrappers) w.u32(index);
  }
  return w;
}

function memorySection(info: ModuleInfo, cap: number): ByteWriter {
  const w = new ByteWriter();
  w.u32(info.memories.length);
  for (const limits of info.memories) {
    if (limits.min > cap) {
      throw new InstrumentError(
        `memory minimum of ${limits.min} pages exceeds the engine's memory limit of ${cap} pages (maxMemoryPages)`,
      );
    }
    const max = Math.min(limits.max ?? cap, cap);
    const wide = (limits.flags & LIMITS_64) !== 0;
    w.u8(limits.flags | LIMITS_HAS_MAX);
    if (wide) w.u64(limits.min).u64(max);
    else w.u32(limits.min).u32(max);
  }
  return w;
}

function exportSection(
  info: ModuleInfo,
  rewrites: Map<number, { name: string; index: number }>,
  added: readonly (readonly [string, number])[],
): ByteWriter {
  const w = new ByteWriter();
  w.u32(info.exports.length + added.length);
  info.exports.forEach((entry, position) => {
    const rewrite = rewrites.get(position);
    w.name(rewrite?.name ?? entry.name)
      .u8(EXTERNAL_KIND_BYTE[entry.kind])
      .u32(rewrite?.index ?? entry.index);
  });
  for (const [name, index] of added) w.name(name).u8(EXTERNAL_KIND_BYTE.function).u32(index);
  return w;
}

/**
 * The kernel wrappers' fuel code: they charge and check the fuel global itself (they are called
 * with the caller's count written back, and the caller reloads it afterwards).
 */
class Snippets {
  readonly check: Uint8Array;
  private readonly chargeCache = new Map<number, Uint8Array>();

  constructor(private readonly layout: Layout) {
    // remaining <= 0 → out of fuel (wasmtime: consumed >= budget)
    this.check = new ByteWriter(16)
      .u8(OP.globalGet)
      .u32(layout.fuel)
      .u8(OP.i64Const)
      .u8(0)
      .u8(OP.i64LeS)
      .u8(OP.if)
      .u8(EMPTY_BLOCK_TYPE)
      .u8(OP.i32Const)
      .u8(STOP.outOfFuel)
      .u8(OP.globalSet)
      .u32(layout.stopFlag)
      .u8(OP.unreachable)
      .u8(OP.end)
      .finish()
      .slice();
  }

  charge(amount: number): Uint8Array {
    let cached = this.chargeCache.get(amount);
    if (cached === undefined) {
      cached = new ByteWriter(16)
        .u8(OP.globalGet)
        .u32(this.layout.fuel)
        .u8(OP.i64Const)
        .s64(amount)
        .u8(OP.i64Sub)
        .u8(OP.globalSet)
        .u32(this.layout.fuel)
        .finish()
        .slice();
      if (this.chargeCache.size < 4096) this.chargeCache.set(amount, cached);
    }
    return cached;
  }
}

/**
 * The fuel code of a guest function whose remaining fuel lives in local `local` (wasmtime's
 * `fuel_var`): loaded from the global at entry, charged and checked in the local, written back
 * wherever the global can be observed (see instrumentBody), reloaded after every call.
 */
interface FuelCode {
  readonly entry: Uint8Array;
  readonly check: Uint8Array;
  readonly writeBack: Uint8Array;
  readonly reload: Uint8Array;
  charge(amount: number): Uint8Array;
}

class LocalFuelCode implements FuelCode {
  /** entry: load, charge the entry unit, check */
  readonly entry: Uint8Array;
  /** at a loop header */
  readonly check: Uint8Array;
  readonly writeBack: Uint8Array;
  readonly reload: Uint8Array;
  private readonly charges = new Map<number, Uint8Array>();

  constructor(
    layout: Layout,
    private readonly local: number,
  ) {
    const outOfFuel = (w: ByteWriter) =>
      w
        .u8(OP.i64Const)
        .u8(0)
        .u8(OP.i64LeS)
        .u8(OP.if)
        .u8(EMPTY_BLOCK_TYPE)
        .u8(OP.localGet)
        .u32(local)
        .u8(OP.globalSet)
        .u32(layout.fuel)
        .u8(OP.i32Const)
        .u8(STOP.outOfFuel)
        .u8(OP.globalSet)
        .u32(layout.stopFlag)
        .u8(OP.unreachable)
        .u8(OP.end);
    const entry = new ByteWriter(32).u8(OP.globalGet).u32(layout.fuel).u8(OP.i64Const).u8(1).u8(OP.i64Sub);
    this.entry = outOfFuel(entry.u8(OP.localTee).u32(local)).finish().slice();
    this.check = outOfFuel(new ByteWriter(24).u8(OP.localGet).u32(local)).finish().slice();
    this.writeBack = new ByteWriter(12)
      .u8(OP.localGet)
      .u32(local)
      .u8(OP.globalSet)
      .u32(layout.fuel)
      .finish()
      .slice();
    this.reload = new ByteWriter(12)
      .u8(OP.globalGet)
      .u32(layout.fuel)
      .u8(OP.localSet)
      .u32(local)
      .finish()
      .slice();
  }

  charge(amount: number): Uint8Array {
    let cached = this.charges.get(amount);
    if (cached === undefined) {
      cached = new ByteWriter(20)
        .u8(OP.localGet)
        .u32(this.local)
        .u8(OP.i64Const)
        .s64(amount)
        .u8(OP.i64Sub)
        .u8(OP.localSet)
        .u32(this.local)
        .finish()
        .slice();
      if (this.charges.size < 256) this.charges.set(amount, cached);
    }
    return cached;
  }
}

/** LocalFuelCode per fuel-local index: functions with as many locals share one. */
class LocalFuelCodes {
  private readonly byLocal = new Map<number, LocalFuelCode>();
  /**
   * For a function that already has as many locals as V8 accepts (MAX_FUNCTION_LOCALS): the
   * count stays in the global, so the rewrite never makes a valid module invalid.
   */
  readonly inGlobal: FuelCode;

  constructor(
    private readonly layout: Layout,
    snippets: Snippets,
  ) {
    const none = new Uint8Array(0);
    const entry = new ByteWriter(32).bytes(snippets.charge(1)).bytes(snippets.check).finish().slice();
    this.inGlobal = {
      entry,
      check: snippets.check,
      writeBack: none,
      reload: none,
      charge: (amount) => snippets.charge(amount),
    };
  }

  forLocal(local: number): LocalFuelCode {
    let code = this.byLocal.get(local);
    if (code === undefined) {
      code = new LocalFuelCode(this.layout, local);
      if (this.byLocal.size < 1024) this.byLocal.set(local, code);
    }
    return code;
  }
}

/**
 * The appended functions that stand in for single guest operators (bulk operations, trapping
 * truncations): one per distinct operator and immediates, created on first use.
 */
class OperatorHelpers {
  private readonly byKey = new Map<string, number>();

  constructor(
    private readonly info: ModuleInfo,
    private readonly appended: Appended,
    private readonly layout: Layout,
  ) {}

  private helper(key: string, make: () => { type: number; body: Uint8Array }): number {
    let index = this.byKey.get(key);
    if (index === undefined) {
      const { type, body: code } = make();
      index = this.appended.function(type, code);
      this.byKey.set(key, index);
    }
    return index;
  }

  /** `(x) -> int`: overflow traps as V8's integer overflow, NaN as the truncation's own trap. */
  truncation(op: number): number {
    const t = TRUNCATIONS[op]!;
    return this.helper(`trunc:${op}`, () => {
      const f = t.from === 'f32' ? F32_OPS : F64_OPS;
      const constant = (value: number) =>
        t.from === 'f32' ? [OP.f32Const, ...f32Bytes(value)] : [OP.f64Const, ...f64Bytes(value)];
      // trunc(x) must lie in [lo, hi); both bounds are powers of two, exact in f32 and f64
      const lo = t.signed ? -(2 ** (t.bits - 1)) : 0;
      const hi = t.signed ? 2 ** (t.bits - 1) : 2 ** t.bits;
      return {
        type: this.appended.type([t.from], [t.bits === 32 ? 'i32' : 'i64']),
        body: body((w) => {
          w.u8(OP.localGet).u32(0).u8(OP.localGet).u32(0).u8(f.ne).u8(OP.if).u8(EMPTY_BLOCK_TYPE);
          w.u8(OP.localGet).u32(0).u8(op).u8(OP.drop).u8(OP.end); // NaN: the truncation traps
          w.u8(OP.localGet)
            .u32(0)
            .u8(f.trunc)
            .bytes(Uint8Array.from(constant(lo)))
            .u8(f.ge);
          w.u8(OP.localGet)
            .u32(0)
            .u8(f.trunc)
            .bytes(Uint8Array.from(constant(hi)))
            .u8(f.lt);
          w.u8(OP.i32And).u8(OP.i32Eqz).u8(OP.if).u8(EMPTY_BLOCK_TYPE);
          // i32.div_s(INT32_MIN, -1): V8's "divide result unrepresentable", wasmtime's overflow
          w.u8(OP.i32Const)
            .s64(-(2 ** 31))
            .u8(OP.i32Const)
            .s64(-1)
            .u8(OP.i32DivS)
            .u8(OP.drop);
          w.u8(OP.end);
          w.u8(OP.localGet).u32(0).u8(op);
        }),
      };
    });
  }

  /** A 0xfc-prefixed bulk operation with its immediates; its length counts at BULK_WORK_WEIGHT. */
  bulk(sub: number, immediates: readonly number[]): number {
    return this.helper(`bulk:${sub}:${immediates.join(',')}`, () => {
      const opBytes = (w: ByteWriter) => {
        w.u8(OP.prefixMisc).u32(sub);
        for (const i of immediates) w.u32(i);
      };
      if (sub === MISC.tableGrow) {
        return this.growHelper(immediates[0]!, opBytes, BULK_WORK_WEIGHT.tableElement);
      }
      const weight =
        sub === MISC.memoryCopy
          ? BULK_WORK_WEIGHT.copy
          : sub === MISC.memoryFill
            ? BULK_WORK_WEIGHT.fill
            : sub === MISC.memoryInit
              ? BULK_WORK_WEIGHT.init
              : BULK_WORK_WEIGHT.tableElement;
      const middle: ValType = sub === MISC.tableFill ? this.tableElementType(immediates[0]!) : 'i32';
      return {
        type: this.appended.type(['i32', middle, 'i32'], []),
        body: body((w) => {
          w.u8(OP.localGet).u32(2).u8(OP.i64ExtendI32U);
          if (weight !== 1) w.u8(OP.i64Const).s64(weight).u8(OP.i64Mul);
          w.u8(OP.call).u32(this.layout.accountFn);
          w.u8(OP.localGet).u32(0).u8(OP.localGet).u32(1).u8(OP.localGet).u32(2);
          opBytes(w);
        }),
      };
    });
  }

  /** `memory.grow m`: the pages a successful grow adds count as bytes of work. */
  memoryGrow(memory: number): number {
    return this.helper(`memory.grow:${memory}`, () =>
      this.growHelper(undefined, (w) => w.u8(OP.memoryGrow).u32(memory), PAGE_BYTES * BULK_WORK_WEIGHT.grow),
    );
  }

  /** `(n) -> old` for memory.grow, `(ref, n) -> old` for table.grow; counts only a grow that happened, `unit` per page/element. */
  private growHelper(
    table: number | undefined,
    opBytes: (w: ByteWriter) => void,
    unit: number,
  ): { type: number; body: Uint8Array } {
    const params: ValType[] = table === undefined ? ['i32'] : [this.tableElementType(table), 'i32'];
    const n = params.length - 1;
    const result = n + 1; // the appended local
    return {
      type: this.appended.type(params, ['i32']),
      body: body(
        (w) => {
          for (let i = 0; i < params.length; i++) w.u8(OP.localGet).u32(i);
          opBytes(w);
          w.u8(OP.localTee).u32(result).u8(OP.i32Const).s64(-1).u8(OP.i32Ne).u8(OP.if).u8(EMPTY_BLOCK_TYPE);
          w.u8(OP.localGet).u32(n).u8(OP.i64ExtendI32U).u8(OP.i64Const).s64(unit).u8(OP.i64Mul);
          w.u8(OP.call).u32(this.layout.accountFn);
          w.u8(OP.end).u8(OP.localGet).u32(result);
        },
        ['i32'],
      ),
    };
  }

  private tableElementType(table: number): ValType {
    const type = this.info.tables[table]?.elementType;
    if (type === undefined) throw new WasmFormatError(`table index ${table} out of bounds`);
    return type;
  }
}

const F32_OPS = { ne: OP.f32Ne, lt: OP.f32Lt, ge: OP.f32Ge, trunc: OP.f32Trunc } as const;
const F64_OPS = { ne: OP.f64Ne, lt: OP.f64Lt, ge: OP.f64Ge, trunc: OP.f64Trunc } as const;

function kernelWrapperBody(
  w: ByteWriter,
  entry: ImportEntry,
  type: FuncType,
  importIndex: number,
  kernelFuel: number,
  capBytes: bigint,
  layout: Layout,
  snippets: Snippets,
): void {
  if (kernelFuel > 0) w.bytes(snippets.charge(kernelFuel)).bytes(snippets.check);
  if (entry.name === 'alloc') {
    // alloc(0) → 0, and an allocation past the cap → 0, as the Rust kernel fails allocations.
    w.u8(OP.localGet)
      .u32(0)
      .u8(OP.i64Eqz)
      .u8(OP.if)
      .u8(EMPTY_BLOCK_TYPE)
      .u8(OP.i64Const)
      .u8(0)
      .u8(OP.return)
      .u8(OP.end);
    w.u8(OP.localGet)
      .u32(0)
      .u8(OP.i64Const)
      .s64(capBytes)
      .u8(OP.globalGet)
      .u32(layout.kernelAllocated)
      .u8(OP.i64Sub)
      .u8(OP.i64GtU)
      .u8(OP.if)
      .u8(EMPTY_BLOCK_TYPE)
      .u8(OP.i64Const)
      .u8(0)
      .u8(OP.return)
      .u8(OP.end);
    w.u8(OP.globalGet)
      .u32(layout.kernelAllocated)
      .u8(OP.localGet)
      .u32(0)
      .u8(OP.i64Add)
      .u8(OP.globalSet)
      .u32(layout.kernelAllocated);
  } else if (entry.name === 'error_set') {
    // error_set(0) clears the error in the Rust kernel (address 0 is its null); the JS kernel
    // would instead point the error at its reserved block 0 and fail the call with "\0".
    w.u8(OP.localGet).u32(0).u8(OP.i64Eqz).u8(OP.if).u8(EMPTY_BLOCK_TYPE).u8(OP.return).u8(OP.end);
  } else if (entry.name === 'output_set') {
    // Addresses are `block << 48 | offset`; the block itself comes back from the SDK.
    w.u8(OP.localGet)
      .u32(0)
      .u8(OP.i64Const)
      .s64(ADDRESS_OFFSET_MASK)
      .u8(OP.i64And)
      .u8(OP.f64ConvertI64U)
      .u8(OP.globalSet)
      .u32(layout.outputOffset);
    w.u8(OP.localGet).u32(1).u8(OP.f64ConvertI64U).u8(OP.globalSet).u32(layout.outputLength);
  }
  for (let i = 0; i < type.params.length; i++) w.u8(OP.localGet).u32(i);
  w.u8(OP.call).u32(importIndex);
}

function codeSection(
  info: ModuleInfo,
  redirect: (index: number) => number,
  fuelCodes: LocalFuelCodes,
  helpers: OperatorHelpers,
  appended: Appended,
  profile: ProfileInstrumentation | undefined,
): SectionPayload {
  const { bytes } = info;
  const section = info.sections.find((s) => s.id === SECTION.code);
  const rewritten = new ByteWriter(
    section === undefined ? 1024 : Math.ceil((section.end - section.start) * 1.6) + 1024,
  );
  let count = 0;
  if (section !== undefined) {
    const reader = new ByteReader(bytes, section.start, section.end);
    count = reader.u32();
    const scratch = new ByteWriter(4096);
    for (let i = 0; i < count; i++) {
      const size = reader.u32();
      const start = reader.pos;
      reader.skip(size);
      scratch.length = 0;
      const type = info.types[info.definedFunctionTypes[i]!];
      if (type === undefined) throw new WasmFormatError(`function ${i} has no type`);
      const body = { bytes, start, end: start + size, params: type.params.length };
      instrumentBody(body, scratch, redirect, fuelCodes, helpers, profile?.bodyHooks(i));
      rewritten.sized(scratch.finish());
    }
    if (!reader.done) throw new WasmFormatError('unexpected data at the end of the code section');
  }
  // The appended bodies are complete only now: the walk above may have added helpers.
  // Returned in pieces: the function count comes first, and joining megabytes of rewritten
  // bodies behind it here would only be copied again into the module.
  const bodies = appended.functionBodies();
  const tail = new ByteWriter(bodies.reduce((n, b) => n + b.length + 5, 16));
  for (const fn of bodies) tail.sized(fn);
  return [new ByteWriter(8).u32(count + bodies.length).finish(), rewritten.finish(), tail.finish()];
}

/** V8's limit on a function's locals, parameters included (wasm-limits.h kV8MaxWasmFunctionLocals). */
const MAX_FUNCTION_LOCALS = 50_000;

/** One guest function body: `bytes[start, end)`, and its parameter count. */
interface GuestBody {
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly params: number;
}

/**
 * Rewrites one function body: entry charge + check, a charge before every flush operator for the
 * cost accumulated since the previous one (the flush operator's own cost included), a check at
 * every loop header, kernel references redirected to their wrappers, and the operators with
 * helpers (bulk operations, trapping truncations) replaced by calls.
 *
 * As in wasmtime, the function's remaining fuel lives in a local (appended after its own) for the
 * length of the function, so V8 keeps it in a register. The global stays the one count everything
 * else reads, so the local is written back wherever the global can be observed before the local
 * changes again: before every call (the callee's entry loads it; a kernel wrapper charges it) and
 * reloaded after it, before `return`, `return_call*`, a branch to the function's own label and
 * the final `end` (the export wrapper and profile hooks read it), and before every operator that
 * can trap (the engine reads the counter after a trap: a trap mid-function reports exactly the
 * fuel charged up to it, as when the count lived in the global alone). wasmtime itself saves only
 * at calls and returns; we keep the per-trap exactness the engine has always reported.
 * Write-backs are skipped while the local is known to equal the global ("clean": after a
 * write-back or a reload, until the next charge or control-flow join).
 */
function instrumentBody(
  body: GuestBody,
  out: ByteWriter,
  redirect: (index: number) => number,
  fuelCodes: LocalFuelCodes,
  helpers: OperatorHelpers,
  hooks?: BodyHooks,
): void {
  const { bytes, end } = body;
  const r = new ByteReader(bytes, body.start, end);
  const groups = r.u32();
  const groupsStart = r.pos;
  let locals = body.params;
  for (let g = 0; g < groups; g++) {
    locals += r.u32();
    r.valType();
  }
  let fuel: FuelCode;
  if (locals < MAX_FUNCTION_LOCALS) {
    // the fuel local, as one more group after the function's own
    out
      .u32(groups + 1)
      .bytes(bytes.subarray(groupsStart, r.pos))
      .u32(1)
      .u8(VALTYPE_BYTE.i64);
    fuel = fuelCodes.forLocal(locals);
  } else {
    out.range(bytes, body.start, r.pos);
    fuel = fuelCodes.inGlobal;
  }
  if (hooks !== undefined) out.bytes(hooks.entry);
  // Function entry: wasmtime starts each function with 1 unit pending and checks right away.
  out.bytes(fuel.entry);
  if (hooks !== undefined) out.bytes(hooks.blockStart);

  let pending = 0;
  /** whether the local may differ from the global */
  let dirty = true;
  /** open blocks, loops and ifs: a branch to label `depth` leaves the function */
  let depth = 0;
  let copyFrom = r.pos;
  while (r.pos < end) {
    const opStart = r.pos;
    const op = r.u8();
    const kind = OP_CLASS[op]!;
    if ((kind & OP_FLUSH) === 0) {
      if ((kind & OP_FREE) === 0) pending++;
      if ((kind & OP_INDEX) !== 0) {
        r.u32();
        continue;
      }
      if ((kind & OP_PLAIN) === 0) {
        if (op === OP.block) depth++;
        let substitute: Uint8Array | undefined;
        if ((kind & OP_REWRITTEN) === 0) skipImmediates(op, r, opStart);
        else substitute = substitution(op, r, opStart, redirect, helpers);
        if (dirty && (kind & OP_TRAPS) !== 0 && mayTrapPrefixed(op, bytes, opStart)) {
          out.range(bytes, copyFrom, opStart).bytes(fuel.writeBack);
          copyFrom = opStart;
          dirty = false;
        }
        if (substitute !== undefined) {
          out.range(bytes, copyFrom, opStart).bytes(substitute);
          copyFrom = r.pos;
        }
      } else if (dirty && (kind & OP_TRAPS) !== 0) {
        out.range(bytes, copyFrom, opStart).bytes(fuel.writeBack);
        copyFrom = opStart;
        dirty = false;
      }
      continue;
    }
    // Flush point: emit the code up to here, then the charge, then the operator itself.
    out.range(bytes, copyFrom, opStart);
    if ((kind & OP_FREE) === 0) pending++;
    if (pending > 0) {
      out.bytes(fuel.charge(pending));
      dirty = true;
    }
    pending = 0;
    switch (op) {
      case OP.call:
      case OP.callIndirect:
        if (dirty) out.bytes(fuel.writeBack);
        if (op === OP.call) {
          out.u8(op).u32(redirect(r.u32()));
        } else {
          skipImmediates(op, r, opStart);
          out.range(bytes, opStart, r.pos);
        }
        out.bytes(fuel.reload);
        dirty = false;
        break;
      case OP.return:
      case OP.returnCall:
      case OP.returnCallIndirect:
      case OP.unreachable:
        if (dirty) out.bytes(fuel.writeBack);
        dirty = false;
        if (hooks !== undefined && op !== OP.unreachable) out.bytes(hooks.exit);
        if (op === OP.returnCall) {
          out.u8(op).u32(redirect(r.u32()));
        } else {
          skipImmediates(op, r, opStart);
          out.range(bytes, opStart, r.pos);
        }
        break;
      case OP.br:
      case OP.brIf:
      case OP.brTable: {
        let leaves = false;
        if (op === OP.brTable) {
          for (let n = r.u32(); n >= 0; n--) if (r.u32() === depth) leaves = true;
        } else {
          leaves = r.u32() === depth;
        }
        if (leaves && dirty) {
          out.bytes(fuel.writeBack);
          dirty = false;
        }
        out.range(bytes, opStart, r.pos);
        break;
      }
      case OP.end:
        if (r.pos === end) {
          if (dirty) out.bytes(fuel.writeBack);
          if (hooks === undefined) out.range(bytes, opStart, r.pos);
          else out.bytes(hooks.end);
          break;
        }
        depth--;
        dirty = true; // a join: branches to this label arrive in whatever state they left
        out.range(bytes, opStart, r.pos);
        break;
      case OP.else:
        dirty = true; // the else arm starts in the state the `if` left, not the then arm's
        out.range(bytes, opStart, r.pos);
        break;
      case OP.loop:
        depth++;
        skipImmediates(op, r, opStart);
        out.range(bytes, opStart, r.pos).bytes(fuel.check);
        dirty = true; // the back edges join here
        break;
      case OP.if:
        depth++;
        skipImmediates(op, r, opStart);
        out.range(bytes, opStart, r.pos);
        break;
      default:
        throw new Error(`flush operator 0x${op.toString(16)} has no rewrite`);
    }
    copyFrom = r.pos;
  }
  out.range(bytes, copyFrom, end);
  if (r.pos !== end) throw new WasmFormatError('function body overruns its declared size');
}

/**
 * For an operator OP_CLASS marks as trapping: whether it can trap (or, replaced by a helper call,
 * stop the call). The 0xfc and 0xfd prefixes decide by sub-opcode (the walk has validated it).
 */
function mayTrapPrefixed(op: number, bytes: Uint8Array, at: number): boolean {
  if (op !== OP.prefixMisc && op !== OP.prefixSimd) return true;
  const sub = new ByteReader(bytes, at + 1).u32();
  if (op === OP.prefixMisc) {
    return !(
      sub <= MISC.lastSaturatingTruncation ||
      sub === MISC.dataDrop ||
      sub === MISC.elemDrop ||
      sub === MISC.tableSize
    );
  }
  return sub <= SIMD.lastLoadStore || (sub >= SIMD.firstLaneLoadStore && sub <= SIMD.v128Load64Zero);
}

/**
 * Skips a non-flush operator's immediates; for an operator the rewriter replaces (a `ref.func` of
 * a kernel import, a bulk operation, a trapping truncation) returns the bytes that replace it.
 */
function substitution(
  op: number,
  r: ByteReader,
  at: number,
  redirect: (index: number) => number,
  helpers: OperatorHelpers,
): Uint8Array | undefined {
  if (op === OP.refFunc) {
    const target = r.u32();
    const redirected = redirect(target);
    return redirected === target ? undefined : new ByteWriter(8).u8(op).u32(redirected).finish();
  }
  if (TRUNCATIONS[op] !== undefined) {
    return new ByteWriter(8).u8(OP.call).u32(helpers.truncation(op)).finish();
  }
  if (op === OP.memoryGrow) {
    return new ByteWriter(8).u8(OP.call).u32(helpers.memoryGrow(r.u32())).finish();
  }
  if (op === OP.prefixMisc) {
    const subStart = r.pos;
    const sub = r.u32();
    const immediates = bulkImmediates(sub, r);
    if (immediates === undefined) {
      r.pos = subStart;
      skipMiscPrefixed(r, at);
      return undefined;
    }
    return new ByteWriter(8).u8(OP.call).u32(helpers.bulk(sub, immediates)).finish();
  }
  throw new Error(`operator 0x${op.toString(16)} is not one the rewriter replaces`);
}

/** The immediates of a bulk operation that gets a helper, or undefined for other 0xfc operators. */
function bulkImmediates(sub: number, r: ByteReader): number[] | undefined {
  switch (sub) {
    case MISC.memoryInit:
    case MISC.memoryCopy:
    case MISC.tableInit:
    case MISC.tableCopy:
      return [r.u32(), r.u32()];
    case MISC.memoryFill:
    case MISC.tableFill:
    case MISC.tableGrow:
      return [r.u32()];
    default:
      return undefined;
  }
}

function skipMemArg(r: ByteReader): void {
  const align = r.u32();
  if (align & 0x40) r.u32(); // memory index (multi-memory)
  r.skipLeb(10);
}

function unsupported(op: string, at: number): never {
  throw new InstrumentError(`unsupported instruction ${op} at byte ${at}: the engine cannot meter it`);
}

function skipImmediates(op: number, r: ByteReader, at: number): void {
  if (op >= OP.i32Eqz && op <= OP.i64Extend32S) return; // numeric operators have no immediates
  if (op >= OP.i32Load && op <= OP.i64Store32) {
    skipMemArg(r);
    return;
  }
  switch (op) {
    case OP.unreachable:
    case OP.nop:
    case OP.else:
    case OP.end:
    case OP.return:
    case OP.drop:
    case OP.select:
    case OP.refIsNull:
      return;
    case OP.block:
    case OP.loop:
    case OP.if:
      r.skipLeb(5); // block type: 0x40, a value type, or an s33 type index (multi-value)
      return;
    case OP.br:
    case OP.brIf:
    case OP.call:
    case OP.returnCall:
    case OP.localGet:
    case OP.localSet:
    case OP.localTee:
    case OP.globalGet:
    case OP.globalSet:
    case OP.tableGet:
    case OP.tableSet:
    case OP.refFunc:
    case OP.memorySize:
    case OP.memoryGrow:
      r.u32();
      return;
    case OP.brTable:
      for (let n = r.u32(); n > 0; n--) r.u32();
      r.u32();
      return;
    case OP.callIndirect:
    case OP.returnCallIndirect:
      r.u32();
      r.u32();
      return;
    case OP.selectTyped:
      for (let n = r.u32(); n > 0; n--) r.valType();
      return;
    case OP.i32Const:
      r.skipLeb(5);
      return;
    case OP.i64Const:
      r.skipLeb(10);
      return;
    case OP.f32Const:
      r.skip(4);
      return;
    case OP.f64Const:
      r.skip(8);
      return;
    case OP.refNull: {
      // a heap type; only the abstract func/extern types are in the host's feature set
      const heapType = r.u8();
      const refused = refusedTypeFeature(heapType, at);
      if (refused !== undefined) throw refused;
      if (heapType !== VALTYPE_BYTE.funcref && heapType !== VALTYPE_BYTE.externref) {
        throw new WasmFeatureError(
          'function-references',
          false,
          `ref.null of a typed heap type at byte ${at}`,
        );
      }
      return;
    }
    case OP.prefixMisc:
      skipMiscPrefixed(r, at);
      return;
    case OP.prefixSimd:
      skipSimd(r, at);
      return;
    case OP.prefixAtomic:
      skipAtomic(r);
      return;
    default: {
      const refused = REFUSED_OPS[op];
      if (refused !== undefined) throw new WasmFeatureError(refused[0], false, `${refused[1]} at byte ${at}`);
      unsupported(`0x${op.toString(16).padStart(2, '0')}`, at);
    }
  }
}

function skipMiscPrefixed(r: ByteReader, at: number): void {
  const sub = r.u32();
  if (sub <= MISC.lastSaturatingTruncation) return;
  switch (sub) {
    case MISC.memoryInit:
    case MISC.memoryCopy:
    case MISC.tableInit:
    case MISC.tableCopy:
      r.u32();
      r.u32();
      return;
    case MISC.dataDrop:
    case MISC.memoryFill:
    case MISC.elemDrop:
    case MISC.tableGrow:
    case MISC.tableSize:
    case MISC.tableFill:
      r.u32();
      return;
    default:
      unsupported(`0xfc ${sub}`, at);
  }
}

function skipSimd(r: ByteReader, at: number): void {
  const sub = r.u32();
  if (sub <= SIMD.lastLoadStore) {
    skipMemArg(r);
    return;
  }
  if (sub === SIMD.v128Const || sub === SIMD.i8x16Shuffle) {
    r.skip(16);
    return;
  }
  if (sub >= SIMD.firstLaneOp && sub <= SIMD.lastLaneOp) {
    r.skip(1); // lane index
    return;
  }
  if (sub >= SIMD.firstLaneLoadStore && sub <= SIMD.lastLaneLoadStore) {
    skipMemArg(r);
    r.skip(1); // lane index
    return;
  }
  if (sub === SIMD.v128Load32Zero || sub === SIMD.v128Load64Zero) {
    skipMemArg(r);
    return;
  }
  if (sub > SIMD.last) unsupported(`0xfd ${sub}`, at);
}

function skipAtomic(r: ByteReader): void {
  const sub = r.u32();
  if (sub === ATOMIC.fence) {
    r.u8(); // reserved byte
    return;
  }
  skipMemArg(r);
}
