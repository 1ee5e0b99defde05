/**
 * A small JSON reader and writer for the plugin — just enough for the wire messages a signer sees.
 *
 * The plugin has to pass some values through untouched (`factory_state`, `signer_state` and the
 * shaped headers are whatever the host sent), so the reader builds a tree that keeps every value,
 * and `stringify` writes it back compactly. Numbers keep their literal text: nothing here does
 * arithmetic on them, and re-printing the literal loses no precision.
 *
 * AssemblyScript has no exceptions, so a failed parse returns null and leaves the reason in
 * `JsonReader.error`.
 */

export enum Kind {
  Null,
  Bool,
  Number,
  String,
  Array,
  Object,
}

export class Json {
  kind: Kind;
  items: Array<Json> = new Array<Json>(0);
  /** Object entries in document order. */
  keys: Array<string> = new Array<string>(0);
  values: Array<Json> = new Array<Json>(0);
  private value: string = '';
  /**
   * A string read from the input keeps only where its UTF-8 bytes are until `text` is first read.
   * Decoding costs fuel per byte, and the largest string a signer receives — the request body —
   * is passed over, never read.
   */
  private source: Uint8Array | null = null;
  private start: i32 = 0;
  private end: i32 = 0;

  constructor(kind: Kind, text: string = '') {
    this.kind = kind;
    this.value = text;
  }

  /** A string's value, a number's literal, or `true` / `false` / `null`. */
  get text(): string {
    const source = this.source;
    if (source !== null) {
      this.value = String.UTF8.decodeUnsafe(
        source.dataStart + usize(this.start),
        usize(this.end - this.start),
      );
      this.source = null;
    }
    return this.value;
  }

  /** A string whose value is the UTF-8 bytes `source[start..end]`, decoded when first read. */
  static slice(source: Uint8Array, start: i32, end: i32): Json {
    const node = new Json(Kind.String);
    node.source = source;
    node.start = start;
    node.end = end;
    return node;
  }

  static string(value: string): Json {
    return new Json(Kind.String, value);
  }

  /** A number from its JSON literal, e.g. `Json.number('1')`. */
  static number(literal: string): Json {
    return new Json(Kind.Number, literal);
  }

  static nullValue(): Json {
    return new Json(Kind.Null, 'null');
  }

  static array(): Json {
    return new Json(Kind.Array);
  }

  static object(): Json {
    return new Json(Kind.Object);
  }

  /** Appends an object entry; returns the object, so entries can be chained in output order. */
  set(key: string, value: Json): Json {
    this.keys.push(key);
    this.values.push(value);
    return this;
  }

  /** Appends an array item; returns the array. */
  push(item: Json): Json {
    this.items.push(item);
    return this;
  }

  /** The value of `key` (the last one, as serde_json keeps it), or null when absent. */
  get(key: string): Json | null {
    for (let i = this.keys.length - 1; i >= 0; i--) {
      if (this.keys[i] === key) return this.values[i];
    }
    return null;
  }

  /** A non-negative integer literal (`7`, not `7.0`, `-7` or `7e0`) that fits u64, or -1. */
  unsignedInteger(): i64 {
    if (this.kind !== Kind.Number) return -1;
    let value: u64 = 0;
    for (let i = 0; i < this.text.length; i++) {
      const digit = this.text.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) return -1;
      if (value > (u64.MAX_VALUE - u64(digit)) / 10) return -1;
      value = value * 10 + u64(digit);
    }
    // Versions and timestamps are far below 2^63, so a larger number is treated as unusable.
    return value > u64(i64.MAX_VALUE) ? -1 : i64(value);
  }
}

/** JSON's name for a node's type, as serde words it in "invalid type" errors. */
export function typeName(node: Json): string {
  switch (node.kind) {
    case Kind.Null:
      return 'null';
    case Kind.Bool:
      return 'boolean `' + node.text + '`';
    case Kind.Number:
      return 'number';
    case Kind.String:
      return 'string "' + node.text + '"';
    case Kind.Array:
      return 'sequence';
    default:
      return 'map';
  }
}

export class JsonReader {
  private bytes: Uint8Array;
  private at: i32 = 0;
  private depth: i32 = 0;
  error: string | null = null;

  /** Reads UTF-8 JSON text as the host sends it, without decoding the whole input to a string first. */
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** Parses the whole text as one JSON value; null (with `error` set) when it is not valid JSON. */
  parse(): Json | null {
    const value = this.value();
    if (value === null) return null;
    this.skipSpace();
    if (this.at < this.bytes.length) return this.fail('trailing characters');
    return value;
  }

  private fail(what: string): Json | null {
    if (this.error === null) this.error = what + ' at byte ' + this.at.toString();
    return null;
  }

  private peek(): i32 {
    return this.at < this.bytes.length ? i32(unchecked(this.bytes[this.at])) : -1;
  }

  /** The text of the bytes from `start` to `end`. */
  private slice(start: i32, end: i32): string {
    return String.UTF8.decodeUnsafe(this.bytes.dataStart + usize(start), usize(end - start));
  }

  private skipSpace(): void {
    while (true) {
      const c = this.peek();
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.at++;
    }
  }

  private value(): Json | null {
    this.skipSpace();
    const c = this.peek();
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (this.word('true')) return new Json(Kind.Bool, 'true');
    if (this.word('false')) return new Json(Kind.Bool, 'false');
    if (this.word('null')) return new Json(Kind.Null, 'null');
    return this.fail(c < 0 ? 'unexpected end of input' : 'expected a value');
  }

  private word(literal: string): bool {
    if (this.at + literal.length > this.bytes.length) return false;
    for (let i = 0; i < literal.length; i++) {
      if (i32(this.bytes[this.at + i]) !== literal.charCodeAt(i)) return false;
    }
    this.at += literal.length;
    return true;
  }

  private digits(): i32 {
    const start = this.at;
    while (this.peek() >= 0x30 && this.peek() <= 0x39) this.at++;
    return this.at - start;
  }

  private number(): Json | null {
    const start = this.at;
    if (this.peek() === 0x2d) this.at++;
    const leadingZero = this.peek() === 0x30;
    const whole = this.digits();
    if (whole === 0 || (leadingZero && whole > 1)) return this.fail('invalid number');
    if (this.peek() === 0x2e) {
      this.at++;
      if (this.digits() === 0) return this.fail('invalid number');
    }
    if (this.peek() === 0x65 || this.peek() === 0x45) {
      this.at++;
      if (this.peek() === 0x2b || this.peek() === 0x2d) this.at++;
      if (this.digits() === 0) return this.fail('invalid number');
    }
    return new Json(Kind.Number, this.slice(start, this.at));
  }

  /** Reads a string literal (the cursor is on its opening quote). */
  private string(): Json | null {
    this.at++;
    let out = '';
    let runStart = this.at;
    while (true) {
      this.at = this.plainEnd(this.at);
      const c = this.peek();
      if (c < 0) {
        this.fail('unterminated string');
        return null;
      }
      if (c < 0x20) {
        this.fail('control character in string');
        return null;
      }
      // Most strings have no escapes: their bytes are their value, decoded only if read.
      if (c === 0x22 && out.length === 0) {
        this.at++;
        return Json.slice(this.bytes, runStart, this.at - 1);
      }
      out += this.slice(runStart, this.at);
      this.at++;
      if (c === 0x22) return Json.string(out);
      const escaped = this.peek();
      this.at++;
      if (escaped === 0x75) {
        const unit = this.hex4();
        if (unit < 0) {
          this.fail('invalid \\u escape');
          return null;
        }
        // UTF-16 code units: a surrogate pair arrives as two escapes and joins up by itself.
        out += String.fromCharCode(unit);
      } else {
        const index = '"\\/bfnrt'.indexOf(String.fromCharCode(escaped));
        if (index < 0) {
          this.fail('invalid escape');
          return null;
        }
        out += '"\\/\b\f\n\r\t'.charAt(index);
      }
      runStart = this.at;
    }
  }

  /**
   * Where the plain part of a string starting at `from` ends: the first quote, backslash or control
   * byte (or the end of input). This loop sees every byte of a request body, so it stays tight.
   */
  private plainEnd(from: i32): i32 {
    const bytes = this.bytes;
    const length = bytes.length;
    let i = from;
    while (i < length) {
      const c = unchecked(bytes[i]);
      if (c === 0x22 || c === 0x5c || c < 0x20) break;
      i++;
    }
    return i;
  }

  /** Four hex digits after `\\u` as a UTF-16 code unit, or -1. */
  private hex4(): i32 {
    let unit = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.peek() | 0x20; // ASCII lower case; digits are unaffected
      let digit = -1;
      if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) digit = c - 0x61 + 10;
      if (digit < 0) return -1;
      unit = (unit << 4) | digit;
      this.at++;
    }
    return unit;
  }

  /** serde_json refuses nesting deeper than 128; so do we, to keep the guest's stack bounded. */
  private enter(): bool {
    this.depth++;
    if (this.depth > 128) {
      this.fail('nesting too deep');
      return false;
    }
    this.at++;
    this.skipSpace();
    return true;
  }

  private array(): Json | null {
    if (!this.enter()) return null;
    const node = new Json(Kind.Array);
    if (this.peek() === 0x5d) {
      this.at++;
      this.depth--;
      return node;
    }
    while (true) {
      const item = this.value();
      if (item === null) return null;
      node.items.push(item);
      this.skipSpace();
      const c = this.peek();
      this.at++;
      if (c === 0x5d) break;
      if (c !== 0x2c) return this.fail('expected `,` or `]`');
    }
    this.depth--;
    return node;
  }

  private object(): Json | null {
    if (!this.enter()) return null;
    const node = new Json(Kind.Object);
    if (this.peek() === 0x7d) {
      this.at++;
      this.depth--;
      return node;
    }
    while (true) {
      this.skipSpace();
      if (this.peek() !== 0x22) return this.fail('expected a string key');
      const key = this.string();
      if (key === null) return null;
      const name = key.text;
      this.skipSpace();
      if (this.peek() !== 0x3a) return this.fail('expected `:`');
      this.at++;
      const value = this.value();
      if (value === null) return null;
      node.keys.push(name);
      node.values.push(value);
      this.skipSpace();
      const c = this.peek();
      this.at++;
      if (c === 0x7d) break;
      if (c !== 0x2c) return this.fail('expected `,` or `}`');
    }
    this.depth--;
    return node;
  }
}

/** Compact JSON text of a tree, object entries in document order. */
export function stringify(node: Json): string {
  switch (node.kind) {
    case Kind.String:
      return quote(node.text);
    case Kind.Array: {
      const parts = new Array<string>(node.items.length);
      for (let i = 0; i < node.items.length; i++) parts[i] = stringify(node.items[i]);
      return '[' + parts.join(',') + ']';
    }
    case Kind.Object: {
      const parts = new Array<string>(node.keys.length);
      for (let i = 0; i < node.keys.length; i++) {
        parts[i] = quote(node.keys[i]) + ':' + stringify(node.values[i]);
      }
      return '{' + parts.join(',') + '}';
    }
    default:
      return node.text;
  }
}

/** A JSON string literal, escaped as serde_json escapes it (quote, backslash, control characters). */
export function quote(value: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    out += value.substring(runStart, i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else out += '\\u00' + (c < 0x10 ? '0' : '') + c.toString(16);
    runStart = i + 1;
  }
  return out + value.substring(runStart) + '"';
}
