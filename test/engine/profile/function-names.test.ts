/**
 * Profile names from the module's name section: wabt's debug names, Rust names demangled,
 * `func[N]` for what has no name, and a malformed name section costing only the names after the
 * damage (it is debug information; wasmtime ignores one it cannot read).
 */
import { describe, expect, it } from 'vitest';
import { functionNamer, nameSectionFunctionNames } from '../../../src/engine/profile/function-names.js';
import { compileWat } from '../../../src/wat/compile.js';
import { encodeUnsignedLeb128, withCustomSection } from '../../../src/wat/sections.js';

const SOURCE = `(module
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (func $run (export "run") (result i32) call $helper i32.const 0)
  (func $helper)
  (func (nop)))`;

function nameSection(entries: [number, string | Uint8Array][]): Uint8Array {
  const body: number[] = [...encodeUnsignedLeb128(entries.length)];
  for (const [index, name] of entries) {
    const bytes = typeof name === 'string' ? new TextEncoder().encode(name) : name;
    body.push(...encodeUnsignedLeb128(index), ...encodeUnsignedLeb128(bytes.length), ...bytes);
  }
  return Uint8Array.from([1, ...encodeUnsignedLeb128(body.length), ...body]);
}

describe('function names', () => {
  it('reads the names wabt writes for a debug build, and func[N] for the rest', () => {
    const bytes = compileWat(SOURCE, 'names.wat', { debugNames: true });
    expect(nameSectionFunctionNames(bytes)).toEqual(
      new Map([
        [0, 'output_set'],
        [1, 'run'],
        [2, 'helper'],
      ]),
    );
    const name = functionNamer(bytes);
    expect([0, 1, 2, 3].map(name)).toEqual(['output_set', 'run', 'helper', 'func[3]']);
  });

  it('names every function func[N] without a name section', () => {
    const name = functionNamer(compileWat(SOURCE));
    expect([1, 2, 3].map(name)).toEqual(['func[1]', 'func[2]', 'func[3]']);
  });

  it('demangles Rust names (v0 and legacy) and drops a linker-demangled hash', () => {
    const bytes = withCustomSection(
      compileWat(SOURCE),
      'name',
      nameSection([
        [1, '_RNvCsh537bOAIRKx_3lib7use_all'],
        [2, '_ZN4core3fmt5write17h1234567890abcdefE'],
        [3, 'alloc::raw_vec::finish_grow::h0011223344556677'],
      ]),
    );
    const name = functionNamer(bytes);
    expect([1, 2, 3].map(name)).toEqual(['lib::use_all', 'core::fmt::write', 'alloc::raw_vec::finish_grow']);
  });

  it('keeps the names before a malformed entry and names the rest func[N]', () => {
    const broken = nameSection([
      [1, 'run'],
      [2, Uint8Array.of(0xff, 0xfe)], // not UTF-8
      [3, 'never read'],
    ]);
    const name = functionNamer(withCustomSection(compileWat(SOURCE), 'name', broken));
    expect([1, 2, 3].map(name)).toEqual(['run', 'func[2]', 'func[3]']);
    const truncated = withCustomSection(compileWat(SOURCE), 'name', nameSection([[1, 'run']]).slice(0, -2));
    expect(functionNamer(truncated)(1)).toBe('func[1]');
  });
});
