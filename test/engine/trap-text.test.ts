/** V8 trap messages → wasmtime's `wasm trap: …` texts. */
import { describe, expect, it } from 'vitest';
import { wasmtimeTrapText } from '../../src/engine/trap-text.js';

describe('wasmtimeTrapText', () => {
  it.each([
    ['unreachable', 'wasm trap: wasm `unreachable` instruction executed'],
    ['memory access out of bounds', 'wasm trap: out of bounds memory access'],
    ['divide by zero', 'wasm trap: integer divide by zero'],
    ['remainder by zero', 'wasm trap: integer divide by zero'],
    ['divide result unrepresentable', 'wasm trap: integer overflow'],
    ['float unrepresentable in integer range', 'wasm trap: invalid conversion to integer'],
    ['table index is out of bounds', 'wasm trap: undefined element: out of bounds table access'],
    ['null function or function signature mismatch', 'wasm trap: uninitialized element'],
    ['Maximum call stack size exceeded', 'wasm trap: call stack exhausted'],
  ])('%s', (v8, wasmtime) => {
    expect(wasmtimeTrapText(v8)).toBe(wasmtime);
  });

  it('leaves unknown messages alone', () => {
    expect(wasmtimeTrapText('something else entirely')).toBeUndefined();
  });
});
