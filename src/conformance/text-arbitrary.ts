/**
 * Conformance layer: the short random texts of `requestArbitrary`, drawn straight from fast-check's
 * random source. A filter request holds some thirty texts; built from fast-check's `string` (an
 * array of one generated value per character, each with its own shrink context) they took a third
 * of the time generating the request took. Here a text is one value: its length and characters are
 * drawn in a loop, and it shrinks from the text itself.
 *
 * Shrinking, in the order fast-check tries the candidates: the empty text; shorter prefixes (half,
 * three quarters, … all but the last character); each character removed; each character replaced
 * by `a`. Characters are whole code points throughout, so no candidate holds a lone surrogate.
 */

import fc from 'fast-check';

/** Which characters a text is made of. */
export type TextAlphabet =
  /** printable ASCII, U+0020–U+007E */
  | 'ascii'
  /** any code point but a surrogate, spread over the ASCII, BMP and astral ranges and combining marks */
  | 'unicode';

/** The longest text per size: fast-check's own lengths for its `size` names. */
const MAX_LENGTH: Readonly<Record<fc.Size, number>> = {
  xsmall: 1,
  small: 10,
  medium: 100,
  large: 1000,
  xlarge: 10000,
};

/**
 * Code point ranges of the `'unicode'` alphabet, each as likely as the others: ASCII (controls
 * included), the rest of the BMP below and above the surrogates, the astral planes (a surrogate
 * pair in UTF-16, four bytes in UTF-8), and what joins characters into one grapheme.
 */
const UNICODE_RANGES: readonly (readonly [number, number])[] = [
  [0x0000, 0x007f],
  [0x0080, 0xd7ff],
  [0xe000, 0xffff],
  [0x10000, 0x10ffff],
  [0x0300, 0x036f], // combining diacritical marks
  [0x200c, 0x200d], // zero-width non-joiner and joiner
  [0xfe00, 0xfe0f], // variation selectors
];

/** The character every other one shrinks to. */
const SIMPLEST = 'a';

export function textArbitrary(alphabet: TextAlphabet, size: fc.Size): fc.Arbitrary<string> {
  return new TextArbitrary(alphabet, MAX_LENGTH[size]);
}

class TextArbitrary extends fc.Arbitrary<string> {
  constructor(
    readonly alphabet: TextAlphabet,
    readonly maxLength: number,
  ) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<string> {
    // As fast-check biases its lists: one time in `biasFactor`, a short one.
    const short = biasFactor !== undefined && mrng.nextInt(1, biasFactor) === 1;
    const length = mrng.nextInt(0, short ? Math.min(2, this.maxLength) : this.maxLength);
    let text = '';
    if (this.alphabet === 'ascii') {
      for (let k = 0; k < length; k++) text += String.fromCharCode(mrng.nextInt(0x20, 0x7e));
    } else {
      for (let k = 0; k < length; k++) {
        const [low, high] = UNICODE_RANGES[mrng.nextInt(0, UNICODE_RANGES.length - 1)]!;
        text += String.fromCodePoint(mrng.nextInt(low, high));
      }
    }
    return new fc.Value(text, undefined);
  }

  /** Any text: shrinking only removes characters or replaces them with `a`. */
  canShrinkWithoutContext(value: unknown): value is string {
    return typeof value === 'string';
  }

  shrink(value: string): fc.Stream<fc.Value<string>> {
    return fc.stream(shrinks(value));
  }
}

function* shrinks(text: string): IterableIterator<fc.Value<string>> {
  if (text === '') return;
  const chars = Array.from(text);
  const n = chars.length;
  // prefixes: none of it, half, three quarters, … all but the last character
  for (let cut = n; cut > 0; cut = Math.floor(cut / 2)) yield shrunk(chars.slice(0, n - cut));
  // each character removed (the last one was, as the longest prefix)
  for (let k = 0; k < n - 1; k++) yield shrunk([...chars.slice(0, k), ...chars.slice(k + 1)]);
  // each character made simple
  for (let k = 0; k < n; k++) {
    if (chars[k] !== SIMPLEST) yield shrunk([...chars.slice(0, k), SIMPLEST, ...chars.slice(k + 1)]);
  }
}

function shrunk(chars: readonly string[]): fc.Value<string> {
  return new fc.Value(chars.join(''), undefined);
}
