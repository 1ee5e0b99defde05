/**
 * The guest side of the cc-lb calling convention, on top of @extism/as-pdk.
 *
 * Every export takes no arguments and returns an i32. It reads its input (JSON text) with the
 * Extism kernel, and either sets the output and returns 0, or sets an error text and returns
 * non-zero — the host then reports exactly that text, which is what a failing test shows you.
 *
 * Wire-function exports (`build_signer`, `sign`, `on_unauthorized`) also carry the `_v` envelope:
 * the host adds `"_v": <negotiated version>` to the request object and requires the same `_v`
 * in the response object. `serveWireCall` handles that once for every handler.
 */
import { Host, Memory } from '@extism/as-pdk';
import { error_set } from '@extism/as-pdk/lib/env';
import { Json, JsonReader, Kind, stringify, typeName } from './json';

/** The only version of each wire function this plugin speaks (and the only one hosts offer today). */
export const WIRE_VERSION: i64 = 1;

/** What a handler produced: a response object, or the text of a guest error. */
export class Outcome {
  response: Json | null;
  error: string;

  constructor(response: Json | null, error: string) {
    this.response = response;
    this.error = error;
  }

  static ok(response: Json): Outcome {
    return new Outcome(response, '');
  }

  static fail(error: string): Outcome {
    return new Outcome(null, error);
  }
}

export type Handler = (request: Json) => Outcome;

/** Sets the output and returns 0 (success). */
function succeed(text: string): i32 {
  // Not Host.outputString: it sizes the output by UTF-16 length, which cuts non-ASCII text short.
  Host.output(Uint8Array.wrap(String.UTF8.encode(text)));
  return 0;
}

/** Sets the guest error text and returns 1; the host's call error is exactly `message`. */
function refuse(message: string): i32 {
  error_set(Memory.allocateString(message).offset);
  return 1;
}

/** Runs a handler on the parsed input: for `cc_lb_handshake` and `cc_lb_self_check` (no envelope). */
export function serve(handler: Handler): i32 {
  return done(runPlain(handler));
}

/**
 * Runs a wire-function handler: checks and removes `_v` from the request, and puts it first in the
 * response. The error texts are the ones the Rust PDK's wrapper uses.
 */
export function serveWireCall(handler: Handler): i32 {
  return done(runWireCall(handler));
}

/**
 * Frees what the call allocated. asconfig.json selects AssemblyScript's `minimal` runtime, whose
 * collector runs only when asked; as an export returns, nothing the call allocated is in use any
 * more (the output already sits in Extism's memory). The host keeps one instance for many calls,
 * so without this the module's memory would grow with every request. (The default `incremental`
 * runtime frees by itself, but its bookkeeping costs about twice the fuel on a large request.)
 */
function done(code: i32): i32 {
  __collect();
  return code;
}

function runPlain(handler: Handler): i32 {
  const reader = new JsonReader(Host.input());
  const request = reader.parse();
  if (request === null) return refuse(reader.error!);
  return finish(handler(request));
}

function runWireCall(handler: Handler): i32 {
  const reader = new JsonReader(Host.input());
  const envelope = reader.parse();
  if (envelope === null) return refuse(reader.error!);
  const v = envelope.kind === Kind.Object ? envelope.get('_v') : null;
  const version = v === null ? -1 : v.unsignedInteger();
  if (version < 0) return refuse('plugin envelope missing numeric _v');
  if (version !== WIRE_VERSION) return refuse('unsupported plugin envelope _v: ' + version.toString());

  const request = Json.object();
  for (let i = 0; i < envelope.keys.length; i++) {
    if (envelope.keys[i] !== '_v') request.set(envelope.keys[i], envelope.values[i]);
  }
  const outcome = handler(request);
  if (outcome.response === null) return refuse(outcome.error);
  const response = Json.object().set('_v', Json.number(version.toString()));
  const members = outcome.response!;
  for (let i = 0; i < members.keys.length; i++) response.set(members.keys[i], members.values[i]);
  return succeed(stringify(response));
}

function finish(outcome: Outcome): i32 {
  return outcome.response === null ? refuse(outcome.error) : succeed(stringify(outcome.response!));
}

/**
 * Checks an object the way the host's types are decoded (serde with `deny_unknown_fields`): it is
 * an object, has no key outside `fields`, and has every one of them. Returns the problem, or null.
 * The host sends exactly these keys, so a problem here means a protocol change the plugin missed.
 */
export function checkFields(node: Json, what: string, fields: Array<string>): string | null {
  if (node.kind !== Kind.Object) return 'invalid type: ' + typeName(node) + ', expected struct ' + what;
  for (let i = 0; i < node.keys.length; i++) {
    if (!fields.includes(node.keys[i])) {
      return 'unknown field `' + node.keys[i] + '`, expected ' + oneOf(fields);
    }
  }
  for (let i = 0; i < fields.length; i++) {
    if (node.get(fields[i]) === null) return 'missing field `' + fields[i] + '`';
  }
  return null;
}

function oneOf(fields: Array<string>): string {
  const quoted = new Array<string>(fields.length);
  for (let i = 0; i < fields.length; i++) quoted[i] = '`' + fields[i] + '`';
  if (fields.length === 1) return quoted[0];
  if (fields.length === 2) return quoted[0] + ' or ' + quoted[1];
  return 'one of ' + quoted.join(', ');
}

/** The problem with a value that should be a string, or null. */
export function checkString(node: Json): string | null {
  return node.kind === Kind.String ? null : 'invalid type: ' + typeName(node) + ', expected a string';
}

/** Base64 (standard alphabet, padded) of a string's UTF-8 bytes, as header values are carried. */
export function base64(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const bytes = Uint8Array.wrap(String.UTF8.encode(text));
  // Written into one buffer: every small string allocated costs the guest hundreds of fuel.
  const out = new Uint8Array(((bytes.length + 2) / 3) * 4);
  for (let i = 0, o = 0; i < bytes.length; i += 3, o += 4) {
    const rest = bytes.length - i;
    const triple =
      (u32(bytes[i]) << 16) | (rest > 1 ? u32(bytes[i + 1]) << 8 : 0) | (rest > 2 ? u32(bytes[i + 2]) : 0);
    out[o] = u8(alphabet.charCodeAt((triple >> 18) & 63));
    out[o + 1] = u8(alphabet.charCodeAt((triple >> 12) & 63));
    out[o + 2] = rest > 1 ? u8(alphabet.charCodeAt((triple >> 6) & 63)) : 0x3d;
    out[o + 3] = rest > 2 ? u8(alphabet.charCodeAt(triple & 63)) : 0x3d;
  }
  return String.UTF8.decode(out.buffer);
}
