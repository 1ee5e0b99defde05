/**
 * Wire layer: serde_json's text reader (`Deserializer<SliceRead>`), rebuilt token by token so that
 * every document serde_json rejects is rejected here with the same text at the same line and
 * column. It owns the byte-level rules (whitespace, literals, strings and escapes, UTF-8, number
 * grammar and serde_json's number-to-f64 arithmetic, recursion limit) and the bookkeeping serde
 * does around them (`peek_error` vs `error` positions, `fix_position`). The typed decoder
 * (`decode.ts`) and the generic value parser (`json.ts`) drive it; it is not part of the public
 * surface.
 *
 * Positions are serde_json's: line = 1 + newlines before the index, column = bytes since the last
 * newline. The reader runs over a JS string either holding the text itself (columns converted to
 * UTF-8 byte counts on error only) or, for byte input that is not valid UTF-8, one char per byte.
 */

import type { SerdeCategory } from './decode-error.js';
import { WireDecodeError } from './decode-error.js';
import { formatF64 } from './float-text.js';
import { rustDebugString } from './rust-debug.js';

/** serde_json's `ErrorCode` Display texts used by the reader. */
export const Code = {
  EofList: 'EOF while parsing a list',
  EofObject: 'EOF while parsing an object',
  EofString: 'EOF while parsing a string',
  EofValue: 'EOF while parsing a value',
  ExpectedColon: 'expected `:`',
  ExpectedListCommaOrEnd: 'expected `,` or `]`',
  ExpectedObjectCommaOrEnd: 'expected `,` or `}`',
  ExpectedIdent: 'expected ident',
  ExpectedValue: 'expected value',
  InvalidEscape: 'invalid escape',
  InvalidNumber: 'invalid number',
  NumberOutOfRange: 'number out of range',
  InvalidUnicode: 'invalid unicode code point',
  ControlCharacter: 'control character (\\u0000-\\u001F) found while parsing a string',
  KeyMustBeAString: 'key must be a string',
  LoneSurrogate: 'lone leading surrogate in hex escape',
  TrailingComma: 'trailing comma',
  TrailingCharacters: 'trailing characters',
  UnexpectedEndOfHexEscape: 'unexpected end of hex escape',
  RecursionLimit: 'recursion limit exceeded',
} as const;

const EOF_CODES: ReadonlySet<string> = new Set([Code.EofList, Code.EofObject, Code.EofString, Code.EofValue]);

/**
 * An error on its way out. Like serde_json's `Error`, a data error starts without a position
 * (line 0) and receives one from the innermost `deserialize_*` frame that returns it (`fixAt`).
 * Plain class, not an Error: it is thrown and caught internally and never needs a stack trace.
 */
export class Fault {
  line = 0;
  column = 0;
  constructor(
    readonly text: string,
    readonly category: SerdeCategory,
    readonly path: string,
  ) {}

  toError(): WireDecodeError {
    const serdeText = this.line === 0 ? this.text : `${this.text} at line ${this.line} column ${this.column}`;
    return new WireDecodeError(this.category, serdeText, this.path, this.line, this.column);
  }
}

/** JSON pointer of a path (RFC 6901 escaping). */
export function pointerOf(path: readonly (string | number)[], extra?: string | number): string {
  let out = '';
  for (const segment of path) out += `/${escapePointer(segment)}`;
  if (extra !== undefined) out += `/${escapePointer(extra)}`;
  return out;
}

function escapePointer(segment: string | number): string {
  return typeof segment === 'number' ? String(segment) : segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A data error (serde `de::Error::custom`), positioned later by the frame that returns it. */
export function dataFault(text: string, path: string): Fault {
  return new Fault(text, 'Data', path);
}

// serde's `de::Error` texts.
export const Texts = {
  invalidType: (unexpected: string, expected: string) => `invalid type: ${unexpected}, expected ${expected}`,
  invalidValue: (unexpected: string, expected: string) =>
    `invalid value: ${unexpected}, expected ${expected}`,
  invalidLength: (length: number, expected: string) => `invalid length ${length}, expected ${expected}`,
  unknownField: (field: string, expected: readonly string[]) =>
    expected.length === 0
      ? `unknown field \`${field}\`, there are no fields`
      : `unknown field \`${field}\`, expected ${oneOf(expected)}`,
  unknownVariant: (variant: string, expected: readonly string[]) =>
    expected.length === 0
      ? `unknown variant \`${variant}\`, there are no variants`
      : `unknown variant \`${variant}\`, expected ${oneOf(expected)}`,
  missingField: (field: string) => `missing field \`${field}\``,
  duplicateField: (field: string) => `duplicate field \`${field}\``,
};

/** serde's `OneOf` rendering of a list of names. */
function oneOf(names: readonly string[]): string {
  if (names.length === 1) return `\`${names[0]}\``;
  if (names.length === 2) return `\`${names[0]}\` or \`${names[1]}\``;
  return `one of ${names.map((n) => `\`${n}\``).join(', ')}`;
}

// serde's `Unexpected` renderings, with serde_json's overrides (`null`, ryu floats).
export const Unexpected = {
  null: 'null',
  bool: (b: boolean) => `boolean \`${b}\``,
  integer: (n: number | bigint) => `integer \`${n}\``,
  float: (f: number) => `floating point \`${formatF64(f)}\``,
  string: (s: string) => `string ${rustDebugString(s)}`,
  seq: 'sequence',
  map: 'map',
};

const U64_MAX = 18446744073709551615n;
const I64_MIN_MAGNITUDE = 9223372036854775808n;
/** Largest significand that can take another digit without leaving the exact-integer range of a double. */
const FAST_SIGNIFICAND_LIMIT = 900719925474099;
const I32_MAX = 2147483647;

/** serde_json's POW10 table: the f64 literals 1e0..1e308. */
const POW10: readonly number[] = Array.from({ length: 309 }, (_, i) => Number(`1e${i}`));

/** The kind of the last number read: serde_json's `ParserNumber`. */
export const NumKind = { U64: 0, I64: 1, F64: 2 } as const;
export type NumKind = (typeof NumKind)[keyof typeof NumKind];

// `ignoreBOM` keeps a leading byte-order mark in the text, where serde_json rejects it like any other stray character.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class JsonReader {
  /** the next unread index into `src` */
  i = 0;
  /** serde_json's `remaining_depth` */
  private depth = 128;
  /** the JSON pointer segments of the value being read */
  readonly path: (string | number)[] = [];

  /** the last number read: kind, and its value (`num` for F64 and small integers, `big` otherwise) */
  numKind: NumKind = NumKind.U64;
  num = 0;
  big: bigint | null = null;

  private sigSmall = 0;
  private sigBig: bigint | null = null;

  /**
   * @param src the text, or (when `bytes` is set) one char per input byte
   * @param bytes the original bytes when the reader runs in byte mode
   */
  constructor(
    readonly src: string,
    private readonly bytes: Uint8Array | null,
  ) {}

  /** A reader over text or bytes, picking byte mode only when the bytes are not valid UTF-8. */
  static of(input: string | Uint8Array): JsonReader {
    if (typeof input === 'string') return new JsonReader(input, null);
    try {
      return new JsonReader(utf8.decode(input), null);
    } catch {
      let latin1 = '';
      for (let start = 0; start < input.length; start += 8192) {
        latin1 += String.fromCharCode(...input.subarray(start, start + 8192));
      }
      return new JsonReader(latin1, input);
    }
  }

  // ---- positions and errors -------------------------------------------------------------------

  /** serde_json's `position_of_index` for a byte index given as a `src` index. */
  private positionAt(index: number, plusOneByte: boolean): { line: number; column: number } {
    const src = this.src;
    let line = 1;
    let lineStart = 0;
    for (let j = src.indexOf('\n'); j !== -1 && j < index; j = src.indexOf('\n', j + 1)) {
      line++;
      lineStart = j + 1;
    }
    let column = this.bytes !== null ? index - lineStart : utf8Length(src, lineStart, index);
    // `peek_position` is one byte past the index, capped at the end of the input.
    if (plusOneByte && index < src.length) column++;
    return { line, column };
  }

  private at(text: string, plusOneByte: boolean, extra?: string | number): Fault {
    const fault = new Fault(text, EOF_CODES.has(text) ? 'Eof' : 'Syntax', pointerOf(this.path, extra));
    const { line, column } = this.positionAt(this.i, plusOneByte);
    fault.line = line;
    fault.column = column;
    return fault;
  }

  /** serde_json's `error`: positioned at the current index. */
  error(text: string): Fault {
    return this.at(text, false);
  }

  /** serde_json's `peek_error`: positioned one byte past the current index. */
  peekError(text: string): Fault {
    return this.at(text, true);
  }

  /** serde_json's `fix_position`: gives an unpositioned fault the current position. */
  fix(fault: Fault): Fault {
    if (fault.line === 0) {
      const { line, column } = this.positionAt(this.i, false);
      fault.line = line;
      fault.column = column;
    }
    return fault;
  }

  /** Rethrows `e` after positioning it, unless it is not ours. */
  fixAndThrow(e: unknown): never {
    if (e instanceof Fault) throw this.fix(e);
    throw e;
  }

  data(text: string, extra?: string | number): Fault {
    return dataFault(text, pointerOf(this.path, extra));
  }

  // ---- whitespace, punctuation, literals ------------------------------------------------------

  /** The code unit at the index, or -1 at the end. */
  peek(): number {
    return this.i < this.src.length ? this.src.charCodeAt(this.i) : -1;
  }

  /** serde_json's `parse_whitespace`: skips space, tab, LF, CR and peeks the next byte (-1 at EOF). */
  skipWs(): number {
    const src = this.src;
    let i = this.i;
    while (i < src.length) {
      const c = src.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) i++;
      else {
        this.i = i;
        return c;
      }
    }
    this.i = i;
    return -1;
  }

  /** `parse_ident` for the rest of `null`, `true`, `false` (the first letter already eaten). */
  parseIdent(rest: string): void {
    for (let k = 0; k < rest.length; k++) {
      if (this.i >= this.src.length) throw this.error(Code.EofValue);
      const c = this.src.charCodeAt(this.i++);
      if (c !== rest.charCodeAt(k)) throw this.error(Code.ExpectedIdent);
    }
  }

  parseObjectColon(): void {
    const c = this.skipWs();
    if (c === 0x3a) this.i++;
    else if (c === -1) throw this.peekError(Code.EofObject);
    else throw this.peekError(Code.ExpectedColon);
  }

  /** `end_seq`, run after a sequence visitor whether or not it failed. */
  endSeq(): void {
    const c = this.skipWs();
    if (c === 0x5d) {
      this.i++;
    } else if (c === 0x2c) {
      this.i++;
      throw this.peekError(this.skipWs() === 0x5d ? Code.TrailingComma : Code.TrailingCharacters);
    } else if (c === -1) {
      throw this.peekError(Code.EofList);
    } else {
      throw this.peekError(Code.TrailingCharacters);
    }
  }

  /** `end_map`, run after a map visitor whether or not it failed. */
  endMap(): void {
    const c = this.skipWs();
    if (c === 0x7d) this.i++;
    else if (c === 0x2c) throw this.peekError(Code.TrailingComma);
    else if (c === -1) throw this.peekError(Code.EofObject);
    else throw this.peekError(Code.TrailingCharacters);
  }

  /** `Deserializer::end`: only whitespace may follow the value. */
  end(): void {
    if (this.skipWs() !== -1) throw this.peekError(Code.TrailingCharacters);
  }

  /** `check_recursion!` on entering an array or object (before its bracket is eaten). */
  enter(): void {
    if (--this.depth === 0) throw this.peekError(Code.RecursionLimit);
  }

  leave(): void {
    this.depth++;
  }

  /**
   * `SeqAccess::next_element` up to the element: false at `]`, true when an element follows.
   * `first` is whether no element has been read yet.
   */
  seqHasNext(first: boolean): boolean {
    let c = this.skipWs();
    if (c === 0x5d) return false;
    if (c === 0x2c && !first) {
      this.i++;
      c = this.skipWs();
    } else if (c === -1) {
      throw this.peekError(Code.EofList);
    } else if (!first) {
      throw this.peekError(Code.ExpectedListCommaOrEnd);
    }
    if (c === 0x5d) throw this.peekError(Code.TrailingComma);
    if (c === -1) throw this.peekError(Code.EofValue);
    return true;
  }

  /**
   * `MapAccess::next_key` up to the key: false at `}`, true when a key string follows (its opening
   * quote is eaten, so `parseString()` reads it).
   */
  mapHasNext(first: boolean): boolean {
    let c = this.skipWs();
    if (c === 0x7d) return false;
    if (c === 0x2c && !first) {
      this.i++;
      c = this.skipWs();
    } else if (c === -1) {
      throw this.peekError(Code.EofObject);
    } else if (!first) {
      throw this.peekError(Code.ExpectedObjectCommaOrEnd);
    }
    if (c === 0x22) {
      this.i++;
      return true;
    }
    if (c === 0x7d) throw this.peekError(Code.TrailingComma);
    if (c === -1) throw this.peekError(Code.EofValue);
    throw this.peekError(Code.KeyMustBeAString);
  }

  // ---- strings --------------------------------------------------------------------------------

  /** `parse_str` after the opening quote: the string's value. */
  parseString(): string {
    const src = this.src;
    const n = src.length;
    let start = this.i;
    let out = '';
    let invalid = false;
    const byteMode = this.bytes !== null;
    for (;;) {
      let i = this.i;
      let c = 0;
      // The hot loop: run to the next quote, backslash or control character.
      while (i < n) {
        c = src.charCodeAt(i);
        if (c === 0x22 || c === 0x5c || c < 0x20) break;
        if (c >= 0xd800 && c <= 0xdfff && !byteMode) {
          // A JS string can hold a lone surrogate, which is not UTF-8: serde_json's from_slice
          // rejects such bytes when the string closes.
          const next = i + 1 < n ? src.charCodeAt(i + 1) : 0;
          if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
          else invalid = true;
        }
        i++;
      }
      this.i = i;
      if (i >= n) throw this.error(Code.EofString);
      if (c === 0x22) {
        if (byteMode) {
          const piece = this.decodeBytes(start, i);
          if (piece === null) invalid = true;
          else out += piece;
        } else {
          out += start === 0 && i === n ? src : src.slice(start, i);
        }
        this.i = i + 1;
        if (invalid) throw this.error(Code.InvalidUnicode);
        return out;
      }
      if (c === 0x5c) {
        if (byteMode) {
          const piece = this.decodeBytes(start, i);
          if (piece === null) invalid = true;
          else out += piece;
        } else {
          out += src.slice(start, i);
        }
        this.i = i + 1;
        out += this.parseEscape();
        start = this.i;
        continue;
      }
      // A control character.
      this.i = i + 1;
      throw this.error(Code.ControlCharacter);
    }
  }

  private decodeBytes(start: number, end: number): string | null {
    const bytes = this.bytes!;
    let ascii = true;
    for (let k = start; k < end; k++) {
      if (bytes[k]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return this.src.slice(start, end);
    try {
      return utf8.decode(bytes.subarray(start, end));
    } catch {
      return null;
    }
  }

  /** `parse_escape` after the backslash. */
  private parseEscape(): string {
    if (this.i >= this.src.length) throw this.error(Code.EofString);
    const c = this.src.charCodeAt(this.i++);
    switch (c) {
      case 0x22:
        return '"';
      case 0x5c:
        return '\\';
      case 0x2f:
        return '/';
      case 0x62:
        return '\b';
      case 0x66:
        return '\f';
      case 0x6e:
        return '\n';
      case 0x72:
        return '\r';
      case 0x74:
        return '\t';
      case 0x75:
        return this.parseUnicodeEscape();
      default:
        throw this.error(Code.InvalidEscape);
    }
  }

  /** `parse_unicode_escape` (validating: surrogates must pair). */
  private parseUnicodeEscape(): string {
    const n = this.decodeHexEscape();
    if (n >= 0xdc00 && n <= 0xdfff) throw this.error(Code.LoneSurrogate);
    if (n < 0xd800 || n > 0xdbff) return String.fromCharCode(n);
    // A leading surrogate: `\uXXXX` with a trailing surrogate must follow.
    if (this.i >= this.src.length) throw this.error(Code.EofString);
    if (this.src.charCodeAt(this.i++) !== 0x5c) throw this.error(Code.UnexpectedEndOfHexEscape);
    if (this.i >= this.src.length) throw this.error(Code.EofString);
    if (this.src.charCodeAt(this.i++) !== 0x75) throw this.error(Code.UnexpectedEndOfHexEscape);
    const n2 = this.decodeHexEscape();
    if (n2 < 0xdc00 || n2 > 0xdfff) throw this.error(Code.LoneSurrogate);
    return String.fromCharCode(n, n2);
  }

  /** `decode_hex_escape`: four hex digits, all consumed before they are judged. */
  private decodeHexEscape(): number {
    if (this.i + 4 > this.src.length) {
      this.i = this.src.length;
      throw this.error(Code.EofString);
    }
    let n = 0;
    let ok = true;
    for (let k = 0; k < 4; k++) {
      const v = hexValue(this.src.charCodeAt(this.i + k));
      if (v < 0) ok = false;
      n = (n << 4) | v;
    }
    this.i += 4;
    if (!ok) throw this.error(Code.InvalidEscape);
    return n;
  }

  // ---- numbers --------------------------------------------------------------------------------

  /**
   * `parse_integer` after an optional `-` has been eaten: leaves the result in `numKind`, `num`
   * and `big`, exactly as serde_json's `ParserNumber` (u64 for non-negative integers, i64 for
   * negative ones, f64 for everything else including `-0` and integers beyond the 64-bit ranges).
   */
  parseNumber(positive: boolean): void {
    const src = this.src;
    if (this.i >= src.length) throw this.error(Code.EofValue);
    const first = src.charCodeAt(this.i++);
    this.sigSmall = 0;
    this.sigBig = null;
    if (first === 0x30) {
      const c = this.peek();
      if (c >= 0x30 && c <= 0x39) throw this.peekError(Code.InvalidNumber);
      this.afterIntegerPart(positive, 0);
      return;
    }
    if (first < 0x31 || first > 0x39) throw this.error(Code.InvalidNumber);
    this.sigSmall = first - 0x30;
    for (;;) {
      const c = this.peek();
      if (c < 0x30 || c > 0x39) break;
      if (!this.pushDigit(c - 0x30)) {
        // Too large for u64: the remaining integer digits only scale the float.
        let exponent = 0;
        for (let d = this.peek(); d >= 0x30 && d <= 0x39; d = this.peek()) {
          this.i++;
          exponent++;
        }
        this.setFloat(this.afterLongInteger(positive, exponent));
        return;
      }
      this.i++;
    }
    this.afterIntegerPart(positive, 0);
  }

  private afterIntegerPart(positive: boolean, exponent: number): void {
    const c = this.peek();
    if (c === 0x2e) {
      this.setFloat(this.parseDecimal(positive, exponent));
    } else if (c === 0x65 || c === 0x45) {
      this.setFloat(this.parseExponent(positive, exponent));
    } else if (positive) {
      this.numKind = NumKind.U64;
      if (this.sigBig === null) {
        this.num = this.sigSmall;
        this.big = null;
      } else {
        this.big = this.sigBig;
        this.num = Number(this.sigBig);
      }
    } else {
      const magnitude = this.sigBig ?? BigInt(this.sigSmall);
      if (magnitude === 0n || magnitude > I64_MIN_MAGNITUDE) {
        this.setFloat(-this.significand());
      } else {
        this.numKind = NumKind.I64;
        if (this.sigBig === null) {
          this.num = -this.sigSmall;
          this.big = null;
        } else {
          this.big = -magnitude;
          this.num = Number(this.big);
        }
      }
    }
  }

  private afterLongInteger(positive: boolean, exponent: number): number {
    const c = this.peek();
    if (c === 0x2e) return this.parseDecimal(positive, exponent);
    if (c === 0x65 || c === 0x45) return this.parseExponent(positive, exponent);
    return this.f64FromParts(positive, exponent);
  }

  private setFloat(value: number): void {
    this.numKind = NumKind.F64;
    this.num = value;
    this.big = null;
  }

  /** `overflow!(significand * 10 + digit, u64::MAX)` negated: appends the digit when it fits. */
  private pushDigit(digit: number): boolean {
    if (this.sigBig === null) {
      if (this.sigSmall < FAST_SIGNIFICAND_LIMIT) {
        this.sigSmall = this.sigSmall * 10 + digit;
        return true;
      }
      this.sigBig = BigInt(this.sigSmall);
    }
    const next = this.sigBig * 10n + BigInt(digit);
    if (next > U64_MAX) return false;
    this.sigBig = next;
    return true;
  }

  /** `significand as f64` (round to nearest, ties to even, as Number(bigint) does). */
  private significand(): number {
    return this.sigBig === null ? this.sigSmall : Number(this.sigBig);
  }

  private isZeroSignificand(): boolean {
    return this.sigBig === null ? this.sigSmall === 0 : this.sigBig === 0n;
  }

  /** `parse_decimal` at the `.`. */
  private parseDecimal(positive: boolean, exponentBeforePoint: number): number {
    this.i++;
    let exponentAfterPoint = 0;
    for (let c = this.peek(); c >= 0x30 && c <= 0x39; c = this.peek()) {
      if (!this.pushDigit(c - 0x30)) {
        // Digits that no longer fit are dropped (serde_json without `float_roundtrip`).
        for (let d = this.peek(); d >= 0x30 && d <= 0x39; d = this.peek()) this.i++;
        const e = this.peek();
        const exponent = exponentBeforePoint + exponentAfterPoint;
        if (e === 0x65 || e === 0x45) return this.parseExponent(positive, exponent);
        return this.f64FromParts(positive, exponent);
      }
      this.i++;
      exponentAfterPoint--;
    }
    if (exponentAfterPoint === 0) {
      throw this.peekError(this.i < this.src.length ? Code.InvalidNumber : Code.EofValue);
    }
    const exponent = exponentBeforePoint + exponentAfterPoint;
    const e = this.peek();
    if (e === 0x65 || e === 0x45) return this.parseExponent(positive, exponent);
    return this.f64FromParts(positive, exponent);
  }

  /** `parse_exponent` at the `e`. */
  private parseExponent(positive: boolean, startingExponent: number): number {
    this.i++;
    let positiveExponent = true;
    const sign = this.peek();
    if (sign === 0x2b) this.i++;
    else if (sign === 0x2d) {
      this.i++;
      positiveExponent = false;
    }
    if (this.i >= this.src.length) throw this.error(Code.EofValue);
    const first = this.src.charCodeAt(this.i++);
    if (first < 0x30 || first > 0x39) throw this.error(Code.InvalidNumber);
    let exp = first - 0x30;
    for (let c = this.peek(); c >= 0x30 && c <= 0x39; c = this.peek()) {
      this.i++;
      const digit = c - 0x30;
      if (exp > (I32_MAX - digit) / 10) {
        // `parse_exponent_overflow`: infinity is an error, zero stays zero.
        if (!this.isZeroSignificand() && positiveExponent) throw this.error(Code.NumberOutOfRange);
        for (let d = this.peek(); d >= 0x30 && d <= 0x39; d = this.peek()) this.i++;
        return positive ? 0 : -0;
      }
      exp = exp * 10 + digit;
    }
    const finalExponent = positiveExponent
      ? Math.min(startingExponent + exp, I32_MAX)
      : Math.max(startingExponent - exp, -I32_MAX - 1);
    return this.f64FromParts(positive, finalExponent);
  }

  /** serde_json's `f64_from_parts` (no `float_roundtrip`): one multiplication or division by 10^e. */
  private f64FromParts(positive: boolean, exponent: number): number {
    let f = this.significand();
    let e = exponent;
    for (;;) {
      const magnitude = Math.abs(e);
      if (magnitude < POW10.length) {
        const pow = POW10[magnitude]!;
        if (e >= 0) {
          f *= pow;
          if (!Number.isFinite(f)) throw this.error(Code.NumberOutOfRange);
        } else {
          f /= pow;
        }
        break;
      }
      if (f === 0) break;
      if (e >= 0) throw this.error(Code.NumberOutOfRange);
      f /= 1e308;
      e += 308;
    }
    return positive ? f : -f;
  }

  /** The Unexpected rendering of the last number read. */
  numberUnexpected(): string {
    if (this.numKind === NumKind.F64) return Unexpected.float(this.num);
    return Unexpected.integer(this.big ?? this.num);
  }

  // ---- invalid types --------------------------------------------------------------------------

  /**
   * `peek_invalid_type`: reads whatever value starts here far enough to name it, and returns the
   * positioned `invalid type` fault (or the syntax fault met while reading it).
   */
  peekInvalidType(expected: string): Fault {
    const c = this.peek();
    let unexpected: string;
    switch (c) {
      case 0x6e:
        this.i++;
        this.parseIdent('ull');
        unexpected = Unexpected.null;
        break;
      case 0x74:
        this.i++;
        this.parseIdent('rue');
        unexpected = Unexpected.bool(true);
        break;
      case 0x66:
        this.i++;
        this.parseIdent('alse');
        unexpected = Unexpected.bool(false);
        break;
      case 0x2d:
        this.i++;
        this.parseNumber(false);
        unexpected = this.numberUnexpected();
        break;
      case 0x22:
        this.i++;
        unexpected = Unexpected.string(this.parseString());
        break;
      case 0x5b:
        unexpected = Unexpected.seq;
        break;
      case 0x7b:
        unexpected = Unexpected.map;
        break;
      default:
        if (c >= 0x30 && c <= 0x39) {
          this.parseNumber(true);
          unexpected = this.numberUnexpected();
          break;
        }
        return this.peekError(Code.ExpectedValue);
    }
    return this.fix(this.data(Texts.invalidType(unexpected, expected)));
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** UTF-8 length of `src[start, end)`; a lone surrogate counts as the 3 bytes WTF-8 gives it. */
function utf8Length(src: string, start: number, end: number): number {
  let bytes = 0;
  for (let k = start; k < end; k++) {
    const c = src.charCodeAt(k);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && k + 1 < end) {
      const d = src.charCodeAt(k + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        k++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
