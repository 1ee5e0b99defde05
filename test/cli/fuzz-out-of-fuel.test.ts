/**
 * `fuzz` on a counterexample that runs out of fuel prints where the fuel went (the functions with
 * the most self fuel, from a profiled replay of the shrunk request), under the outcome, in both
 * the human report and `--json`.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured as run } from '../support/cli-run.js';
import { emptyHeaderFuelBurnerPlugin, emptyHeaderTrapPlugin } from '../support/fuzz-guests.js';

let burner: string;
let trapping: string;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cc-lb-cli-fuzz-fuel-'));
  burner = join(dir, 'burner.wasm');
  trapping = join(dir, 'trapping.wasm');
  await writeFile(burner, emptyHeaderFuelBurnerPlugin());
  await writeFile(trapping, emptyHeaderTrapPlugin());
});

describe('fuzz on a request that runs out of fuel', { timeout: 60_000 }, () => {
  it('prints the functions with the most self fuel under the outcome', async () => {
    const r = await run('fuzz', burner, '--runs', '200', '--seed', '1', '--fuel', '1000000');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const outcome = lines.findIndex((line) => line.startsWith('      outcome: '));
    expect(lines[outcome]).toBe(
      '      outcome: fallback FailRequest at stage plugin_call: plugin call failed: plugin ran out of fuel',
    );
    expect(lines.slice(outcome + 1, outcome + 8)).toEqual([
      '      Most self fuel (a profiled replay of the call on a fresh instance):',
      expect.stringMatching(/^ {8}1\. burn_8: [\d,]+ self, [\d,]+ total, [\d,]+ calls$/),
      expect.stringMatching(/^ {8}2\. burn_4: /),
      expect.stringMatching(/^ {8}3\. burn_2: /),
      expect.stringMatching(/^ {8}4\. burn_1: /),
      expect.stringMatching(/^ {8}5\. func\[\d+\]: [\d,]+ self, 1,000,000 total, 1 call$/),
      expect.stringMatching(/^ {6}shrunk \d+ time\(s\); seed 1, replay /),
    ]);
  });

  it('gives it in --json as the counterexample`s outOfFuelHint', async () => {
    const r = await run('fuzz', burner, '--runs', '200', '--seed', '1', '--fuel', '1000000', '--json');
    expect(r.code).toBe(1);
    const [report] = JSON.parse(r.stdout).reports as { counterexample: { outOfFuelHint?: string } }[];
    expect(report?.counterexample.outOfFuelHint).toMatch(
      /^Most self fuel \(a profiled replay of the call on a fresh instance\):\n {2}1\. burn_8: /,
    );
  });

  it('prints no hint for a counterexample of another kind', async () => {
    const r = await run('fuzz', trapping, '--runs', '200', '--seed', '1');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('the plugin trapped');
    expect(r.stdout).not.toContain('Most self fuel');
  });
});
