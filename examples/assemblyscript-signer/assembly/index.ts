/**
 * assemblyscript-signer — an example cc-lb signer plugin in AssemblyScript.
 *
 * A signer adds credentials to a request that a shape plugin has already built. The host calls:
 * - `build_signer` once per upstream, keeping the returned `signer_state` (opaque to the host);
 * - `sign` for every request, with that state, to get the headers to send;
 * - `on_unauthorized` after an upstream 401, to decide what to do and get the next state.
 *
 * The "signature" here is deliberately not cryptography: it is the key id, method and URL,
 * base64-encoded into an `x-example-signature` header, so tests can compute it. A real signer
 * would derive its key from `factory_state` and keep secrets out of `signer_state` (the host may
 * persist and log it).
 *
 * Besides the three wire functions, every cc-lb plugin exports `cc_lb_handshake` (version
 * negotiation) and `cc_lb_self_check`.
 */

import { base64, checkFields, checkString, Outcome, serve, serveWireCall, WIRE_VERSION } from './guest';
import { Json, Kind, typeName } from './json';

const KEY_ID = 'example-key';
const SIGNATURE_HEADER = 'x-example-signature';

/** The wire functions this plugin implements, in sorted order (the host keeps them in sorted sets). */
const FUNCTIONS: Array<string> = ['build_signer', 'on_unauthorized', 'sign'];

export function cc_lb_handshake(): i32 {
  return serve(handshake);
}

export function cc_lb_self_check(): i32 {
  return serve(selfCheck);
}

export function build_signer(): i32 {
  return serveWireCall(buildSigner);
}

export function sign(): i32 {
  return serveWireCall(signRequest);
}

export function on_unauthorized(): i32 {
  return serveWireCall(onUnauthorized);
}

/**
 * Answers the host's offer: for each function, the highest version both sides speak (here: 1 when
 * offered), every version the plugin supports, the functions it implements, and the capabilities it
 * requires (none). The schema and envelope versions are echoed back.
 */
function handshake(offer: Json): Outcome {
  const problem = checkFields(offer, 'HandshakeOffer', [
    'handshake_schema_version',
    'envelope_version',
    'function_versions',
    'host_capabilities',
  ]);
  if (problem !== null) return Outcome.fail(problem);
  const offered = offer.get('function_versions')!;
  if (offered.kind !== Kind.Object) return Outcome.fail('function_versions must be an object');

  const chosen = Json.object();
  const supported = Json.object();
  const implemented = Json.array();
  for (let i = 0; i < FUNCTIONS.length; i++) {
    const name = FUNCTIONS[i];
    const versions = offered.get(name);
    if (versions !== null && offersVersion(versions, WIRE_VERSION)) {
      chosen.set(name, Json.number(WIRE_VERSION.toString()));
    }
    supported.set(name, Json.array().push(Json.number(WIRE_VERSION.toString())));
    implemented.push(Json.string(name));
  }
  return Outcome.ok(
    Json.object()
      .set('handshake_schema_version', offer.get('handshake_schema_version')!)
      .set('envelope_version', offer.get('envelope_version')!)
      .set('chosen_versions', chosen)
      .set('plugin_supported', supported)
      .set('implemented_functions', implemented)
      .set('required_capabilities', Json.array()),
  );
}

function offersVersion(versions: Json, version: i64): bool {
  for (let i = 0; i < versions.items.length; i++) {
    if (versions.items[i].unsignedInteger() === version) return true;
  }
  return false;
}

/**
 * The host's health probe before it trusts the plugin. Only `status: "success"` with no failures
 * passes. The request is validated as the Rust PDK validates it, with the same messages.
 */
function selfCheck(request: Json): Outcome {
  const problem = checkFields(request, 'SelfCheckRequest', ['functions_to_test', 'initiated_at']);
  if (problem !== null) return Outcome.fail(problem);
  const functions = request.get('functions_to_test')!;
  if (functions.kind !== Kind.Array) return Outcome.fail('functions_to_test must be an array');
  if (functions.items.length === 0) return Outcome.fail('self-check request is empty (no functions to test)');
  if (functions.items.length > 16) return Outcome.fail('self-check function list exceeds maximum of 16');
  const initiatedAt = request.get('initiated_at')!;
  if (initiatedAt.unsignedInteger() < 1)
    return Outcome.fail('invalid timestamp: initiated_at must be positive');

  return Outcome.ok(
    Json.object()
      .set('status', Json.string('success'))
      .set('failures', Json.array())
      .set('completed_at', initiatedAt),
  );
}

/**
 * `build_signer`: `{upstream, factory_state}` → `{signer_state}`. This example ignores
 * `factory_state` and always signs with the same key id.
 */
function buildSigner(request: Json): Outcome {
  let problem = checkFields(request, 'BuildSignerRequest', ['upstream', 'factory_state']);
  if (problem === null) problem = checkUpstream(request.get('upstream')!);
  if (problem !== null) return Outcome.fail(problem);

  const state = Json.object().set('key_id', Json.string(KEY_ID)).set('scheme', Json.string(SIGNATURE_HEADER));
  return Outcome.ok(Json.object().set('signer_state', state));
}

/** `UpstreamWire` is internally tagged by `kind`; `anthropic_direct` is its only variant today. */
function checkUpstream(upstream: Json): string | null {
  const problem = checkFields(upstream, 'UpstreamWire', ['kind']);
  if (problem !== null) return problem;
  const kind = upstream.get('kind')!;
  if (kind.kind === Kind.String && kind.text === 'anthropic_direct') return null;
  return kind.kind === Kind.String
    ? 'unknown variant `' + kind.text + '`, expected `anthropic_direct`'
    : checkString(kind);
}

/**
 * `sign`: `{shaped, signer_state}` → `{url, method, headers, body_base64}`, where `null` keeps the
 * shaped request's value. Only the headers change: the shaped ones, minus any stale signature,
 * plus ours.
 */
function signRequest(request: Json): Outcome {
  const problem = checkFields(request, 'SignRequest', ['shaped', 'signer_state']);
  if (problem !== null) return Outcome.fail(problem);
  const state = request.get('signer_state')!;
  // A FailRequest function: this error makes the host fail the request rather than send it unsigned.
  if (state.kind === Kind.Null) return Outcome.fail('sign called without signer_state');
  const keyId = state.kind === Kind.Object ? state.get('key_id') : null;
  if (keyId === null || keyId.kind !== Kind.String) return Outcome.fail('signer_state has no string key_id');

  const shaped = request.get('shaped')!;
  const shapedProblem = checkShaped(shaped);
  if (shapedProblem !== null) return Outcome.fail(shapedProblem);

  const headers = Json.array();
  const shapedHeaders = shaped.get('headers')!.items;
  for (let i = 0; i < shapedHeaders.length; i++) {
    const name = shapedHeaders[i].get('name')!.text;
    if (name.toLowerCase() !== SIGNATURE_HEADER) headers.push(shapedHeaders[i]);
  }
  const signed = keyId.text + ' ' + shaped.get('method')!.text + ' ' + shaped.get('url')!.text;
  headers.push(
    Json.object()
      .set('name', Json.string(SIGNATURE_HEADER))
      .set('value_base64', Json.string(base64(signed))),
  );

  return Outcome.ok(
    Json.object()
      .set('url', Json.nullValue())
      .set('method', Json.nullValue())
      .set('headers', headers)
      .set('body_base64', Json.nullValue()),
  );
}

/** `ShapedRequestWire`: `{url, method, headers: [{name, value_base64}], body_base64}`, all strings. */
function checkShaped(shaped: Json): string | null {
  let problem = checkFields(shaped, 'ShapedRequestWire', ['url', 'method', 'headers', 'body_base64']);
  if (problem === null) problem = checkString(shaped.get('url')!);
  if (problem === null) problem = checkString(shaped.get('method')!);
  if (problem === null) problem = checkString(shaped.get('body_base64')!);
  if (problem !== null) return problem;
  const headers = shaped.get('headers')!;
  if (headers.kind !== Kind.Array) return 'invalid type: ' + typeName(headers) + ', expected a sequence';
  for (let i = 0; i < headers.items.length; i++) {
    const header = headers.items[i];
    problem = checkFields(header, 'HeaderWire', ['name', 'value_base64']);
    if (problem === null) problem = checkString(header.get('name')!);
    if (problem === null) problem = checkString(header.get('value_base64')!);
    if (problem !== null) return problem;
  }
  return null;
}

/**
 * `on_unauthorized`: `{error, signer_state}` → `{decision, signer_state}`. A fixed key cannot be
 * refreshed, so a 401 fails the request; the state is handed back unchanged.
 */
function onUnauthorized(request: Json): Outcome {
  let problem = checkFields(request, 'OnUnauthorizedRequest', ['error', 'signer_state']);
  if (problem === null) {
    problem = checkFields(request.get('error')!, 'UpstreamErrorWire', ['status', 'body_base64', 'category']);
  }
  if (problem !== null) return Outcome.fail(problem);
  return Outcome.ok(
    Json.object().set('decision', Json.string('fail')).set('signer_state', request.get('signer_state')!),
  );
}
