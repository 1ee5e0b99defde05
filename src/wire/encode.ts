/**
 * Wire layer: serialization the way `serde_json::to_string` writes the Rust types (PROTOCOL.md
 * §11.8): compact, fields in declaration order, internally tagged enums with the tag first,
 * BTreeMap/BTreeSet contents sorted by code point (sets de-duplicated), `None` written as `null`
 * or skipped for omittable fields, floats through ryu (`1.0`, `1e30`; non-finite → `null`), u64
 * and i64 exact as bigint.
 *
 * `any`-typed values are serde_json::Value, whose objects are BTreeMaps: their keys are written
 * sorted too. A JS number in such a value is written as an integer when integral and as a ryu float
 * otherwise; the float-ness of an integral float (`1.0`) does not survive the trip through a JS
 * number. `encodeJsonValue` on its own keeps the object's key order.
 *
 * Strings are escaped exactly as serde_json does, which equals `JSON.stringify` for well-formed
 * strings. A Rust string cannot hold a lone surrogate; one reaching the encoder (only possible
 * from hand-built values) is written as U+FFFD, the character a UTF-8 encoder substitutes, so the
 * output stays text serde_json accepts.
 *
 * The same writer has a second form, the dispatch request envelope in one pass (`encodeEnvelope`):
 * `serde_json::to_string` of `serde_json::to_value` of the typed value with `_v` added. There a
 * struct's fields are written in BTreeMap order (by code point, `_v` or the tag among them), an
 * f32 is widened to the f64 it holds, and every number whose text is not a plain safe integer is
 * read back through the one serde_json number parser (`parseJsonValue`) and written again, as the
 * step-by-step path does. What that form cannot vouch for — a key that is a lone surrogate (it
 * becomes U+FFFD, after which keys may collide), nesting near the parser's depth limit, an f32
 * beyond f32 range — it declines, and the caller takes the step-by-step path. `encodeEnvelopeUtf8`
 * gives that text as the UTF-8 bytes dispatch hands the guest.
 */

import type { Static, TSchema } from '@sinclair/typebox';
import { formatF32, formatF64 } from './float-text.js';
import { type JsonNode, parseJsonValue } from './json.js';
import { compareCodePoints, sortedUnique } from './ordered.js';
import type { JsonValue } from './schema.js';
import { compile, type Dec, type FieldDec, type StructDec, type TaggedDec } from './serde-plan.js';

/** A value that does not have the schema's type (the text names where). */
export class WireEncodeError extends TypeError {}

const LONE_SURROGATE = /[\uD800-\uDFFF]/gu;

/** A JSON string literal, escaped as serde_json escapes it. */
function stringLiteral(s: string): string {
  const json = JSON.stringify(s);
  // JSON.stringify escapes lone surrogates as `\udXXX`; a cheap look for that rare case.
  if (json.includes('\\ud') && LONE_SURROGATE.test(s)) {
    LONE_SURROGATE.lastIndex = 0;
    return JSON.stringify(s.replace(LONE_SURROGATE, '\uFFFD'));
  }
  return json;
}

/**
 * How `write` renders, as a number (nothing allocated per level): TEXT is serde_json::to_string of
 * the typed value; a depth ≥ 0 is the value form (see the module header), counting the arrays and
 * objects open. Paths for error texts are built in the text form only: the value form's caller
 * takes the step-by-step path for the text.
 */
type Form = number;
const TEXT: Form = -1;

/** serde_json gives up at 128 nested levels; well below that, depth cannot change the outcome. */
const SAFE_DEPTH = 100;

/** Thrown by the value form when it cannot vouch for its text; caught only by `encodeEnvelope`. */
class Declined {}
const DECLINED = new Declined();

function deeper(form: Form): Form {
  if (form < 0) return form;
  if (form >= SAFE_DEPTH) throw DECLINED;
  return form + 1;
}

/** A key in the value form: one holding a lone surrogate may collide with another once replaced. */
function keyLiteral(key: string, form: Form): string {
  const json = stringLiteral(key);
  if (form >= 0 && json.includes('\uFFFD') && json !== JSON.stringify(key)) throw DECLINED;
  return json;
}

/** A field's key: the plan's literal, unless the name holds a lone surrogate (escaped there). */
function fieldKey(field: FieldDec, form: Form): string {
  return field.json.includes('\\ud') ? keyLiteral(field.name, form) : field.json;
}

/**
 * The text form writes whatever a hand-built value of the wrong shape gives (and may fail on it
 * with the engine's own TypeError); the value form leaves such values to the step-by-step path.
 */
function shaped(value: unknown, array: boolean, form: Form): void {
  if (form < 0) return;
  if (array ? !Array.isArray(value) : typeof value !== 'object' || value === null) throw DECLINED;
}

/** A number's text as the step-by-step envelope writes it: read back as a Value, then written. */
function throughValue(text: string, f32: boolean): string {
  let node = parseJsonValue(text);
  if (f32 && (node.type === 'float' || node.type === 'int')) {
    node = { type: 'float', value: Math.fround(Number(node.value)) };
  }
  return encodeJsonNode(node);
}

function integerText(value: unknown, path: string, form: Form): string {
  if (typeof value === 'bigint') {
    const text = value.toString();
    return form >= 0 && (value < I64_MIN || value > U64_MAX) ? throughValue(text, false) : text;
  }
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (Object.is(value, -0)) return '0';
    const text = String(value);
    return form >= 0 && !Number.isSafeInteger(value) ? throughValue(text, false) : text;
  }
  throw new WireEncodeError(`encodeWire: expected an integer at ${path || '/'}, got ${String(value)}`);
}

const U64_MAX = 18446744073709551615n;
const I64_MIN = -9223372036854775808n;

function floatText(value: unknown, f32: boolean, path: string, form: Form): string {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number') throw new WireEncodeError(`encodeWire: expected a number at ${path || '/'}`);
  if (!Number.isFinite(n)) return 'null';
  if (form < 0) return f32 ? formatF32(n) : formatF64(n);
  // an f64 beyond f32's range has no f32 text; the step-by-step path settles what becomes of it
  if (f32 && !Number.isFinite(Math.fround(n))) throw DECLINED;
  return throughValue(f32 ? formatF32(n) : formatF64(n), f32);
}

function write(value: unknown, dec: Dec, path: string, form: Form): string {
  switch (dec.t) {
    case 'str':
      if (typeof value !== 'string') {
        throw new WireEncodeError(`encodeWire: expected a string at ${path || '/'}`);
      }
      return form >= 0 && setAside !== null ? literalOrMark(stringLiteral(value)) : stringLiteral(value);
    case 'bool':
      return value ? 'true' : 'false';
    case 'int':
      return integerText(value, path, form);
    case 'float':
      return floatText(value, dec.f32, path, form);
    case 'any':
      return anyText(value as JsonValue, true, form);
    case 'opt':
      return value === null || value === undefined ? 'null' : write(value, dec.inner, path, form);
    case 'struct':
      shaped(value, false, form);
      return `{${fieldsText(value as Record<string, unknown>, dec, null, path, deeper(form))}}`;
    case 'list':
    case 'fixed': {
      shaped(value, true, form);
      const items = value as readonly unknown[];
      const inner = deeper(form);
      let out = '[';
      for (let k = 0; k < items.length; k++) {
        if (k > 0) out += ',';
        out += write(items[k], dec.item, inner < 0 ? `${path}/${k}` : '', inner);
      }
      return `${out}]`;
    }
    case 'set': {
      shaped(value, true, form);
      if (form >= 0 && (value as unknown[]).some((item) => typeof item !== 'string')) throw DECLINED;
      deeper(form);
      let out = '[';
      const items = sortedUnique(value as readonly string[]);
      for (let k = 0; k < items.length; k++) {
        if (k > 0) out += ',';
        out += stringLiteral(items[k]!);
      }
      return `${out}]`;
    }
    case 'map': {
      shaped(value, false, form);
      const record = value as Record<string, unknown>;
      const inner = deeper(form);
      let out = '{';
      const keys = Object.keys(record).sort(compareCodePoints);
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (k > 0) out += ',';
        out += `${keyLiteral(key, inner)}:${write(record[key], dec.value, inner < 0 ? `${path}/${key}` : '', inner)}`;
      }
      return `${out}}`;
    }
    case 'enum':
      if (form >= 0 && typeof value !== 'string') throw DECLINED;
      return stringLiteral(value as string);
    case 'tagged':
      shaped(value, false, form);
      return taggedText(value as Record<string, unknown>, dec, path, form);
  }
}

/** A member that is not a field (the tag, `_v`): its key and its value's text. */
interface FixedMember {
  readonly key: string;
  readonly text: string;
}

/**
 * A struct's fields, comma-separated: in declaration order (text form) or by code point with
 * `fixed` among them (value form); absent omittable fields skipped.
 */
function fieldsText(
  record: Record<string, unknown>,
  dec: StructDec,
  fixed: FixedMember | null,
  path: string,
  form: Form,
): string {
  const fields: readonly FieldDec[] = form >= 0 ? dec.valueOrder : dec.fields;
  let pending = fixed;
  let out = '';
  for (const field of fields) {
    if (pending !== null && compareCodePoints(pending.key, field.name) < 0) {
      out += `${out === '' ? '' : ','}${keyLiteral(pending.key, form)}:${pending.text}`;
      pending = null;
    }
    const value = record[field.name];
    if (field.dec.t === 'opt' && field.dec.omit && (value === undefined || value === null)) continue;
    if (out !== '') out += ',';
    out += `${fieldKey(field, form)}:${write(value, field.dec, form < 0 ? `${path}/${field.name}` : '', form)}`;
  }
  if (pending !== null) out += `${out === '' ? '' : ','}${keyLiteral(pending.key, form)}:${pending.text}`;
  return out;
}

function taggedText(record: Record<string, unknown>, dec: TaggedDec, path: string, form: Form): string {
  const name = record[dec.tag];
  const variant = typeof name === 'string' ? dec.variants.get(name) : undefined;
  if (variant === undefined) {
    throw new WireEncodeError(
      `encodeWire: ${String(name)} is not a variant of ${dec.expecting} at ${path || '/'}`,
    );
  }
  const inner = deeper(form);
  const tag: FixedMember = { key: dec.tag, text: stringLiteral(variant.name) };
  if (form >= 0) {
    const members =
      variant.struct === null
        ? `${keyLiteral(tag.key, inner)}:${tag.text}`
        : fieldsText(record, variant.struct, tag, path, inner);
    return `{${members}}`;
  }
  const head = `${stringLiteral(dec.tag)}:${tag.text}`;
  if (variant.struct === null) return `{${head}}`;
  const rest = fieldsText(record, variant.struct, null, path, inner);
  return rest === '' ? `{${head}}` : `{${head},${rest}}`;
}

/** A JsonValue as serde_json writes the Value (sorted keys) or as given (`sortKeys` false). */
function anyText(value: JsonValue, sortKeys: boolean, form: Form): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return stringLiteral(value);
    case 'bigint':
      return integerText(value, '', form);
    case 'number': {
      if (!Number.isFinite(value)) return 'null';
      const integral = Number.isInteger(value) && !Object.is(value, -0);
      if (integral && (form < 0 || Number.isSafeInteger(value))) return String(value);
      const text = integral ? String(value) : formatF64(value);
      return form >= 0 ? throughValue(text, false) : text;
    }
  }
  const inner = deeper(form);
  if (Array.isArray(value)) {
    let out = '[';
    for (let k = 0; k < value.length; k++) {
      if (k > 0) out += ',';
      out += anyText(value[k]!, sortKeys, inner);
    }
    return `${out}]`;
  }
  const record = value as Record<string, JsonValue>;
  const keys = Object.keys(record);
  if (sortKeys) keys.sort(compareCodePoints);
  let out = '{';
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    if (k > 0) out += ',';
    out += `${keyLiteral(key, inner)}:${anyText(record[key]!, sortKeys, inner)}`;
  }
  return `${out}}`;
}

/** `serde_json::to_string` of the schema's Rust type holding `value`. */
export function encodeWire<S extends TSchema>(schema: S, value: Static<S>): string {
  return write(value, compile(schema), '', TEXT);
}

/** Compact JSON of a generic value, object keys in the object's own order. */
export function encodeJsonValue(value: JsonValue): string {
  return anyText(value, false, TEXT);
}

/** Compact serde_json text of a generic value whose maps are BTreeMaps: keys sorted by code point. */
export function encodeJsonNode(node: JsonNode): string {
  switch (node.type) {
    case 'null':
      return 'null';
    case 'bool':
      return node.value ? 'true' : 'false';
    case 'int':
      return node.value.toString();
    case 'float':
      // serde_json writes a non-finite float as null
      return Number.isFinite(node.value) ? formatF64(node.value) : 'null';
    case 'string':
      return JSON.stringify(node.value);
    case 'array':
      return `[${node.items.map(encodeJsonNode).join(',')}]`;
    case 'object': {
      const keys = [...node.entries.keys()].sort(compareCodePoints);
      return `{${keys.map((key) => `${JSON.stringify(key)}:${encodeJsonNode(node.entries.get(key) as JsonNode)}`).join(',')}}`;
    }
  }
}

/**
 * The dispatch request envelope in one pass: exactly the text the step-by-step path writes for
 * `value` with `_v` set to `version` (`encodeJsonNode` of `requestValue`, `_v` added), or
 * undefined when this form declines (see the module header; also a request that is not a struct,
 * a field named `_v`, an unsafe version). Throws WireEncodeError when `value` does not have the
 * schema's type — the step-by-step path fails too, with its own first error.
 */
export function encodeEnvelope(schema: TSchema, value: unknown, version: number): string | undefined {
  const dec = compile(schema);
  if (dec.t !== 'struct' || dec.index.has('_v') || !Number.isSafeInteger(version)) return undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    const members = fieldsText(
      value as Record<string, unknown>,
      dec,
      { key: '_v', text: String(version) },
      '',
      1,
    );
    return `{${members}}`;
  } catch (error) {
    if (error instanceof Declined) return undefined;
    throw error;
  }
}

/**
 * String literals of at least this many characters are set aside by `encodeEnvelopeUtf8`. Large
 * enough that only bodies and long texts qualify, so an ordinary envelope stays one piece.
 */
const LONG_LITERAL = 1024;

/**
 * While `encodeEnvelopeUtf8` runs: the long literals set aside, in the order they were written;
 * NUL marks each one's place in the text (JSON text never holds a raw NUL: a string escapes it).
 */
let setAside: string[] | null = null;
const MARK = '\u0000';

function literalOrMark(json: string): string {
  if (json.length < LONG_LITERAL) return json;
  setAside!.push(json);
  return MARK;
}

const UTF8 = new TextEncoder();

/**
 * `encodeEnvelope`, as the UTF-8 bytes the guest reads. Long string literals (bodies, mostly) are
 * encoded on their own, each straight into place: joined into one string with the rest, a base64
 * body would be widened to UTF-16 as soon as any other character of the request is beyond
 * Latin-1 (a generated request nearly always has one), then encoded back, at the cost of a
 * second copy of every body.
 */
export function encodeEnvelopeUtf8(schema: TSchema, value: unknown, version: number): Uint8Array | undefined {
  const outer = setAside;
  const literals: string[] = [];
  setAside = literals;
  let text: string | undefined;
  try {
    text = encodeEnvelope(schema, value, version);
  } finally {
    setAside = outer;
  }
  if (text === undefined) return undefined;
  if (literals.length === 0) return UTF8.encode(text);
  const pieces = text.split(MARK);
  // UTF-8 takes at most three bytes per UTF-16 unit: write into room for that, then trim
  let room = text.length * 3;
  for (const literal of literals) room += literal.length * 3;
  const bytes = new Uint8Array(room);
  let at = 0;
  for (let k = 0; k < pieces.length; k++) {
    at += UTF8.encodeInto(pieces[k]!, bytes.subarray(at)).written;
    if (k < literals.length) at += UTF8.encodeInto(literals[k]!, bytes.subarray(at)).written;
  }
  return bytes.subarray(0, at);
}
