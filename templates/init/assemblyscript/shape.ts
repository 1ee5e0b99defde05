/**
 * __PLUGIN_NAME__ — a cc-lb shape plugin (`shape`).
 *
 * `shape` turns the downstream request into the request sent upstream. This one sends it to
 * https://api.anthropic.com with the same path (a `/` added in front when missing), query, method,
 * headers and body (decide here which downstream headers to forward: this forwards all of them).
 * A request without a method is refused: the host then fails the request (policy FailRequest).
 * cc-lb.ts holds the calling convention.
 */
import { fail, handshake, NONE, openRequest, response, selfCheck } from './cc-lb';

const UPSTREAM = 'https://api.anthropic.com';

/** The wire functions this plugin implements, sorted (the host keeps them in sorted sets). */
const FUNCTIONS: Array<string> = ['shape'];

export function cc_lb_handshake(): i32 {
  return handshake(FUNCTIONS);
}

export function cc_lb_self_check(): i32 {
  return selfCheck();
}

export function shape(): i32 {
  const input = openRequest();
  if (input === null) return 1;
  const downstream = input.member(input.skipSpace(0), 'request');
  const found = input.members(downstream, ['method', 'path', 'query', 'headers', 'body_base64']);
  const method = found[0];
  const path = found[1];
  const query = found[2];
  const headers = found[3];
  const body = found[4];
  if (!input.isString(path) || headers === NONE || body === NONE) {
    return fail('shape request without the downstream request');
  }
  // an empty string ends two bytes after its opening quote
  if (!input.isString(method) || input.stringEnd(method) === method + 2)
    return fail('request without a method');

  const out = response().text(',"url":"' + UPSTREAM);
  // the path's first character sits just after its opening quote
  if (input.at(path + 1) !== 0x2f) out.text('/');
  out.stringContent(input, path);
  if (input.isString(query)) out.text('?').stringContent(input, query);
  out.text('","method":').value(input, method);
  out.text(',"headers":').value(input, headers);
  out.text(',"body_base64":').value(input, body);
  return out.text('}').send();
}
