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
 *   mutable i64 global (remaining fuel) every export wrapper sets to the budget on entry; on
 *   exhaustion an appended function sets a flag global and executes `unreachable`.
 * - **Kernel-call fuel.** In the Rust host the Extism kernel is itself wasm and burns fuel; the JS
 *   kernel is free. Every `call` of an `extism:host/env` import is redirected to an appended
 *   wrapper that charges `kernelCallFuel` (then checks) and forwards. The `alloc` wrapper also
 *   returns 0 (the Rust kernel's allocation failure) for `alloc(0)` and once a call's kernel
 *   allocations would exceed the memory cap, so an allocation bomb cannot exhaust the test process.
 *   The `output_set` wrapper records its address and length, because the JS kernel ignores `len`;
 *   the `error_set` wrapper drops `error_set(0)`, which clears the error in the Rust kernel.
 * - **Return codes.** The SDK discards an export's i32 result; each callable export is re-pointed
 *   at an appended wrapper that stores the result in a global.
 * - **Engine state, through two functions.** The engine's globals are not exported: each exported
 *   global costs V8 a wrapper object at every instantiation (about 0.45 µs apiece, measured), which
 *   a second `PluginSession.create` pays on top of the SDK's own work. Instead `set-budget`
 *   (f64 → the i64 budget, once per instance) and `state` (one call after each guest call, all
 *   values as one multi-value result, numbers only: no BigInt on the hot path) are exported.
 * - **Memory cap.** Every defined memory gets maximum = min(declared maximum, cap).
 * - **Deferred start.** The start section is removed and the start function exported under a
 *   reserved name, and the exports the SDK would run on its own at instantiation (`_start`,
 *   `_initialize`, `hs_init`) are renamed, so the engine runs initialization itself — under fuel,
 *   after setting the budget, in the order the Rust host uses.
 */
import { functionType, type ModuleInfo } from './module-info.js';
import {
  ByteReader,
  ByteWriter,
  EXTERNAL_KIND_BYTE,
  type FuncType,
  type ImportEntry,
  SECTION,
  SECTION_ORDER,
  VALTYPE_BYTE,
  type ValType,
  WasmFormatError,
} from './wasm-binary.js';

export interface InstrumentOptions {
  /** Upper bound for every defined memory's maximum, in 64 KiB pages. */
  readonly maxMemoryPages: number;
  /** Fuel charged per call into `extism:host/env`. */
  readonly kernelCallFuel: number;
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
  /** Whether the module had a start function (exported as ENGINE_EXPORTS.start). */
  readonly hasStart: boolean;
}

export interface InstrumentResult {
  readonly bytes: Uint8Array;
  readonly meta: InstrumentMeta;
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
  /**
   * `() -> (f64 f64 i32 i32 f64 f64)`: remaining fuel after a normal return (NaN if the last call
   * did not return normally), the fuel counter, the out-of-fuel flag, the return code, and the
   * `output_set` offset and length (-1: not called) of the last call
   */
  state: 'cc-lb-engine:state',
  start: 'cc-lb-engine:start',
} as const;

/** Exports the SDK calls by itself at instantiation; the engine runs them instead. */
const SDK_AUTORUN_EXPORTS = new Set(['_start', '_initialize', 'hs_init']);

/** An instrumentation refusal that is the guest's fault (reported as a build failure). */
export class InstrumentError extends Error {
  override readonly name = 'InstrumentError';
}

const OP = {
  unreachable: 0x00,
  nop: 0x01,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  callIndirect: 0x11,
  returnCall: 0x12,
  returnCallIndirect: 0x13,
  drop: 0x1a,
  localGet: 0x20,
  globalGet: 0x23,
  globalSet: 0x24,
  i32Const: 0x41,
  i64Const: 0x42,
  i64Eqz: 0x50,
  i64GtU: 0x56,
  i64LeS: 0x57,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64And: 0x83,
  f64Const: 0x44,
  i64TruncF64S: 0xb0,
  f64ConvertI64S: 0xb9,
  f64ConvertI64U: 0xba,
} as const;

const ADDRESS_OFFSET_MASK = (1n << 48n) - 1n;

function f64Bytes(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return bytes;
}

const EMPTY_BLOCK = 0x40;

/** Operators wasmtime charges nothing for. */
const FREE_OPS = new Set<number>([
  OP.nop,
  OP.drop,
  OP.block,
  OP.loop,
  OP.unreachable,
  OP.return,
  OP.else,
  OP.end,
]);
/** Operators before which wasmtime adds the pending cost to the counter. */
const FLUSH_OPS = new Set<number>([
  OP.unreachable,
  OP.return,
  OP.call,
  OP.callIndirect,
  OP.returnCall,
  OP.returnCallIndirect,
  OP.loop,
  OP.if,
  OP.br,
  OP.brIf,
  OP.brTable,
  OP.end,
  OP.else,
]);

interface Layout {
  fuel: number;
  outOfFuelFlag: number;
  returnCode: number;
  outputOffset: number;
  outputLength: number;
  kernelAllocated: number;
  budget: number;
  remaining: number;
  outOfFuelFn: number;
  setBudgetFn: number;
  stateFn: number;
  /** Kernel import function index → its wrapper's function index. */
  kernelWrapper: Map<number, number>;
}

export const binaryInstrumenter: Instrumenter = {
  id: 'binary-rewriter-4',
  instrument: instrumentBinary,
};

function instrumentBinary(info: ModuleInfo, options: InstrumentOptions): InstrumentResult {
  const { bytes } = info;
  for (const entry of info.exports) {
    if (entry.name.startsWith(RESERVED_EXPORT_PREFIX)) {
      throw new InstrumentError(`export "${entry.name}" uses the prefix reserved by the engine`);
    }
  }

  const functionImports = info.imports.filter((i) => i.kind === 'function');
  const definedFunctionCount = info.definedFunctionTypes.length;
  let nextFunction = info.importedFunctionCount + definedFunctionCount;
  let nextGlobal = info.importedGlobalCount + info.definedGlobalCount;
  const voidType = info.types.length; // appended `() -> ()`
  const setBudgetType = voidType + 1; // appended `(f64) -> ()`
  const stateType = voidType + 2; // appended `() -> (f64 f64 i32 i32 f64 f64)`

  const layout: Layout = {
    fuel: nextGlobal++,
    outOfFuelFlag: nextGlobal++,
    returnCode: nextGlobal++,
    outputOffset: nextGlobal++,
    outputLength: nextGlobal++,
    kernelAllocated: nextGlobal++,
    budget: nextGlobal++,
    remaining: nextGlobal++,
    outOfFuelFn: nextFunction++,
    setBudgetFn: -1, // after the kernel and export wrappers, below
    stateFn: -1,
    kernelWrapper: new Map(),
  };
  // Every function import is a kernel function (the import policy ran before us).
  functionImports.forEach((_, index) => {
    layout.kernelWrapper.set(index, nextFunction++);
  });
  const redirect = (index: number): number => layout.kernelWrapper.get(index) ?? index;

  // Export wrappers: one per function export the Extism call path can invoke (no parameters).
  const functionExports: FunctionExportMeta[] = [];
  const exportWrappers: { target: number; results: readonly ValType[]; index: number }[] = [];
  const exportRewrites = new Map<number, { name: string; index: number }>();
  let startWrapper: number | undefined;
  if (info.startFunction !== undefined) {
    startWrapper = nextFunction++;
    exportWrappers.push({ target: redirect(info.startFunction), results: [], index: startWrapper });
  }
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
      const wrapper = nextFunction++;
      exportWrappers.push({ target: redirect(entry.index), results: type.results, index: wrapper });
      exportRewrites.set(position, { name: rename, index: wrapper });
    } else if (rename !== entry.name) {
      exportRewrites.set(position, { name: rename, index: entry.index });
    }
  });

  layout.setBudgetFn = nextFunction++;
  layout.stateFn = nextFunction++;

  const capBytes = BigInt(options.maxMemoryPages) * 65536n;
  const kernelFuel = Math.max(0, Math.floor(options.kernelCallFuel));
  const snippets = new Snippets(layout);

  // New function bodies, in appended-index order.
  const newBodies: Uint8Array[] = [];
  const newFunctionTypes: number[] = [];
  newFunctionTypes.push(voidType);
  newBodies.push(
    body((w) => {
      w.u8(OP.i32Const).u8(1).u8(OP.globalSet).u32(layout.outOfFuelFlag).u8(OP.unreachable);
    }),
  );
  functionImports.forEach((entry, index) => {
    newFunctionTypes.push(entry.typeIndex!);
    const type = info.types[entry.typeIndex!]!;
    newBodies.push(
      body((w) => kernelWrapperBody(w, entry, type, index, kernelFuel, capBytes, layout, snippets)),
    );
  });
  for (const wrapper of exportWrappers) {
    newFunctionTypes.push(voidType);
    newBodies.push(
      body((w) => {
        // Per-call state is reset here rather than from JS: wasm global writes from JS cost a
        // BigInt conversion each, and this runs on every call.
        w.u8(OP.globalGet).u32(layout.budget).u8(OP.globalSet).u32(layout.fuel);
        w.u8(OP.f64Const).bytes(f64Bytes(Number.NaN)).u8(OP.globalSet).u32(layout.remaining);
        w.u8(OP.i32Const).u8(0).u8(OP.globalSet).u32(layout.outOfFuelFlag);
        w.u8(OP.i32Const).u8(0).u8(OP.globalSet).u32(layout.returnCode);
        w.u8(OP.f64Const).bytes(f64Bytes(0)).u8(OP.globalSet).u32(layout.outputOffset);
        w.u8(OP.f64Const).bytes(f64Bytes(-1)).u8(OP.globalSet).u32(layout.outputLength);
        w.u8(OP.i64Const).u8(0).u8(OP.globalSet).u32(layout.kernelAllocated);
        w.u8(OP.call).u32(wrapper.target);
        if (wrapper.results.length === 1) {
          if (wrapper.results[0] === 'i32') w.u8(OP.globalSet).u32(layout.returnCode);
          else w.u8(OP.drop);
        }
        // Only reached on a normal return: the engine reads remaining fuel as a plain number.
        w.u8(OP.globalGet).u32(layout.fuel).u8(OP.f64ConvertI64S).u8(OP.globalSet).u32(layout.remaining);
      }),
    );
  }
  newFunctionTypes.push(setBudgetType);
  newBodies.push(
    body((w) => {
      // the engine passes a safe integer ≥ 0, which the truncation converts exactly
      w.u8(OP.localGet).u32(0).u8(OP.i64TruncF64S).u8(OP.globalSet).u32(layout.budget);
    }),
  );
  newFunctionTypes.push(stateType);
  newBodies.push(
    body((w) => {
      w.u8(OP.globalGet).u32(layout.remaining);
      w.u8(OP.globalGet).u32(layout.fuel).u8(OP.f64ConvertI64S);
      w.u8(OP.globalGet).u32(layout.outOfFuelFlag);
      w.u8(OP.globalGet).u32(layout.returnCode);
      w.u8(OP.globalGet).u32(layout.outputOffset);
      w.u8(OP.globalGet).u32(layout.outputLength);
    }),
  );

  // Assemble the output module section by section.
  const out = new ByteWriter(bytes.length + bytes.length / 4 + 4096);
  out.bytes(bytes.subarray(0, 8));
  const present = new Set(info.sections.map((s) => s.id));
  const emitted = new Set<number>();

  const synthesize = (id: number): void => {
    // Sections we must add when the module lacks them, emitted at their canonical position.
    switch (id) {
      case SECTION.type:
        writeSection(out, SECTION.type, typeSection(bytes, undefined));
        break;
      case SECTION.function:
        writeSection(out, SECTION.function, functionSection(bytes, undefined, newFunctionTypes));
        break;
      case SECTION.global:
        writeSection(out, SECTION.global, globalSection(bytes, undefined));
        break;
      case SECTION.export:
        writeSection(
          out,
          SECTION.export,
          exportSection(undefined, info, exportRewrites, layout, startWrapper),
        );
        break;
      case SECTION.code:
        writeSection(out, SECTION.code, codeSection(bytes, undefined, newBodies, redirect, snippets));
        break;
    }
  };
  const mustExist = [SECTION.type, SECTION.function, SECTION.global, SECTION.export, SECTION.code];
  const emitMissingBefore = (id: number): void => {
    const rank = SECTION_ORDER.indexOf(id);
    for (const required of mustExist) {
      if (!present.has(required) && !emitted.has(required) && SECTION_ORDER.indexOf(required) < rank) {
        synthesize(required);
        emitted.add(required);
      }
    }
  };

  for (const section of info.sections) {
    if (section.id !== SECTION.custom) emitMissingBefore(section.id);
    switch (section.id) {
      case SECTION.type:
        writeSection(out, section.id, typeSection(bytes, section));
        break;
      case SECTION.function:
        writeSection(out, section.id, functionSection(bytes, section, newFunctionTypes));
        break;
      case SECTION.memory:
        writeSection(out, section.id, memorySection(info, options.maxMemoryPages));
        break;
      case SECTION.global:
        writeSection(out, section.id, globalSection(bytes, section));
        break;
      case SECTION.export:
        writeSection(out, section.id, exportSection(section, info, exportRewrites, layout, startWrapper));
        break;
      case SECTION.start:
        break; // the engine runs the start function itself, under fuel
      case SECTION.code:
        writeSection(out, section.id, codeSection(bytes, section, newBodies, redirect, snippets));
        break;
      default:
        out.u8(section.id).sized(bytes.subarray(section.start, section.end));
    }
    if (section.id !== SECTION.custom) emitted.add(section.id);
  }
  emitMissingBefore(Number.POSITIVE_INFINITY);
  for (const required of mustExist) if (!emitted.has(required)) synthesize(required);

  return {
    bytes: out.finish(),
    meta: {
      functionExports,
      imports: info.imports.map((i) => ({ module: i.module, name: i.name, kind: i.kind })),
      hasStart: info.startFunction !== undefined,
    },
  };
}

function writeSection(out: ByteWriter, id: number, payload: ByteWriter): void {
  out.u8(id).sized(payload);
}

function body(fill: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter(64);
  w.u32(0); // no locals
  fill(w);
  w.u8(OP.end);
  return w.finish().slice();
}

/**
 * Appends the engine's function types — `() -> ()`, `(f64) -> ()` and
 * `() -> (f64 f64 i32 i32 f64 f64)` — to the type section (or creates one holding just them).
 */
function typeSection(bytes: Uint8Array, section: { start: number; end: number } | undefined): ByteWriter {
  const w = new ByteWriter();
  const added = 3;
  if (section === undefined) {
    w.u32(added);
  } else {
    const reader = new ByteReader(bytes, section.start, section.end);
    w.u32(reader.u32() + added).bytes(bytes.subarray(reader.pos, section.end));
  }
  const [f64, i32] = [VALTYPE_BYTE.f64, VALTYPE_BYTE.i32];
  w.u8(0x60).u32(0).u32(0);
  w.u8(0x60).u32(1).u8(f64).u32(0);
  w.u8(0x60).u32(0).u32(6).u8(f64).u8(f64).u8(i32).u8(i32).u8(f64).u8(f64);
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

/** Appends the engine's mutable globals, in Layout order. */
function globalSection(bytes: Uint8Array, section: { start: number; end: number } | undefined): ByteWriter {
  const w = new ByteWriter();
  const added: [ValType, number][] = [
    ['i64', 0], // remaining fuel
    ['i32', 0], // out-of-fuel flag
    ['i32', 0], // return code
    ['f64', 0], // output offset inside its kernel block
    ['f64', -1], // output length (-1: output_set not called)
    ['i64', 0], // kernel bytes allocated in this call
    ['i64', 0], // fuel budget per call (set once by the engine)
    ['f64', 0], // remaining fuel after a normal return
  ];
  if (section === undefined) {
    w.u32(added.length);
  } else {
    const reader = new ByteReader(bytes, section.start, section.end);
    w.u32(reader.u32() + added.length).bytes(bytes.subarray(reader.pos, section.end));
  }
  for (const [type, init] of added) {
    w.u8(VALTYPE_BYTE[type]).u8(1);
    if (type === 'i64') w.u8(OP.i64Const).s64(init);
    else if (type === 'f64') w.u8(OP.f64Const).bytes(f64Bytes(init));
    else w.u8(OP.i32Const).s64(init);
    w.u8(OP.end);
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
    w.u8(limits.flags | 1)
      .u32(limits.min)
      .u32(max);
  }
  return w;
}

function exportSection(
  section: { start: number; end: number } | undefined,
  info: ModuleInfo,
  rewrites: Map<number, { name: string; index: number }>,
  layout: Layout,
  startWrapper: number | undefined,
): ByteWriter {
  const w = new ByteWriter();
  const added: [string, number, number][] = [
    [ENGINE_EXPORTS.setBudget, EXTERNAL_KIND_BYTE.function, layout.setBudgetFn],
    [ENGINE_EXPORTS.state, EXTERNAL_KIND_BYTE.function, layout.stateFn],
  ];
  if (startWrapper !== undefined)
    added.push([ENGINE_EXPORTS.start, EXTERNAL_KIND_BYTE.function, startWrapper]);
  w.u32(info.exports.length + added.length);
  if (section !== undefined) {
    info.exports.forEach((entry, position) => {
      const rewrite = rewrites.get(position);
      w.name(rewrite?.name ?? entry.name)
        .u8(EXTERNAL_KIND_BYTE[entry.kind])
        .u32(rewrite?.index ?? entry.index);
    });
  }
  for (const [name, kind, index] of added) w.name(name).u8(kind).u32(index);
  return w;
}

/** Pre-encoded instruction sequences for charging and checking fuel. */
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
      .u8(EMPTY_BLOCK)
      .u8(OP.call)
      .u32(layout.outOfFuelFn)
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
      .u8(EMPTY_BLOCK)
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
      .u8(EMPTY_BLOCK)
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
    w.u8(OP.localGet).u32(0).u8(OP.i64Eqz).u8(OP.if).u8(EMPTY_BLOCK).u8(OP.return).u8(OP.end);
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
  bytes: Uint8Array,
  section: { start: number; end: number } | undefined,
  appended: readonly Uint8Array[],
  redirect: (index: number) => number,
  snippets: Snippets,
): ByteWriter {
  const w = new ByteWriter(
    section === undefined ? 1024 : Math.ceil((section.end - section.start) * 1.3) + 1024,
  );
  if (section === undefined) {
    w.u32(appended.length);
  } else {
    const reader = new ByteReader(bytes, section.start, section.end);
    const count = reader.u32();
    w.u32(count + appended.length);
    const scratch = new ByteWriter(4096);
    for (let i = 0; i < count; i++) {
      const size = reader.u32();
      const start = reader.pos;
      reader.skip(size);
      scratch.length = 0;
      instrumentBody(bytes, start, start + size, scratch, redirect, snippets);
      w.sized(scratch.finish());
    }
  }
  for (const fn of appended) w.sized(fn);
  return w;
}

/**
 * Rewrites one function body: entry charge + check, a charge before every flush operator for the
 * cost accumulated since the previous one (the flush operator's own cost included), a check at
 * every loop header, and kernel calls redirected to their wrappers.
 */
function instrumentBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: ByteWriter,
  redirect: (index: number) => number,
  snippets: Snippets,
): void {
  const r = new ByteReader(bytes, start, end);
  for (let groups = r.u32(); groups > 0; groups--) {
    r.u32();
    r.valType();
  }
  out.bytes(bytes.subarray(start, r.pos));
  // Function entry: wasmtime starts each function with 1 unit pending and checks right away.
  out.bytes(snippets.charge(1)).bytes(snippets.check);

  let pending = 0;
  let copyFrom = r.pos;
  while (r.pos < end) {
    const opStart = r.pos;
    const op = r.u8();
    const cost = FREE_OPS.has(op) ? 0 : 1;
    if (!FLUSH_OPS.has(op)) {
      skipImmediates(op, r, opStart);
      pending += cost;
      continue;
    }
    // Flush point: emit the code up to here, then the charge, then the operator itself.
    out.bytes(bytes.subarray(copyFrom, opStart));
    pending += cost;
    if (pending > 0) out.bytes(snippets.charge(pending));
    pending = 0;
    if (op === OP.call || op === OP.returnCall) {
      const target = r.u32();
      out.u8(op).u32(redirect(target));
      copyFrom = r.pos;
      continue;
    }
    skipImmediates(op, r, opStart);
    out.bytes(bytes.subarray(opStart, r.pos));
    copyFrom = r.pos;
    if (op === OP.loop) out.bytes(snippets.check);
  }
  out.bytes(bytes.subarray(copyFrom, end));
  if (r.pos !== end) throw new WasmFormatError('function body overruns its declared size');
}

/** A block type is an s33: 0x40 (empty), a one-byte value type, or a type index (multi-value). */
function skipBlockType(r: ByteReader): void {
  r.skipLeb(5);
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
  if (op >= 0x45 && op <= 0xc4) return; // numeric operators without immediates
  if (op >= 0x28 && op <= 0x3e) {
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
    case 0x1b: // select
    case 0xd1: // ref.is_null
      return;
    case OP.block:
    case OP.loop:
    case OP.if:
      skipBlockType(r);
      return;
    case OP.br:
    case OP.brIf:
    case OP.call:
    case OP.returnCall:
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25: // table.get
    case 0x26: // table.set
    case 0xd2: // ref.func
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
    case 0x1c: // select t*
      for (let n = r.u32(); n > 0; n--) r.valType();
      return;
    case 0x3f: // memory.size
    case 0x40: // memory.grow
      r.u32();
      return;
    case OP.i32Const:
      r.skipLeb(5);
      return;
    case OP.i64Const:
      r.skipLeb(10);
      return;
    case 0x43:
      r.skip(4);
      return;
    case 0x44:
      r.skip(8);
      return;
    case 0xd0: // ref.null
      r.u8();
      return;
    case 0xfc:
      skipMiscPrefixed(r, at);
      return;
    case 0xfd:
      skipSimd(r, at);
      return;
    case 0xfe:
      skipAtomic(r);
      return;
    default:
      unsupported(`0x${op.toString(16).padStart(2, '0')}`, at);
      return;
  }
}

function skipMiscPrefixed(r: ByteReader, at: number): void {
  const sub = r.u32();
  if (sub <= 7) return; // saturating truncations
  switch (sub) {
    case 8: // memory.init
    case 10: // memory.copy
    case 12: // table.init
    case 14: // table.copy
      r.u32();
      r.u32();
      return;
    case 9: // data.drop
    case 11: // memory.fill
    case 13: // elem.drop
    case 15: // table.grow
    case 16: // table.size
    case 17: // table.fill
      r.u32();
      return;
    default:
      unsupported(`0xfc ${sub}`, at);
      return;
  }
}

function skipSimd(r: ByteReader, at: number): void {
  const sub = r.u32();
  if (sub <= 11) {
    // v128.load*, v128.store
    skipMemArg(r);
    return;
  }
  if (sub === 12 || sub === 13) {
    // v128.const, i8x16.shuffle
    r.skip(16);
    return;
  }
  if (sub >= 21 && sub <= 34) {
    // extract/replace lane
    r.skip(1);
    return;
  }
  if (sub >= 84 && sub <= 91) {
    skipMemArg(r);
    r.skip(1); // load/store lane
    return;
  }
  if (sub === 92 || sub === 93) {
    // v128.load32_zero / load64_zero
    skipMemArg(r);
    return;
  }
  if (sub > 0x113) {
    unsupported(`0xfd ${sub}`, at);
    return;
  }
}

function skipAtomic(r: ByteReader): void {
  const sub = r.u32();
  if (sub === 3) {
    r.u8(); // atomic.fence
    return;
  }
  skipMemArg(r);
}
