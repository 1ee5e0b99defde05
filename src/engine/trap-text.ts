/**
 * Engine layer: V8's wasm trap messages mapped to the texts wasmtime gives the Rust host
 * (`wasm trap: …`, the Display of `wasmtime::Trap`). V8 folds some traps together; where it does,
 * we pick the wasmtime trap a compiled guest most plausibly hit:
 *
 * | V8 (`RuntimeError`/`RangeError` message)       | wasmtime                                        |
 * |-------------------------------------------------|-------------------------------------------------|
 * | unreachable                                     | wasm trap: wasm `unreachable` instruction executed |
 * | memory access out of bounds, data segment …     | wasm trap: out of bounds memory access          |
 * | divide by zero, remainder by zero               | wasm trap: integer divide by zero               |
 * | divide result unrepresentable                   | wasm trap: integer overflow                     |
 * | float unrepresentable in integer range          | wasm trap: invalid conversion to integer        |
 * | table index is out of bounds, element segment … | wasm trap: undefined element: out of bounds table access |
 * | null function or function signature mismatch   | wasm trap: uninitialized element (a null slot: what an LLVM/AssemblyScript guest's bad function pointer hits; V8 does not tell the two apart) |
 * | operation does not support unaligned accesses   | wasm trap: unaligned atomic                     |
 * | dereferencing a null pointer                    | wasm trap: null reference                       |
 * | Maximum call stack size exceeded (RangeError)   | wasm trap: call stack exhausted                 |
 * | anything else                                   | the V8 message, unchanged                       |
 */

const TRAPS: readonly [RegExp, string][] = [
  [/^unreachable/, 'wasm `unreachable` instruction executed'],
  [
    /memory access out of bounds|data segment .*out of bounds|out of bounds memory access/,
    'out of bounds memory access',
  ],
  [/divide by zero|remainder by zero/, 'integer divide by zero'],
  [/divide result unrepresentable|integer overflow/, 'integer overflow'],
  [/float unrepresentable in integer range/, 'invalid conversion to integer'],
  [
    /table index is out of bounds|element segment .*out of bounds|table .*out of bounds/,
    'undefined element: out of bounds table access',
  ],
  [/null function or function signature mismatch|function signature mismatch/, 'uninitialized element'],
  [/unaligned/, 'unaligned atomic'],
  [/null pointer|null reference/, 'null reference'],
  [/call stack/, 'call stack exhausted'],
];

/** The wasmtime text for a V8 trap message, or undefined when the message is not a known trap. */
export function wasmtimeTrapText(v8Message: string): string | undefined {
  for (const [pattern, text] of TRAPS) if (pattern.test(v8Message)) return `wasm trap: ${text}`;
  return undefined;
}
