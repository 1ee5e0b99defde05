/**
 * CLI layer: `fuzz <plugin.wasm> [--function NAME]… [--runs N] [--seed S]` — generated requests
 * for every negotiated wire function (or the ones named), on one session, each failing request
 * shrunk to a minimal one and printed with its outcome and the seed and path that replay it (and,
 * when it ran out of fuel, the functions with the most self fuel in a profiled replay of it).
 */
import {
  type FuzzReport,
  fuzz,
  HandshakeError,
  PluginSession,
  type PluginUnderTest,
} from '../../conformance/index.js';
import {
  type AnyWireFunction,
  allWireFunctions,
  encodeJsonValue,
  type JsonValue,
  wireFunction,
} from '../../wire/index.js';
import { type CliCommand, UsageError } from '../args.js';
import { readPluginUnderTest } from '../input.js';
import { errorJson, type Printer } from '../output.js';

export async function runFuzz(cmd: CliCommand, out: Printer): Promise<number> {
  const named = cmd.functions.map(functionNamed);
  const p = await readPluginUnderTest(cmd);
  let session: PluginSession;
  try {
    session = await PluginSession.create(p);
  } catch (error) {
    if (!(error instanceof HandshakeError)) throw error;
    if (cmd.json) out.json({ command: 'fuzz', file: cmd.file, passed: false, error: errorJson(error) });
    else {
      out.layer(false, 'handshake', error.message);
      out.verdict(false, 'fuzz: the plugin could not be handshaken');
    }
    return 1;
  }
  const reports: FuzzReport[] = [];
  const missing: string[] = [];
  try {
    const functions =
      named.length > 0
        ? named
        : allWireFunctions.filter((fn) => session.negotiatedFunctions[fn.name] !== undefined);
    for (const fn of functions) {
      if (session.negotiatedFunctions[fn.name] === undefined) {
        missing.push(fn.name);
        continue;
      }
      out.progress(`fuzz ${fn.name}`);
      reports.push(
        await fuzz.run(session, fn, {
          ...(cmd.runs === undefined ? {} : { runs: cmd.runs }),
          ...(cmd.seed === undefined ? {} : { seed: cmd.seed }),
        }),
      );
    }
  } finally {
    out.endProgress();
    await session.close();
  }
  const passed = missing.length === 0 && reports.length > 0 && reports.every((r) => r.passed);
  if (cmd.json) {
    out.json({ command: 'fuzz', file: cmd.file, passed, notNegotiated: missing, reports });
    return passed ? 0 : 1;
  }
  out.line(`cc-lb-conformance fuzz ${cmd.file}`);
  for (const name of missing) out.layer(false, `fuzz:${name}`, 'not negotiated by the plugin');
  if (reports.length === 0 && missing.length === 0) {
    out.layer(false, 'fuzz', 'the plugin negotiated no wire function: nothing to fuzz');
  }
  for (const report of reports) printReport(out, report, p);
  const failed = reports.filter((r) => !r.passed).length + missing.length;
  const total = reports.length + missing.length;
  out.verdict(
    passed,
    passed
      ? `${total} function(s) handled every generated request`
      : `${failed} of ${total} function(s) failed`,
  );
  return passed ? 0 : 1;
}

function printReport(out: Printer, report: FuzzReport, p: PluginUnderTest): void {
  const fuel = { used: report.stats.maxFuel, budget: p.limits.fuel };
  const counterexample = report.counterexample;
  if (counterexample === undefined) {
    const { ok, guestErrors } = report.stats;
    out.layer(
      true,
      `fuzz:${report.function}`,
      `${report.runs} requests: ${ok} ok, ${guestErrors} guest error(s) (seed ${report.seed})`,
      fuel,
    );
    return;
  }
  out.layer(
    false,
    `fuzz:${report.function}`,
    `${counterexample.failure} after ${report.runs} request(s)`,
    fuel,
  );
  const outcome = counterexample.outcome;
  out.line(`      request: ${encodeJsonValue(counterexample.request as JsonValue)}`);
  out.line(
    outcome.kind === 'ok'
      ? `      outcome: Ok ${encodeJsonValue(outcome.response as JsonValue)}`
      : `      outcome: fallback ${outcome.policy} at stage ${outcome.stage}: ${outcome.error}`,
  );
  for (const line of counterexample.outOfFuelHint?.split('\n') ?? []) out.line(`      ${line}`);
  out.line(
    `      shrunk ${counterexample.shrinks} time(s); seed ${report.seed}, replay { seed: ${counterexample.replay.seed}, path: '${counterexample.replay.path}' }`,
  );
}

function functionNamed(name: string): AnyWireFunction {
  const fn = wireFunction(name);
  if (fn === undefined) {
    throw new UsageError(
      `unknown wire function '${name}'; expected one of ${allWireFunctions.map((f) => f.name).join(', ')}`,
    );
  }
  return fn;
}
