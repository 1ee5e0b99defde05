import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textArbitrary } from '../../src/conformance/text-arbitrary.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('textArbitrary', () => {
  it('ascii: printable ASCII only, up to the size’s length, empty and full length both reached', () => {
    const texts = fc.sample(textArbitrary('ascii', 'small'), { numRuns: 2000, seed: 1 });
    expect(texts.every((t) => /^[\u0020-\u007e]*$/.test(t))).toBe(true);
    expect(Math.max(...texts.map((t) => t.length))).toBe(10);
    expect(texts).toContain('');
    expect(new Set(texts.join('')).size).toBe(0x7e - 0x20 + 1);
  });

  it('unicode: every range reached, never a lone surrogate, length counted in code points', () => {
    const texts = fc.sample(textArbitrary('unicode', 'medium'), { numRuns: 1000, seed: 2 });
    expect(texts.some((t) => LONE_SURROGATE.test(t))).toBe(false);
    expect(Math.max(...texts.map((t) => [...t].length))).toBe(100);
    const joined = texts.join('');
    expect(joined).toMatch(/[\u0000-\u001f]/);
    expect(joined).toMatch(/[\u0080-\ud7ff]/);
    expect(joined).toMatch(/[\ue000-\uffff]/);
    expect(joined).toMatch(/[\u{10000}-\u{10ffff}]/u);
    expect(joined).toMatch(/[\u0300-\u036f]/);
    expect(joined).toMatch(/[\u200c\u200d]/);
    expect(joined).toMatch(/[\ufe00-\ufe0f]/);
  });

  it('xsmall keeps texts to one character', () => {
    const texts = fc.sample(textArbitrary('unicode', 'xsmall'), { numRuns: 300, seed: 3 });
    expect(Math.max(...texts.map((t) => [...t].length))).toBe(1);
  });

  it('the same seed gives the same texts', () => {
    const arbitrary = textArbitrary('unicode', 'small');
    expect(fc.sample(arbitrary, { numRuns: 50, seed: 4 })).toStrictEqual(
      fc.sample(arbitrary, { numRuns: 50, seed: 4 }),
    );
  });

  it.each([
    ['a text holding a quote', (t: string) => !t.includes('"'), '"'],
    ['a text of three or more characters', (t: string) => [...t].length < 3, 'aaa'],
    ['a text holding an astral character', (t: string) => !/[\u{10000}-\u{10ffff}]/u.test(t), undefined],
  ] as const)('shrinks %s to the smallest one', (_name, holds, smallest) => {
    const result = fc.check(fc.property(textArbitrary('unicode', 'medium'), holds), {
      seed: 5,
      numRuns: 2000,
    });
    expect(result.failed).toBe(true);
    const [counterexample] = result.counterexample!;
    if (smallest !== undefined) expect(counterexample).toBe(smallest);
    else expect([...counterexample]).toHaveLength(1);
  });

  it('shrinks a text without its context too (a value fast-check did not generate)', () => {
    const result = fc.check(
      fc.property(textArbitrary('ascii', 'small'), (t) => !t.includes('x')),
      {
        seed: 6,
        examples: [['zzxzz']],
      },
    );
    expect(result.failed).toBe(true);
    expect(result.counterexample).toEqual(['x']);
  });
});
