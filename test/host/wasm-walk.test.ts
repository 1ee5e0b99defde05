import { describe, expect, it } from 'vitest';
import { walkWasm } from '../../src/host/wasm-walk.js';
import { wat } from '../../src/wat/compile.js';
import { FIXTURE_HANDLER_EXPORTS, fixturePlugin } from '../support/fixture-plugins.js';

/** the first use compiles the AssemblyScript fixtures (cached afterwards) */
const FIXTURE_COMPILE_MS = 120_000;

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const module = (...bytes: number[]) => new Uint8Array([...HEADER, ...bytes]);
const ascii = (text: string) => [...new TextEncoder().encode(text)];
/** a custom section with a one-byte size (small names and payloads only) */
const custom = (name: string, data: number[] = []) => [
  0,
  1 + name.length + data.length,
  name.length,
  ...ascii(name),
  ...data,
];

/** Rust `{:#x?}` of a 4-byte slice, as wasmparser embeds it in the bad-magic message */
const prettyHex = (bytes: number[]) => `[\n${bytes.map((b) => `    0x${b.toString(16)},\n`).join('')}]`;

describe('walkWasm: successful walks', () => {
  it('a bare header is a module with nothing in it', () => {
    expect(walkWasm(module())).toEqual({
      encoding: 'module',
      sections: [],
      customSections: [],
      functionExports: [],
      importModules: [],
      imports: [],
    });
  });

  it('lists function exports only, and import modules once each in order of appearance', () => {
    const walk = walkWasm(wat`(module
      (import "extism:host/env" "alloc" (func (param i64) (result i64)))
      (import "extism:host/user" "cc_lb_log" (func (param i64 i64)))
      (import "extism:host/env" "output_set" (func (param i64 i64)))
      (memory (export "memory") 1)
      (global (export "g") i32 (i32.const 0))
      (func (export "route") (result i32) (i32.const 0))
      (func (export "shape") (result i32) (i32.const 0)))`);
    expect(walk.error).toBeUndefined();
    expect(walk.functionExports).toEqual(['route', 'shape']);
    expect(walk.importModules).toEqual(['extism:host/env', 'extism:host/user']);
    expect(walk.imports).toEqual([
      { module: 'extism:host/env', name: 'alloc', kind: 'function' },
      { module: 'extism:host/user', name: 'cc_lb_log', kind: 'function' },
      { module: 'extism:host/env', name: 'output_set', kind: 'function' },
    ]);
    expect(walk.sections.map((s) => s.id)).toEqual([1, 2, 3, 5, 6, 7, 10]);
  });

  it('decodes table, memory and global imports to reach the entries after them', () => {
    const walk = walkWasm(wat`(module
      (import "a" "t" (table 1 2 funcref))
      (import "b" "m" (memory 1 4))
      (import "c" "g" (global (mut i64)))
      (import "d" "f" (func)))`);
    expect(walk.error).toBeUndefined();
    expect(walk.imports.map((i) => `${i.module}.${i.name}:${i.kind}`)).toEqual([
      'a.t:table',
      'b.m:memory',
      'c.g:global',
      'd.f:function',
    ]);
  });

  it('records every custom section in binary order with its data and where the data starts', () => {
    const walk = walkWasm(module(...custom('first', [1, 2]), 0x01, 0x01, 0x00, ...custom('second', [3])));
    expect(walk.error).toBeUndefined();
    expect(
      walk.customSections.map((c) => ({ name: c.name, data: [...c.data], dataOffset: c.dataOffset })),
    ).toEqual([
      { name: 'first', data: [1, 2], dataOffset: 16 },
      { name: 'second', data: [3], dataOffset: 30 },
    ]);
    expect(walk.sections).toEqual([
      { id: 0, offset: 10, size: 8, nested: false },
      { id: 1, offset: 20, size: 1, nested: false },
      { id: 0, offset: 23, size: 8, nested: false },
    ]);
  });

  it('hands over unknown section ids without an error, as the parser does (the validator rejects them)', () => {
    const walk = walkWasm(module(14, 1, 0));
    expect(walk.error).toBeUndefined();
    expect(walk.sections).toEqual([{ id: 14, offset: 10, size: 1, nested: false }]);
  });

  it('reads a view that does not start at offset 0 of its buffer', () => {
    const backing = new Uint8Array([9, 9, 9, ...HEADER, ...custom('x')]);
    const view = Buffer.from(backing.buffer, 3, backing.length - 3);
    expect(walkWasm(view).customSections.map((c) => c.name)).toEqual(['x']);
  });

  it('descends into core modules nested in a component, like parse_all', () => {
    const inner = module(...custom('cc_lb.plugin.v1', ascii('{}')));
    const component = new Uint8Array([
      0x00,
      0x61,
      0x73,
      0x6d,
      0x0d,
      0x00,
      0x01,
      0x00,
      0x01,
      inner.length,
      ...inner,
    ]);
    const walk = walkWasm(component);
    expect(walk.error).toBeUndefined();
    expect(walk.encoding).toBe('component');
    expect(walk.customSections.map((c) => [c.name, new TextDecoder().decode(c.data)])).toEqual([
      ['cc_lb.plugin.v1', '{}'],
    ]);
  });
});

describe('walkWasm: the first parse error, as wasmparser words it', () => {
  it('IR-08 input: the text `not wasm` has a bad magic number', () => {
    expect(walkWasm(new TextEncoder().encode('not wasm')).error).toBe(
      `magic header not detected: bad magic number - expected=${prettyHex([0, 0x61, 0x73, 0x6d])} actual=${prettyHex([0x6e, 0x6f, 0x74, 0x20])} (at offset 0x0)`,
    );
  });

  it('H-09 input: 16 zero bytes have a bad magic number', () => {
    expect(walkWasm(new Uint8Array(16)).error).toBe(
      `magic header not detected: bad magic number - expected=${prettyHex([0, 0x61, 0x73, 0x6d])} actual=${prettyHex([0, 0, 0, 0])} (at offset 0x0)`,
    );
  });

  it('empty input and a header cut short end the file early', () => {
    expect(walkWasm(new Uint8Array()).error).toBe('unexpected end-of-file (at offset 0x0)');
    expect(walkWasm(new Uint8Array([0, 0x61, 0x73, 0x6d, 1])).error).toBe(
      'unexpected end-of-file (at offset 0x4)',
    );
  });

  it('an unknown version is printed as `{:#10x}`', () => {
    expect(walkWasm(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])).error).toBe(
      'unknown binary version:        0x2 (at offset 0x4)',
    );
  });

  it('section framing errors', () => {
    expect(walkWasm(module(0x80)).error).toBe('malformed section id (at offset 0x8)');
    expect(walkWasm(module(0)).error).toBe('unexpected end-of-file (at offset 0x9)');
    expect(walkWasm(module(0, 5, 1)).error).toBe('unexpected end-of-file (at offset 0xa)');
    expect(walkWasm(module(0, 0x80, 0x80, 0x80, 0x80, 0x10)).error).toBe(
      'invalid var_u32: integer too large (at offset 0xd)',
    );
    expect(walkWasm(module(0, 0x80, 0x80, 0x80, 0x80, 0x80)).error).toBe(
      'invalid var_u32: integer representation too long (at offset 0xd)',
    );
    expect(walkWasm(module(...HEADER)).error).toBe('expected section, got wasm magic number (at offset 0x8)');
  });

  it('custom-section name errors', () => {
    expect(walkWasm(module(0, 0)).error).toBe('unexpected end-of-file (at offset 0xa)');
    expect(walkWasm(module(0, 2, 5, 0x61)).error).toBe('unexpected end-of-file (at offset 0xb)');
    expect(walkWasm(module(0, 2, 1, 0xff)).error).toBe('malformed UTF-8 encoding (at offset 0xb)');
  });

  it('module structure errors the parser itself detects', () => {
    expect(walkWasm(module(3, 1, 0, 1, 1, 0)).error).toBe('section out of order (at offset 0xd)');
    expect(walkWasm(module(3, 2, 1, 0)).error).toBe(
      'function section has non-zero count but code section is absent (at offset 0xc)',
    );
    expect(walkWasm(module(10, 4, 1, 2, 0, 0x0b)).error).toBe(
      'function section is absent but code section has non-zero count (at offset 0xa)',
    );
    expect(walkWasm(module(10, 2, 0, 0)).error).toBe('trailing bytes at end of section (at offset 0xb)');
    expect(walkWasm(module(8, 2, 0, 0)).error).toBe(
      'unexpected content in the start section (at offset 0xb)',
    );
    expect(walkWasm(module(12, 1, 2)).error).toBe(
      'data count is non-zero but data section is absent (at offset 0xb)',
    );
  });

  it('keeps what came before the error and reports only the first error', () => {
    const walk = walkWasm(module(...custom('before'), 0x80, ...custom('after')));
    expect(walk.customSections.map((c) => c.name)).toEqual(['before']);
    expect(walk.error).toBe('malformed section id (at offset 0x11)');
  });

  it('a truncated real module fails where its bytes run out', () => {
    const full = wat`(module (func (export "f") (result i32) (i32.const 0)))`;
    const walk = walkWasm(full.subarray(0, full.length - 2));
    expect(walk.error).toMatch(/^unexpected end-of-file \(at offset 0x[0-9a-f]+\)$/);
    expect(walk.functionExports).toEqual(['f']);
  });
});

describe('walkWasm: real plugins', () => {
  it.each(['shape', 'router', 'observe'] as const)(
    'walks the AssemblyScript %s fixture cleanly',
    async (name) => {
      const walk = walkWasm(await fixturePlugin(name));
      expect(walk.error).toBeUndefined();
      expect([...walk.functionExports].sort()).toEqual(
        ['cc_lb_handshake', 'cc_lb_self_check', FIXTURE_HANDLER_EXPORTS[name]].sort(),
      );
      expect(walk.importModules).toEqual(['extism:host/env']);
      expect(walk.customSections.filter((c) => c.name === 'cc_lb.plugin.v1')).toHaveLength(1);
    },
    FIXTURE_COMPILE_MS,
  );
});
