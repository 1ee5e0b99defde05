/**
 * WAT layer: JSON text for fixture payloads, with `bigint` written as an exact integer literal.
 *
 * Fixtures need u64 values above 2^53 − 1 (the wire accepts them), which `JSON.stringify` refuses
 * to write. Node 20 has no `JSON.rawJSON`, so bigints travel through the replacer as a marker
 * string that cannot occur in ordinary text (it starts with a NUL) and are then unquoted.
 */

const MARKER = '\u0000cc-lb-bigint:';
// JSON.stringify escapes the NUL as \u0000, so the marker appears in the text in this form.
const MARKER_PATTERN = /"\\u0000cc-lb-bigint:(-?\d+)"/g;

/** `JSON.stringify(value)` that also writes bigints; throws a TypeError when nothing is written. */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${MARKER}${v}` : v));
  if (text === undefined) {
    throw new TypeError(`cannot write ${typeof value} as JSON`);
  }
  return text.replace(MARKER_PATTERN, '$1');
}
