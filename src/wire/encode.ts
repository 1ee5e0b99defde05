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
 */

import type { Static, TSchema } from '@sinclair/typebox';
import { formatF32, formatF64 } from './float-text.js';
import { compareCodePoints, sortedUnique } from './ordered.js';
import type { JsonValue } from './schema.js';
import { compile, type Dec, type StructDec, type TaggedDec } from './serde-plan.js';

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

function integerText(value: unknown, path: string): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isInteger(value)) return Object.is(value, -0) ? '0' : String(value);
  throw new TypeError(`encodeWire: expected an integer at ${path || '/'}, got ${String(value)}`);
}

function floatText(value: unknown, f32: boolean, path: string): string {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number') throw new TypeError(`encodeWire: expected a number at ${path || '/'}`);
  if (!Number.isFinite(n)) return 'null';
  return f32 ? formatF32(n) : formatF64(n);
}

function write(value: unknown, dec: Dec, path: string): string {
  switch (dec.t) {
    case 'str':
      if (typeof value !== 'string') throw new TypeError(`encodeWire: expected a string at ${path || '/'}`);
      return stringLiteral(value);
    case 'bool':
      return value ? 'true' : 'false';
    case 'int':
      return integerText(value, path);
    case 'float':
      return floatText(value, dec.f32, path);
    case 'any':
      return anyText(value as JsonValue, true);
    case 'opt':
      return value === null || value === undefined ? 'null' : write(value, dec.inner, path);
    case 'struct':
      return `{${fieldsText(value as Record<string, unknown>, dec, path)}}`;
    case 'list':
    case 'fixed': {
      const items = value as readonly unknown[];
      let out = '[';
      for (let k = 0; k < items.length; k++) {
        if (k > 0) out += ',';
        out += write(items[k], dec.item, `${path}/${k}`);
      }
      return `${out}]`;
    }
    case 'set': {
      let out = '[';
      const items = sortedUnique(value as readonly string[]);
      for (let k = 0; k < items.length; k++) {
        if (k > 0) out += ',';
        out += stringLiteral(items[k]!);
      }
      return `${out}]`;
    }
    case 'map': {
      const record = value as Record<string, unknown>;
      let out = '{';
      const keys = Object.keys(record).sort(compareCodePoints);
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (k > 0) out += ',';
        out += `${stringLiteral(key)}:${write(record[key], dec.value, `${path}/${key}`)}`;
      }
      return `${out}}`;
    }
    case 'enum':
      return stringLiteral(value as string);
    case 'tagged':
      return taggedText(value as Record<string, unknown>, dec, path);
  }
}

/** A struct's fields, comma-separated, in declaration order; absent omittable fields skipped. */
function fieldsText(record: Record<string, unknown>, dec: StructDec, path: string): string {
  let out = '';
  for (const field of dec.fields) {
    const value = record[field.name];
    if (field.dec.t === 'opt' && field.dec.omit && (value === undefined || value === null)) continue;
    if (out !== '') out += ',';
    out += `${stringLiteral(field.name)}:${write(value, field.dec, `${path}/${field.name}`)}`;
  }
  return out;
}

function taggedText(record: Record<string, unknown>, dec: TaggedDec, path: string): string {
  const name = record[dec.tag];
  const variant = typeof name === 'string' ? dec.variants.get(name) : undefined;
  if (variant === undefined) {
    throw new TypeError(`encodeWire: ${String(name)} is not a variant of ${dec.expecting} at ${path || '/'}`);
  }
  const head = `${stringLiteral(dec.tag)}:${stringLiteral(variant.name)}`;
  if (variant.struct === null) return `{${head}}`;
  const rest = fieldsText(record, variant.struct, path);
  return rest === '' ? `{${head}}` : `{${head},${rest}}`;
}

/** A JsonValue as serde_json writes the Value (sorted keys) or as given (`sortKeys` false). */
function anyText(value: JsonValue, sortKeys: boolean): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return stringLiteral(value);
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) return 'null';
      return Number.isInteger(value) && !Object.is(value, -0) ? String(value) : formatF64(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let k = 0; k < value.length; k++) {
      if (k > 0) out += ',';
      out += anyText(value[k]!, sortKeys);
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
    out += `${stringLiteral(key)}:${anyText(record[key]!, sortKeys)}`;
  }
  return `${out}}`;
}

/** `serde_json::to_string` of the schema's Rust type holding `value`. */
export function encodeWire<S extends TSchema>(schema: S, value: Static<S>): string {
  return write(value, compile(schema), '');
}

/** Compact JSON of a generic value, object keys in the object's own order. */
export function encodeJsonValue(value: JsonValue): string {
  return anyText(value, false);
}
