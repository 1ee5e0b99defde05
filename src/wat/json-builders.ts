/**
 * WAT layer: the guest-side JSON texts runtime tests make a module return — a HandshakeAccept
 * (REFERENCE-CASES.md §0.5) and a SelfCheckResponse — written in the order the Rust guest writes them.
 *
 * Parts are wire values (snake_case keys) and are not validated: tests feed deliberately wrong
 * accepts to the host. A part set to `undefined` removes the key (to test a missing field); keys
 * outside the template are appended after the template's keys (to test unknown fields).
 */
import { jsonText } from './json-text.js';

/** HandshakeAccept parts. Types follow the wire; an ill-typed value for a negative test needs a cast. */
export interface AcceptParts {
  readonly handshake_schema_version?: number | bigint | undefined;
  readonly envelope_version?: number | bigint | undefined;
  readonly chosen_versions?: Readonly<Record<string, number | bigint>> | undefined;
  readonly plugin_supported?: Readonly<Record<string, readonly (number | bigint)[]>> | undefined;
  readonly implemented_functions?: readonly string[] | undefined;
  readonly required_capabilities?: readonly string[] | undefined;
  readonly [extra: string]: unknown;
}

/** SelfCheckResponse parts (wire form: `status` is `success` or `failure`). */
export interface SelfCheckParts {
  readonly status?: string | undefined;
  readonly failures?: readonly { readonly stage: string; readonly message: string }[] | undefined;
  readonly completed_at?: number | bigint | undefined;
  readonly [extra: string]: unknown;
}

/** The "empty accept": every collection empty. Key order is the order the guest serializes. */
const EMPTY_ACCEPT = {
  handshake_schema_version: 1,
  envelope_version: 1,
  chosen_versions: {},
  plugin_supported: {},
  implemented_functions: [],
  required_capabilities: [],
} as const;

const SUCCESS_SELF_CHECK = { status: 'success', failures: [], completed_at: 1 } as const;

/** A HandshakeAccept JSON text: `parts` merged over the empty accept, template keys first. */
export function acceptJson(parts: AcceptParts = {}): string {
  return jsonText(mergeInOrder(EMPTY_ACCEPT, parts));
}

/** A SelfCheckResponse JSON text: `parts` merged over `{"status":"success","failures":[],"completed_at":1}`. */
export function selfCheckJson(parts: SelfCheckParts = {}): string {
  return jsonText(mergeInOrder(SUCCESS_SELF_CHECK, parts));
}

function mergeInOrder(template: Readonly<Record<string, unknown>>, parts: Readonly<Record<string, unknown>>) {
  // A null-prototype target keeps a `__proto__` part an ordinary (unknown) key.
  const merged: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(template)) {
    merged[key] = Object.hasOwn(parts, key) ? parts[key] : value;
  }
  for (const [key, value] of Object.entries(parts)) {
    if (!Object.hasOwn(template, key)) merged[key] = value;
  }
  return merged;
}
