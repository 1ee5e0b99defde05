/**
 * Wire layer: the dispatch envelope (PROTOCOL.md §7.1) as serde_json builds and reads it. The
 * reference turns the typed request into a generic `serde_json::Value` (`to_value`: objects become
 * BTreeMaps, so keys are sorted by code point at every level, and an f32 is widened to the f64 it
 * holds), sets `_v`, and writes that; it reads the guest's answer into a `Value` (duplicate keys:
 * the last wins), checks and removes `_v`, then `from_value`s the rest into the typed response.
 *
 * Two ways to do each side live here:
 * - the general path, step by step as the reference does it (`requestValue`, `writeValue`; the
 *   response side is `parseJsonValue` + `decodeWireValue`, driven by the host), which produces
 *   every error text;
 * - a fast path for the ordinary case, driven by the cached serde plan of the schema: the
 *   envelope text written in one pass (`writeRequestEnvelope`), and the response read straight
 *   from its text into the typed value (`readResponseEnvelope`). The fast path only ever answers
 *   when its answer is the general path's, byte for byte; for anything it is not sure of (an error
 *   of any kind, a duplicate key, a float whose text must go through serde_json's own number
 *   parser, a nesting depth near the parser's limit, a lone surrogate) it declines and the caller
 *   runs the general path, which then produces the exact outcome and error text.
 *
 * Internal to the wire layer's callers in `host`; not re-exported from the wire index.
 */

import type { TSchema } from '@sinclair/typebox';
import { encodeWire } from './encode.js';
import { formatF32, formatF64 } from './float-text.js';
import { type JsonNode, parseJsonValue } from './json.js';
import { type JsonReader, NumKind } from './json-reader.js';
import { nodeToValue, parseNode, readerFor, setOwn } from './json-values.js';
import { compareCodePoints, sortedUnique } from './ordered.js';
import { wireOf } from './schema.js';
import {
  compile,
  type Dec,
  type FieldDec,
  type StructDec,
  type TaggedDec,
  type VariantDec,
} from './serde-plan.js';

// ---- the general path ---------------------------------------------------------------------------

/**
 * `serde_json::to_value` of the request: its `serde_json::to_string` text read back as a Value
 * (objects sorted, duplicates collapsed), with every f32 widened. Throws the encoder's TypeError
 * or the parser's WireDecodeError.
 */
export function requestValue(schema: TSchema, value: unknown): JsonNode {
  return widenF32(schema, parseJsonValue(encodeWire(schema, value as never)));
}

/**
 * serde_json's `to_value` turns an `f32` into a JSON number holding the f32 widened to f64 (so
 * 0.1f32 is sent as 0.10000000149011612), unlike `to_string`, which prints the f32's shortest
 * form. The encoder writes the latter; this walks the schema alongside the value and widens.
 */
function widenF32(schema: TSchema, node: JsonNode): JsonNode {
  const wire = wireOf(schema);
  if (wire?.float === 'f32') {
    if (node.type === 'float' || node.type === 'int')
      return { type: 'float', value: Math.fround(Number(node.value)) };
    return node;
  }
  if (node.type === 'null' || node.type === 'bool' || node.type === 'string') return node;
  const variants = schema.anyOf as TSchema[] | undefined;
  if (variants !== undefined) {
    if (wire?.nullable || wire?.omittable) return widenF32(variants[0] as TSchema, node);
    if (wire?.tagged !== undefined && node.type === 'object') {
      const tag = node.entries.get(wire.tagged);
      const variant = variants.find(
        (v) => tag?.type === 'string' && v.properties?.[wire.tagged as string]?.const === tag.value,
      );
      return variant === undefined ? node : widenF32(variant, node);
    }
    return node;
  }
  if (node.type === 'array' && schema.items !== undefined && !Array.isArray(schema.items)) {
    return { type: 'array', items: node.items.map((item) => widenF32(schema.items as TSchema, item)) };
  }
  if (node.type === 'object') {
    const properties = schema.properties as Record<string, TSchema> | undefined;
    const mapValue = wire?.map
      ? (Object.values(schema.patternProperties ?? {})[0] as TSchema | undefined)
      : undefined;
    if (properties === undefined && mapValue === undefined) return node;
    const entries = new Map<string, JsonNode>();
    for (const [key, value] of node.entries) {
      const fieldSchema = mapValue ?? (Object.hasOwn(properties ?? {}, key) ? properties?.[key] : undefined);
      entries.set(key, fieldSchema === undefined ? value : widenF32(fieldSchema, value));
    }
    return { type: 'object', entries };
  }
  return node;
}

/** Compact serde_json text of a generic value whose maps are BTreeMaps: keys sorted by code point. */
export function writeValue(node: JsonNode): string {
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
      return `[${node.items.map(writeValue).join(',')}]`;
    case 'object': {
      const keys = [...node.entries.keys()].sort(compareCodePoints);
      return `{${keys.map((key) => `${JSON.stringify(key)}:${writeValue(node.entries.get(key) as JsonNode)}`).join(',')}}`;
    }
  }
}

// ---- the fast path: shared --------------------------------------------------------------------

/** Thrown inside the fast path when it cannot vouch for its answer; never escapes this module. */
class Declined {}
const DECLINED = new Declined();

/** What `readResponseEnvelope` answers when the caller must take the general path. */
export const NOT_FAST: unique symbol = Symbol('not fast');

/**
 * serde_json's parser gives up at 128 nested arrays/objects; well below that the general path's
 * outcome cannot depend on depth, above it the fast path declines and leaves the verdict to it.
 */
const SAFE_DEPTH = 100;

const U64_MAX = 18446744073709551615n;
const I64_MIN = -9223372036854775808n;

// ---- the fast path: the request envelope --------------------------------------------------------

/**
 * A struct's (or variant's) member in the order a BTreeMap writes them: a field, or the one fixed
 * member (`_v`, a variant's tag) whose value text the caller supplies. `prefix` is the key's
 * literal and colon, written once per plan; `odd` when that literal would need the general path.
 */
interface Member {
  readonly field: FieldDec | null;
  readonly prefix: string;
  readonly odd: boolean;
  /** an omittable field, skipped when absent */
  readonly omit: boolean;
}

const structOrder = new WeakMap<StructDec, readonly Member[]>();
const envelopeOrder = new WeakMap<StructDec, readonly Member[] | null>();
const variantOrder = new WeakMap<VariantDec, readonly Member[]>();

function member(key: string, field: FieldDec | null): Member & { readonly key: string } {
  const json = JSON.stringify(key);
  return {
    key,
    field,
    prefix: `${json}:`,
    odd: json.includes('\\ud'),
    omit: field !== null && field.dec.t === 'opt' && field.dec.omit,
  };
}

function sortedMembers(fields: readonly FieldDec[], fixed: string | null): readonly Member[] {
  const members = fields.map((field) => member(field.name, field));
  if (fixed !== null) members.push(member(fixed, null));
  return members.sort((a, b) => compareCodePoints(a.key, b.key));
}

function structMembers(dec: StructDec): readonly Member[] {
  let order = structOrder.get(dec);
  if (order === undefined) {
    order = sortedMembers(dec.fields, null);
    structOrder.set(dec, order);
  }
  return order;
}

/** The top-level struct's fields with `_v` among them; null when a field is itself named `_v`. */
function envelopeMembers(dec: StructDec): readonly Member[] | null {
  let order = envelopeOrder.get(dec);
  if (order === undefined) {
    order = dec.index.has('_v') ? null : sortedMembers(dec.fields, '_v');
    envelopeOrder.set(dec, order);
  }
  return order;
}

/** A variant's fields with the tag among them. */
function variantMembers(dec: TaggedDec, variant: VariantDec): readonly Member[] {
  let order = variantOrder.get(variant);
  if (order === undefined) {
    order = sortedMembers(variant.struct?.fields ?? [], dec.tag);
    variantOrder.set(variant, order);
  }
  return order;
}

/** What JSON.stringify would escape, and surrogates (which may be lone). */
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string literal as serde_json writes it. A lone surrogate (which `encodeWire` replaces, after
 * which keys may collide or re-sort) is left to the general path; so is anything that merely looks
 * like one (a backslash followed by `ud`), which costs nothing but speed.
 */
function literal(s: string): string {
  // Most strings need no escape at all: quoting them is cheaper than JSON.stringify.
  if (!NEEDS_CARE.test(s)) return `"${s}"`;
  const json = JSON.stringify(s);
  if (json.includes('\\ud')) throw DECLINED;
  return json;
}

/**
 * A number whose Value depends on serde_json's number parser (floats; integers beyond 2^53 or the
 * 64-bit ranges): its text as the encoder writes it, read back and written again, as the general
 * path does, with the f32 widening when `f32`.
 */
function throughValue(text: string, f32: boolean): string {
  let node: JsonNode;
  try {
    node = parseJsonValue(text);
  } catch {
    throw DECLINED;
  }
  if (f32 && (node.type === 'float' || node.type === 'int')) {
    node = { type: 'float', value: Math.fround(Number(node.value)) };
  }
  return writeValue(node);
}

function bigintText(value: bigint): string {
  if (value < I64_MIN || value > U64_MAX) throw DECLINED;
  return value.toString();
}

function writeMember(value: unknown, dec: Dec, depth: number): string {
  switch (dec.t) {
    case 'str':
    case 'enum':
      if (typeof value !== 'string') throw DECLINED;
      return literal(value);
    case 'bool':
      if (typeof value !== 'boolean') throw DECLINED;
      return value ? 'true' : 'false';
    case 'int':
      if (typeof value === 'number') {
        if (!Number.isSafeInteger(value)) throw DECLINED;
        return Object.is(value, -0) ? '0' : String(value);
      }
      if (typeof value === 'bigint') return bigintText(value);
      throw DECLINED;
    case 'float':
      if (typeof value !== 'number') throw DECLINED;
      if (!Number.isFinite(value)) return 'null';
      if (!dec.f32) return throughValue(formatF64(value), false);
      // an f64 beyond f32's range has no f32 text; what the general path makes of it is its business
      if (!Number.isFinite(Math.fround(value))) throw DECLINED;
      return throughValue(formatF32(value), true);
    case 'any':
      return writeAny(value, depth);
    case 'opt':
      return value === null || value === undefined ? 'null' : writeMember(value, dec.inner, depth);
    case 'struct':
      if (typeof value !== 'object' || value === null || depth >= SAFE_DEPTH) throw DECLINED;
      return `{${writeMembers(value as Record<string, unknown>, structMembers(dec), '', depth + 1)}}`;
    case 'list':
    case 'fixed': {
      if (!Array.isArray(value) || depth >= SAFE_DEPTH) throw DECLINED;
      let out = '[';
      for (let k = 0; k < value.length; k++) {
        if (k > 0) out += ',';
        out += writeMember(value[k], dec.item, depth + 1);
      }
      return `${out}]`;
    }
    case 'set': {
      if (!Array.isArray(value) || depth >= SAFE_DEPTH) throw DECLINED;
      for (const item of value) if (typeof item !== 'string') throw DECLINED;
      const items = sortedUnique(value as string[]);
      let out = '[';
      for (let k = 0; k < items.length; k++) {
        if (k > 0) out += ',';
        out += literal(items[k]!);
      }
      return `${out}]`;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || depth >= SAFE_DEPTH) throw DECLINED;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort(compareCodePoints);
      let out = '{';
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (k > 0) out += ',';
        out += `${literal(key)}:${writeMember(record[key], dec.value, depth + 1)}`;
      }
      return `${out}}`;
    }
    case 'tagged': {
      if (typeof value !== 'object' || value === null || depth >= SAFE_DEPTH) throw DECLINED;
      const record = value as Record<string, unknown>;
      const name = record[dec.tag];
      const variant = typeof name === 'string' ? dec.variants.get(name) : undefined;
      if (variant === undefined) throw DECLINED;
      return `{${writeMembers(record, variantMembers(dec, variant), literal(variant.name), depth + 1)}}`;
    }
  }
}

/**
 * Members in sorted order: fields, absent omittable ones skipped (as `encodeWire` skips them), and
 * the fixed member, if any, with the value text `fixed`.
 */
function writeMembers(
  record: Record<string, unknown>,
  members: readonly Member[],
  fixed: string,
  depth: number,
): string {
  let out = '';
  for (let k = 0; k < members.length; k++) {
    const { field, prefix, odd, omit } = members[k]!;
    if (odd) throw DECLINED;
    let text: string;
    if (field === null) {
      text = fixed;
    } else {
      const value = record[field.name];
      if (omit && (value === undefined || value === null)) continue;
      text = writeMember(value, field.dec, depth);
    }
    out += out === '' ? `${prefix}${text}` : `,${prefix}${text}`;
  }
  return out;
}

/** A serde_json::Value held in an `any` field, as the general path writes it. */
function writeAny(value: unknown, depth: number): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return literal(value);
    case 'bigint':
      return bigintText(value);
    case 'number':
      if (!Number.isFinite(value)) return 'null';
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
      return throughValue(
        Number.isInteger(value) && !Object.is(value, -0) ? String(value) : formatF64(value),
        false,
      );
    case 'object':
      break;
    default:
      throw DECLINED;
  }
  if (depth >= SAFE_DEPTH) throw DECLINED;
  if (Array.isArray(value)) {
    let out = '[';
    for (let k = 0; k < value.length; k++) {
      if (k > 0) out += ',';
      out += writeAny(value[k], depth + 1);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(compareCodePoints);
  let out = '{';
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    if (k > 0) out += ',';
    out += `${literal(key)}:${writeAny(record[key], depth + 1)}`;
  }
  return `${out}}`;
}

/**
 * Steps 2–5 in one pass: the envelope text the general path writes for `value` with `_v` set to
 * `version` (`writeValue` of `requestValue` plus `_v`), or undefined when the fast path declines.
 * Never throws.
 */
export function writeRequestEnvelope(schema: TSchema, value: unknown, version: number): string | undefined {
  try {
    const dec = compile(schema);
    if (dec.t !== 'struct' || !Number.isSafeInteger(version)) return undefined;
    if (typeof value !== 'object' || value === null) return undefined;
    const members = envelopeMembers(dec);
    if (members === null) return undefined;
    return `{${writeMembers(value as Record<string, unknown>, members, String(version), 1)}}`;
  } catch {
    return undefined;
  }
}

// ---- the fast path: the response envelope -------------------------------------------------------

/** The typed value the general path decodes, read straight from the text; declines on anything odd. */
function readMember(r: JsonReader, dec: Dec): unknown {
  const c = r.skipWs();
  switch (dec.t) {
    case 'str':
      if (c !== 0x22) throw DECLINED;
      r.i++;
      return r.parseString();
    case 'enum': {
      if (c !== 0x22) throw DECLINED;
      r.i++;
      const name = r.parseString();
      if (!dec.set.has(name)) throw DECLINED;
      return name;
    }
    case 'bool':
      if (c === 0x74) {
        r.i++;
        r.parseIdent('rue');
        return true;
      }
      if (c === 0x66) {
        r.i++;
        r.parseIdent('alse');
        return false;
      }
      throw DECLINED;
    case 'int': {
      readNumber(r, c);
      if (r.numKind === NumKind.F64) throw DECLINED;
      const big = r.big;
      if (big === null) {
        if (r.num < dec.minN || r.num > dec.maxN) throw DECLINED;
        return r.num;
      }
      if (big < dec.min || big > dec.max) throw DECLINED;
      // from_value's result: u8–u32 as numbers, 64-bit kinds as numbers while safe
      if (!dec.wide || (big >= -9007199254740991n && big <= 9007199254740991n)) return Number(big);
      return big;
    }
    case 'float': {
      readNumber(r, c);
      const n = r.numKind === NumKind.F64 || r.big === null ? r.num : Number(r.big);
      return dec.f32 ? Math.fround(n) : n;
    }
    case 'any':
      return nodeToValue(parseNode(r));
    case 'opt':
      if (c === 0x6e) {
        r.i++;
        r.parseIdent('ull');
        return dec.omit ? UNSET : null;
      }
      return readMember(r, dec.inner);
    case 'struct': {
      if (c !== 0x7b) throw DECLINED;
      r.enter();
      r.i++;
      const out = readFields(r, dec, null);
      r.leave();
      r.endMap();
      return out;
    }
    case 'list':
    case 'fixed': {
      if (c !== 0x5b) throw DECLINED;
      r.enter();
      r.i++;
      const items: unknown[] = [];
      for (let first = true; r.seqHasNext(first); first = false) items.push(readMember(r, dec.item));
      if (dec.t === 'fixed' && items.length !== dec.length) throw DECLINED;
      r.leave();
      r.endSeq();
      return items;
    }
    case 'set': {
      if (c !== 0x5b) throw DECLINED;
      r.enter();
      r.i++;
      const items: string[] = [];
      for (let first = true; r.seqHasNext(first); first = false) {
        if (r.skipWs() !== 0x22) throw DECLINED;
        r.i++;
        items.push(r.parseString());
      }
      r.leave();
      r.endSeq();
      return sortedUnique(items);
    }
    case 'map': {
      if (c !== 0x7b) throw DECLINED;
      r.enter();
      r.i++;
      const keys: string[] = [];
      const values = new Map<string, unknown>();
      let sorted = true;
      for (let first = true; r.mapHasNext(first); first = false) {
        const key = r.parseString();
        // a duplicate collapses to its last value before decoding, so the first may hold anything
        if (values.has(key)) throw DECLINED;
        r.parseObjectColon();
        if (keys.length > 0 && compareCodePoints(keys[keys.length - 1]!, key) > 0) sorted = false;
        keys.push(key);
        values.set(key, readMember(r, dec.value));
      }
      r.leave();
      r.endMap();
      if (!sorted) keys.sort(compareCodePoints);
      const out: Record<string, unknown> = {};
      for (const key of keys) setOwn(out, key, values.get(key));
      return out;
    }
    case 'tagged':
      // the tag may follow the fields it selects; rare in responses, so left to the general path
      throw DECLINED;
  }
}

function readNumber(r: JsonReader, c: number): void {
  if (c === 0x2d) {
    r.i++;
    r.parseNumber(false);
  } else if (c >= 0x30 && c <= 0x39) {
    r.parseNumber(true);
  } else {
    throw DECLINED;
  }
}

/** An omittable field given as null: left out of the decoded struct, like an absent one. */
const UNSET: unique symbol = Symbol('unset');
/** A field the text has not (yet) given. */
const MISSING: unique symbol = Symbol('missing');

/**
 * An object's fields after its `{`, up to its `}` (not eaten). With `version` set, it is the
 * envelope: `_v` must be there, once, as that unsigned integer.
 */
function readFields(r: JsonReader, dec: StructDec, version: number | null): Record<string, unknown> {
  const count = dec.fields.length;
  const slots: unknown[] = [];
  for (let k = 0; k < count; k++) slots.push(MISSING);
  let versionSeen = false;
  for (let first = true; r.mapHasNext(first); first = false) {
    const key = r.parseString();
    r.parseObjectColon();
    if (version !== null && key === '_v') {
      if (versionSeen) throw DECLINED;
      versionSeen = true;
      readNumber(r, r.skipWs());
      if (r.numKind !== NumKind.U64 || r.big !== null || r.num !== version) throw DECLINED;
      continue;
    }
    const index = dec.index.get(key);
    if (index === undefined || slots[index] !== MISSING) throw DECLINED;
    slots[index] = readMember(r, dec.fields[index]!.dec);
  }
  if (version !== null && !versionSeen) throw DECLINED;
  const out: Record<string, unknown> = {};
  for (let k = 0; k < count; k++) {
    const field = dec.fields[k]!;
    let value = slots[k];
    if (value === MISSING) {
      // a missing Option is None (null, or left out when omittable); any other field is an error
      if (field.dec.t !== 'opt') throw DECLINED;
      value = field.dec.omit ? UNSET : null;
    }
    if (value !== UNSET) out[field.name] = value;
  }
  return out;
}

/**
 * Steps 7–12 when they succeed: the typed response the general path (`parseJsonValue`, the `_v`
 * checks against `version`, `decodeWireValue` of the rest) returns for `text`, or NOT_FAST when
 * the fast path declines, which it does for every text the general path rejects. Never throws.
 */
export function readResponseEnvelope(schema: TSchema, text: string, version: number): unknown {
  try {
    const dec = compile(schema);
    if (dec.t !== 'struct' || dec.index.has('_v') || !Number.isSafeInteger(version) || version < 0) {
      return NOT_FAST;
    }
    const r = readerFor(text);
    if (r.skipWs() !== 0x7b) return NOT_FAST;
    r.enter();
    r.i++;
    const out = readFields(r, dec, version);
    r.leave();
    r.endMap();
    r.end();
    return out;
  } catch {
    return NOT_FAST;
  }
}
