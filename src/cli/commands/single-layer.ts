/**
 * CLI layer: the single-layer commands `identity`, `handshake` and `self-check`. Each runs one
 * conformance call, prints its report (or the error with its kind), and exits 1 on failure.
 */
import { handshake, IdentityError, identity, selfCheck } from '../../conformance/index.js';
import type { CliCommand } from '../args.js';
import { readPluginUnderTest } from '../input.js';
import { errorJson, type Printer } from '../output.js';
import { withHint } from './verify.js';

function failure(cmd: CliCommand, out: Printer, layer: string, error: unknown): number {
  if (cmd.json) {
    out.json({ command: cmd.command, file: cmd.file, passed: false, error: errorJson(error) });
  } else {
    const kind = (error as { kind?: unknown }).kind;
    out.layer(false, layer, `${typeof kind === 'string' ? `${kind}: ` : ''}${withHint(error)}`);
    out.verdict(false, layer);
  }
  return 1;
}

export async function runIdentity(cmd: CliCommand, out: Printer): Promise<number> {
  const p = await readPluginUnderTest(cmd);
  let report: Awaited<ReturnType<typeof identity.read>>;
  try {
    report = await identity.read(p);
  } catch (error) {
    if (!(error instanceof IdentityError)) return failure(cmd, out, 'identity', error);
    // The static checks ran before the read failed; they say which rule the module broke, which
    // is what this command is for, so they are shown even though there is no identity to print.
    if (cmd.json) {
      out.json({
        command: 'identity',
        file: cmd.file,
        passed: false,
        error: errorJson(error),
        staticChecks: error.staticChecks,
      });
    } else {
      out.layer(false, 'identity', `${error.kind}: ${error.message}`);
      for (const check of error.staticChecks) out.layer(check.pass, check.name, check.detail);
      out.verdict(false, 'identity');
    }
    return 1;
  }
  const passed = report.staticChecks.every((c) => c.pass);
  if (cmd.json) {
    out.json({ command: 'identity', file: cmd.file, passed, ...report });
  } else {
    const id = report.identity;
    out.line(`${id.plugin_name} ${id.plugin_version} (abi_envelope ${id.abi_envelope})`);
    for (const check of report.staticChecks) out.layer(check.pass, check.name, check.detail);
    out.verdict(passed, passed ? 'all 9 static checks passed' : 'static checks failed');
  }
  return passed ? 0 : 1;
}

export async function runHandshake(cmd: CliCommand, out: Printer): Promise<number> {
  const p = await readPluginUnderTest(cmd);
  let report: Awaited<ReturnType<typeof handshake.run>>;
  try {
    report = await handshake.run(p, { capabilities: cmd.capabilities });
  } catch (error) {
    return failure(cmd, out, 'handshake', error);
  }
  if (cmd.json) {
    out.json({ command: 'handshake', file: cmd.file, passed: true, ...report, ...warningsJson(report) });
  } else {
    const chosen = Object.entries(report.chosenVersions).map(([f, v]) => `${f}@${v}`);
    out.line(
      `${report.identity.name} ${report.identity.version} (abi_envelope ${report.identity.abiEnvelope})`,
    );
    out.layer(
      true,
      'handshake',
      `${chosen.length} function(s) negotiated${chosen.length ? `: ${chosen.join(', ')}` : ''}`,
      {
        used: report.fuelConsumed,
        budget: p.limits.fuel,
      },
    );
    out.line(`  envelope version ${report.envelopeVersion}`);
    out.line(
      `  capabilities required: ${report.negotiatedCapabilities.length ? report.negotiatedCapabilities.join(', ') : '(none)'}`,
    );
    out.warnings(report.warnings);
    out.verdict(true, 'handshake');
  }
  return 0;
}

export async function runSelfCheck(cmd: CliCommand, out: Printer): Promise<number> {
  const p = await readPluginUnderTest(cmd);
  let report: Awaited<ReturnType<typeof selfCheck.run>>;
  try {
    report = await selfCheck.run(p);
  } catch (error) {
    return failure(cmd, out, 'self_check', error);
  }
  if (cmd.json) {
    out.json({ command: 'self-check', file: cmd.file, passed: true, ...report, ...warningsJson(report) });
  } else {
    out.layer(true, 'self_check', report.status, { used: report.fuelConsumed, budget: p.limits.fuel });
    out.warnings(report.warnings);
    out.verdict(true, 'self-check');
  }
  return 0;
}

/** Report warnings are non-enumerable (see conformance `attachWarnings`): JSON output names them. */
function warningsJson(report: { readonly warnings?: readonly string[] }): { warnings?: readonly string[] } {
  return report.warnings === undefined ? {} : { warnings: report.warnings };
}
