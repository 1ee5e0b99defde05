/**
 * `dispatch … --profile FILE` writes the call's fuel profile in the format of the file's
 * extension; a dispatch that runs out of fuel says where the fuel went, with or without it.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { spin } from '../../src/wat/index.js';
import { shapePlugin } from '../support/vitest-plugins.js';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    ({
      write: (s: string) => {
        append(s);
        return true;
      },
    }) as never;
  const code = await runCli(argv, {
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
    env: {},
  });
  return { code, stdout, stderr };
}

let dir: string;
let good: string;
let spinning: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-lb-cli-profile-'));
  good = join(dir, 'good.wasm');
  spinning = join(dir, 'spinning.wasm');
  await writeFile(good, shapePlugin());
  await writeFile(spinning, shapePlugin({ exports: { shape: spin() } }));
});

describe('dispatch --profile', () => {
  it('writes a speedscope file whose total is the fuel the report shows', async () => {
    const path = join(dir, 'out', 'shape.speedscope.json');
    const r = await run('dispatch', good, 'shape', '--profile', path);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`fuel profile written to ${path}\n`);
    const used = Number(/fuel ([\d,]+) \//.exec(r.stdout)?.[1]?.replaceAll(',', ''));
    const file = JSON.parse(await readFile(path, 'utf8'));
    expect(file.name).toBe('good.wasm shape');
    expect(file.profiles[0].endValue).toBe(used);
    expect(used).toBeGreaterThan(0);
  });

  it('writes a .cpuprofile and an .svg by their extensions', async () => {
    expect((await run('dispatch', good, 'shape', '--profile', join(dir, 'shape.cpuprofile'))).code).toBe(0);
    const cpu = JSON.parse(await readFile(join(dir, 'shape.cpuprofile'), 'utf8'));
    expect(cpu.nodes[0].callFrame.functionName).toBe('(root)');
    expect((await run('dispatch', good, 'shape', '--profile', join(dir, 'shape.svg'))).code).toBe(0);
    const svg = await readFile(join(dir, 'shape.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('>Fuel profile: good.wasm shape</text>');
  });

  it('keeps the profile out of the --json report (it is in the file)', async () => {
    const r = await run('dispatch', good, 'shape', '--json', '--profile', join(dir, 'j.svg'));
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.outcome.kind).toBe('ok');
    expect(report.outcome).not.toHaveProperty('profile');
  });

  it('refuses a file name that names no format (exit 2)', async () => {
    const r = await run('dispatch', good, 'shape', '--profile', join(dir, 'shape.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--profile FILE must end in .cpuprofile, .speedscope.json, .svg (the format)');
  });
});

describe('dispatch out of fuel', () => {
  it('lists the functions with the most self fuel, from a profiled replay', async () => {
    const r = await run('dispatch', spinning, 'shape', '--fuel', '50000');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('plugin call failed: plugin ran out of fuel');
    expect(r.stdout).toMatch(
      /Most self fuel \(a profiled replay of the call on a fresh instance\):\n {2}1\. func\[\d+\]: 50,000 self, 50,000 total, 1 call\n/,
    );
  });

  it('uses the call`s own profile when --profile asked for one, and still writes it', async () => {
    const path = join(dir, 'spin.svg');
    const r = await run('dispatch', spinning, 'shape', '--fuel', '50000', '--profile', path);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ {2}1\. func\[\d+\]: 50,000 self/);
    expect(await readFile(path, 'utf8')).toContain('50,000 fuel total (100.00%)');
  });
});
