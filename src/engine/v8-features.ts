/**
 * Engine layer: V8 flags for the WebAssembly proposals the cc-lb host accepts and Node 20's V8 runs
 * only behind a flag (wire/wasm-features.ts lists them). V8 reads wasm feature flags when it
 * compiles or validates a module, so setting them at runtime with `v8.setFlagsFromString` before
 * the engine's first compilation is enough (checked by test/engine/v8-features.test.ts). Flags
 * are process-wide and setting one twice is harmless; `enableHostWasmFeatures` runs once when
 * this module loads, before any other engine module can compile.
 */
import { setFlagsFromString } from 'node:v8';
import { HOST_WASM_FEATURES } from '../wire/wasm-features.js';

/** Sets the V8 flag of every host feature that needs one; returns the flags set. */
export function enableHostWasmFeatures(): string[] {
  const flags = HOST_WASM_FEATURES.flatMap((f) =>
    f.support === 'flag' && f.v8Flag !== undefined ? [f.v8Flag] : [],
  );
  for (const flag of flags) setFlagsFromString(flag);
  return flags;
}

enableHostWasmFeatures();
