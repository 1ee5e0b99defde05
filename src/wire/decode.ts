/**
 * Wire layer: typed decoding with serde semantics. A schema built with `schema.ts` is compiled
 * once (cached per schema object) into a decoder tree that mirrors what `#[derive(Deserialize)]`
 * with `deny_unknown_fields` generates, and that tree is driven either by the serde_json text
 * reader (`decodeWire` = `serde_json::from_str` / `from_slice`) or over a parsed value
 * (`decodeWireValue` = `serde_json::from_value`).
 *
 * The text path is a recursive descent in serde's own order, so the first error is the one
 * serde_json's streaming decoder meets: an unknown or duplicate key when the key is read, a missing
 * field when the object closes, and nothing after the first failure. Data errors are positioned
 * the way serde_json positions them (by the innermost `deserialize_*` frame that returns them,
 * after that frame has finished consuming its closing bracket).
 *
 * Internally tagged enums go through serde's `Content` buffer, as the derive does: the object is
 * read whole (the tag may sit anywhere; a missing tag is reported at the closing brace), then the
 * variant is decoded from the buffer, so errors inside a variant carry the position of the frame
 * enclosing the enum (none at all when the enum is the top-level value). Unit variants ignore
 * extra keys — serde-rs/serde#2123, still the behaviour of `deny_unknown_fields` on such enums —
 * while struct variants reject them.
 *
 * Deviations (documented, not reachable from well-formed protocol traffic): the sequence form of an
 * internally tagged enum (`["kind", …]`, accepted by serde) is rejected here as `invalid type:
 * sequence`.
 */

import type { Static, TSchema } from '@sinclair/typebox';
import type { JsonNode } from './json.js';
import {
  Code,
  dataFault,
  Fault,
  type JsonReader,
  NumKind,
  pointerOf,
  Texts,
  Unexpected,
} from './json-reader.js';
import {
  type ContentNode,
  nodeToValue,
  parseAny,
  parseContent,
  readerFor,
  setOwn,
  sortEntries,
} from './json-values.js';
import { compareCodePoints, sortedUnique } from './ordered.js';
import type { JsonValue } from './schema.js';
import {
  compile,
  type Dec,
  type EnumDec,
  type FieldDec,
  type FixedDec,
  type FloatDec,
  type IntDec,
  type MapDec,
  type OptDec,
  STR,
  type StructDec,
  type TaggedDec,
  type VariantDec,
} from './serde-plan.js';

// ---- shared value building ----------------------------------------------------------------------

/** A u64/i64 value as the decoded wire type holds it: a number while safe, else a bigint. */
function intResult(dec: IntDec, value: bigint | number): number | bigint {
  if (typeof value === 'number') return value;
  if (!dec.wide) return Number(value);
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/**
 * serde's primitive integer visitors: `visit_u64`/`visit_i64` range-check (`invalid value`),
 * `visit_f64` is an `invalid type`. Returns the error text or null.
 */
function intError(dec: IntDec, kind: NumKind, num: number, big: bigint | null): string | null {
  if (kind === NumKind.F64) return Texts.invalidType(Unexpected.float(num), dec.kind);
  if (big === null) {
    if (num >= dec.minN && num <= dec.maxN) return null;
  } else if (big >= dec.min && big <= dec.max) {
    return null;
  }
  return Texts.invalidValue(Unexpected.integer(big ?? num), dec.kind);
}

function floatResult(dec: FloatDec, value: number): number {
  return dec.f32 ? Math.fround(value) : value;
}

/** The struct's field values (UNSET where absent) into the decoded object, in declaration order. */
const UNSET: unique symbol = Symbol('unset');
type Slot = unknown | typeof UNSET;

function missingFieldValue(field: FieldDec): Slot {
  return field.dec.t === 'opt' ? (field.dec.omit ? UNSET : null) : undefined;
}

// ---- the text path (serde_json::from_str / from_slice) ------------------------------------------

function read(r: JsonReader, dec: Dec): unknown {
  switch (dec.t) {
    case 'str':
      return readString(r);
    case 'bool':
      return readBool(r);
    case 'int':
      return readInt(r, dec);
    case 'float':
      return readFloat(r, dec);
    case 'any':
      return parseAny(r);
    case 'opt':
      return readOpt(r, dec);
    case 'struct':
      return readStruct(r, dec);
    case 'list':
      return readSeq(r, dec.item, 'a sequence');
    case 'set':
      return sortedUnique(readSeq(r, STR, 'a sequence') as string[]);
    case 'map':
      return readMap(r, dec);
    case 'fixed':
      return readFixed(r, dec);
    case 'enum':
      return readEnum(r, dec);
    case 'tagged':
      return readTagged(r, dec);
  }
}

/** `deserialize_string` with the String visitor. */
function readString(r: JsonReader): string {
  const c = r.skipWs();
  if (c === 0x22) {
    r.i++;
    return r.parseString();
  }
  if (c === -1) throw r.peekError(Code.EofValue);
  throw r.peekInvalidType('a string');
}

/** `deserialize_bool`. */
function readBool(r: JsonReader): boolean {
  const c = r.skipWs();
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
  if (c === -1) throw r.peekError(Code.EofValue);
  throw r.peekInvalidType('a boolean');
}

/** `deserialize_number`: reads the number, or names the wrong value. */
function readNumber(r: JsonReader, expecting: string): void {
  const c = r.skipWs();
  if (c === 0x2d) {
    r.i++;
    r.parseNumber(false);
  } else if (c >= 0x30 && c <= 0x39) {
    r.parseNumber(true);
  } else if (c === -1) {
    throw r.peekError(Code.EofValue);
  } else {
    throw r.peekInvalidType(expecting);
  }
}

function readInt(r: JsonReader, dec: IntDec): number | bigint {
  readNumber(r, dec.kind);
  const error = intError(dec, r.numKind, r.num, r.big);
  if (error !== null) throw r.fix(r.data(error));
  return intResult(dec, r.big ?? r.num);
}

function readFloat(r: JsonReader, dec: FloatDec): number {
  readNumber(r, dec.f32 ? 'f32' : 'f64');
  return floatResult(dec, r.num);
}

/** `deserialize_option`: `null` is None, anything else is the inner value. */
function readOpt(r: JsonReader, dec: OptDec): unknown {
  if (r.skipWs() === 0x6e) {
    r.i++;
    r.parseIdent('ull');
    return dec.omit ? UNSET : null;
  }
  return read(r, dec.inner);
}

/**
 * Runs a visitor over an opened `[`/`{`, then serde_json's `end_seq`/`end_map` (always, as serde
 * evaluates both), then positions a visitor error at wherever the closing step left the reader.
 */
function visitThenClose<T>(r: JsonReader, visit: () => T, close: () => void): T {
  let result: T | undefined;
  let failure: unknown = null;
  try {
    result = visit();
  } catch (e) {
    if (!(e instanceof Fault)) throw e;
    failure = e;
  }
  r.leave();
  let closeFailure: unknown = null;
  try {
    close();
  } catch (e) {
    closeFailure = e;
  }
  if (failure !== null) r.fixAndThrow(failure);
  if (closeFailure !== null) throw closeFailure;
  return result as T;
}

/** `deserialize_struct`: an object, or serde's sequence form of a struct. */
function readStruct(r: JsonReader, dec: StructDec): Record<string, unknown> {
  const c = r.skipWs();
  if (c === 0x7b) {
    r.enter();
    r.i++;
    return visitThenClose(
      r,
      () => visitStructMap(r, dec),
      () => r.endMap(),
    );
  }
  if (c === 0x5b) {
    r.enter();
    r.i++;
    return visitThenClose(
      r,
      () => visitStructSeq(r, dec),
      () => r.endSeq(),
    );
  }
  if (c === -1) throw r.peekError(Code.EofValue);
  throw r.peekInvalidType(dec.expecting);
}

/**
 * The derived `visit_map` with `deny_unknown_fields`. With `envelope`, the object is also the
 * dispatch envelope: `_v` must appear once, as that unsigned integer (see `decodeEnvelope`).
 */
function visitStructMap(r: JsonReader, dec: StructDec, envelope?: number): Record<string, unknown> {
  const slots: Slot[] = new Array(dec.fields.length).fill(UNSET);
  const seen: boolean[] = new Array(dec.fields.length).fill(false);
  let versionSeen = false;
  for (let first = true; r.mapHasNext(first); first = false) {
    const key = r.parseString();
    if (envelope !== undefined && key === '_v') {
      if (versionSeen) throw r.data(Texts.duplicateField(key), key);
      versionSeen = true;
      r.parseObjectColon();
      readNumber(r, 'u64');
      if (r.numKind !== NumKind.U64 || (r.big ?? BigInt(r.num)) !== BigInt(envelope)) {
        throw r.data(ENVELOPE_VERSION);
      }
      continue;
    }
    const index = dec.index.get(key);
    if (index === undefined) throw r.data(Texts.unknownField(key, dec.names), key);
    if (seen[index]) throw r.data(Texts.duplicateField(key), key);
    seen[index] = true;
    r.parseObjectColon();
    r.path.push(key);
    slots[index] = read(r, dec.fields[index]!.dec);
    r.path.pop();
  }
  if (envelope !== undefined && !versionSeen) throw r.data(ENVELOPE_VERSION);
  return finishStruct(dec, slots, seen, r.path);
}

/** Not serde_json's: only ever seen by `decodeEnvelope`'s caller, which then takes the long way. */
const ENVELOPE_VERSION = 'not a dispatch envelope of this version';

function finishStruct(
  dec: StructDec,
  slots: Slot[],
  seen: boolean[],
  path: readonly (string | number)[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let k = 0; k < dec.fields.length; k++) {
    const field = dec.fields[k]!;
    let value = slots[k];
    if (!seen[k]) {
      value = missingFieldValue(field);
      if (value === undefined) throw dataFault(Texts.missingField(field.name), pointerOf(path, field.name));
    }
    if (value !== UNSET) out[field.name] = value;
  }
  return out;
}

/** The derived `visit_seq`: one element per field in declaration order. */
function visitStructSeq(r: JsonReader, dec: StructDec): Record<string, unknown> {
  const slots: Slot[] = new Array(dec.fields.length).fill(UNSET);
  const seen: boolean[] = new Array(dec.fields.length).fill(true);
  for (let k = 0; k < dec.fields.length; k++) {
    const field = dec.fields[k]!;
    if (!r.seqHasNext(k === 0)) {
      // Fields with `#[serde(default)]` (omittable) fall back to their default; others are missing.
      if (field.dec.t === 'opt' && field.dec.omit) {
        for (let rest = k; rest < dec.fields.length; rest++) {
          const later = dec.fields[rest]!;
          if (!(later.dec.t === 'opt' && later.dec.omit))
            throw r.data(Texts.invalidLength(rest, dec.seqExpecting));
        }
        break;
      }
      throw r.data(Texts.invalidLength(k, dec.seqExpecting));
    }
    r.path.push(k);
    slots[k] = read(r, field.dec);
    r.path.pop();
  }
  return finishStruct(dec, slots, seen, r.path);
}

/** `deserialize_seq` with a Vec (or BTreeSet) visitor. */
function readSeq(r: JsonReader, item: Dec, expecting: string): unknown[] {
  const c = r.skipWs();
  if (c === 0x5b) {
    r.enter();
    r.i++;
    return visitThenClose(
      r,
      () => {
        const items: unknown[] = [];
        for (let first = true; r.seqHasNext(first); first = false) {
          r.path.push(items.length);
          items.push(read(r, item));
          r.path.pop();
        }
        return items;
      },
      () => r.endSeq(),
    );
  }
  if (c === -1) throw r.peekError(Code.EofValue);
  throw r.peekInvalidType(expecting);
}

/** `deserialize_tuple` with serde's `[T; N]` visitor: exactly N elements. */
function readFixed(r: JsonReader, dec: FixedDec): unknown[] {
  const c = r.skipWs();
  if (c === 0x5b) {
    r.enter();
    r.i++;
    return visitThenClose(
      r,
      () => {
        const items: unknown[] = [];
        for (let k = 0; k < dec.length; k++) {
          if (!r.seqHasNext(k === 0)) throw r.data(Texts.invalidLength(k, dec.expecting));
          r.path.push(k);
          items.push(read(r, dec.item));
          r.path.pop();
        }
        return items;
      },
      () => r.endSeq(),
    );
  }
  if (c === -1) throw r.peekError(Code.EofValue);
  throw r.peekInvalidType(dec.expecting);
}

/** `deserialize_map` with a BTreeMap<String, V> visitor: a duplicated key keeps its last value. */
function readMap(r: JsonReader, dec: MapDec): Record<string, unknown> {
  const c = r.skipWs();
  if (c === 0x7b) {
    r.enter();
    r.i++;
    return visitThenClose(
      r,
      () => {
        const out: Record<string, unknown> = {};
        for (let first = true; r.mapHasNext(first); first = false) {
          const key = r.parseString();
          r.parseObjectColon();
          r.path.push(key);
          setOwn(out, key, read(r, dec.value));
          r.path.pop();
        }
        return out;
      },
      () => r.endMap(),
    );
  }
  if (c === -1) throw r.peekError(Code.EofValue);
  throw r.peekInvalidType('a map');
}

/** `deserialize_identifier` (= `deserialize_str`) for a variant name. */
function readVariantName(r: JsonReader, names: readonly string[], known: (name: string) => boolean): string {
  const c = r.skipWs();
  if (c === 0x22) {
    r.i++;
    const name = r.parseString();
    if (!known(name)) throw r.fix(r.data(Texts.unknownVariant(name, names)));
    return name;
  }
  if (c === -1) throw r.peekError(Code.EofValue);
  throw r.peekInvalidType('variant identifier');
}

/**
 * `deserialize_enum` for a unit-only enum: a string, or serde_json's externally tagged form
 * `{"variant": null}` (unit content), which serde_json accepts for any enum.
 */
function readEnum(r: JsonReader, dec: EnumDec): string {
  const c = r.skipWs();
  if (c === 0x22) return readVariantName(r, dec.values, (n) => dec.set.has(n));
  if (c === 0x7b) {
    r.enter();
    r.i++;
    const name = readVariantName(r, dec.values, (n) => dec.set.has(n));
    r.parseObjectColon();
    // `unit_variant`: the content must be `()`, i.e. null.
    const v = r.skipWs();
    if (v === 0x6e) {
      r.i++;
      r.parseIdent('ull');
    } else if (v === -1) {
      throw r.peekError(Code.EofValue);
    } else {
      throw r.peekInvalidType('unit');
    }
    r.leave();
    const end = r.skipWs();
    if (end === 0x7d) {
      r.i++;
      return name;
    }
    throw r.error(end === -1 ? Code.EofObject : Code.ExpectedValue);
  }
  if (c === -1) throw r.peekError(Code.EofValue);
  throw r.peekError(Code.ExpectedValue);
}

/** `deserialize_any` with serde's TaggedContentVisitor, then the variant from the buffer. */
function readTagged(r: JsonReader, dec: TaggedDec): Record<string, unknown> {
  const c = r.skipWs();
  if (c !== 0x7b) {
    let unexpected: string;
    switch (c) {
      case -1:
        throw r.peekError(Code.EofValue);
      case 0x5b:
        unexpected = Unexpected.seq;
        break;
      case 0x22:
        r.i++;
        unexpected = Unexpected.string(r.parseString());
        break;
      case 0x6e:
        r.i++;
        r.parseIdent('ull');
        unexpected = Unexpected.null;
        break;
      case 0x74:
        r.i++;
        r.parseIdent('rue');
        unexpected = Unexpected.bool(true);
        break;
      case 0x66:
        r.i++;
        r.parseIdent('alse');
        unexpected = Unexpected.bool(false);
        break;
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          if (c === 0x2d) r.i++;
          r.parseNumber(c !== 0x2d);
          unexpected = r.numberUnexpected();
          break;
        }
        throw r.peekError(Code.ExpectedValue);
    }
    throw r.fix(r.data(Texts.invalidType(unexpected, dec.expecting)));
  }
  r.enter();
  r.i++;
  const path = [...r.path];
  const [variant, pairs] = visitThenClose(
    r,
    () => {
      let tag: string | undefined;
      const pairs: [string, ContentNode][] = [];
      for (let first = true; r.mapHasNext(first); first = false) {
        const key = r.parseString();
        if (key === dec.tag) {
          if (tag !== undefined) throw r.data(Texts.duplicateField(key), key);
          r.parseObjectColon();
          r.path.push(key);
          tag = readVariantName(r, dec.names, (n) => dec.variants.has(n));
          r.path.pop();
        } else {
          r.parseObjectColon();
          r.path.push(key);
          pairs.push([key, parseContent(r)]);
          r.path.pop();
        }
      }
      if (tag === undefined) throw r.data(Texts.missingField(dec.tag));
      return [dec.variants.get(tag)!, pairs] as const;
    },
    () => r.endMap(),
  );
  // Errors from here on are unpositioned: the enclosing frame positions them, as in serde.
  return variantFromContent(dec, variant, pairs, path);
}

// ---- the value path (serde_json::from_value, and serde's Content) -------------------------------

/**
 * Which deserializer a tree is walked with. `value` is serde_json::Value (objects are BTreeMaps:
 * sorted, no duplicates); `content` is serde's Content buffer (objects in document order with
 * duplicates). They differ only in a few length texts.
 */
type Mode = 'value' | 'content';
type AnyNode = JsonNode | ContentNode;

function unexpectedOf(node: AnyNode): string {
  switch (node.type) {
    case 'null':
      return Unexpected.null;
    case 'bool':
      return Unexpected.bool(node.value);
    case 'int':
      return Unexpected.integer(node.value);
    case 'float':
      return Unexpected.float(node.value);
    case 'string':
      return Unexpected.string(node.value);
    case 'array':
      return Unexpected.seq;
    default:
      return Unexpected.map;
  }
}

function entriesOf(node: AnyNode): Iterable<[string, AnyNode]> | null {
  if (node.type === 'pairs') return node.pairs;
  if (node.type === 'object') return isSorted(node.entries) ? node.entries : sortEntries(node.entries);
  return null;
}

function isSorted(entries: Map<string, JsonNode>): boolean {
  let last: string | null = null;
  for (const key of entries.keys()) {
    if (last !== null && compareCodePoints(last, key) > 0) return false;
    last = key;
  }
  return true;
}

function fault(text: string, path: readonly (string | number)[], extra?: string | number): Fault {
  return dataFault(text, pointerOf(path, extra));
}

/** The text for elements left over after a sequence visitor finished. */
function leftoverLength(mode: Mode, total: number, consumed: number): string {
  if (mode === 'value') return Texts.invalidLength(total, 'fewer elements in array');
  return Texts.invalidLength(
    total,
    consumed === 1 ? '1 element in sequence' : `${consumed} elements in sequence`,
  );
}

function decodeNode(node: AnyNode, dec: Dec, path: (string | number)[], mode: Mode): unknown {
  switch (dec.t) {
    case 'str':
      if (node.type === 'string') return node.value;
      throw fault(Texts.invalidType(unexpectedOf(node), 'a string'), path);
    case 'bool':
      if (node.type === 'bool') return node.value;
      throw fault(Texts.invalidType(unexpectedOf(node), 'a boolean'), path);
    case 'int': {
      if (node.type === 'int') {
        const error = intError(dec, NumKind.U64, 0, node.value);
        if (error !== null) throw fault(error, path);
        return intResult(dec, node.value);
      }
      if (node.type === 'float') throw fault(Texts.invalidType(Unexpected.float(node.value), dec.kind), path);
      throw fault(Texts.invalidType(unexpectedOf(node), dec.kind), path);
    }
    case 'float':
      if (node.type === 'float') return floatResult(dec, node.value);
      if (node.type === 'int') return floatResult(dec, Number(node.value));
      throw fault(Texts.invalidType(unexpectedOf(node), dec.f32 ? 'f32' : 'f64'), path);
    case 'any':
      return nodeToValue(node);
    case 'opt':
      if (node.type === 'null') return dec.omit ? UNSET : null;
      return decodeNode(node, dec.inner, path, mode);
    case 'struct':
      return decodeStructNode(node, dec, path, mode);
    case 'list':
    case 'set': {
      if (node.type !== 'array') throw fault(Texts.invalidType(unexpectedOf(node), 'a sequence'), path);
      const item = dec.t === 'list' ? dec.item : STR;
      const items = node.items.map((child, k) => decodeNode(child, item, [...path, k], mode));
      return dec.t === 'set' ? sortedUnique(items as string[]) : items;
    }
    case 'fixed': {
      if (node.type !== 'array') throw fault(Texts.invalidType(unexpectedOf(node), dec.expecting), path);
      const items: unknown[] = [];
      for (let k = 0; k < dec.length; k++) {
        const child = node.items[k];
        if (child === undefined) throw fault(Texts.invalidLength(k, dec.expecting), path);
        items.push(decodeNode(child, dec.item, [...path, k], mode));
      }
      if (node.items.length > dec.length)
        throw fault(leftoverLength(mode, node.items.length, dec.length), path);
      return items;
    }
    case 'map': {
      const entries = entriesOf(node);
      if (entries === null) throw fault(Texts.invalidType(unexpectedOf(node), 'a map'), path);
      const out: Record<string, unknown> = {};
      for (const [key, child] of entries)
        setOwn(out, key, decodeNode(child, dec.value, [...path, key], mode));
      return out;
    }
    case 'enum':
      return decodeEnumNode(node, dec, path);
    case 'tagged':
      return decodeTaggedNode(node, dec, path);
  }
}

function decodeStructNode(
  node: AnyNode,
  dec: StructDec,
  path: (string | number)[],
  mode: Mode,
): Record<string, unknown> {
  const entries = entriesOf(node);
  if (entries !== null) return structFromEntries(entries, dec, path, mode);
  if (node.type === 'array') {
    const slots: Slot[] = new Array(dec.fields.length).fill(UNSET);
    const seen: boolean[] = new Array(dec.fields.length).fill(true);
    for (let k = 0; k < dec.fields.length; k++) {
      const field = dec.fields[k]!;
      const child = node.items[k];
      if (child === undefined) {
        const rest = dec.fields.slice(k).findIndex((f) => !(f.dec.t === 'opt' && f.dec.omit));
        if (rest >= 0) throw fault(Texts.invalidLength(k + rest, dec.seqExpecting), path);
        break;
      }
      slots[k] = decodeNode(child, field.dec, [...path, k], mode);
    }
    if (node.items.length > dec.fields.length) {
      throw fault(leftoverLength(mode, node.items.length, dec.fields.length), path);
    }
    return finishStruct(dec, slots, seen, path);
  }
  throw fault(Texts.invalidType(unexpectedOf(node), dec.expecting), path);
}

function structFromEntries(
  entries: Iterable<[string, AnyNode]>,
  dec: StructDec,
  path: (string | number)[],
  mode: Mode,
): Record<string, unknown> {
  const slots: Slot[] = new Array(dec.fields.length).fill(UNSET);
  const seen: boolean[] = new Array(dec.fields.length).fill(false);
  for (const [key, child] of entries) {
    const index = dec.index.get(key);
    if (index === undefined) throw fault(Texts.unknownField(key, dec.names), path, key);
    if (seen[index]) throw fault(Texts.duplicateField(key), path, key);
    seen[index] = true;
    slots[index] = decodeNode(child, dec.fields[index]!.dec, [...path, key], mode);
  }
  return finishStruct(dec, slots, seen, path);
}

/** `deserialize_enum` of Value/Content for a unit-only enum. */
function decodeEnumNode(node: AnyNode, dec: EnumDec, path: (string | number)[]): string {
  const check = (name: string): string => {
    if (!dec.set.has(name)) throw fault(Texts.unknownVariant(name, dec.values), path);
    return name;
  };
  if (node.type === 'string') return check(node.value);
  const entries = entriesOf(node);
  if (entries !== null) {
    const list = [...entries];
    if (list.length !== 1) throw fault(Texts.invalidValue(Unexpected.map, 'map with a single key'), path);
    const [name, content] = list[0]!;
    check(name);
    if (content.type !== 'null') throw fault(Texts.invalidType(unexpectedOf(content), 'unit'), path, name);
    return name;
  }
  throw fault(Texts.invalidType(unexpectedOf(node), 'string or map'), path);
}

function decodeTaggedNode(node: AnyNode, dec: TaggedDec, path: (string | number)[]): Record<string, unknown> {
  const entries = entriesOf(node);
  if (entries === null) throw fault(Texts.invalidType(unexpectedOf(node), dec.expecting), path);
  let variant: VariantDec | undefined;
  const pairs: [string, AnyNode][] = [];
  for (const [key, child] of entries) {
    if (key !== dec.tag) {
      pairs.push([key, child]);
      continue;
    }
    if (variant !== undefined) throw fault(Texts.duplicateField(key), path, key);
    if (child.type !== 'string') {
      throw fault(Texts.invalidType(unexpectedOf(child), 'variant identifier'), path, key);
    }
    variant = dec.variants.get(child.value);
    if (variant === undefined) throw fault(Texts.unknownVariant(child.value, dec.names), path, key);
  }
  if (variant === undefined) throw fault(Texts.missingField(dec.tag), path);
  return variantFromContent(dec, variant, pairs, path);
}

/** The derive's variant step over the buffered content (the tag already removed). */
function variantFromContent(
  dec: TaggedDec,
  variant: VariantDec,
  pairs: [string, AnyNode][],
  path: (string | number)[],
): Record<string, unknown> {
  const head: Record<string, unknown> = { [dec.tag]: variant.name };
  // A unit variant drains and ignores whatever else the object held (serde-rs/serde#2123).
  if (variant.struct === null) return head;
  return Object.assign(head, structFromEntries(pairs, variant.struct, path, 'content'));
}

// ---- entry points -------------------------------------------------------------------------------

/**
 * `serde_json::from_str` (string input) or `serde_json::from_slice` (bytes) into the schema's type.
 * Throws WireDecodeError carrying serde_json's exact text.
 */
export function decodeWire<S extends TSchema>(schema: S, input: string | Uint8Array): Static<S> {
  const dec = compile(schema);
  const reader = readerFor(input);
  try {
    const value = read(reader, dec);
    reader.end();
    return (value === UNSET ? undefined : value) as Static<S>;
  } catch (e) {
    if (e instanceof Fault) throw e.toError();
    throw e;
  }
}

/**
 * Steps 7–12 of a dispatch in one pass, when they succeed: for the text of a JSON object holding
 * `_v` (once, as the unsigned integer `version`) and the fields of the struct `schema`, the typed
 * value the step-by-step path (`parseJsonValue`, the `_v` checks, `decodeWireValue` of the rest)
 * returns. Throws WireDecodeError for every other text — also for some the step-by-step path
 * accepts (a duplicated key, which it resolves by keeping the last) — without that path's text:
 * the caller runs it for the exact outcome.
 */
export function decodeEnvelope<S extends TSchema>(schema: S, input: string, version: number): Static<S> {
  const dec = compile(schema);
  const reader = readerFor(input);
  try {
    if (dec.t !== 'struct' || dec.index.has('_v') || reader.skipWs() !== 0x7b) {
      throw reader.data(ENVELOPE_VERSION);
    }
    reader.enter();
    reader.i++;
    const value = visitThenClose(
      reader,
      () => visitStructMap(reader, dec, version),
      () => reader.endMap(),
    );
    reader.end();
    return inValueOrder(value, dec) as Static<S>;
  } catch (e) {
    if (e instanceof Fault) throw e.toError();
    throw e;
  }
}

/**
 * A decoded value with its maps' and `any` objects' keys in the order a serde_json::Value (a
 * BTreeMap) hands them to `from_value` — by code point — where the text path kept document order.
 */
function inValueOrder(value: unknown, dec: Dec): unknown {
  switch (dec.t) {
    case 'any':
      return anyInValueOrder(value as JsonValue);
    case 'opt':
      return value === null || value === undefined ? value : inValueOrder(value, dec.inner);
    case 'struct':
      return fieldsInValueOrder(value as Record<string, unknown>, dec);
    case 'tagged': {
      const record = value as Record<string, unknown>;
      const variant = dec.variants.get(record[dec.tag] as string);
      return variant?.struct ? fieldsInValueOrder(record, variant.struct) : record;
    }
    case 'list':
    case 'fixed': {
      const items = value as unknown[];
      for (let k = 0; k < items.length; k++) items[k] = inValueOrder(items[k], dec.item);
      return items;
    }
    case 'map': {
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(record).sort(compareCodePoints)) {
        setOwn(out, key, inValueOrder(record[key], dec.value));
      }
      return out;
    }
    default:
      return value;
  }
}

function fieldsInValueOrder(record: Record<string, unknown>, dec: StructDec): Record<string, unknown> {
  for (const field of dec.fields) {
    if (Object.hasOwn(record, field.name)) record[field.name] = inValueOrder(record[field.name], field.dec);
  }
  return record;
}

function anyInValueOrder(value: JsonValue): JsonValue {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(anyInValueOrder);
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(value).sort(compareCodePoints))
    setOwn(out, key, anyInValueOrder(value[key]!));
  return out;
}

/** `serde_json::from_value` into the schema's type: the same rules, messages without a position. */
export function decodeWireValue<S extends TSchema>(schema: S, node: JsonNode): Static<S> {
  const dec = compile(schema);
  try {
    const value = decodeNode(node, dec, [], 'value');
    return (value === UNSET ? undefined : value) as Static<S>;
  } catch (e) {
    if (e instanceof Fault) throw e.toError();
    throw e;
  }
}
