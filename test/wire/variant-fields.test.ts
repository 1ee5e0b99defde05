import { describe, expect, it } from 'vitest';
import { defineVariantFields } from '../../src/wire/variant-fields.js';

describe('defineVariantFields', () => {
  it('puts each field of the variant on the error, keeps the variant as a hidden detail', () => {
    const error = new Error('x');
    const detail = { kind: 'OutputTooLarge', bytes: 9, max: 8 } as const;
    defineVariantFields(error, detail);
    expect(error).toMatchObject({ bytes: 9, max: 8 });
    expect((error as unknown as { detail: unknown }).detail).toBe(detail);
    expect(Object.keys(error)).toEqual(['bytes', 'max']);
  });

  it('leaves fields of other variants absent rather than undefined, and never overwrites kind', () => {
    const error = Object.assign(new Error('x'), { kind: 'MissingHandshakeExport' });
    defineVariantFields(error, { kind: 'Other' });
    expect(Object.hasOwn(error, 'reason')).toBe(false);
    expect(error.kind).toBe('MissingHandshakeExport');
  });
});
