/**
 * CLI layer: `dispatch <plugin.wasm> <function>` — one wire call through the host envelope, with
 * the function's dry-run request unless `--request` names a JSON file.
 */
import { basename } from 'node:path';
import { dispatch } from '../../conformance/index.js';
import { outOfFuelHint, outOfFuelHintText, ranOutOfFuel } from '../../conformance/out-of-fuel.js';
import { allWireFunctions, wireFunction } from '../../wire/index.js';
import { type CliCommand, UsageError } from '../args.js';
import { readPluginUnderTest, readRequestFile } from '../input.js';
import { errorJson, type Printer } from '../output.js';
import { writeProfileFile } from '../profile-file.js';

export async function runDispatch(cmd: CliCommand, out: Printer): Promise<number> {
  const name = cmd.functionName ?? '';
  const fn = wireFunction(name);
  if (fn === undefined) {
    throw new UsageError(
      `unknown wire function '${name}'; expected one of ${allWireFunctions.map((f) => f.name).join(', ')}`,
    );
  }
  const p = await readPluginUnderTest(cmd);
  const request =
    cmd.requestFile === undefined ? fn.dryRunRequest() : await readRequestFile(cmd.requestFile, fn);
  let outcome: Awaited<ReturnType<typeof dispatch.run>>;
  try {
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
      });
    else {
      out.layer(false, `dispatch:${fn.name}`, (error as Error).message);
      out.verdict(false, `dispatch ${fn.name}`);
    }
    return 1;
  }
  const passed = outcome.kind === 'ok';
  if (cmd.profile !== undefined && outcome.profile !== undefined) {
    await writeProfileFile(cmd.profile, outcome.profile, `${basename(cmd.file)} ${fn.name}`);
  }
  // where the fuel went: the call's own profile when one was asked for, else a profiled replay
  const hint = ranOutOfFuel(outcome)
    ? outcome.profile === undefined
      ? await outOfFuelHint(p, fn, request)
      : outOfFuelHintText(outcome.profile)
    : undefined;
  if (cmd.json) {
    // the profile went to its file; the report keeps to the outcome
    const { profile: _written, ...reported } = outcome;
    out.json({ command: 'dispatch', file: cmd.file, function: fn.name, passed, outcome: reported });
    if (hint !== undefined) out.error(hint);
  } else if (outcome.kind === 'ok') {
    out.layer(true, `dispatch:${fn.name}`, 'ok', { used: outcome.fuelConsumed, budget: p.limits.fuel });
    out.line(JSON.stringify(outcome.response, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
    out.verdict(true, `dispatch ${fn.name}`);
  } else {
    out.layer(
      false,
      `dispatch:${fn.name}`,
      `fell back with policy ${outcome.policy} at stage ${outcome.stage}: ${outcome.error}`,
      { used: outcome.fuelConsumed, budget: p.limits.fuel },
    );
    if (hint !== undefined) out.line(hint);
    out.verdict(false, `dispatch ${fn.name}`);
  }
  if (cmd.profile !== undefined) out.error(`fuel profile written to ${cmd.profile}`);
  return passed ? 0 : 1;
}
