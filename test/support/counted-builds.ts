/**
 * For a `vi.mock` of the engine entry: the engine with `buildPlugin` counting the plugins it
 * builds, profiling variant and plain apart, so a test can say which variant a path asked for.
 *
 *   const builds = vi.hoisted(() => ({ profiling: 0, plain: 0 }));
 *   vi.mock('../../src/engine/index.js', async (original) =>
 *     (await import('../support/counted-builds.js')).countingBuilds(await original(), builds));
 */
import type * as Engine from '../../src/engine/index.js';

export interface BuildCounts {
  profiling: number;
  plain: number;
}

export function countingBuilds(engine: typeof Engine, builds: BuildCounts): typeof Engine {
  const buildPlugin: typeof engine.buildPlugin = (wasm, limits) => {
    if (limits?.profile === true) builds.profiling++;
    else builds.plain++;
    return engine.buildPlugin(wasm, limits);
  };
  return { ...engine, buildPlugin };
}
