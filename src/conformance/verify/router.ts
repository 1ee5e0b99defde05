/**
 * Conformance layer: `verifyRouterPlugin` — the common flow for `filter`, then the dry-run
 * request with no candidates and with the dry-run candidate; the answer must hold exactly one
 * decision per candidate (decision values and upstream ids are not checked).
 */
import { dryRunSamples, FilterFn, type ResponseOf } from '../../wire/index.js';
import { filterRequestBuilder } from '../fixtures.js';
import type { PluginSource } from '../plugin-under-test.js';
import type { VerifyReport } from '../reports.js';
import { dispatchCase, type KindFlow, type VerifyOptions, verifyKind } from './common.js';

export const routerFlow: KindFlow = {
  kind: 'router',
  required: [FilterFn],
  async *cases(cx) {
    yield await dispatchCase(
      cx,
      'dispatch:filter:empty_candidates',
      FilterFn,
      FilterFn.dryRunRequest(),
      '0 candidates -> 0 decisions',
      decisionCount(0),
    );

    const candidates = [dryRunSamples.CandidateWire()];
    yield await dispatchCase(
      cx,
      'dispatch:filter:candidate_count',
      FilterFn,
      filterRequestBuilder().candidates(candidates).build(),
      `${candidates.length} candidate(s) -> matching decisions`,
      decisionCount(candidates.length),
    );
  },
};

export function verifyRouterPlugin(source: PluginSource, options: VerifyOptions = {}): Promise<VerifyReport> {
  return verifyKind(source, options, routerFlow);
}

function decisionCount(expected: number) {
  return (response: ResponseOf<typeof FilterFn>): string | undefined =>
    response.results.length === expected
      ? undefined
      : `expected ${expected} decision(s), got ${response.results.length}`;
}
