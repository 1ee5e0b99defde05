/**
 * Rewriter fuzzer (test tooling): makes a translate-to-fuzz module fully observable from JS before
 * either side runs it, so the original and the instrumented copy can be compared on everything.
 *
 * - Every function export the engine would not call as it is (parameters, or a result other than
 *   one i32) is replaced, under the same name, by a `() -> ()` thunk that calls it with zero/null
 *   arguments (as binaryen's own fuzz harness does) and stores each result in an exported global:
 *   numbers as they are, a v128 as its two i64 lanes, a reference as `ref.is_null`.
 * - Every global, the memory and every table are exported (`fuzz:` names) so the harness can read
 *   them after each call.
 *
 * The exposed module *is* the original: both sides run exactly these bytes (the instrumented side
 * after the engine's rewriter).
 */
import binaryen from 'binaryen';

export const EXPOSED_PREFIX = 'fuzz:';

function isReference(type: binaryen.Type): boolean {
  return (
    type !== binaryen.i32 &&
    type !== binaryen.i64 &&
    type !== binaryen.f32 &&
    type !== binaryen.f64 &&
    type !== binaryen.v128
  );
}

/** The exposed module and the export names the harness reads after every call. */
export interface ExposedModule {
  readonly bytes: Uint8Array;
  /** Function exports, in export order; each is `() -> ()` or `() -> (i32)`. */
  readonly functions: readonly string[];
  /** Every global JS can read (all but v128 ones). */
  readonly globals: readonly string[];
  readonly tables: readonly string[];
  readonly memory: string | undefined;
  /** Imported globals, which the harness creates (zero/null, as every import returns). */
  readonly importedGlobals: readonly ImportedGlobal[];
}

export interface ImportedGlobal {
  readonly module: string;
  readonly name: string;
  readonly value: 'i32' | 'i64' | 'f32' | 'f64' | 'funcref' | 'externref';
  readonly mutable: boolean;
}

function globalValueType(type: binaryen.Type): ImportedGlobal['value'] {
  const named = new Map<binaryen.Type, ImportedGlobal['value']>([
    [binaryen.i32, 'i32'],
    [binaryen.i64, 'i64'],
    [binaryen.f32, 'f32'],
    [binaryen.f64, 'f64'],
    [binaryen.funcref, 'funcref'],
    [binaryen.externref, 'externref'],
  ]);
  const value = named.get(type);
  if (value === undefined) throw new Error(`unsupported imported global type ${type}`);
  return value;
}

/**
 * Everything the fuzzer's feature sets can contain, plus mutable globals for the exports added
 * here. Not `Features.All`: that makes binaryen emit encodings (compact imports) V8 cannot read.
 */
const FEATURES =
  binaryen.Features.SignExt |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt |
  binaryen.Features.MutableGlobals |
  binaryen.Features.Multivalue |
  binaryen.Features.SIMD128 |
  binaryen.Features.ReferenceTypes |
  binaryen.Features.TailCall;

/** binaryen's library could not read a module its own wasm-opt generated. */
export class UnreadableModule extends Error {
  override readonly name = 'UnreadableModule';
}

function readModule(bytes: Uint8Array): binaryen.Module {
  try {
    return binaryen.readBinary(bytes);
  } catch (error) {
    // binaryen throws its C++ exceptions as plain objects with a message
    throw new UnreadableModule(
      `binaryen cannot read the generated module: ${String((error as Error)?.message ?? error)}`,
      {
        cause: error,
      },
    );
  }
}

export function exposeForComparison(bytes: Uint8Array): ExposedModule {
  const module = readModule(bytes);
  try {
    module.setFeatures(FEATURES);
    const zero = (type: binaryen.Type): binaryen.ExpressionRef => {
      if (type === binaryen.i32) return module.i32.const(0);
      if (type === binaryen.i64)
        return (module.i64.const as unknown as (value: bigint) => binaryen.ExpressionRef)(0n);
      if (type === binaryen.f32) return module.f32.const(0);
      if (type === binaryen.f64) return module.f64.const(0);
      if (type === binaryen.v128) return module.v128.const(new Array(16).fill(0));
      return module.ref.null(type);
    };
    const functions: string[] = [];
    const globals: string[] = [];
    let sinkCount = 0;
    const sink = (type: binaryen.Type, value: binaryen.ExpressionRef): binaryen.ExpressionRef => {
      const name = `${EXPOSED_PREFIX}result:${sinkCount++}`;
      module.addGlobal(name, type, true, zero(type));
      module.addGlobalExport(name, name);
      globals.push(name);
      return module.global.set(name, value);
    };

    const exports = Array.from({ length: module.getNumExports() }, (_, i) =>
      binaryen.getExportInfo(module.getExportByIndex(i)),
    );
    const tables: string[] = [];
    let memory: string | undefined;
    const exportedGlobals = new Set<string>();
    const exportedTables = new Set<string>();
    for (const entry of exports) {
      if (entry.kind === binaryen.ExternalGlobal) {
        exportedGlobals.add(entry.value);
        const global = binaryen.getGlobalInfo(module.getGlobal(entry.value));
        if (global.type !== binaryen.v128) globals.push(entry.name);
      }
      if (entry.kind === binaryen.ExternalTable) {
        exportedTables.add(entry.value);
        tables.push(entry.name);
      }
      if (entry.kind === binaryen.ExternalMemory) memory = entry.name;
      if (entry.kind !== binaryen.ExternalFunction) continue;
      functions.push(entry.name);
      const fn = binaryen.getFunctionInfo(module.getFunction(entry.value));
      const params = binaryen.expandType(fn.params);
      const results = binaryen.expandType(fn.results);
      if (
        params.length === 0 &&
        (results.length === 0 || (results.length === 1 && results[0] === binaryen.i32))
      ) {
        continue;
      }
      // Locals: 0 holds the (possibly tuple) result, 1.. each result value.
      const call = module.call(entry.value, params.map(zero), fn.results);
      const body: binaryen.ExpressionRef[] = [];
      const vars: binaryen.Type[] = [];
      if (results.length === 0) {
        body.push(call);
      } else {
        vars.push(fn.results, ...results);
        body.push(module.local.set(0, call));
        results.forEach((type, k) => {
          const whole = module.local.get(0, fn.results);
          body.push(module.local.set(1 + k, results.length === 1 ? whole : module.tuple.extract(whole, k)));
          const value = () => module.local.get(1 + k, type);
          if (type === binaryen.v128) {
            // The typings say ExpressionRef, the API takes the lane number.
            const lane = (n: number) =>
              module.i64x2.extract_lane(value(), n as unknown as binaryen.ExpressionRef);
            body.push(sink(binaryen.i64, lane(0)), sink(binaryen.i64, lane(1)));
          } else if (isReference(type)) {
            body.push(sink(binaryen.i32, module.ref.is_null(value())));
          } else {
            body.push(sink(type, value()));
          }
        });
      }
      const thunk = `${EXPOSED_PREFIX}thunk:${entry.name}`;
      module.addFunction(thunk, binaryen.none, binaryen.none, vars, module.block(null, body, binaryen.none));
      module.removeExport(entry.name);
      module.addFunctionExport(thunk, entry.name);
    }

    const importedGlobals: ImportedGlobal[] = [];
    for (let i = 0; i < module.getNumGlobals(); i++) {
      const global = binaryen.getGlobalInfo(module.getGlobalByIndex(i));
      if (global.module !== null && global.module !== '' && global.base !== null) {
        importedGlobals.push({
          module: global.module,
          name: global.base,
          value: globalValueType(global.type),
          mutable: global.mutable,
        });
      }
      // JS cannot read a v128 global; what reaches one is seen again through memory or results.
      if (global.type === binaryen.v128 || exportedGlobals.has(global.name)) continue;
      if (global.name.startsWith(EXPOSED_PREFIX)) continue; // a result sink, exported above
      module.addGlobalExport(global.name, `${EXPOSED_PREFIX}global:${i}`);
      globals.push(`${EXPOSED_PREFIX}global:${i}`);
    }
    for (let i = 0; i < module.getNumTables(); i++) {
      const table = binaryen.getTableInfo(module.getTableByIndex(i));
      if (exportedTables.has(table.name)) continue;
      module.addTableExport(table.name, `${EXPOSED_PREFIX}table:${i}`);
      tables.push(`${EXPOSED_PREFIX}table:${i}`);
    }
    if (module.hasMemory() && memory === undefined) {
      memory = `${EXPOSED_PREFIX}memory`;
      module.addMemoryExport('0', memory);
    }
    if (!module.validate()) throw new Error('the exposed module does not validate');
    return { bytes: module.emitBinary(), functions, globals, tables, memory, importedGlobals };
  } finally {
    module.dispose();
  }
}
