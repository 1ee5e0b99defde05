/**
 * CLI layer: `dispatch <plugin.wasm> <function>` — one wire call through the host envelope, with
 * the function's dry-run request unless `--request` names a JSON file. With `--template` it prints
 * the function's realistic request template (the JSON a `--request` file holds) and runs nothing.
 */
import { basename } from 'node:path';
import { dispatch, requestTemplate } from '../../conformance/index.js';
import { outOfFuelHintFor } from '../../conformance/out-of-fuel.js';
import { allWireFunctions, wireFunction } from '../../wire/index.js';
import { type CliCommand, UsageError } from '../args.js';
import { readPluginUnderTest, readRequestFile } from '../input.js';
import { errorJson, guestJson, type Printer } from '../output.js';
import { writeProfileFile } from '../profile-file.js';

export async function runDispatch(cmd: CliCommand, out: Printer): Promise<number> {
  const name = cmd.functionName ?? '';
  const fn = wireFunction(name);
  if (fn === undefined) {
    throw new UsageError(
      `unknown wire function '${name}'; expected one of ${allWireFunctions.map((f) => f.name).join(', ')}`,
    );
  }
  if (cmd.template) {
    out.json(requestTemplate(fn));
    return 0;
  }
  const p = await readPluginUnderTest(cmd);
  const request =
    cmd.requestFile === undefined ? fn.dryRunRequest() : await readRequestFile(cmd.requestFile, fn);
  let outcome: Awaited<ReturnType<typeof dispatch.run>>;
  try {
    // `--fuel` is already the plugin's budget (handshake and call alike)
    outcome = await dispatch.run(
      p,
      fn,
      request as never,
      cmd.profile === undefined ? undefined : { profile: true },
    );
  } catch (error) {
    if (cmd.json)
      out.json({
        command: 'dispatch',
        file: cmd.file,
        function: fn.name,
        passed: false,
        error: errorJson(error),
        ...guestJson(error),
      });
    else {
      out.layer(false, `dispatch:${fn.name}`, (error as Error).message);
      out.guestDiagnostics(error, cmd.verbose);
      out.verdict(false, `dispatch ${fn.name}`);
    }
    return 1;
  }
  const passed = outcome.kind === 'ok';
  const budget = p.limits.fuel;
  if (cmd.profile !== undefined && outcome.profile !== undefined) {
    await writeProfileFile(cmd.profile, outcome.profile, `${basename(cmd.file)} ${fn.name}`);
  }
  // where the fuel went: the call's own profile when one was asked for, else a profiled replay
  const hint = await outOfFuelHintFor(outcome, p, fn, request);
  if (cmd.json) {
    // the profile went to its file; the guest's log (and undecodable output) are not enumerable
    // on the outcome: named here
    const { profile: _written, ...reported } = outcome;
    out.json({
      command: 'dispatch',
      file: cmd.file,
      function: fn.name,
      passed,
      outcome: {
        ...reported,
        logs: outcome.logs,
        ...(outcome.kind === 'fallback' && outcome.output !== undefined ? { output: outcome.output } : {}),
      },
    });
    if (hint !== undefined) out.error(hint);
  } else if (outcome.kind === 'ok') {
    out.layer(true, `dispatch:${fn.name}`, 'ok', { used: outcome.fuelConsumed, budget });
    if (cmd.verbose) out.guestDiagnostics(outcome, true);
    out.line(JSON.stringify(outcome.response, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
    out.verdict(true, `dispatch ${fn.name}`);
  } else {
    out.layer(
      false,
      `dispatch:${fn.name}`,
      `fell back with policy ${outcome.policy} at stage ${outcome.stage}: ${outcome.error}`,
      { used: outcome.fuelConsumed, budget },
    );
    out.guestDiagnostics(outcome, cmd.verbose);
    if (hint !== undefined) out.line(hint);
    out.verdict(false, `dispatch ${fn.name}`);
  }
  if (cmd.profile !== undefined) out.error(`fuel profile written to ${cmd.profile}`);
  return passed ? 0 : 1;
}
