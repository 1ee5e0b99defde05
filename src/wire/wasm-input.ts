/**
 * Wire layer: the byte input every layer accepts. A Node `Buffer` is a view that may not start at
 * offset 0 of its backing store, so views are re-wrapped, never assumed to own the whole buffer.
 */
export type WasmInput = Uint8Array | ArrayBuffer | ArrayBufferView;

/** The bytes of a WasmInput as a Uint8Array over exactly those bytes (no copy). */
export function wasmBytes(input: WasmInput): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError(
    `expected wasm bytes (Uint8Array, ArrayBuffer or ArrayBufferView), received ${describeValue(input)}`,
  );
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
