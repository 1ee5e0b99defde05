/**
 * Wire layer: generic JSON values with serde_json::Value semantics. `parseJsonValue` is
 * `serde_json::from_str::<Value>` / `from_slice` — same acceptance, same error texts — and the
 * conversions move between that tree (`JsonNode`, which keeps integer-versus-float apart) and the
 * plain `JsonValue` the rest of the package carries.
 *
 * Objects follow serde_json's default `Map` (a BTreeMap, the `preserve_order` feature being off):
 * a duplicate key keeps the last value, and iteration is in code-point order of the keys, so the
 * `entries` Map of a parsed object is built in sorted order.
 */

import { Fault } from './json-reader.js';
import { nodeToValue, parseNode, readerFor, valueToNode } from './json-values.js';
import type { JsonValue } from './schema.js';

export type JsonNode =
  | { type: 'null' }
  | { type: 'bool'; value: boolean }
  /** a JSON integer literal (no fraction or exponent, not `-0`) within i64..u64 */
  | { type: 'int'; value: bigint }
  /** any other number: `1.0`, `1e2`, `-0`, integers beyond the 64-bit ranges */
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'array'; items: JsonNode[] }
  /** keys in code-point order; a duplicated key kept its last value */
  | { type: 'object'; entries: Map<string, JsonNode> };

/** `serde_json::from_str::<Value>` (string input) or `from_slice` (bytes); throws WireDecodeError. */
export function parseJsonValue(input: string | Uint8Array): JsonNode {
  const reader = readerFor(input);
  try {
    const node = parseNode(reader);
    reader.end();
    return node;
  } catch (e) {
    if (e instanceof Fault) throw e.toError();
    throw e;
  }
}

/** Integers become numbers while safe, bigints beyond 2^53−1; objects keep their (sorted) key order. */
export function jsonNodeToValue(node: JsonNode): JsonValue {
  return nodeToValue(node);
}

/**
 * The tree a serde_json::Value holding this value would be: integral numbers are integers (as
 * serde_json's `json!` makes them), other numbers floats; object keys are sorted by code point.
 */
export function jsonValueToNode(value: JsonValue): JsonNode {
  return valueToNode(value);
}
