/**
 * Wire layer: the one ordering the protocol knows. Rust's BTreeMap/BTreeSet order strings byte-wise
 * (UTF-8), which equals code-point order; JavaScript's `<` and default `sort()` compare UTF-16 code
 * units, which disagree for characters above U+FFFF versus U+E000–U+FFFF. Every sorted iteration
 * over a wire map or set goes through this module, and so does every lookup by key, because a
 * plain object inherits keys such as `toString` that a BTreeMap never has.
 */

/**
 * Orders two strings by code point. At the first differing UTF-16 unit, a surrogate (part of a
 * character above U+FFFF) must rank above every BMP unit, including U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** The items sorted by code point with duplicates removed: how a BTreeSet<String> iterates. */
export function sortedUnique(items: Iterable<string>): string[] {
  const sorted = [...items].sort(compareCodePoints);
  return sorted.filter((item, index) => index === 0 || item !== sorted[index - 1]);
}

/** The own keys of a wire map in code-point order: how a BTreeMap<String, _> iterates. */
export function sortedKeys(record: object): string[] {
  return Object.keys(record).sort(compareCodePoints);
}

/** Whether a wire map holds the key as its own entry (never an inherited property). */
export function hasKey(record: object, key: string): boolean {
  return Object.hasOwn(record, key);
}

/** The value a wire map holds under the key, or undefined when the map has no such entry. */
export function valueAt<V>(record: { readonly [key: string]: V }, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** An empty wire map whose keys can be anything, `__proto__` included. */
export function emptyWireMap<V>(): { [key: string]: V } {
  return Object.create(null) as { [key: string]: V };
}
