/**
 * Conformance layer: `verifyObservabilityPlugin` — the common flow for `observe`, then an empty
 * batch and a two-event batch; any decodable answer (`{}` plus `_v`) passes.
 */
import { ObserveFn } from '../../wire/index.js';
import { observeRequestBuilder } from '../fixtures.js';
import type { PluginSource } from '../plugin-under-test.js';
import type { VerifyReport } from '../reports.js';
import { dispatchCase, type KindFlow, type VerifyOptions, verifyKind } from './common.js';

export const observabilityFlow: KindFlow = {
  kind: 'observability',
  required: [ObserveFn],
  async *cases(cx) {
    const empty = observeRequestBuilder().build();
    yield await dispatchCase(
      cx,
      'dispatch:robustness:empty_events',
      ObserveFn,
      empty,
      'empty event batch accepted',
    );

    const batch = observeRequestBuilder()
      .addEvent({ kind: 'request_started', request_id: 'dry-run-request', downstream_user_agent: null })
      .addEvent({ kind: 'authn_complete', principal_id: 'dry-run-principal', principal_kind: 'api_key' })
      .build();
    yield await dispatchCase(
      cx,
      'dispatch:robustness:multi_event_batch',
      ObserveFn,
      batch,
      'multi-event batch accepted',
    );
  },
};

export function verifyObservabilityPlugin(
  source: PluginSource,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  return verifyKind(source, options, observabilityFlow);
}
