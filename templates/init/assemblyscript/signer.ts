/**
 * __PLUGIN_NAME__ — a cc-lb signer plugin (`build_signer`, `sign`, `on_unauthorized`).
 *
 * A signer adds credentials to a request a shape plugin already built. The host calls
 * `build_signer` once per upstream and keeps the `signer_state` it returns (opaque to the host,
 * which may persist and log it: keep secrets out), `sign` for every request with that state, and
 * `on_unauthorized` after an upstream 401. This one's state is `{"key_id":"example-key"}`; `sign`
 * keeps the shaped request (`null` = unchanged) and adds `authorization: Bearer example-key` to its
 * headers (a real signer derives its key from `factory_state`). `sign` without a state is refused,
 * so the host fails the request rather than send it unsigned (policy FailRequest).
 * cc-lb.ts holds the calling convention.
 */
import { fail, handshake, NONE, openRequest, response, selfCheck } from './cc-lb';

/** base64 of `Bearer example-key`: header values travel base64-encoded. */
const AUTHORIZATION = 'QmVhcmVyIGV4YW1wbGUta2V5';

/** The wire functions this plugin implements, sorted (the host keeps them in sorted sets). */
const FUNCTIONS: Array<string> = ['build_signer', 'on_unauthorized', 'sign'];

export function cc_lb_handshake(): i32 {
  return handshake(FUNCTIONS);
}

export function cc_lb_self_check(): i32 {
  return selfCheck();
}

export function build_signer(): i32 {
  const input = openRequest();
  if (input === null) return 1;
  return response().text(',"signer_state":{"key_id":"example-key"}}').send();
}

export function sign(): i32 {
  const input = openRequest();
  if (input === null) return 1;
  const request = input.skipSpace(0);
  const state = input.member(request, 'signer_state');
  if (state === NONE || input.isNull(state)) return fail('sign called without signer_state');
  const headers = input.member(input.member(request, 'shaped'), 'headers');
  if (input.at(headers) !== 0x5b) return fail('sign request without shaped headers');

  const end = input.valueEnd(headers);
  if (end === NONE) return fail('sign request without shaped headers');

  // The shaped headers copied as they are, without the closing bracket, then ours: one pass over
  // them instead of one per element (every byte scanned costs fuel).
  const out = response()
    .text(',"url":null,"method":null,"headers":')
    .copy(input, headers, end - 1);
  if (input.at(input.skipSpace(headers + 1)) !== 0x5d) out.text(',');
  out.text('{"name":"authorization","value_base64":"' + AUTHORIZATION + '"}]');
  return out.text(',"body_base64":null}').send();
}

export function on_unauthorized(): i32 {
  const input = openRequest();
  if (input === null) return 1;
  const state = input.member(input.skipSpace(0), 'signer_state');
  if (state === NONE) return fail('on_unauthorized request without signer_state');
  // A fixed key cannot be refreshed: fail the request, handing the state back unchanged.
  return response().text(',"decision":"fail","signer_state":').value(input, state).text('}').send();
}
