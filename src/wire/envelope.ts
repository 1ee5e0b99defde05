/**
 * Wire layer: the dispatch envelope (PROTOCOL.md §7.1) as serde_json builds and reads it. The
 * reference turns the typed request into a generic `serde_json::Value` (`to_value`: objects become
 * BTreeMaps, so keys are sorted by code point at every level, and an f32 is widened to the f64 it
 * holds), sets `_v`, and writes that; it reads the guest's answer into a `Value` (duplicate keys:
 * the last wins), checks and removes `_v`, then `from_value`s the rest into the typed response.
 *
 * This is the request side's general path, step by step as the reference takes it, which
 * produces every error text; the host writes the generic value with `encodeJsonNode`, and reads
 * the response with `parseJsonValue` + `decodeWireValue`. The ordinary request is written in one
 * pass by the one encoder (`encodeEnvelope` in encode.ts), which answers only with this path's
 * text and declines what it cannot vouch for.
 *
 * Internal to the wire layer's callers in `host`; not re-exported from the wire index.
 */

import type { TSchema } from '@sinclair/typebox';
import { encodeWire } from './encode.js';
import { type JsonNode, parseJsonValue } from './json.js';
import { wireOf } from './schema.js';

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
