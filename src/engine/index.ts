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
  type CallResult,
  DEFAULT_KERNEL_CALL_FUEL,
  DEFAULT_MAX_MEMORY_PAGES,
  type ImportDescriptor,
  type LoadedPlugin,
} from './plugin.js';
export { type CpuProfile, toCpuProfile } from './profile/cpuprofile.js';
export { type FlameGraphOptions, toFlameGraphSvg } from './profile/flame-graph-svg.js';
export type { FuelProfile, FuelProfileFunction, FuelProfileNode } from './profile/fuel-profile.js';
export { type SpeedscopeFile, toSpeedscope } from './profile/speedscope.js';
