import { describe, expect, it } from 'vitest';
import { compileWat, WatCompileError, wat } from '../../src/wat/compile.js';
import { wasmApi } from '../support/wasm-api.js';

function compileError(source: string, filename?: string): WatCompileError {
  try {
    compileWat(source, filename);
  } catch (error) {
    if (error instanceof WatCompileError) return error;
    throw error;
  }
  throw new Error('expected a WatCompileError');
}

describe('wat / compileWat', () => {
  it('compiles synchronously to validated module bytes', () => {
    const bytes = wat`(module (func (export "route") (result i32) (i32.const 0)))`;
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(wasmApi.validate(bytes)).toBe(true);
    expect(wasmApi.Module.exports(new wasmApi.Module(bytes))).toEqual([{ name: 'route', kind: 'function' }]);
  });

  it('interpolates plain values into the template', () => {
    const name = 'cc_lb_self_check';
    const code = 7;
    const bytes = wat`(module (func (export "${name}") (result i32) (i32.const ${code})))`;
    const instance = new wasmApi.Instance(new wasmApi.Module(bytes), {});
    expect((instance.exports[name] as () => number)()).toBe(7);
  });

  it('accepts the proposals the host accepts (bulk memory, multi-value, SIMD, sign extension)', () => {
    const bytes = compileWat(`(module
      (memory 1)
      (func (export "multi") (result i32 i32) (i32.const 1) (i32.const 2))
      (func (export "ext") (param i32) (result i32) (i32.extend8_s (local.get 0)))
      (func (export "fill") (memory.fill (i32.const 0) (i32.const 0) (i32.const 1)))
      (func (export "simd") (result v128) (v128.const i32x4 1 2 3 4)))`);
    expect(wasmApi.Module.exports(new wasmApi.Module(bytes)).map((e) => e.name)).toEqual([
      'multi',
      'ext',
      'fill',
      'simd',
    ]);
  });

  it('a validation error names file:line:column and shows the source line with a caret', () => {
    const error = compileError(
      '(module\n  (func (result i32)\n    (i32.const 0)\n    (i64.const 1)))',
      'plugin.wat',
    );
    expect(error.message).toBe(
      'plugin.wat:4:6: type mismatch in implicit return, expected [i32] but got [... i64]\n      (i64.const 1)))\n       ^',
    );
    expect(error).toMatchObject({ name: 'WatCompileError', filename: 'plugin.wat', line: 4, column: 6 });
    expect(error.sourceLine).toBe('    (i64.const 1)))');
  });

  it('an unresolved name and a duplicate export are located the same way', () => {
    expect(compileError('(module (func $f (call $g)))', 'a.wat').message).toBe(
      'a.wat:1:24: undefined function variable "$g"\n  (module (func $f (call $g)))\n                         ^',
    );
    const duplicate = compileError(
      '(module\n  (func (export "a") (result i32) (i32.const 0))\n  (func (export "a") (result i32) (i32.const 0)))',
      'b.wat',
    );
    expect(duplicate.message).toBe(
      'b.wat:3:10: duplicate export "a"\n    (func (export "a") (result i32) (i32.const 0)))\n           ^',
    );
  });

  it('a parse error, including one at end of input, and the default filename', () => {
    expect(compileError('(module (bogus))').message).toBe(
      'inline.wat:1:10: unexpected token "bogus", expected a module field.\n  (module (bogus))\n           ^',
    );
    const eof = compileError('(module', 'eof.wat');
    expect(eof.message).toBe(
      'eof.wat:1:8: unexpected token "EOF", expected a module field.\n  (module\n         ^',
    );
    expect([eof.line, eof.column]).toEqual([1, 8]);
  });

  it('a failure from the tag carries the same location', () => {
    expect(() => wat`(module (func (result i32) (i32.add (i32.const 1))))`).toThrow(
      'inline.wat:1:29: type mismatch in i32.add, expected [i32, i32] but got [i32]',
    );
  });
});
