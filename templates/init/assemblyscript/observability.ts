/**
 * __PLUGIN_NAME__ — a cc-lb observability hook (`observe`).
 *
 * The host sends batches of request lifecycle events and expects an empty answer; what the plugin
 * does with them is its own business. This one only checks that `events` is an array and logs how
 * many it got. A failure is skipped silently by the host (policy SilentSkip): observing can never
 * break a request. cc-lb.ts holds the calling convention.
 */
import { Host, LogLevel } from '@extism/as-pdk';
import { fail, handshake, openRequest, response, selfCheck } from './cc-lb';

/** The wire functions this plugin implements, sorted (the host keeps them in sorted sets). */
const FUNCTIONS: Array<string> = ['observe'];

export function cc_lb_handshake(): i32 {
  return handshake(FUNCTIONS);
}

export function cc_lb_self_check(): i32 {
  return selfCheck();
}

export function observe(): i32 {
  const input = openRequest();
  if (input === null) return 1;
  const events = input.member(input.skipSpace(0), 'events');
  if (input.at(events) !== 0x5b) return fail('observe request without an events array');
  Host.log(LogLevel.Info, 'observed ' + input.elements(events).length.toString() + ' event(s)');
  return response().text('}').send();
}
