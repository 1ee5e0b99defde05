/**
 * Engine layer: what the profiling variant of the instrumentation adds to a module (only built
 * when a call asks for a fuel profile; the default variant has none of it, so ordinary calls pay
 * nothing for profiling).
 *
 * Every guest function reports its entry and its exit to the engine, each with the fuel counter
 * at that moment, through one hook: an appended `funcref` table of one entry, exported as
 * PROFILE_HOOK_TABLE, which the engine fills after instantiation with a function that calls the
 * recorder (fuel-profile.ts). A table rather than an import, because an added function import
 * would shift every function index of the module; `call_indirect` through it needs only one
 * appended type, `(f64 i32) -> ()`: the remaining fuel and the function index (-1: exit).
 *
 * The body of every defined function becomes:
 *
 *     <locals>
 *     hook(fuel, N)                     ; before the entry charge: the entry unit is N's
 *     <entry charge and check>
 *     local.get 0 … local.get p-1       ; a block of the function's own type: `br` to the
 *     block (type T) drop × p           ; function label now lands on its end
 *       <the instrumented body>         ; `return`, `return_call*`: hook(fuel, -1) first
 *     end
 *     hook(fuel, -1)
 *     end
 *
 * so every way out of a function but a trap passes an exit hook after the function's last charge,
 * and the hooks themselves are never charged: fuel counts are those of the default variant. A
 * trap leaves frames open; the recorder closes them at the final counter. Kernel wrappers and the
 * engine's helpers get no hooks, so their fuel belongs to the guest function that called them.
 */
import type { ModuleInfo } from '../module-info.js';
import { OP } from '../opcodes.js';
import {
  ByteReader,
  ByteWriter,
  EXTERNAL_KIND_BYTE,
  type FuncType,
  readSections,
  SECTION,
  SECTION_ORDER,
  VALTYPE_BYTE,
} from '../wasm-binary.js';

/** Part of the profiling variant's cache key: bump it whenever its output for the same input changes. */
export const PROFILE_VARIANT_ID = 'profile-1';

/** The export under which the profiling variant exposes its hook table. */
export const PROFILE_HOOK_TABLE = 'cc-lb-engine:profile-hook';

/** The index of the function a hook reports an exit with. */
export const EXIT = -1;

/** What the instrumenter puts around one function body (see the module header). */
export interface BodyHooks {
  /** after the locals, before the entry charge */
  readonly entry: Uint8Array;
  /** after the entry charge and check */
  readonly blockStart: Uint8Array;
  /** before `return`, `return_call`, `return_call_indirect`, after their charge */
  readonly exit: Uint8Array;
  /** in place of the body's final `end`, after its charge */
  readonly end: Uint8Array;
}

/**
 * The profiling additions for one module. The instrumenter calls it at two seams: `bodyHooks`
 * for each defined function while rewriting the code section, and `extendModule` on the finished
 * module, which appends the hook table and its export. `fuelGlobal` is the instrumenter's
 * remaining-fuel counter (an i64 global); `hookType` the index of a `(f64 i32) -> ()` type the
 * instrumenter appended.
 */
export class ProfileInstrumentation {
  private readonly hookTable: number;
  private readonly exitHook: Uint8Array;

  constructor(
    private readonly info: ModuleInfo,
    private readonly fuelGlobal: number,
    private readonly hookType: number,
  ) {
    this.hookTable = tableCount(info);
    this.exitHook = this.hook(EXIT);
  }

  /** The code around the body of defined function `definedIndex` (0: the first defined one). */
  bodyHooks(definedIndex: number): BodyHooks {
    const typeIndex = this.info.definedFunctionTypes[definedIndex] as number;
    const paramCount = (this.info.types[typeIndex] as FuncType).params.length;
    const block = new ByteWriter(8 + 4 * paramCount);
    for (let i = 0; i < paramCount; i++) block.u8(OP.localGet).u32(i);
    block.u8(OP.block).u32(typeIndex);
    for (let i = 0; i < paramCount; i++) block.u8(OP.drop);
    return {
      entry: this.hook(this.info.importedFunctionCount + definedIndex),
      blockStart: block.finish().slice(),
      exit: this.exitHook,
      end: new ByteWriter(16).u8(OP.end).bytes(this.exitHook).u8(OP.end).finish().slice(),
    };
  }

  /**
   * The instrumented module with the hook table appended to its table section (made if there is
   * none) and the table's export to its export section.
   */
  extendModule(module: Uint8Array): Uint8Array {
    const sections = readSections(module);
    const out = new ByteWriter(module.length + 64);
    out.bytes(module.subarray(0, 8));
    const hasTable = sections.some((s) => s.id === SECTION.table);
    const tableRank = SECTION_ORDER.indexOf(SECTION.table);
    let tableWritten = hasTable;
    for (const section of sections) {
      const payload = module.subarray(section.start, section.end);
      if (!tableWritten && section.id !== SECTION.custom && SECTION_ORDER.indexOf(section.id) > tableRank) {
        out.u8(SECTION.table).sized(appended(undefined, this.tableEntry()));
        tableWritten = true;
      }
      const extra =
        section.id === SECTION.table
          ? this.tableEntry()
          : section.id === SECTION.export
            ? this.exportEntry()
            : undefined;
      out.u8(section.id).sized(extra === undefined ? payload : appended(payload, extra));
    }
    if (!tableWritten) out.u8(SECTION.table).sized(appended(undefined, this.tableEntry()));
    return out.finish().slice();
  }

  /** one `funcref`, fixed size */
  private tableEntry(): Uint8Array {
    return new ByteWriter(8).u8(VALTYPE_BYTE.funcref).u8(0x01).u32(1).u32(1).finish();
  }

  private exportEntry(): Uint8Array {
    return new ByteWriter(48)
      .name(PROFILE_HOOK_TABLE)
      .u8(EXTERNAL_KIND_BYTE.table)
      .u32(this.hookTable)
      .finish();
  }

  private hook(functionIndex: number): Uint8Array {
    return new ByteWriter(24)
      .u8(OP.globalGet)
      .u32(this.fuelGlobal)
      .u8(OP.f64ConvertI64S)
      .u8(OP.i32Const)
      .s64(functionIndex)
      .u8(OP.i32Const)
      .u8(0)
      .u8(OP.callIndirect)
      .u32(this.hookType)
      .u32(this.hookTable)
      .finish()
      .slice();
  }
}

/** A vector section's payload with one more entry (a new vector of one when there is none). */
function appended(payload: Uint8Array | undefined, entry: Uint8Array): ByteWriter {
  const w = new ByteWriter((payload?.length ?? 0) + entry.length + 8);
  if (payload === undefined) return w.u32(1).bytes(entry);
  const reader = new ByteReader(payload);
  const count = reader.u32();
  return w
    .u32(count + 1)
    .bytes(payload.subarray(reader.pos))
    .bytes(entry);
}

/** Imported plus defined tables: the index an appended table gets. */
function tableCount(info: ModuleInfo): number {
  return info.imports.filter((i) => i.kind === 'table').length + info.tables.length;
}
