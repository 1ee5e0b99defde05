/**
 * Wire layer: floats written the way serde_json writes them. serde_json formats every finite f64
 * and f32 with the `ryu` crate (both when serializing and inside `floating point \`…\`` error
 * texts), so the digits are the shortest that round-trip and the layout is ryu's: `1.0`, `0.001`,
 * `1e-7`, `1.5e300`, never a `+` in the exponent. Non-finite values are the caller's business
 * (the serializer writes `null`).
 */

/** The shortest decimal digits (no leading or trailing zeros) and exponent with value = digits × 10^k. */
interface Decimal {
  readonly digits: string;
  readonly k: number;
}

/**
 * ECMAScript's Number-to-String already yields the shortest round-tripping digits (choosing the
 * closest when several are as short), which is what ryu computes for an f64; only the layout differs.
 */
function decimalOf(text: string): Decimal {
  let mantissa = text;
  let k = 0;
  const e = text.indexOf('e');
  if (e >= 0) {
    mantissa = text.slice(0, e);
    k = Number(text.slice(e + 1));
  }
  const dot = mantissa.indexOf('.');
  let digits = mantissa;
  if (dot >= 0) {
    digits = mantissa.slice(0, dot) + mantissa.slice(dot + 1);
    k -= mantissa.length - dot - 1;
  }
  let start = 0;
  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) start++;
  let end = digits.length;
  while (end > start + 1 && digits.charCodeAt(end - 1) === 48) end--;
  k += digits.length - end;
  return { digits: digits.slice(start, end), k };
}

/** ryu's `format64`/`format32` layout; `maxIntegerDigits` is 16 for f64 and 13 for f32. */
function layout(
  negative: boolean,
  { digits, k }: Decimal,
  maxIntegerDigits: number,
  minExponent: number,
): string {
  const length = digits.length;
  const kk = length + k;
  let body: string;
  if (k >= 0 && kk <= maxIntegerDigits) body = `${digits}${'0'.repeat(k)}.0`;
  else if (kk > 0 && kk <= maxIntegerDigits) body = `${digits.slice(0, kk)}.${digits.slice(kk)}`;
  else if (kk > minExponent && kk <= 0) body = `0.${'0'.repeat(-kk)}${digits}`;
  else if (length === 1) body = `${digits}e${kk - 1}`;
  else body = `${digits[0]}.${digits.slice(1)}e${kk - 1}`;
  return negative ? `-${body}` : body;
}

/** `ryu::Buffer::format_finite(f64)`. */
export function formatF64(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const negative = value < 0;
  return layout(negative, decimalOf(String(negative ? -value : value)), 16, -5);
}

/**
 * `ryu::Buffer::format_finite(f32)`: the shortest digits that round-trip through f32 (at most 9).
 * `toPrecision(p)` gives the p-digit decimal closest to the value, so the first p that round-trips
 * is the shortest, and the closest among the shortest.
 */
export function formatF32(value: number): string {
  const f = Math.fround(value);
  if (f === 0) return Object.is(f, -0) ? '-0.0' : '0.0';
  const negative = f < 0;
  const magnitude = negative ? -f : f;
  let text = magnitude.toPrecision(9);
  for (let precision = 1; precision < 9; precision++) {
    const candidate = magnitude.toPrecision(precision);
    if (Math.fround(Number(candidate)) === magnitude) {
      text = candidate;
      break;
    }
  }
  return layout(negative, decimalOf(text), 13, -6);
}
