/**
 * Vitest layer: `await expect(plugin).toVerifyAs(kind)` — the verify flow of that plugin kind
 * returns a report whose every layer passed. A `VerifyError` fails with its cause chain; a report
 * with a failed layer (the identity layer fails on a static check without an error) lists the layers.
 * On a session, the flow runs on `session.plugin` with its capabilities; the flow's own default
 * offer stands, as the reference's verifier knows no other.
 */
import type { MatcherState } from 'vitest';
import {
  IdentityError,
  identity,
  type LayerResult,
  type PluginSource,
  type StaticCheck,
  VerifyError,
  type VerifyReport,
  verify,
} from '../../conformance/index.js';
import { deferVerdict, type Verdict } from '../awaited-verdict.js';
import { accountOfError } from '../error-account.js';
import { matcherCall } from '../matcher-call.js';
import { targetOf, warningText } from '../receiver.js';
import type { VerifyKind } from '../types.js';

const KINDS: readonly VerifyKind[] = ['shape', 'router', 'observability', 'signer'];

export function toVerifyAs(this: MatcherState, received: unknown, kind: unknown): Promise<Verdict> {
  const call = matcherCall(this, 'toVerifyAs', typeof kind === 'string' ? kind : 'kind');
  return deferVerdict(this, call.text, async () => {
    const { source } = targetOf(this, call.hint, received);
    if (!KINDS.includes(kind as VerifyKind)) {
      const { printExpected, printWithType, EXPECTED_COLOR, BOLD_WEIGHT } = this.utils;
      throw new TypeError(
        `${call.hint}\n\n${BOLD_WEIGHT('Matcher error')}: ${EXPECTED_COLOR('kind')} must be one of ` +
          `${KINDS.map((k) => `'${k}'`).join(', ')}\n\n${printWithType('Expected', kind, printExpected)}`,
      );
    }
    let report: VerifyReport;
    try {
      report = await verify[kind as VerifyKind](source);
    } catch (error) {
      if (!(error instanceof VerifyError)) throw error;
      return {
        pass: false,
        message: () =>
          `${call.hint}\n\nExpected the plugin to verify as ${kind}\nReceived failure: ${accountOfError(error)}`,
      };
    }
    const layers = [report.identity, report.handshake, report.selfCheck, ...report.dispatch];
    const pass = layers.every((layer) => layer.passed);
    // The identity layer's detail is only the plugin name; the static checks say what failed.
    const why = report.identity.passed
      ? ''
      : `\n\nFailing static checks:\n${await failingStaticChecks(source)}`;
    return {
      pass,
      message: () =>
        pass
          ? `${call.hint}\n\nExpected the plugin not to verify as ${kind}, but every layer passed:\n${layerLines(layers)}${warningText(report.warnings)}`
          : `${call.hint}\n\nExpected the plugin to verify as ${kind}, but a layer failed:\n${layerLines(layers)}${why}${warningText(report.warnings)}`,
    };
  });
}

async function failingStaticChecks(source: PluginSource): Promise<string> {
  let checks: readonly StaticCheck[];
  try {
    checks = (await identity.read(source)).staticChecks;
  } catch (error) {
    if (!(error instanceof IdentityError)) throw error;
    checks = error.staticChecks;
  }
  return checks
    .filter((check) => !check.pass)
    .map((check) => `  ✗ ${check.name}: ${check.detail ?? ''}`)
    .join('\n');
}

function layerLines(layers: readonly LayerResult[]): string {
  return layers
    .map(
      (layer) =>
        `  ${layer.passed ? '✓' : '✗'} ${layer.layer}${layer.detail === undefined ? '' : `: ${layer.detail}`}`,
    )
    .join('\n');
}
