/**
 * Vitest layer: `await expect(plugin).toVerifyAs(kind)` — the verify flow of that plugin kind
 * returns a report whose every layer passed. A `VerifyError` fails with its cause chain; a report
 * with a failed layer (the identity layer fails on a static check without an error) lists the layers.
 * On a session, the flow runs on `session.plugin` with its capabilities; the flow's own default
 * offer stands, as the reference's verifier knows no other.
 */
import type { MatcherState } from 'vitest';
import { accountOfLayerFailure } from '../../conformance/error-account.js';
import {
  type LayerResult,
  type StaticCheck,
  VERIFY_KINDS,
  type VerifyKind,
  verifyLayers,
} from '../../conformance/index.js';
import { deferVerdict, type Verdict } from '../awaited-verdict.js';
import { hintText } from '../hint-text.js';
import { matcherCall } from '../matcher-call.js';
import { targetOf, warningText } from '../receiver.js';

export function toVerifyAs(this: MatcherState, received: unknown, kind: unknown): Promise<Verdict> {
  const call = matcherCall(this, 'toVerifyAs', typeof kind === 'string' ? kind : 'kind');
  return deferVerdict(this, call.text, async () => {
    const { source } = targetOf(this, call.hint, received);
    if (!(VERIFY_KINDS as readonly unknown[]).includes(kind)) {
      const { printExpected, printWithType, EXPECTED_COLOR, BOLD_WEIGHT } = this.utils;
      throw new TypeError(
        `${call.hint}\n\n${BOLD_WEIGHT('Matcher error')}: ${EXPECTED_COLOR('kind')} must be one of ` +
          `${VERIFY_KINDS.map((k) => `'${k}'`).join(', ')}\n\n${printWithType('Expected', kind, printExpected)}`,
      );
    }
    // The flow the CLI renders, stopped at the first layer that failed with an error (as
    // `verify*Plugin` throws it); a failed identity layer without an error only marks the report.
    const layers: LayerResult[] = [];
    let staticChecks: readonly StaticCheck[] = [];
    const flow = verifyLayers(source, { kinds: [kind as VerifyKind] });
    for await (const layer of flow) {
      const { failure } = layer.result;
      if (failure !== undefined) {
        return {
          pass: false,
          message: () =>
            `${call.hint}\n\nExpected the plugin to verify as ${kind}\n` +
            `Received failure: ${accountOfLayerFailure(failure)}${hintText(source)}`,
        };
      }
      if (layer.staticChecks !== undefined) staticChecks = layer.staticChecks;
      layers.push(layer.result);
    }
    // The report's order: identity, handshake, self-check, then the dispatch cases.
    const byName = (name: string) => layers.filter((layer) => layer.layer === name);
    const ordered = [
      ...byName('identity'),
      ...byName('handshake'),
      ...byName('self_check'),
      ...layers.filter((layer) => !['identity', 'handshake', 'self_check'].includes(layer.layer)),
    ];
    const pass = ordered.every((layer) => layer.passed);
    // The identity layer's detail is only the plugin name; the static checks say what failed.
    const why = pass
      ? ''
      : `\n\nFailing static checks:\n${staticChecks
          .filter((check) => !check.pass)
          .map((check) => `  ✗ ${check.name}: ${check.detail ?? ''}`)
          .join('\n')}`;
    return {
      pass,
      message: () =>
        pass
          ? `${call.hint}\n\nExpected the plugin not to verify as ${kind}, but every layer passed:\n${layerLines(ordered)}${warningText(flow.warnings)}`
          : `${call.hint}\n\nExpected the plugin to verify as ${kind}, but a layer failed:\n${layerLines(ordered)}${why}${hintText(source)}${warningText(flow.warnings)}`,
    };
  });
}

function layerLines(layers: readonly LayerResult[]): string {
  return layers
    .map(
      (layer) =>
        `  ${layer.passed ? '✓' : '✗'} ${layer.layer}${layer.detail === undefined ? '' : `: ${layer.detail}`}`,
    )
    .join('\n');
}
