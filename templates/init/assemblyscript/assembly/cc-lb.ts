/**
 * The cc-lb calling convention on top of @extism/as-pdk — the part of the plugin you should not
 * need to change. (Your plugin's behaviour lives in index.ts.)
 *
 * Every export takes no arguments and returns an i32: 0 after setting the output, 1 after setting
 * an error text (the host then reports exactly that text). The host sends compact JSON; this file
 * reads it without decoding it: values are found by walking objects (the host promises no key
 * order) and copied into the output still escaped, so nothing is decoded or re-escaped and a long
 * request body costs a few instructions per byte of fuel.
 */
import { Host, Memory } from '@extism/as-pdk';
import { error_set, input_length, input_load_u8, input_load_u64 } from '@extism/as-pdk/lib/env';

/** The only version of each wire function this plugin speaks (the only one hosts offer today). */
export const WIRE_VERSION = '1';

/** A position that does not exist: an absent key, or input that is not well-formed JSON. */
export const NONE: i32 = -1;

/** The call's input as JSON text; positions are byte offsets into it. */
export class Input {
  readonly bytes: Uint8Array;
  private readonly base: usize;
  readonly length: i32;

  constructor(bytes: Uint8Array, length: i32) {
    this.bytes = bytes;
    this.base = bytes.dataStart;
    this.length = length;
  }

  /**
   * Loads the call's input, 8 bytes per kernel call while it can (each kernel call costs fuel),
   * followed by two quote bytes: a string scan then needs no bounds check per byte (it stops on
   * them at the latest; `stringEnd` reports a string that ran past the end).
   */
  static read(): Input {
    const length = i32(input_length());
    const bytes = new Uint8Array(length + 2);
    const base = bytes.dataStart;
    let i = 0;
    for (; i + 8 <= length; i += 8) store<u64>(base + <usize>i, input_load_u64(u64(i)));
    for (; i < length; i++) store<u8>(base + <usize>i, input_load_u8(u64(i)));
    store<u16>(base + <usize>length, 0x2222);
    return new Input(bytes, length);
  }

  /** The byte at `at`, or 0 past the end. */
  @inline
  at(at: i32): u32 {
    return at >= 0 && at < this.length ? u32(load<u8>(this.base + <usize>at)) : 0;
  }

  skipSpace(at: i32): i32 {
    while (at < this.length) {
      const c = load<u8>(this.base + <usize>at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      at++;
    }
    return at;
  }

  /** `at` on a string's opening quote: the position after its closing quote, or NONE. */
  stringEnd(at: i32): i32 {
    // The hottest loop (a request body is one long string), and every instruction costs fuel: a
    // pointer walk that relies on the quotes past the end to stop.
    const base = this.base;
    let p = base + <usize>at + 1;
    while (true) {
      const c = load<u8>(p);
      p++;
      if (c === 0x22) break;
      if (c === 0x5c) p++;
    }
    const end = i32(p - base);
    return end > this.length ? NONE : end;
  }

  /** `at` on a value's first byte: the position just past the value. */
  valueEnd(at: i32): i32 {
    const c = this.at(at);
    if (c === 0x22) return this.stringEnd(at);
    if (c === 0x7b || c === 0x5b) {
      let depth = 0;
      let p = at;
      while (p < this.length) {
        const d = load<u8>(this.base + <usize>p);
        if (d === 0x22) {
          p = this.stringEnd(p);
          if (p === NONE) return NONE;
          continue;
        }
        if (d === 0x7b || d === 0x5b) depth++;
        else if (d === 0x7d || d === 0x5d) {
          depth--;
          if (depth === 0) return p + 1;
        }
        p++;
      }
      return NONE;
    }
    // a number, true, false or null: up to the next delimiter
    let p = at;
    while (p < this.length) {
      const d = load<u8>(this.base + <usize>p);
      if (d === 0x2c || d === 0x7d || d === 0x5d || d <= 0x20) break;
      p++;
    }
    return p > at ? p : NONE;
  }

  /** The value of `key` in the object at `obj`, or NONE. Keys are compared as raw bytes. */
  member(obj: i32, key: string): i32 {
    return this.members(obj, [key])[0];
  }

  /**
   * The values of `keys` in the object at `obj` (NONE for an absent key), found in one walk that
   * stops once every key was seen: skipping a value means scanning it, and the host sorts keys, so
   * `body_base64` comes before the keys after it.
   */
  members(obj: i32, keys: Array<string>): Array<i32> {
    const found = new Array<i32>(keys.length).fill(NONE);
    if (this.at(obj) !== 0x7b) return found;
    let missing = keys.length;
    let p = this.skipSpace(obj + 1);
    while (this.at(p) === 0x22) {
      const keyEnd = this.stringEnd(p);
      if (keyEnd === NONE) break;
      let index = -1;
      for (let k = 0; k < keys.length; k++) {
        if (this.textIs(p + 1, keyEnd - 1, keys[k])) index = k;
      }
      p = this.skipSpace(keyEnd);
      if (this.at(p) !== 0x3a) break;
      p = this.skipSpace(p + 1);
      if (index >= 0) {
        if (found[index] === NONE) missing--;
        found[index] = p;
        if (missing === 0) break;
      }
      p = this.valueEnd(p);
      if (p === NONE) break;
      p = this.skipSpace(p);
      if (this.at(p) !== 0x2c) break;
      p = this.skipSpace(p + 1);
    }
    return found;
  }

  /** The start of each element of the array at `arr` (empty when it is not an array). */
  elements(arr: i32): Array<i32> {
    const out: i32[] = [];
    if (this.at(arr) !== 0x5b) return out;
    let p = this.skipSpace(arr + 1);
    if (this.at(p) === 0x5d) return out;
    while (p !== NONE && p < this.length) {
      out.push(p);
      p = this.valueEnd(p);
      if (p === NONE) break;
      p = this.skipSpace(p);
      if (this.at(p) !== 0x2c) break;
      p = this.skipSpace(p + 1);
    }
    return out;
  }

  isString(at: i32): bool {
    return this.at(at) === 0x22;
  }

  isNull(at: i32): bool {
    return this.at(at) === 0x6e;
  }

  /** True when the bytes [start, end) are exactly `text` (ASCII). */
  textIs(start: i32, end: i32, text: string): bool {
    if (end - start !== text.length) return false;
    for (let i = 0; i < text.length; i++) {
      if (this.at(start + i) !== u32(text.charCodeAt(i))) return false;
    }
    return true;
  }

  /** True when the value at `at` is an unsigned integer (digits only). */
  isUnsigned(at: i32): bool {
    const end = this.valueEnd(at);
    if (end === NONE) return false;
    for (let p = at; p < end; p++) {
      const c = this.at(p);
      if (c < 0x30 || c > 0x39) return false;
    }
    return true;
  }

  /** The value at `at` as raw JSON text (for messages). */
  raw(at: i32): string {
    const end = this.valueEnd(at);
    return end === NONE ? '' : String.UTF8.decode(this.bytes.slice(at, end).buffer);
  }
}

/** A JSON text being written: ASCII pieces and raw copies of input values. */
export class Output {
  private buffer: Uint8Array = new Uint8Array(256);
  private length: i32 = 0;

  private reserve(extra: i32): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    memory.copy(grown.dataStart, this.buffer.dataStart, <usize>this.length);
    this.buffer = grown;
  }

  /** Appends ASCII text. */
  text(text: string): Output {
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) {
      store<u8>(this.buffer.dataStart + <usize>(this.length + i), u8(text.charCodeAt(i)));
    }
    this.length += text.length;
    return this;
  }

  /** Appends the input's bytes [start, end). */
  copy(input: Input, start: i32, end: i32): Output {
    const n = end - start;
    this.reserve(n);
    memory.copy(this.buffer.dataStart + <usize>this.length, input.bytes.dataStart + <usize>start, <usize>n);
    this.length += n;
    return this;
  }

  /** Appends the JSON value at `at` exactly as it appears in the input. */
  value(input: Input, at: i32): Output {
    return this.copy(input, at, input.valueEnd(at));
  }

  /** Appends the content of the JSON string at `at`, still escaped, without its quotes. */
  stringContent(input: Input, at: i32): Output {
    return this.copy(input, at + 1, input.stringEnd(at) - 1);
  }

  /** Sets the call's output and returns 0. */
  send(): i32 {
    Host.output(this.buffer.subarray(0, this.length));
    return done(0);
  }
}

/** Sets the guest error text and returns 1: the host reports exactly `message`. */
export function fail(message: string): i32 {
  error_set(Memory.allocateString(message).offset);
  return done(1);
}

/**
 * Frees what the call allocated (asconfig.json selects the `minimal` runtime, whose collector runs
 * only when asked). The host keeps one instance for many calls, so memory must not grow per call.
 */
function done(code: i32): i32 {
  __collect();
  return code;
}

/**
 * The handshake: for each of `functions`, version 1 is chosen when the host offers it (otherwise
 * nothing is chosen, as a PDK plugin does); all are declared implemented and supported at 1. The
 * schema and envelope versions are echoed; no capability is required.
 */
export function handshake(functions: Array<string>): i32 {
  const input = Input.read();
  const offer = input.skipSpace(0);
  const found = input.members(offer, ['handshake_schema_version', 'envelope_version', 'function_versions']);
  const schema = found[0];
  const envelope = found[1];
  const offered = found[2];
  if (!input.isUnsigned(schema) || !input.isUnsigned(envelope)) return fail('malformed handshake offer');
  const out = new Output().text('{"handshake_schema_version":').value(input, schema);
  out.text(',"envelope_version":').value(input, envelope).text(',"chosen_versions":{');
  let chosen = 0;
  for (let i = 0; i < functions.length; i++) {
    const versions = input.elements(input.member(offered, functions[i]));
    for (let j = 0; j < versions.length; j++) {
      const v = versions[j];
      if (input.textIs(v, input.valueEnd(v), WIRE_VERSION)) {
        out
          .text(chosen++ > 0 ? ',"' : '"')
          .text(functions[i])
          .text('":' + WIRE_VERSION);
        break;
      }
    }
  }
  out.text('},"plugin_supported":{');
  for (let i = 0; i < functions.length; i++) {
    out.text((i > 0 ? ',"' : '"') + functions[i] + '":[' + WIRE_VERSION + ']');
  }
  out.text('},"implemented_functions":[');
  for (let i = 0; i < functions.length; i++) out.text((i > 0 ? ',"' : '"') + functions[i] + '"');
  return out.text('],"required_capabilities":[]}').send();
}

/** The self-check: success, completed "at" the request's own (positive) timestamp. */
export function selfCheck(): i32 {
  const input = Input.read();
  const at = input.member(input.skipSpace(0), 'initiated_at');
  if (!input.isUnsigned(at) || input.textIs(at, input.valueEnd(at), '0')) {
    return fail('invalid timestamp: initiated_at must be positive');
  }
  return new Output()
    .text('{"status":"success","failures":[],"completed_at":')
    .value(input, at)
    .text('}')
    .send();
}

/**
 * Reads a wire-function request and checks its `_v` envelope as a PDK handler does (with the
 * Rust PDK's texts). Returns the input, or null after setting the error (return 1 then).
 */
export function openRequest(): Input | null {
  const input = Input.read();
  const v = input.member(input.skipSpace(0), '_v');
  if (v === NONE || !input.isUnsigned(v)) {
    fail('plugin envelope missing numeric _v');
    return null;
  }
  if (!input.textIs(v, input.valueEnd(v), WIRE_VERSION)) {
    fail('unsupported plugin envelope _v: ' + input.raw(v));
    return null;
  }
  return input;
}

/** The response object's start: `{"_v":1` — continue with `,"field":…` and end with `}`. */
export function response(): Output {
  return new Output().text('{"_v":' + WIRE_VERSION);
}
