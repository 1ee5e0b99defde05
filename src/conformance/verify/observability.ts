/**
 * Conformance layer: `verifyObservabilityPlugin` — the common flow for `observe`, then an empty
 * batch and a two-event batch; any decodable answer (`{}` plus `_v`) passes.
 */
import { ObserveFn } from '../../wire/index.js';
import { observeRequestBuilder } from '../fixtures.js';
import type { PluginSource } from '../plugin-under-test.js';
import type { VerifyReport } from '../reports.js';
import { dispatchOk, pushDispatchOk, type VerifyOptions, verifyKind } from './common.js';

export function verifyObservabilityPlugin(
  source: PluginSource,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  return verifyKind(source, options, [ObserveFn], async (session, report) => {
    const empty = await dispatchOk(session, ObserveFn, observeRequestBuilder().build());
    pushDispatchOk(
      report,
      'dispatch:robustness:empty_events',
      'empty event batch accepted',
      empty.fuelConsumed,
    );

    const batch = observeRequestBuilder()
      .addEvent({ kind: 'request_started', request_id: 'dry-run-request', downstream_user_agent: null })
      .addEvent({ kind: 'authn_complete', principal_id: 'dry-run-principal', principal_kind: 'api_key' })
      .build();
    const multi = await dispatchOk(session, ObserveFn, batch);
    pushDispatchOk(
      report,
      'dispatch:robustness:multi_event_batch',
      'multi-event batch accepted',
      multi.fuelConsumed,
    );
  });
}
