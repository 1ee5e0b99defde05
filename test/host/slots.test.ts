import { describe, expect, it } from 'vitest';
import { slotSetFromExtismExports, slotSetFromHandshake } from '../../src/host/slots.js';
import { wat } from '../../src/wat/compile.js';

const singleExport = (name: string) => wat`(module (func (export "${name}") (result i32) (i32.const 0)))`;

describe('slotSetFromHandshake', () => {
  it('H-01 filter, shape and observe map to all three slots, in slot order', () => {
    expect(slotSetFromHandshake(['filter', 'shape', 'observe'])).toEqual([
      'Router',
      'ObservabilityHook',
      'Shape',
    ]);
  });

  it('H-02 a single slot function', () => {
    expect(slotSetFromHandshake(['shape'])).toEqual(['Shape']);
    expect(slotSetFromHandshake(['filter'])).toEqual(['Router']);
  });

  it('H-03 no slot functions, or only signer functions, give no slots', () => {
    expect(slotSetFromHandshake([])).toEqual([]);
    expect(slotSetFromHandshake(['sign', 'build_signer'])).toEqual([]);
  });

  it('H-04 unknown names are ignored (forward compatible)', () => {
    expect(slotSetFromHandshake(['filter', 'future_slot_v9000'])).toEqual(['Router']);
  });

  it('de-duplicates, and never treats inherited object keys as functions', () => {
    expect(slotSetFromHandshake(new Set(['observe', 'observe', 'toString', '__proto__']))).toEqual([
      'ObservabilityHook',
    ]);
    expect(slotSetFromHandshake(['shape', 'observe', 'shape', 'filter'])).toEqual([
      'Router',
      'ObservabilityHook',
      'Shape',
    ]);
  });

  it('the legacy `route` name is not a handshake slot function', () => {
    expect(slotSetFromHandshake(['route'])).toEqual([]);
  });
});

describe('slotSetFromExtismExports (0.1.0 legacy)', () => {
  it('H-05 a bare `route` export is a Router', async () => {
    expect(await slotSetFromExtismExports(singleExport('route'))).toEqual(['Router']);
  });

  it.each(['filter', 'shape', 'observe'])(
    'H-06 a bare `%s` export yields no slot without a handshake',
    async (name) => {
      expect(await slotSetFromExtismExports(singleExport(name))).toEqual([]);
    },
  );

  it('H-07 `route` plus `shape` is a Router only', async () => {
    const wasm = wat`(module
      (func (export "route") (result i32) (i32.const 0))
      (func (export "shape") (result i32) (i32.const 0)))`;
    expect(await slotSetFromExtismExports(wasm)).toEqual(['Router']);
  });

  it('H-08 a module without known exports', async () => {
    expect(await slotSetFromExtismExports(singleExport('noop'))).toEqual([]);
  });

  it('H-09 bytes that do not build give no slots (the failure is swallowed)', async () => {
    expect(await slotSetFromExtismExports(new Uint8Array(16))).toEqual([]);
  });

  it('a `route` that is a global, not a function, is no Router', async () => {
    expect(await slotSetFromExtismExports(wat`(module (global (export "route") i32 (i32.const 0)))`)).toEqual(
      [],
    );
  });
});
