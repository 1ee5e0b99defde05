/**
 * Conformance layer: `verifySignerPlugin` — our addition; cc-lb-plugin-conformance 0.1.x does not
 * support signer plugins. It follows the same common flow with `build_signer` and `sign` both
 * required (the `signer_factory` kind's required functions), then dispatches:
 *
 * | layer                               | request                                                         |
 * |-------------------------------------|-----------------------------------------------------------------|
 * | `dispatch:build_signer:dry_run`     | the `build_signer` dry-run request                              |
 * | `dispatch:sign:with_signer_state`   | the `sign` dry-run request, `signer_state` from `build_signer`  |
 * | `dispatch:on_unauthorized:dry_run`  | only when chosen: its dry-run request, same `signer_state`      |
 *
 * Each detail reads `{function} dispatch returned a decodable response`. As for the other kinds,
 * every chosen function other than the required ones is listed in `extras` (so a chosen
 * `on_unauthorized` is both an extra and dispatched).
 */
import { BuildSignerFn, OnUnauthorizedFn, SignFn } from '../../wire/index.js';
import { hasKey } from '../../wire/ordered.js';
import type { PluginSource } from '../plugin-under-test.js';
import type { VerifyReport } from '../reports.js';
import { dispatchCase, type KindFlow, type VerifyOptions, verifyKind } from './common.js';

const detail = (fn: { readonly name: string }) => `${fn.name} dispatch returned a decodable response`;

export const signerFlow: KindFlow = {
  kind: 'signer',
  required: [BuildSignerFn, SignFn],
  async *cases(cx) {
    const built = await dispatchCase(
      cx,
      'dispatch:build_signer:dry_run',
      BuildSignerFn,
      BuildSignerFn.dryRunRequest(),
      detail(BuildSignerFn),
    );
    yield built;
    // `sign` and `on_unauthorized` take the state `build_signer` returns: without it they cannot run.
    if (built.response === undefined) return;
    const signerState = built.response.signer_state;

    const request = { ...SignFn.dryRunRequest(), signer_state: signerState };
    yield await dispatchCase(cx, 'dispatch:sign:with_signer_state', SignFn, request, detail(SignFn));

    if (hasKey(cx.session.negotiatedFunctions, OnUnauthorizedFn.name)) {
      const unauthorized = { ...OnUnauthorizedFn.dryRunRequest(), signer_state: signerState };
      yield await dispatchCase(
        cx,
        'dispatch:on_unauthorized:dry_run',
        OnUnauthorizedFn,
        unauthorized,
        detail(OnUnauthorizedFn),
      );
    }
  },
};

export function verifySignerPlugin(source: PluginSource, options: VerifyOptions = {}): Promise<VerifyReport> {
  return verifyKind(source, options, signerFlow);
}
