/**
 * __PLUGIN_NAME__ — a cc-lb router plugin (`filter`).
 *
 * Before routing a request, the host asks `filter` about every upstream candidate; the answer
 * holds one result per candidate, in the candidates' order, echoing its `upstream_id`. This plugin
 * accepts every candidate: put your rule in `decide`. A candidate with an empty `upstream_id` is
 * refused (the host never sends one): the call fails and the host falls back to its default
 * routing (policy UseDefault). cc-lb.ts holds the calling convention.
 */
import { fail, handshake, Input, openRequest, response, selfCheck } from './cc-lb';

/** The wire functions this plugin implements, sorted (the host keeps them in sorted sets). */
const FUNCTIONS: Array<string> = ['filter'];

export function cc_lb_handshake(): i32 {
  return handshake(FUNCTIONS);
}

export function cc_lb_self_check(): i32 {
  return selfCheck();
}

export function filter(): i32 {
  const input = openRequest();
  if (input === null) return 1;
  const request = input.skipSpace(0);
  const candidates = input.member(request, 'candidates');
  if (input.at(candidates) !== 0x5b) return fail('filter request without a candidates array');
  const items = input.elements(candidates);
  const out = response().text(',"results":[');
  for (let i = 0; i < items.length; i++) {
    const id = input.member(items[i], 'upstream_id');
    if (!input.isString(id) || input.stringEnd(id) === id + 2) {
      return fail('candidate without a non-empty string upstream_id');
    }
    out.text(i > 0 ? ',{"upstream_id":' : '{"upstream_id":').value(input, id);
    out.text(decide(input, items[i]));
  }
  return out.text(']}').send();
}

/** The rest of one result: `decision` (`accept` or `reject`) and a `reason` for the logs. */
function decide(_input: Input, _candidate: i32): string {
  return ',"decision":"accept","reason":"eligible"}';
}
