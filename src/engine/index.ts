/**
 * Engine layer public surface: the only code that touches @extism/extism. It runs a guest the
 * way the Rust cc-lb host does — metered by wasmtime-compatible fuel, with the Rust texts for
 * every failure, never hanging the worker.
 */
export {
  BuildPluginError,
  PluginCallError,
  type PluginCallErrorKind,
  UnsupportedFeatureError,
} from './errors.js';
export {
  type GuestLogEntry,
  type GuestLogLevel,
  lastLogLines,
  NO_LOGS,
} from './guest-log.js';
export {
  ENGINE_EXPORTS,
  type Instrumenter,
  type InstrumentMeta,
  type InstrumentOptions,
  type InstrumentResult,
} from './instrument.js';
export { loadWasm } from './load-wasm.js';
export {
  type BuildOptions,
  buildPlugin,
  type CallOptions,
  type CallResult,
  checkCallFuel,
  DEFAULT_KERNEL_CALL_FUEL,
  DEFAULT_MAX_MEMORY_PAGES,
  type ImportDescriptor,
  type LoadedPlugin,
} from './plugin.js';
export {
  type CpuProfile,
  type CpuProfileCallFrame,
  type CpuProfileNode,
  toCpuProfile,
} from './profile/cpuprofile.js';
export { type FlameGraphOptions, toFlameGraphSvg } from './profile/flame-graph-svg.js';
export type { FuelProfile, FuelProfileFunction, FuelProfileNode } from './profile/fuel-profile.js';
export {
  type SpeedscopeEvent,
  type SpeedscopeEventedProfile,
  type SpeedscopeFile,
  type SpeedscopeFrame,
  toSpeedscope,
} from './profile/speedscope.js';
export { describeRawOutput, type RawOutput, rawOutputOf } from './raw-output.js';
