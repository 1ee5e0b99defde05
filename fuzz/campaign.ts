/**
 * Rewriter fuzzer (test tooling): a campaign is a run of consecutive seeds for one feature set —
 * generate, expose, compare — with the tallies `npm run fuzz` prints and the fixed-seed test
 * asserts. A divergence is handed to `onDivergence` with the exposed module that shows it.
 */
import { type DifferentialOptions, type DifferentialResult, runDifferential } from './differential.js';
import { type ExposedModule, exposeForComparison, UnreadableModule } from './expose.js';
import { type FeatureSet, GeneratorCrash, type TranslateToFuzz } from './translate-to-fuzz.js';

export interface CampaignTally {
  readonly features: FeatureSet;
  modules: number;
  /** Steps (each export call; the first also runs the deferred start and segments) compared on both sides. */
  steps: number;
  /** Modules whose comparison ended early because the metered copy ran out of fuel. */
  outOfFuel: number;
  /** Modules whose comparison ended early at a stack overflow on either side. */
  stackOverflow: number;
  divergences: number;
  /**
   * Seeds on which wasm-opt itself crashed, or whose module binaryen's library could not read
   * back (no module to compare; the generator is restarted).
   */
  generatorCrashes: number;
  /** Modules V8 itself refuses to compile (binaryen emitted a proposal this V8 lacks). */
  rejectedByV8: number;
  milliseconds: number;
}

export interface Divergence {
  readonly features: FeatureSet;
  readonly seed: number;
  readonly module: ExposedModule;
  readonly result: Extract<DifferentialResult, { kind: 'divergence' }>;
}

export function describeDivergence(d: Divergence): string {
  return `${d.features} seed ${d.seed}: ${d.result.what} at ${d.result.step}\n${d.result.detail}`;
}

export async function runCampaign(
  generator: TranslateToFuzz,
  features: FeatureSet,
  seeds: { readonly first: number; readonly count: number },
  options: Partial<DifferentialOptions> & {
    onDivergence?: (d: Divergence) => void;
    onGeneratorCrash?: (crash: GeneratorCrash | UnreadableModule) => void;
  } = {},
): Promise<CampaignTally> {
  const tally: CampaignTally = {
    features,
    modules: 0,
    steps: 0,
    outOfFuel: 0,
    stackOverflow: 0,
    divergences: 0,
    rejectedByV8: 0,
    generatorCrashes: 0,
    milliseconds: 0,
  };
  const started = performance.now();
  for (let seed = seeds.first; seed < seeds.first + seeds.count; seed++) {
    let module: ExposedModule;
    try {
      module = exposeForComparison(generator.generate(seed, features));
    } catch (error) {
      if (!(error instanceof GeneratorCrash || error instanceof UnreadableModule)) throw error;
      tally.generatorCrashes++;
      options.onGeneratorCrash?.(error);
      await generator.restart();
      continue;
    }
    const result = runDifferential(module, options);
    tally.modules++;
    if (result.kind === 'rejected-by-v8') {
      tally.rejectedByV8++;
      continue;
    }
    if (result.kind === 'divergence') {
      tally.divergences++;
      options.onDivergence?.({ features, seed, module, result });
      continue;
    }
    tally.steps += result.steps;
    if (result.stopped === 'out-of-fuel') tally.outOfFuel++;
    if (result.stopped === 'stack-overflow') tally.stackOverflow++;
  }
  tally.milliseconds = performance.now() - started;
  return tally;
}
