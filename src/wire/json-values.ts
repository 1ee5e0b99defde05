/**
 * Wire layer: generic values read by the serde_json reader — `Value` trees (`JsonNode`, for
 * `parseJsonValue` and `any`-typed fields) and serde's private `Content` buffer (ordered pairs,
 * duplicates kept, which is what an internally tagged enum is decoded from) — and the conversions
 * between `JsonNode` and `JsonValue`. Internal to the wire layer; `json.ts` is the public face.
 */

import type { JsonNode } from './json.js';
import { Code, JsonReader, NumKind } from './json-reader.js';
import { compareCodePoints } from './ordered.js';
import type { JsonValue } from './schema.js';

/** A JSON object as serde's `Content` buffers it: entries in document order, duplicates kept. */
export interface PairsNode {
  readonly type: 'pairs';
  readonly pairs: [string, ContentNode][];
}

/** A value as serde's `Content` holds it. */
export type ContentNode =
  | Exclude<JsonNode, { type: 'object' } | { type: 'array' }>
  | { type: 'array'; items: ContentNode[] }
  | PairsNode;

export function readerFor(input: string | Uint8Array): JsonReader {
  return JsonReader.of(input);
}

/** The number just read, as a node. */
function numberNode(r: JsonReader): JsonNode {
  if (r.numKind === NumKind.F64) return { type: 'float', value: r.num };
  return { type: 'int', value: r.big ?? BigInt(r.num) };
}

/** `Value::deserialize` (serde_json's `deserialize_any` with the Value visitor). */
export function parseNode(r: JsonReader): JsonNode {
  const c = r.skipWs();
  switch (c) {
    case -1:
      throw r.peekError(Code.EofValue);
    case 0x6e:
      r.i++;
      r.parseIdent('ull');
      return { type: 'null' };
    case 0x74:
      r.i++;
      r.parseIdent('rue');
      return { type: 'bool', value: true };
    case 0x66:
      r.i++;
      r.parseIdent('alse');
      return { type: 'bool', value: false };
    case 0x2d:
      r.i++;
      r.parseNumber(false);
      return numberNode(r);
    case 0x22:
      r.i++;
      return { type: 'string', value: r.parseString() };
    case 0x5b: {
      r.enter();
      r.i++;
      const items: JsonNode[] = [];
      for (let first = true; r.seqHasNext(first); first = false) {
        r.path.push(items.length);
        items.push(parseNode(r));
        r.path.pop();
      }
      r.leave();
      r.endSeq();
      return { type: 'array', items };
    }
    case 0x7b: {
      r.enter();
      r.i++;
      const entries = new Map<string, JsonNode>();
      let sorted = true;
      let last = '';
      for (let first = true; r.mapHasNext(first); first = false) {
        const key = r.parseString();
        r.parseObjectColon();
        r.path.push(key);
        const value = parseNode(r);
        r.path.pop();
        if (!entries.has(key)) {
          if (entries.size > 0 && compareCodePoints(last, key) > 0) sorted = false;
          last = key;
        }
        entries.set(key, value);
      }
      r.leave();
      r.endMap();
      return { type: 'object', entries: sorted ? entries : sortEntries(entries) };
    }
    default:
      if (c >= 0x30 && c <= 0x39) {
        r.parseNumber(true);
        return numberNode(r);
      }
      throw r.peekError(Code.ExpectedValue);
  }
}

export function sortEntries<V>(entries: Map<string, V>): Map<string, V> {
  return new Map([...entries].sort((a, b) => compareCodePoints(a[0], b[0])));
}

/** `Content::deserialize`: like a Value, but objects keep every pair in document order. */
export function parseContent(r: JsonReader): ContentNode {
  const c = r.skipWs();
  if (c === 0x5b) {
    r.enter();
    r.i++;
    const items: ContentNode[] = [];
    for (let first = true; r.seqHasNext(first); first = false) {
      r.path.push(items.length);
      items.push(parseContent(r));
      r.path.pop();
    }
    r.leave();
    r.endSeq();
    return { type: 'array', items };
  }
  if (c === 0x7b) {
    r.enter();
    r.i++;
    const pairs: [string, ContentNode][] = [];
    for (let first = true; r.mapHasNext(first); first = false) {
      const key = r.parseString();
      r.parseObjectColon();
      r.path.push(key);
      pairs.push([key, parseContent(r)]);
      r.path.pop();
    }
    r.leave();
    r.endMap();
    return { type: 'pairs', pairs };
  }
  return parseNode(r) as ContentNode;
}

/** Sets `key` on a plain object without letting `__proto__` reach the prototype setter. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

function intValue(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/** A Value/Content tree as a plain JsonValue (a duplicated key keeps its last value). */
export function nodeToValue(node: JsonNode | ContentNode): JsonValue {
  switch (node.type) {
    case 'null':
      return null;
    case 'bool':
    case 'string':
    case 'float':
      return node.value;
    case 'int':
      return intValue(node.value);
    case 'array':
      return node.items.map(nodeToValue);
    case 'object': {
      const out: Record<string, JsonValue> = {};
      for (const [key, value] of node.entries) setOwn(out, key, nodeToValue(value));
      return out;
    }
    case 'pairs': {
      const out: Record<string, JsonValue> = {};
      for (const [key, value] of node.pairs) setOwn(out, key, nodeToValue(value));
      return out;
    }
  }
}

/** `serde_json::to_value` of a JsonValue: integral numbers are integers, object keys sorted. */
export function valueToNode(value: JsonValue): JsonNode {
  if (value === null) return { type: 'null' };
  switch (typeof value) {
    case 'boolean':
      return { type: 'bool', value };
    case 'string':
      return { type: 'string', value };
    case 'bigint':
      return { type: 'int', value };
    case 'number':
      return Number.isInteger(value) && !Object.is(value, -0)
        ? { type: 'int', value: BigInt(value) }
        : { type: 'float', value };
    default:
      if (Array.isArray(value)) return { type: 'array', items: value.map(valueToNode) };
      return {
        type: 'object',
        entries: new Map(
          Object.keys(value)
            .sort(compareCodePoints)
            .map((key) => [key, valueToNode((value as Record<string, JsonValue>)[key]!)]),
        ),
      };
  }
}

/** `any`-typed fields read straight to a JsonValue (Value semantics, no intermediate tree). */
export function parseAny(r: JsonReader): JsonValue {
  const c = r.skipWs();
  if (c === 0x5b) {
    r.enter();
    r.i++;
    const items: JsonValue[] = [];
    for (let first = true; r.seqHasNext(first); first = false) {
      r.path.push(items.length);
      items.push(parseAny(r));
      r.path.pop();
    }
    r.leave();
    r.endSeq();
    return items;
  }
  if (c === 0x7b) {
    r.enter();
    r.i++;
    const out: Record<string, JsonValue> = {};
    for (let first = true; r.mapHasNext(first); first = false) {
      const key = r.parseString();
      r.parseObjectColon();
      r.path.push(key);
      setOwn(out, key, parseAny(r));
      r.path.pop();
    }
    r.leave();
    r.endMap();
    return out;
  }
  return nodeToValue(parseNode(r));
}
