/**
 * `npm run fuzz -- --runs N --seed S [--features SET|all] [--out DIR] [--fuel F]`: a long
 * differential campaign of the rewriter (see differential.ts). Each divergence is written to DIR
 * as the module both sides ran (`<set>-<seed>.wasm`) and what differed (`<set>-<seed>.txt`).
 * Exits 1 if any module diverged.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type CampaignTally, type Divergence, describeDivergence, runCampaign } from './campaign.js';
import { FEATURE_SET_NAMES, type FeatureSet, isFeatureSet, TranslateToFuzz } from './translate-to-fuzz.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    features: { type: 'string', default: 'all' },
    out: { type: 'string', default: 'fuzz-failures' },
    fuel: { type: 'string' },
  },
});
const runs = Number(values.runs);
const first = Number(values.seed);
if (!Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(first)) {
  throw new Error(
    `--runs must be a positive integer and --seed an integer (got ${values.runs}, ${values.seed})`,
  );
}
const sets: FeatureSet[] = values.features === 'all' ? FEATURE_SET_NAMES : [];
if (values.features !== 'all') {
  if (!isFeatureSet(values.features)) {
    throw new Error(
      `--features must be one of all, ${FEATURE_SET_NAMES.join(', ')} (got ${values.features})`,
    );
  }
  sets.push(values.features);
}
const fuel = values.fuel === undefined ? {} : { fuel: Number(values.fuel) };

const generator = await TranslateToFuzz.load();
type Totals = Omit<CampaignTally, 'features'>;
const totals = new Map<FeatureSet, Totals>(
  sets.map((set) => [
    set,
    {
      modules: 0,
      steps: 0,
      outOfFuel: 0,
      stackOverflow: 0,
      divergences: 0,
      generatorCrashes: 0,
      rejectedByV8: 0,
      milliseconds: 0,
    },
  ]),
);
const onDivergence = (d: Divergence) => {
  mkdirSync(values.out, { recursive: true });
  const base = join(values.out, `${d.features}-${d.seed}`);
  writeFileSync(`${base}.wasm`, d.module.bytes);
  writeFileSync(`${base}.txt`, `${describeDivergence(d)}\n`);
  console.log(`DIVERGENCE ${describeDivergence(d).split('\n')[0]} → ${base}.wasm`);
};
// Feature sets take turns a chunk at a time, so a campaign cut short still covers every set.
const chunk = 250;
try {
  for (let offset = 0; offset < runs; offset += chunk) {
    for (const features of sets) {
      // wasm-opt's main was not written to run thousands of times in one process (its state
      // degrades: a crash after ~1000 modules did not recur on the same seeds): a fresh copy per chunk.
      await generator.restart();
      const seeds = { first: first + offset, count: Math.min(chunk, runs - offset) };
      const tally = await runCampaign(generator, features, seeds, {
        ...fuel,
        onDivergence,
        onGeneratorCrash: (crash) => console.log(`GENERATOR FAILURE ${crash.message}`),
      });
      const total = totals.get(features)!;
      for (const key of Object.keys(total) as (keyof Totals)[]) total[key] += tally[key];
      console.log(
        `${features}: ${total.modules}/${runs} modules, ${total.steps} steps compared, ` +
          `${total.divergences} divergent, ${total.outOfFuel} out of fuel, ${total.stackOverflow} stack overflow, ` +
          `${total.rejectedByV8} rejected by V8, ${total.generatorCrashes} generator crashes, ` +
          `${(total.milliseconds / 1000).toFixed(0)} s`,
      );
    }
  }
} finally {
  generator.close();
}
const diverged = [...totals.values()].reduce((n, t) => n + t.divergences, 0);
process.exitCode = diverged > 0 ? 1 : 0;
