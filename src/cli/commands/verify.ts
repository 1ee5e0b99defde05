/**
 * CLI layer: `verify` — every layer a plugin author cares about, one line each: identity (with
 * the failing static checks), handshake, self-check, then the kind's dispatch layers. Layers are
 * run one by one so a failure in one still shows the others.
 */
import {
  handshake,
  IdentityError,
  identity,
  type StaticCheck,
  selfCheck,
  type VerifyReport,
  verify,
} from '../../conformance/index.js';
import type { CliCommand } from '../args.js';
import { readPluginUnderTest } from '../input.js';
import { errorJson, type Printer } from '../output.js';

export type VerifyKind = 'shape' | 'router' | 'observability' | 'signer';

interface Row {
  layer: string;
  passed: boolean;
  detail: string | undefined;
  fuelConsumed: number | undefined;
}

/** The kinds a negotiated function set calls for, in a stable order. */
export function kindsFromFunctions(chosen: Iterable<string>): VerifyKind[] {
  const names = new Set(chosen);
  const kinds: VerifyKind[] = [];
  if (names.has('shape')) kinds.push('shape');
  if (names.has('filter')) kinds.push('router');
  if (names.has('observe')) kinds.push('observability');
  if (names.has('build_signer') || names.has('sign')) kinds.push('signer');
  return kinds;
}

/**
 * The extras of a run over several kinds: each kind lists every chosen function it does not
 * require, so a function is extra to the whole run only when every kind's report lists it. One
 * note each, in the reports' (code-point) order; `plugin also declares 'observe'` beside the
 * observability layers would only mislead.
 */
export function runExtras(reports: readonly VerifyReport[]): VerifyReport['extras'] {
  const [first, ...rest] = reports;
  if (first === undefined) return [];
  return first.extras.filter((extra) =>
    rest.every((report) => report.extras.some((e) => e.kind === extra.kind && e.message === extra.message)),
  );
}

/** The error's message, with the flag that fixes it when the plugin merely needs a capability. */
export function withHint(error: unknown): string {
  const e = error as { kind?: unknown; name?: unknown; message: string };
  if (e.kind === 'MissingCapability' && typeof e.name === 'string') {
    return `${e.message} (offer it with --capability ${e.name})`;
  }
  return e.message;
}

export async function runVerify(cmd: CliCommand, out: Printer): Promise<number> {
  const p = await readPluginUnderTest(cmd);
  const rows: Row[] = [];
  const errors: ReturnType<typeof errorJson>[] = [];
  const json: Record<string, unknown> = { command: 'verify', file: cmd.file };

  out.progress('identity');
  /** One row per failing static check, so the report names every rule the module broke. */
  const staticCheckRows = (checks: readonly StaticCheck[]) => {
    for (const check of checks.filter((c) => !c.pass)) {
      rows.push({
        layer: `identity:${check.name}`,
        passed: false,
        detail: check.detail,
        fuelConsumed: undefined,
      });
    }
  };
  try {
    const report = await identity.read(p);
    json.identity = report;
    rows.push({
      layer: 'identity',
      passed: report.staticChecks.every((c) => c.pass),
      detail: `${report.identity.plugin_name} ${report.identity.plugin_version}`,
      fuelConsumed: undefined,
    });
    staticCheckRows(report.staticChecks);
  } catch (error) {
    errors.push(errorJson(error));
    rows.push({
      layer: 'identity',
      passed: false,
      detail: (error as Error).message,
      fuelConsumed: undefined,
    });
    // The checks ran before the read failed; they are kept on the error for exactly this.
    if (error instanceof IdentityError) staticCheckRows(error.staticChecks);
  }

  out.progress('handshake');
  const warnings: string[] = [];
  let kinds: VerifyKind[] = [];
  try {
    const report = await handshake.run(p, { capabilities: cmd.capabilities });
    json.handshake = report;
    warnings.push(...(report.warnings ?? []));
    const chosen = Object.entries(report.chosenVersions).map(([f, v]) => `${f}@${v}`);
    rows.push({
      layer: 'handshake',
      passed: true,
      detail: `${chosen.length} function(s) negotiated${chosen.length > 0 ? `: ${chosen.join(', ')}` : ''}`,
      fuelConsumed: report.fuelConsumed,
    });
    kinds = cmd.kind === 'auto' ? kindsFromFunctions(Object.keys(report.chosenVersions)) : [cmd.kind];
  } catch (error) {
    errors.push(errorJson(error));
    rows.push({
      layer: 'handshake',
      passed: false,
      detail: withHint(error),
      fuelConsumed: undefined,
    });
    kinds = cmd.kind === 'auto' ? [] : [cmd.kind];
  }

  out.progress('self-check');
  try {
    const report = await selfCheck.run(p);
    json.selfCheck = report;
    warnings.push(...(report.warnings ?? []));
    rows.push({ layer: 'self_check', passed: true, detail: undefined, fuelConsumed: report.fuelConsumed });
  } catch (error) {
    errors.push(errorJson(error));
    rows.push({
      layer: 'self_check',
      passed: false,
      detail: (error as Error).message,
      fuelConsumed: undefined,
    });
  }

  const handshakePassed = rows.find((r) => r.layer === 'handshake')?.passed === true;
  if (handshakePassed && kinds.length === 0) {
    rows.push({
      layer: 'kind',
      passed: false,
      detail: 'the plugin negotiated none of shape, filter, observe, build_signer, sign: nothing to dispatch',
      fuelConsumed: undefined,
    });
  }
  const verifyReports: Record<string, VerifyReport> = {};
  if (handshakePassed) {
    for (const kind of kinds) {
      out.progress(`dispatch (${kind})`);
      try {
        const report = await verify[kind](p, { capabilities: cmd.capabilities });
        verifyReports[kind] = report;
        warnings.push(...(report.warnings ?? []));
        for (const layer of report.dispatch) {
          rows.push({
            layer: layer.layer,
            passed: layer.passed,
            detail: layer.detail,
            fuelConsumed: layer.fuelConsumed,
          });
        }
      } catch (error) {
        errors.push(errorJson(error));
        rows.push({
          layer: `verify:${kind}`,
          passed: false,
          detail: (error as Error).message,
          fuelConsumed: undefined,
        });
      }
    }
  }
  out.endProgress();

  const passed = rows.every((r) => r.passed);
  if (cmd.json) {
    out.json({
      ...json,
      kinds,
      passed,
      layers: rows,
      verify: verifyReports,
      errors,
      ...(warnings.length > 0 ? { warnings: [...new Set(warnings)] } : {}),
    });
  } else {
    out.line(`cc-lb-conformance verify ${cmd.file}${kinds.length > 0 ? ` (kind: ${kinds.join(', ')})` : ''}`);
    for (const row of rows) {
      out.layer(
        row.passed,
        row.layer,
        row.detail,
        row.fuelConsumed === undefined ? undefined : { used: row.fuelConsumed, budget: p.limits.fuel },
      );
    }
    for (const extra of runExtras(Object.values(verifyReports))) out.line(`  note: ${extra.message}`);
    out.warnings([...new Set(warnings)]);
    const failed = rows.filter((r) => !r.passed).length;
    out.verdict(
      passed,
      passed ? `${rows.length} layer(s) passed` : `${failed} of ${rows.length} layer(s) failed`,
    );
  }
  return passed ? 0 : 1;
}
