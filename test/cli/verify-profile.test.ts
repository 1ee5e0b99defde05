/**
 * `verify --profile DIR` profiles every dispatch case of the verify flow and writes one flame graph
 * a case into DIR, named kind, function and case, listed in the report; without the flag nothing
 * is profiled. Which instances are profiling ones is counted at the engine, where every instance is
 * built (`buildPlugin`'s `profile` limit).
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { output } from '../../src/wat/index.js';
import type { CliRun } from '../support/cli-run.js';
import { acceptFor, guestModule } from '../support/guest-modules.js';
import { wellFormednessErrors } from '../support/xml-well-formed.js';

const builds = vi.hoisted(() => ({ profiling: 0, plain: 0 }));

vi.mock('../../src/engine/index.js', async (importOriginal) =>
  (await import('../support/counted-builds.js')).countingBuilds(await importOriginal(), builds),
);

/** Every dispatch case of the three kinds' flows, as the file it is written to. */
const FILES = [
  'observability.observe.robustness.empty_events.svg',
  'observability.observe.robustness.multi_event_batch.svg',
  'router.filter.candidate_count.svg',
  'router.filter.empty_candidates.svg',
  'shape.shape.basic.svg',
  'shape.shape.robustness.empty_body.svg',
  'shape.shape.robustness.invalid_utf8.svg',
  'shape.shape.robustness.large_body.svg',
  'shape.shape.robustness.malformed_json.svg',
  'shape.shape.robustness.unicode_preservation.svg',
];

let dir: string;
let plugin: string;
let run: (...argv: string[]) => Promise<CliRun>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-lb-cli-verify-profile-'));
  plugin = join(dir, 'three-kinds.wasm');
  await writeFile(
    plugin,
    guestModule({
      handshake: acceptFor('shape', 'filter', 'observe'),
      handlers: {
        shape: output('{"_v":1,"url":"https://x.test/","method":"POST","headers":[],"body_base64":""}'),
        // no decisions: `dispatch:filter:candidate_count` fails (exit 1), and is profiled all the same
        filter: output('{"_v":1,"results":[]}'),
        observe: output('{"_v":1}'),
      },
    }),
  );
  // The setup file loaded the real engine before this file's mock existed: load the CLI afresh.
  vi.resetModules();
  ({ runCliCaptured: run } = await import('../support/cli-run.js'));
});

beforeEach(() => {
  builds.profiling = 0;
  builds.plain = 0;
});

describe('verify --profile DIR', () => {
  it('writes one well-formed flame graph per dispatch case, named kind.function.case', async () => {
    const out = join(dir, 'not', 'yet', 'there');
    const r = await run('verify', plugin, '--profile', out);
    expect(r.code).toBe(1);
    expect((await readdir(out)).sort()).toEqual(FILES);
    // each case ran once, on a profiling instance of its own
    expect(builds.profiling).toBe(FILES.length);
    // a failed case is profiled too
    expect(r.stdout).toContain('✗ dispatch:filter:candidate_count');

    const svg = await readFile(join(out, 'shape.shape.robustness.large_body.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(wellFormednessErrors(svg)).toEqual([]);
    expect(svg).toMatch(
      /^<title>Fuel profile: three-kinds\.wasm dispatch:robustness:large_body: [\d,]+ fuel<\/title>$/m,
    );
    expect(svg).toContain('>Fuel profile: three-kinds.wasm dispatch:robustness:large_body</text>');
    // one hover title per frame: the guest's export at least, with its share of the fuel
    expect(svg).toMatch(
      /<g class="frame"><title>[^<]+\n[\d,]+ fuel total \(100\.00%\), [\d,]+ self, 1 call<\/title>/,
    );
    for (const file of FILES) {
      expect(wellFormednessErrors(await readFile(join(out, file), 'utf8')), file).toEqual([]);
    }
  });

  it('lists each file under its layer', async () => {
    const out = join(dir, 'listed');
    const r = await run('verify', plugin, '--profile', out);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const basic = lines.findIndex((line) => /^ {2}✓ dispatch:shape:basic /.test(line));
    expect(lines[basic + 1]).toBe(`      fuel profile: ${join(out, 'shape.shape.basic.svg')}`);
    const listed = lines.filter((line) => line.startsWith('      fuel profile: '));
    expect(listed.map((line) => line.slice('      fuel profile: '.length)).sort()).toEqual(
      FILES.map((file) => join(out, file)),
    );
    // the layers before the dispatch cases have no profile
    const handshake = lines.findIndex((line) => /^ {2}✓ handshake /.test(line));
    expect(lines[handshake + 1]).not.toContain('fuel profile');
  });

  it('names the file of each dispatch layer in --json, its fuel the profile`s total', async () => {
    const out = join(dir, 'json');
    const r = await run('verify', plugin, '--json', '--profile', out);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      layers: { layer: string; fuelConsumed?: number; profile?: string }[];
    };
    const profiled = report.layers.filter((layer) => layer.profile !== undefined);
    expect(profiled.map((layer) => layer.profile).sort()).toEqual(FILES.map((file) => join(out, file)));
    expect(report.layers.find((layer) => layer.layer === 'handshake')).not.toHaveProperty('profile');
    for (const layer of profiled) {
      expect(layer.layer).toMatch(/^dispatch:/);
      const svg = await readFile(layer.profile as string, 'utf8');
      const total = /^<title>Fuel profile: [^\n]*: ([\d,]+) fuel<\/title>$/m.exec(svg)?.[1];
      expect(Number(total?.replaceAll(',', '')), layer.layer).toBe(layer.fuelConsumed);
    }
  });

  it('without the flag, profiles nothing and writes nothing', async () => {
    const before = (await readdir(dir)).sort();
    const r = await run('verify', plugin);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('fuel profile');
    expect(builds.profiling).toBe(0);
    expect(builds.plain).toBeGreaterThan(0);
    expect((await readdir(dir)).sort()).toEqual(before);
    const json = JSON.parse((await run('verify', plugin, '--json')).stdout) as { layers: object[] };
    for (const layer of json.layers) expect(layer).not.toHaveProperty('profile');
  });

  it('refuses a folder it cannot create before running the plugin (exit 2)', async () => {
    const r = await run('verify', plugin, '--profile', join(plugin, 'profiles'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `cc-lb-conformance: cannot create the --profile folder ${join(plugin, 'profiles')}: ENOTDIR\n`,
    );
    expect(builds.plain + builds.profiling).toBe(0);
  });
});
