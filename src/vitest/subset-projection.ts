/**
 * Vitest layer: for the diff of a subset match (`toHandshake(expected)`, `toHaveIdentity`,
 * partial error expectations), the received value cut down to the keys the expectation names —
 * otherwise every key the test did not ask about shows up as a difference.
 */

export function projectOnto(actual: unknown, expected: unknown): unknown {
  if (!isPlainRecord(actual) || !isPlainRecord(expected) || isAsymmetricMatcher(expected)) return actual;
  const projected: Record<string, unknown> = {};
  for (const key of Object.keys(expected)) {
    if (Object.hasOwn(actual, key)) projected[key] = projectOnto(actual[key], expected[key]);
  }
  return projected;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAsymmetricMatcher(value: object): boolean {
  return typeof (value as { asymmetricMatch?: unknown }).asymmetricMatch === 'function';
}
