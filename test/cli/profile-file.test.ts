/**
 * `--profile FILE`: the file's extension picks the format, and what is written is that format
 * (the formats themselves are checked in test/engine/profile/formats.test.ts).
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../../src/cli/args.js';
import { profileExtension, writeProfileFile } from '../../src/cli/profile-file.js';
import { FuelRecorder, fuelProfile } from '../../src/engine/profile/fuel-profile.js';

function profile() {
  const r = new FuelRecorder(2);
  r.begin(100);
  r.enter(0, 100);
  r.enter(1, 90);
  return fuelProfile(r.finish(60), (i) => ['shape', 'parse'][i] as string);
}

describe('--profile', () => {
  it('picks the format by extension, case-insensitively', () => {
    expect(profileExtension('out/shape.cpuprofile')).toBe('.cpuprofile');
    expect(profileExtension('shape.speedscope.json')).toBe('.speedscope.json');
    expect(profileExtension('Shape.SVG')).toBe('.svg');
    expect(profileExtension('shape.json')).toBeUndefined();
  });

  it('writes each format, creating the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cc-lb-profile-'));
    await writeProfileFile(join(dir, 'a/shape.cpuprofile'), profile(), 'plugin.wasm shape');
    await writeProfileFile(join(dir, 'a/shape.speedscope.json'), profile(), 'plugin.wasm shape');
    await writeProfileFile(join(dir, 'shape.svg'), profile(), 'plugin.wasm shape');
    const cpu = JSON.parse(await readFile(join(dir, 'a/shape.cpuprofile'), 'utf8'));
    expect(cpu.endTime).toBe(40);
    expect(cpu.nodes.map((n: { callFrame: { functionName: string } }) => n.callFrame.functionName)).toEqual([
      '(root)',
      'shape',
      'parse',
    ]);
    const speedscope = JSON.parse(await readFile(join(dir, 'a/shape.speedscope.json'), 'utf8'));
    expect(speedscope.name).toBe('plugin.wasm shape');
    expect(speedscope.profiles[0].endValue).toBe(40);
    const svg = await readFile(join(dir, 'shape.svg'), 'utf8');
    expect(svg).toContain('>Fuel profile: plugin.wasm shape</text>');
    expect(svg).toContain('<title>parse\n30 fuel total (75.00%), 30 self, 1 call</title>');
  });

  it('is accepted by dispatch (with a known extension) and verify (a folder), refused elsewhere', () => {
    expect(parseCliArgs(['dispatch', 'p.wasm', 'shape', '--profile', 'shape.svg'])).toMatchObject({
      command: 'dispatch',
      profile: 'shape.svg',
    });
    expect(parseCliArgs(['verify', 'p.wasm', '--profile', 'profiles'])).toMatchObject({
      command: 'verify',
      profile: 'profiles',
    });
    expect(() => parseCliArgs(['dispatch', 'p.wasm', 'shape', '--profile', 'shape.json'])).toThrow(
      new UsageError(
        "--profile FILE must end in .cpuprofile, .speedscope.json, .svg (the format); got 'shape.json'",
      ),
    );
    expect(() => parseCliArgs(['handshake', 'p.wasm', '--profile', 'x.svg'])).toThrow(
      new UsageError('--profile applies to dispatch and verify, not handshake'),
    );
  });
});
