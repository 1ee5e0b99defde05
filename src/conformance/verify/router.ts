/**
 * Conformance layer: `verifyRouterPlugin` — the common flow for `filter`, then the dry-run
 * request with no candidates and with the dry-run candidate; the answer must hold exactly one
 * decision per candidate (decision values and upstream ids are not checked).
 */
import { dryRunSamples, FilterFn } from '../../wire/index.js';
import { filterRequestBuilder } from '../fixtures.js';
import type { PluginSource } from '../plugin-under-test.js';
import type { VerifyReport } from '../reports.js';
import { dispatchOk, invalidResponse, pushDispatchOk, type VerifyOptions, verifyKind } from './common.js';

export function verifyRouterPlugin(source: PluginSource, options: VerifyOptions = {}): Promise<VerifyReport> {
  return verifyKind(source, options, [FilterFn], async (session, report) => {
    const empty = await dispatchOk(session, FilterFn, FilterFn.dryRunRequest());
    checkDecisionCount(0, empty.response.results.length);
    pushDispatchOk(
      report,
      'dispatch:filter:empty_candidates',
      '0 candidates -> 0 decisions',
      empty.fuelConsumed,
    );

    const candidates = [dryRunSamples.CandidateWire()];
    const request = filterRequestBuilder().candidates(candidates).build();
    const counted = await dispatchOk(session, FilterFn, request);
    checkDecisionCount(candidates.length, counted.response.results.length);
    pushDispatchOk(
      report,
      'dispatch:filter:candidate_count',
      `${candidates.length} candidate(s) -> matching decisions`,
      counted.fuelConsumed,
    );
  });
}

function checkDecisionCount(expected: number, actual: number): void {
  if (expected !== actual) throw invalidResponse(FilterFn, `expected ${expected} decision(s), got ${actual}`);
}
