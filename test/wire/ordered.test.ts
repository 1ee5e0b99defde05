import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareCodePoints,
  emptyWireMap,
  hasKey,
  sortedKeys,
  sortedUnique,
  valueAt,
} from '../../src/wire/ordered.js';

/** The reference order: BTreeMap<String, _> compares UTF-8 bytes. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

describe('compareCodePoints', () => {
  it('orders an astral character after U+E000–U+FFFF, where UTF-16 order would not', () => {
    const astral = '\u{1f600}';
    const privateUse = '\ue000';
    // The trap this module exists for: JavaScript's own comparison says the opposite.
    expect(astral < privateUse).toBe(true);
    expect(compareCodePoints(astral, privateUse)).toBeGreaterThan(0);
    expect(compareCodePoints(privateUse, astral)).toBeLessThan(0);
    expect(['\u{1f600}', '\uffff', 'z', '\ue000'].sort(compareCodePoints)).toEqual([
      'z',
      '\ue000',
      '\uffff',
      '\u{1f600}',
    ]);
  });

  it('orders a prefix first and equal strings as equal', () => {
    expect(compareCodePoints('shape', 'shaped')).toBeLessThan(0);
    expect(compareCodePoints('sign', 'sign')).toBe(0);
  });

  it('agrees in sign with UTF-8 byte order on any well-formed strings', () => {
    // Mostly strings over a tiny alphabet of the troublesome ranges, so that long shared prefixes occur.
    const tricky = fc.string({
      unit: fc.constantFrom('a', 'z', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{1f600}', '\u{10ffff}'),
      maxLength: 6,
    });
    const text = fc.oneof(tricky, fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(compareUtf8(a, b)));
      }),
    );
  });
});

describe('sortedUnique and sortedKeys', () => {
  it('sorts by code point and drops duplicates, like a BTreeSet', () => {
    expect(sortedUnique(['b', 'a', '\u{1f600}', '\ue000', 'a', 'b'])).toEqual([
      'a',
      'b',
      '\ue000',
      '\u{1f600}',
    ]);
    expect(sortedUnique([])).toEqual([]);
  });

  it('lists own keys only, in code-point order', () => {
    const record = Object.create({ inherited: 1 }) as Record<string, number>;
    record['\u{1f600}'] = 1;
    record['\ue000'] = 2;
    record.a = 3;
    expect(sortedKeys(record)).toEqual(['a', '\ue000', '\u{1f600}']);
  });
});

describe('map lookups', () => {
  it('never mistakes an inherited property for an entry', () => {
    const versions: Record<string, number[]> = { shape: [1] };
    expect(hasKey(versions, 'shape')).toBe(true);
    expect(hasKey(versions, 'toString')).toBe(false);
    expect(valueAt(versions, 'toString')).toBeUndefined();
    expect(valueAt(versions, 'constructor')).toBeUndefined();
    expect(valueAt(versions, 'shape')).toEqual([1]);
  });

  it('emptyWireMap stores a __proto__ key as an ordinary entry', () => {
    const map = emptyWireMap<number>();
    const key = '__proto__';
    map[key] = 7;
    expect(hasKey(map, '__proto__')).toBe(true);
    expect(valueAt(map, '__proto__')).toBe(7);
    expect(sortedKeys(map)).toEqual(['__proto__']);
  });
});
