/**
 * Test support: a value's form with its key order, bigints and -0 made visible, so that
 * `toStrictEqual` on forms means the two values are the same down to the order of their keys
 * (which a later `encodeJsonValue` would write as it finds it).
 */
export function valueForm(value: unknown): unknown {
  if (typeof value === 'bigint') return { bigint: value.toString() };
  if (typeof value === 'number' && Object.is(value, -0)) return { number: '-0' };
  if (Array.isArray(value)) return value.map(valueForm);
  if (typeof value === 'object' && value !== null) {
    return {
      keys: Object.keys(value).map((key) => [key, valueForm((value as Record<string, unknown>)[key])]),
    };
  }
  return value;
}
