/**
 * Engine layer: which imports a guest may have. The cc-lb host builds conformance instances with
 * WASI off and no host functions, so the only satisfiable imports are the Extism kernel functions
 * in `extism:host/env`. We accept exactly the kernel functions the JS SDK really implements, with
 * the Rust kernel's signatures, and refuse everything else before instantiation with a reason that
 * names module, field and rule. (Without this check the SDK either fails with its own text or,
 * for a wrong signature, instantiates and fails at call time with a BigInt conversion error.)
 */
import type { FuncType } from './wasm-binary.js';
import { formatFuncType, type ImportEntry } from './wasm-binary.js';

export const KERNEL_MODULE = 'extism:host/env';

const I64 = 'i64' as const;
const I32 = 'i32' as const;

/** Kernel functions implemented by @extism/extism's JS kernel, with the Rust kernel's signatures. */
export const KERNEL_FUNCTIONS: Readonly<Record<string, FuncType>> = {
  alloc: { params: [I64], results: [I64] },
  free: { params: [I64], results: [] },
  load_u8: { params: [I64], results: [I32] },
  load_u64: { params: [I64], results: [I64] },
  store_u8: { params: [I64, I32], results: [] },
  store_u64: { params: [I64, I64], results: [] },
  input_offset: { params: [], results: [I64] },
  input_length: { params: [], results: [I64] },
  input_load_u8: { params: [I64], results: [I32] },
  input_load_u64: { params: [I64], results: [I64] },
  output_set: { params: [I64, I64], results: [] },
  error_set: { params: [I64], results: [] },
  error_get: { params: [], results: [I64] },
  config_get: { params: [I64], results: [I64] },
  var_get: { params: [I64], results: [I64] },
  var_set: { params: [I64, I64], results: [] },
  http_request: { params: [I64, I64], results: [I64] },
  http_status_code: { params: [], results: [I32] },
  http_headers: { params: [], results: [I64] },
  length: { params: [I64], results: [I64] },
  length_unsafe: { params: [I64], results: [I64] },
  log_warn: { params: [I64], results: [] },
  log_info: { params: [I64], results: [] },
  log_debug: { params: [I64], results: [] },
  log_error: { params: [I64], results: [] },
  log_trace: { params: [I64], results: [] },
  get_log_level: { params: [], results: [I32] },
};

/** Rust-kernel functions the JS SDK does not provide; named separately so the reason says so. */
const RUST_ONLY_KERNEL_FUNCTIONS = new Set([
  'input_set',
  'output_offset',
  'output_length',
  'reset',
  'memory_bytes',
]);

function sameType(a: FuncType, b: FuncType): boolean {
  return (
    a.params.length === b.params.length &&
    a.results.length === b.results.length &&
    a.params.every((t, i) => t === b.params[i]) &&
    a.results.every((t, i) => t === b.results[i])
  );
}

/**
 * The reason the first unsatisfiable import cannot be provided, or undefined when every import is
 * a kernel function with the right signature.
 */
export function importViolation(
  imports: readonly ImportEntry[],
  types: readonly FuncType[],
): string | undefined {
  for (const entry of imports) {
    const subject = `import "${entry.module}" "${entry.name}"`;
    if (entry.kind !== 'function') {
      return `${subject} is a ${entry.kind} import: the cc-lb host provides no memories, tables, globals or tags to plugins`;
    }
    if (entry.module === 'extism:host/user') {
      return `${subject} is not provided: the cc-lb host registers no host functions for conformance runs`;
    }
    if (entry.module.startsWith('wasi_')) {
      return `${subject} is not provided: the cc-lb host builds plugins with WASI disabled`;
    }
    if (entry.module !== KERNEL_MODULE) {
      return `${subject} is not provided: the cc-lb host provides only the Extism kernel ("${KERNEL_MODULE}")`;
    }
    const expected = KERNEL_FUNCTIONS[entry.name];
    if (expected === undefined || !Object.hasOwn(KERNEL_FUNCTIONS, entry.name)) {
      if (RUST_ONLY_KERNEL_FUNCTIONS.has(entry.name)) {
        return `${subject} is not provided: it is internal to the Rust Extism kernel and the engine's kernel does not implement it`;
      }
      return `${subject} is not provided: the Extism kernel has no function of that name`;
    }
    const actual = types[entry.typeIndex ?? -1];
    if (actual === undefined || !sameType(actual, expected)) {
      const shown = actual === undefined ? 'an unknown type' : `type ${formatFuncType(actual)}`;
      return `${subject} has ${shown}, but the Extism kernel function has type ${formatFuncType(expected)}`;
    }
  }
  return undefined;
}
