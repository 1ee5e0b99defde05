/**
 * CLI layer: `verify` — renders the conformance layer's verify flow (`verifyLayers`), which runs
 * identity, handshake and self-check once and then every kind's dispatch cases, going on after a
 * failure so the report shows every layer. One line a layer; a failed layer says what failed, at
 * which stage and with which policy, with the causes, the fuel and the guest's last log lines
 * beneath it; the hints for common mistakes come once, at the end. With `--profile DIR` every
 * dispatch case records its fuel profile and one flame graph a case is written into DIR.
 */
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { accountOfFailure } from '../../conformance/error-account.js';
import { hintsFor } from '../../conformance/hints.js';
import {
  type LayerResult,
  type StaticCheck,
  type VerifyLayer,
  verifyLayers,
} from '../../conformance/index.js';
import type { CliCommand } from '../args.js';
import { InputError, readPluginUnderTest } from '../input.js';
import { failureJson, type Printer, withCapabilityHint } from '../output.js';
import { writeProfileFile } from '../profile-file.js';

interface Row {
  readonly result: LayerResult;
  /** the line's text: a passed layer's detail, or the failure's headline */
  readonly detail: string | undefined;
  /** `--profile DIR`: the file the layer's fuel profile was written to */
  readonly profileFile?: string | undefined;
}

export async function runVerify(cmd: CliCommand, out: Printer): Promise<number> {
  const p = await readPluginUnderTest(cmd);
  // An unusable folder is found before the plugin runs, not after.
  if (cmd.profile !== undefined) await profileFolder(cmd.profile);
  const flow = verifyLayers(p, {
    kinds: cmd.kind === 'auto' ? 'auto' : [cmd.kind],
    capabilities: cmd.capabilities,
    ...(cmd.fuzzRuns === undefined ? {} : { fuzzRuns: cmd.fuzzRuns }),
    ...(cmd.profile === undefined ? {} : { profile: true }),
  });
  const layers: VerifyLayer[] = [];
  out.progress('handshake');
  for await (const layer of flow) {
    layers.push(layer);
    out.progress(`${layer.result.layer} done`);
  }
  out.endProgress();
  const profileFiles =
    cmd.profile === undefined
      ? new Map<VerifyLayer, string>()
      : await writeProfiles(cmd.profile, cmd.file, layers);

  // Identity first (with a row per failing static check), then the rest in the flow's order.
  const identityLayer = layers.find((l) => l.result.layer === 'identity');
  const rows: Row[] = [];
  if (identityLayer !== undefined) {
    const { identity } = flow;
    rows.push({
      result: identityLayer.result,
      detail:
        identity === undefined
          ? detailOf(identityLayer.result)
          : `${identity.identity.plugin_name} ${identity.identity.plugin_version}`,
    });
    for (const check of failingChecks(identityLayer.staticChecks)) {
      rows.push({
        result: { layer: `identity:${check.name}`, passed: false, detail: check.detail },
        detail: check.detail,
      });
    }
  }
  for (const layer of layers) {
    if (layer === identityLayer) continue;
    const { result } = layer;
    if (result.layer === 'handshake' && flow.handshake !== undefined) {
      const chosen = Object.entries(flow.handshake.chosenVersions).map(([f, v]) => `${f}@${v}`);
      const functions = chosen.length > 0 ? `: ${chosen.join(', ')}` : '';
      rows.push({ result, detail: `${chosen.length} function(s) negotiated${functions}` });
    } else {
      rows.push({ result, detail: detailOf(result), profileFile: profileFiles.get(layer) });
    }
  }

  const passed = rows.every((r) => r.result.passed);
  const hints = passed ? [] : hintsFor(p.wasm, { file: cmd.file });
  const budget = p.limits.fuel;
  if (cmd.json) {
    out.json({
      command: 'verify',
      file: cmd.file,
      kinds: flow.kinds,
      passed,
      ...(flow.identity === undefined ? {} : { identity: flow.identity }),
      ...(identityLayer?.staticChecks === undefined ? {} : { staticChecks: identityLayer.staticChecks }),
      ...(flow.handshake === undefined ? {} : { handshake: flow.handshake }),
      ...(flow.selfCheck === undefined ? {} : { selfCheck: flow.selfCheck }),
      layers: rows.map(({ result, detail, profileFile }) => ({
        layer: result.layer,
        passed: result.passed,
        detail,
        ...(result.fuelConsumed === undefined ? {} : { fuelConsumed: result.fuelConsumed }),
        ...(profileFile === undefined ? {} : { profile: profileFile }),
        ...(result.failure === undefined
          ? {}
          : {
              failure: failureJson(result.failure, result.layer, {
                ...(result.fuelConsumed === undefined ? {} : { used: result.fuelConsumed }),
                budget,
              }),
            }),
      })),
      extras: flow.extras,
      ...(flow.warnings.length > 0 ? { warnings: flow.warnings } : {}),
      hints,
    });
  } else {
    const kinds = flow.kinds.length > 0 ? ` (kind: ${flow.kinds.join(', ')})` : '';
    out.line(`cc-lb-conformance verify ${cmd.file}${kinds}`);
    for (const { result, detail, profileFile } of rows) {
      const fuel = result.fuelConsumed === undefined ? undefined : { used: result.fuelConsumed, budget };
      out.layer(result.passed, result.layer, detail, fuel);
      if (result.failure !== undefined) out.failureDetail(result.failure, cmd.verbose);
      if (profileFile !== undefined) out.line(`      ${out.paint('2', 'fuel profile:')} ${profileFile}`);
    }
    for (const extra of flow.extras) out.line(`  note: ${extra.message}`);
    out.warnings(flow.warnings);
    out.hints(hints);
    const failed = rows.filter((r) => !r.result.passed).length;
    out.verdict(
      passed,
      passed ? `${rows.length} layer(s) passed` : `${failed} of ${rows.length} layer(s) failed`,
    );
  }
  return passed ? 0 : 1;
}

/** Creates the `--profile` folder; one that cannot be made is the user's input to fix (exit 2). */
async function profileFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot create the --profile folder ${dir}: ${code ?? (error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Writes each profiled dispatch layer's flame graph into `dir`, named kind, function and case
 * (`shape.shape.robustness.large_body.svg`), and returns the file of each layer.
 */
async function writeProfiles(
  dir: string,
  file: string,
  layers: readonly VerifyLayer[],
): Promise<Map<VerifyLayer, string>> {
  const written = new Map<VerifyLayer, string>();
  for (const layer of layers) {
    const { kind, function: called, profile, result } = layer;
    if (kind === undefined || called === undefined || profile === undefined) continue;
    const path = join(dir, `${profileFileStem(kind, called, result.layer)}.svg`);
    await writeProfileFile(path, profile, `${basename(file)} ${result.layer}`);
    written.set(layer, path);
  }
  return written;
}

/** `dispatch:robustness:large_body` of `shape` → `shape.shape.robustness.large_body` (no `:`, which Windows forbids). */
function profileFileStem(kind: string, fn: string, layer: string): string {
  const unprefixed = layer.startsWith('dispatch:') ? layer.slice('dispatch:'.length) : layer;
  const caseName = unprefixed.startsWith(`${fn}:`) ? unprefixed.slice(fn.length + 1) : unprefixed;
  return [kind, fn, ...caseName.split(':')].join('.');
}

/** A failed layer's headline (with the capability flag that fixes it), else the layer's detail. */
function detailOf(result: LayerResult): string | undefined {
  if (result.failure === undefined) return result.detail;
  const { headline } = accountOfFailure(result.failure);
  const own = result.failure.error.cause;
  return own instanceof Error && own.message === headline ? withCapabilityHint(own) : headline;
}

function failingChecks(checks: readonly StaticCheck[] | undefined): StaticCheck[] {
  return (checks ?? []).filter((check) => !check.pass);
}
