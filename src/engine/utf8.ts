/**
 * Engine layer: strict UTF-8 decoding with the Display text of Rust's `std::str::Utf8Error`,
 * because the Rust host reads plugin output with `str::from_utf8` and reports that error verbatim.
 */
import { PluginCallError } from './errors.js';

// ignoreBOM: a leading U+FEFF is kept, as Rust's `String::from_utf8` keeps it, so it reaches the JSON
// parser and fails there (`expected value at line 1 column 1`), as in the Rust host
const STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes `bytes`, throwing PluginCallError 'InvalidUtf8Output' with Rust's error text. */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return STRICT.decode(bytes);
  } catch {
    throw new PluginCallError('InvalidUtf8Output', rustUtf8ErrorText(bytes));
  }
}

/** `invalid utf-8 sequence of N bytes from index I` / `incomplete utf-8 byte sequence from index I`. */
export function rustUtf8ErrorText(bytes: Uint8Array): string {
  const error = findUtf8Error(bytes);
  if (error === undefined) throw new Error('rustUtf8ErrorText called on valid UTF-8');
  return error.errorLength === undefined
    ? `incomplete utf-8 byte sequence from index ${error.validUpTo}`
    : `invalid utf-8 sequence of ${error.errorLength} bytes from index ${error.validUpTo}`;
}

function charWidth(first: number): number {
  if (first < 0x80) return 1;
  if (first < 0xc2) return 0;
  if (first < 0xe0) return 2;
  if (first < 0xf0) return 3;
  if (first < 0xf5) return 4;
  return 0;
}

const isContinuation = (byte: number): boolean => (byte & 0xc0) === 0x80;

/** Mirrors core::str::run_utf8_validation: where valid UTF-8 ends and how long the bad sequence is. */
function findUtf8Error(
  bytes: Uint8Array,
): { validUpTo: number; errorLength: number | undefined } | undefined {
  let index = 0;
  const length = bytes.length;
  while (index < length) {
    const start = index;
    const first = bytes[index]!;
    if (first < 0x80) {
      index++;
      continue;
    }
    const fail = (errorLength: number | undefined) => ({ validUpTo: start, errorLength });
    const next = (): number | undefined => {
      index++;
      return index < length ? bytes[index] : undefined;
    };
    const width = charWidth(first);
    if (width === 2) {
      const b1 = next();
      if (b1 === undefined) return fail(undefined);
      if (!isContinuation(b1)) return fail(1);
    } else if (width === 3) {
      const b1 = next();
      if (b1 === undefined) return fail(undefined);
      const ok =
        (first === 0xe0 && b1 >= 0xa0 && b1 <= 0xbf) ||
        (first >= 0xe1 && first <= 0xec && isContinuation(b1)) ||
        (first === 0xed && b1 >= 0x80 && b1 <= 0x9f) ||
        (first >= 0xee && first <= 0xef && isContinuation(b1));
      if (!ok) return fail(1);
      const b2 = next();
      if (b2 === undefined) return fail(undefined);
      if (!isContinuation(b2)) return fail(2);
    } else if (width === 4) {
      const b1 = next();
      if (b1 === undefined) return fail(undefined);
      const ok =
        (first === 0xf0 && b1 >= 0x90 && b1 <= 0xbf) ||
        (first >= 0xf1 && first <= 0xf3 && isContinuation(b1)) ||
        (first === 0xf4 && b1 >= 0x80 && b1 <= 0x8f);
      if (!ok) return fail(1);
      const b2 = next();
      if (b2 === undefined) return fail(undefined);
      if (!isContinuation(b2)) return fail(2);
      const b3 = next();
      if (b3 === undefined) return fail(undefined);
      if (!isContinuation(b3)) return fail(3);
    } else {
      return fail(1);
    }
    index++;
  }
  return undefined;
}
