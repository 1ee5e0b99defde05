import { describe, expect, it } from 'vitest';
import { rustDebugList, rustDebugString } from '../../src/wire/rust-debug.js';

describe('rustDebugString (Rust {:?} of a str, PROTOCOL.md §11.9)', () => {
  it('quotes plain text unchanged', () => {
    expect(rustDebugString('cc_lb_self_check')).toBe('"cc_lb_self_check"');
    expect(rustDebugString('')).toBe('""');
    expect(rustDebugString("it's / ok")).toBe(`"it's / ok"`);
  });

  it('uses the short escapes for quote, backslash, NUL, tab, CR and LF', () => {
    expect(rustDebugString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(rustDebugString('\0\t\r\n')).toBe('"\\0\\t\\r\\n"');
  });

  it('writes other control characters as \\u{hex} in lower case without padding', () => {
    expect(rustDebugString('\u001b[0m')).toBe('"\\u{1b}[0m"');
    expect(rustDebugString('\u007f')).toBe('"\\u{7f}"');
    expect(rustDebugString('\u0085')).toBe('"\\u{85}"');
  });

  it('escapes format, separator and private-use characters but keeps a plain space', () => {
    expect(rustDebugString('a\u200bb')).toBe('"a\\u{200b}b"');
    expect(rustDebugString('\u2028')).toBe('"\\u{2028}"');
    expect(rustDebugString('\u00a0')).toBe('"\\u{a0}"');
    expect(rustDebugString('\ue000')).toBe('"\\u{e000}"');
    expect(rustDebugString(' ')).toBe('" "');
  });

  it('keeps printable non-ASCII, astral characters included', () => {
    expect(rustDebugString('héllo 日本 😀')).toBe('"héllo 日本 😀"');
  });

  it('escapes grapheme extenders so they cannot combine with the quotes', () => {
    expect(rustDebugString('e\u0301')).toBe('"e\\u{301}"');
  });

  it('escapes a lone surrogate, which no Rust string can hold', () => {
    expect(rustDebugString('\ud800')).toBe('"\\u{d800}"');
  });
});

describe('rustDebugList (Rust {:?} of a Vec)', () => {
  it('renders strings with their own escapes, separated by ", "', () => {
    expect(rustDebugList(['cc_lb_self_check'])).toBe('["cc_lb_self_check"]');
    expect(rustDebugList(['a', 'b"c'])).toBe('["a", "b\\"c"]');
  });

  it('renders integers, bigint included, in decimal', () => {
    expect(rustDebugList([65537])).toBe('[65537]');
    expect(rustDebugList([204, 27, 112, 16, 0, 1, 0, 0])).toBe('[204, 27, 112, 16, 0, 1, 0, 0]');
    expect(rustDebugList([18446744073709551615n])).toBe('[18446744073709551615]');
  });

  it('renders an empty list as []', () => {
    expect(rustDebugList([])).toBe('[]');
  });
});
