/**
 * `fuzz.run` on a counterexample that runs out of fuel: the report says where the fuel went, from
 * one profiled replay of the final, shrunk request on a fresh instance — no profiling while the
 * requests are generated and shrunk, and none for counterexamples of another kind. Instances are
 * counted at the engine, where every one is built (`buildPlugin`'s `profile` limit).
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Conformance from '../../src/conformance/index.js';
import type * as OutOfFuel from '../../src/conformance/out-of-fuel.js';
import { ShapeFn } from '../../src/wire/index.js';
import {
  emptyHeaderFuelBurnerPlugin,
  emptyHeaderTrapPlugin,
  ONE_EMPTY_HEADER,
} from '../support/fuzz-guests.js';

const builds = vi.hoisted(() => ({ profiling: 0, plain: 0 }));

vi.mock('../../src/engine/index.js', async (importOriginal) =>
  (await import('../support/counted-builds.js')).countingBuilds(await importOriginal(), builds),
);

let conformance: typeof Conformance;
let outOfFuel: typeof OutOfFuel;

beforeAll(async () => {
  // The setup file loaded the real engine before this file's mock existed: load the layer afresh.
  vi.resetModules();
  conformance = await import('../../src/conformance/index.js');
  outOfFuel = await import('../../src/conformance/out-of-fuel.js');
});

beforeEach(() => {
  builds.profiling = 0;
  builds.plain = 0;
});

describe('fuzz.run on a request that runs out of fuel', { timeout: 60_000 }, () => {
  it('gives the hint of one profiled replay of the shrunk request', async () => {
    const burner = conformance.plugin(emptyHeaderFuelBurnerPlugin(), { fuel: 1_000_000 });
    const report = await conformance.fuzz.run(burner, ShapeFn, { runs: 200, seed: 1 });
    const counterexample = report.counterexample;
    expect(counterexample?.request).toEqual(ONE_EMPTY_HEADER);
    expect(counterexample?.failure).toBe('the plugin ran out of fuel');
    // many calls were made to find and shrink it; one of them was profiled
    expect(counterexample?.shrinks).toBeGreaterThan(0);
    expect(builds.profiling).toBe(1);

    const hint = counterexample?.outOfFuelHint ?? '';
    expect(hint.split('\n')).toEqual([
      'Most self fuel (a profiled replay of the call on a fresh instance):',
      expect.stringMatching(/^ {2}1\. burn_8: [\d,]+ self, [\d,]+ total, [\d,]+ calls$/),
      expect.stringMatching(/^ {2}2\. burn_4: /),
      expect.stringMatching(/^ {2}3\. burn_2: /),
      expect.stringMatching(/^ {2}4\. burn_1: /),
      expect.stringMatching(/^ {2}5\. func\[\d+\]: [\d,]+ self, 1,000,000 total, 1 call$/),
    ]);
    // exactly the text of a profiled dispatch of that request (fuel is deterministic)
    const replay = await conformance.dispatch.run(burner, ShapeFn, ONE_EMPTY_HEADER, { profile: true });
    expect(replay.profile).toBeDefined();
    expect(hint).toBe(outOfFuel.outOfFuelHintText(replay.profile as NonNullable<typeof replay.profile>));
  });

  it('profiles nothing for a counterexample of another kind', async () => {
    const report = await conformance.fuzz.run(emptyHeaderTrapPlugin(), ShapeFn, { runs: 200, seed: 1 });
    expect(report.counterexample?.failure).toBe('the plugin trapped');
    expect(report.counterexample).not.toHaveProperty('outOfFuelHint');
    expect(builds.profiling).toBe(0);
    expect(builds.plain).toBeGreaterThan(0);
  });

  it('gives the hint on a replayed counterexample too', async () => {
    const burner = conformance.plugin(emptyHeaderFuelBurnerPlugin(), { fuel: 1_000_000 });
    const first = await conformance.fuzz.run(burner, ShapeFn, { runs: 200, seed: 1 });
    const replay = first.counterexample?.replay;
    expect(replay).toBeDefined();
    const again = await conformance.fuzz.run(burner, ShapeFn, {
      replay: replay as NonNullable<typeof replay>,
    });
    expect(again.counterexample?.outOfFuelHint).toBe(first.counterexample?.outOfFuelHint);
  });
});
