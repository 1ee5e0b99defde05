/**
 * Wire layer: Rust `{:?}` renderings, for the messages that embed them (PROTOCOL.md §11.9). A
 * string is quoted and escaped the way `<str as Debug>` does it: the four short escapes, `\0`,
 * `\"` and `\\`, and `\u{hex}` for characters Rust does not print (control, format, separator,
 * private-use, surrogate and unassigned code points, and grapheme extenders).
 */

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\0': '\\0',
  '\t': '\\t',
  '\r': '\\r',
  '\n': '\\n',
  '"': '\\"',
  '\\': '\\\\',
};

// Rust's `is_printable` tables are generated from exactly these general categories (space excepted).
const NOT_PRINTABLE = /^[\p{Zs}\p{Zl}\p{Zp}\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]$/u;
// `<str as Debug>` escapes grapheme extenders everywhere so that they cannot combine with the quote.
const GRAPHEME_EXTEND = /^\p{Grapheme_Extend}$/u;

export function rustDebugString(s: string): string {
  let out = '"';
  for (const char of s) {
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) out += short;
    else if (char !== ' ' && (NOT_PRINTABLE.test(char) || GRAPHEME_EXTEND.test(char)))
      out += `\\u{${char.codePointAt(0)!.toString(16)}}`;
    else out += char;
  }
  return `${out}"`;
}

/** `{:?}` of a Vec of strings or integers: `["a", "b"]`, `[65537]`, `[]`. */
export function rustDebugList(items: readonly (string | number | bigint)[]): string {
  return `[${items.map((item) => (typeof item === 'string' ? rustDebugString(item) : String(item))).join(', ')}]`;
}
