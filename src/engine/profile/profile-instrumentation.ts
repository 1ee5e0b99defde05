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
import { ByteReader, ByteWriter, EXTERNAL_KIND_BYTE, SECTION, VALTYPE_BYTE } from '../wasm-binary.js';

/** The export under which the profiling variant exposes its hook table. */
export const PROFILE_HOOK_TABLE = 'cc-lb-engine:profile-hook';

const OP = {
  block: 0x02,
  end: 0x0b,
  callIndirect: 0x11,
  drop: 0x1a,
  localGet: 0x20,
  globalGet: 0x23,
  i32Const: 0x41,
  f64ConvertI64S: 0xb9,
} as const;

/** The index of the function a hook reports an exit with. */
export const EXIT = -1;

/**
 * The profiling additions for one module: the appended type and table, and the code around each
 * function body. `fuelGlobal` is the instrumenter's remaining-fuel counter (an i64 global).
 */
export class ProfileInstrumentation {
  /** index of the appended `(f64 i32) -> ()` type */
  readonly hookType: number;
  /** index of the appended hook table */
  readonly hookTable: number;
  private readonly exitHook: Uint8Array;

  constructor(
    info: ModuleInfo,
    private readonly fuelGlobal: number,
    hookType: number,
  ) {
    this.hookType = hookType;
    this.hookTable = tableCount(info);
    this.exitHook = this.hook(EXIT);
  }

  /** The type to append to the type section: `(f64 i32) -> ()`. */
  typeEntry(): Uint8Array {
    return new ByteWriter(8).u8(0x60).u32(2).u8(VALTYPE_BYTE.f64).u8(VALTYPE_BYTE.i32).u32(0).finish().slice();
  }

  /** The table to append to the table section: one `funcref`, fixed size. */
  tableEntry(): Uint8Array {
    return new ByteWriter(8).u8(VALTYPE_BYTE.funcref).u8(0x01).u32(1).u32(1).finish().slice();
  }

  /** The export entry of the hook table. */
  exportEntry(): Uint8Array {
    return new ByteWriter(48).name(PROFILE_HOOK_TABLE).u8(EXTERNAL_KIND_BYTE.table).u32(this.hookTable).finish().slice();
  }

  /** After the locals, before the entry charge: the entry hook. */
  entryHook(functionIndex: number): Uint8Array {
    return this.hook(functionIndex);
  }

  /** After the entry charge and check: the block every way out of the function ends. */
  bodyBlockStart(typeIndex: number, paramCount: number): Uint8Array {
    const w = new ByteWriter(8 + 4 * paramCount);
    for (let i = 0; i < paramCount; i++) w.u8(OP.localGet).u32(i);
    w.u8(OP.block).u32(typeIndex);
    for (let i = 0; i < paramCount; i++) w.u8(OP.drop);
    return w.finish().slice();
  }

  /** Before `return`, `return_call`, `return_call_indirect` (after their charge). */
  exitHookBytes(): Uint8Array {
    return this.exitHook;
  }

  /** In place of the body's final `end` (after its charge): close the block, exit, end. */
  bodyEnd(): Uint8Array {
    return new ByteWriter(16).u8(OP.end).bytes(this.exitHook).u8(OP.end).finish().slice();
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

/** Imported plus defined tables: the index an appended table gets. */
function tableCount(info: ModuleInfo): number {
  let count = info.imports.filter((i) => i.kind === 'table').length;
  const section = info.sections.find((s) => s.id === SECTION.table);
  if (section !== undefined) count += new ByteReader(info.bytes, section.start, section.end).u32();
  return count;
}

/** The table section with the hook table appended (or a new one holding just it). */
export function tableSectionWithHook(
  bytes: Uint8Array,
  section: { start: number; end: number } | undefined,
  profile: ProfileInstrumentation,
): ByteWriter {
  const w = new ByteWriter();
  if (section === undefined) {
    w.u32(1);
  } else {
    const reader = new ByteReader(bytes, section.start, section.end);
    w.u32(reader.u32() + 1).bytes(bytes.subarray(reader.pos, section.end));
  }
  return w.bytes(profile.tableEntry());
}
