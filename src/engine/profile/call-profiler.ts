/**
 * Engine layer: the JavaScript side of a profiling instance — the hook the instrumented guest
 * calls on every function entry and exit, bound to a FuelRecorder, and the profile of each call.
 *
 * The guest reaches the hook through its exported hook table (profile-instrumentation.ts). A
 * table holds WebAssembly functions only, so the hook is the export of a two-line module that
 * imports the JavaScript function: compiled once at load, instantiated once per profiling
 * instance.
 */
import { readModuleInfo } from '../module-info.js';
import { ByteWriter } from '../wasm-binary.js';
import { type FuelProfile, FuelRecorder, fuelProfile } from './fuel-profile.js';
import { functionNamer } from './function-names.js';
import { EXIT, PROFILE_HOOK_TABLE } from './profile-instrumentation.js';

/** `(module (import "profile" "hook" (func (param f64 i32))) (export "hook" (func 0)))` */
const HOOK_MODULE = new WebAssembly.Module(
  new ByteWriter(64)
    .bytes(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00))
    .u8(1)
    .sized(Uint8Array.of(1, 0x60, 2, 0x7c, 0x7f, 0))
    .u8(2)
    .sized(new ByteWriter(32).u32(1).name('profile').name('hook').u8(0).u32(0))
    .u8(7)
    .sized(new ByteWriter(16).u32(1).name('hook').u8(0).u32(0))
    .finish()
    .slice(),
);

/** Records the profile of every call on one profiling instance. */
export class CallProfiler {
  private readonly recorder: FuelRecorder;
  private readonly bytes: Uint8Array;
  private nameOf: ((index: number) => string) | undefined;

  /** `bytes`: the guest's own module (names and function count come from it). */
  constructor(bytes: Uint8Array, instance: WebAssembly.Instance) {
    const info = readModuleInfo(bytes);
    this.bytes = bytes;
    const recorder = new FuelRecorder(info.importedFunctionCount + info.definedFunctionTypes.length);
    this.recorder = recorder;
    const hook = (remaining: number, fn: number): void => {
      if (fn === EXIT) recorder.exit(remaining);
      else recorder.enter(fn, remaining);
    };
    const hooks = new WebAssembly.Instance(HOOK_MODULE, { profile: { hook } });
    const table = instance.exports[PROFILE_HOOK_TABLE];
    if (!(table instanceof WebAssembly.Table)) {
      throw new Error(`a profiling instance exports its hook table as ${PROFILE_HOOK_TABLE}`);
    }
    table.set(0, hooks.exports.hook as () => void);
  }

  /** Before each guest call, with the budget the call starts with. */
  begin(budget: number): void {
    this.recorder.begin(budget);
  }

  /** After each guest call, with the counter it ended with: the call's profile. */
  finish(remaining: number): FuelProfile {
    this.nameOf ??= functionNamer(this.bytes);
    return fuelProfile(this.recorder.finish(remaining), this.nameOf);
  }
}
