/**
 * Conformance layer: the opt-in generated-requests layer of the verify flows (`{ fuzzRuns }`),
 * one `generated:<function>` layer per function the kind requires, run with `fuzz.run` on the
 * verify session after the reference's dispatch layers. Not part of the reference flow, so it is
 * off unless asked for, and a counterexample marks its layer failed (with the shrunk request and
 * how to replay it) instead of throwing, so the reference layers keep their own verdict.
 */
import { type AnyWireFunction, encodeJsonValue, type JsonValue } from '../../wire/index.js';
import { fuzz } from '../fuzz.js';
import type { LayerResult } from '../reports.js';
import type { PluginSession } from '../session.js';

export async function generatedLayers(
  session: PluginSession,
  functions: readonly AnyWireFunction[],
  runs: number,
): Promise<LayerResult[]> {
  const layers: LayerResult[] = [];
  for (const fn of functions) {
    const result = await fuzz.run(session, fn, { runs });
    const counterexample = result.counterexample;
    layers.push({
      layer: `generated:${fn.name}`,
      passed: result.passed,
      detail:
        counterexample === undefined
          ? `${result.runs} generated request(s) handled (seed ${result.seed})`
          : `${counterexample.failure} on ${encodeJsonValue(counterexample.request as JsonValue)} ` +
            `(replay: { seed: ${counterexample.replay.seed}, path: '${counterexample.replay.path}' })`,
      fuelConsumed: result.stats.maxFuel,
    });
  }
  return layers;
}
