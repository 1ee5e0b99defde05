/**
 * Wire layer: the WebAssembly proposals the cc-lb host accepts, as one table shared by the engine
 * (which enables what Node's V8 can run and names the rest) and the `/wat` helpers (which compile
 * exactly this feature set), so the two can never drift apart.
 *
 * The host is wasmtime with its default configuration (cc-lb-runtime-protocol builds plugins
 * through Extism, which does not change the proposal set). Its defaults accept the proposals
 * below and refuse exception handling, GC and typed function references (`call_ref`).
 */

/** How this package treats a proposal the host accepts. */
export type WasmFeatureSupport =
  /** V8 runs it by default */
  | 'native'
  /** V8 runs it once `v8Flag` is set; the engine sets it before compiling */
  | 'flag'
  /** V8 (Node 20) cannot run it correctly: the engine answers `UnsupportedFeature` */
  | 'unsupported';

export interface WasmFeature {
  /** the proposal's name as wasmtime/wasmparser spell it in their feature lists */
  readonly name: string;
  readonly support: WasmFeatureSupport;
  /** the V8 flag that enables it, for `support: 'flag'` */
  readonly v8Flag?: string;
  /** wabt's name for it (`/wat` compiles with every host feature wabt knows) */
  readonly wabt?: string;
}

/**
 * Proposals wasmtime's defaults accept. memory64 has a V8 flag on Node 20, but V8 11.3 computes
 * wrong addresses for 64-bit bulk-memory operations (measured: a `memory.copy` on an i64 memory
 * traps out of bounds), so the engine refuses it honestly rather than running it wrongly;
 * multi-memory has no flag at all on Node 20.
 */
export const HOST_WASM_FEATURES: readonly WasmFeature[] = [
  { name: 'mutable-global', support: 'native', wabt: 'mutable_globals' },
  { name: 'saturating-float-to-int', support: 'native', wabt: 'sat_float_to_int' },
  { name: 'sign-extension', support: 'native', wabt: 'sign_extension' },
  { name: 'multi-value', support: 'native', wabt: 'multi_value' },
  { name: 'bulk-memory', support: 'native', wabt: 'bulk_memory' },
  { name: 'reference-types', support: 'native', wabt: 'reference_types' },
  { name: 'simd', support: 'native', wabt: 'simd' },
  { name: 'tail-call', support: 'native', wabt: 'tail_call' },
  { name: 'threads', support: 'native', wabt: 'threads' },
  {
    name: 'relaxed-simd',
    support: 'flag',
    v8Flag: '--experimental-wasm-relaxed-simd',
    wabt: 'relaxed_simd',
  },
  {
    name: 'extended-const',
    support: 'flag',
    v8Flag: '--experimental-wasm-extended-const',
    wabt: 'extended_const',
  },
  { name: 'memory64', support: 'unsupported', wabt: 'memory64' },
  { name: 'multi-memory', support: 'unsupported', wabt: 'multi_memory' },
];

/** Proposals the host refuses (wasmtime's defaults leave them off); named in the refusal text. */
export const REFUSED_WASM_FEATURES = {
  exceptions: 'exceptions',
  gc: 'gc',
  functionReferences: 'function-references',
} as const;
export type RefusedWasmFeature = (typeof REFUSED_WASM_FEATURES)[keyof typeof REFUSED_WASM_FEATURES];
