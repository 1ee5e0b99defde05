/**
 * The three pictures of a fuel profile, checked for structure and for adding up to the exact
 * numbers: the `.cpuprofile` (samples and time deltas), the speedscope file (against the
 * published JSON schema, `test/fixtures/speedscope/file-format-schema.json`, generated from
 * speedscope's `file-format-spec.ts` as speedscope publishes it) and the SVG flame graph
 * (well-formed, self-contained, one `<title>` per frame).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toCpuProfile } from '../../../src/engine/profile/cpuprofile.js';
import { toFlameGraphSvg } from '../../../src/engine/profile/flame-graph-svg.js';
import { type FuelProfile, FuelRecorder, fuelProfile } from '../../../src/engine/profile/fuel-profile.js';
import { SPEEDSCOPE_SCHEMA, toSpeedscope } from '../../../src/engine/profile/speedscope.js';
import { schemaViolations } from '../../support/json-schema.js';
import { wellFormednessErrors } from '../../support/xml-well-formed.js';

const NAMES = ['main', 'parse', 'Vec<u8>::push & grow', 'emit', 'parse'];

/**
 * 1 fuel before main is entered; main spends 5, calls parse (5, then push: 7, then 5 more), calls
 * emit (20), calls function 4 — another function named parse — (3), and spends 2 more.
 * Self fuel: (root) 1, main 7, parse 10, push 7, emit 20, parse#4 3; total 48.
 */
function sampleProfile(): FuelProfile {
  const r = new FuelRecorder(NAMES.length);
  r.begin(1000);
  r.enter(0, 999);
  r.enter(1, 994);
  r.enter(2, 989);
  r.exit(982);
  r.exit(977);
  r.enter(3, 977);
  r.exit(957);
  r.enter(4, 957);
  r.exit(954);
  return fuelProfile(r.finish(952), (i) => NAMES[i] as string);
}

describe('toCpuProfile', () => {
  it('is a DevTools Profiler.Profile whose sample durations are the self fuel', () => {
    const cpu = toCpuProfile(sampleProfile());
    expect(cpu.startTime).toBe(0);
    expect(cpu.endTime).toBe(48);
    expect(cpu.nodes[0]).toEqual({
      id: 1,
      callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 },
      hitCount: 1,
      children: [2],
    });
    expect(cpu.nodes.map((n) => [n.id, n.callFrame.functionName, n.children])).toEqual([
      [1, '(root)', [2]],
      [2, 'main', [3, 5, 6]],
      [3, 'parse', [4]],
      [4, 'Vec<u8>::push & grow', []],
      [5, 'emit', []],
      [6, 'parse', []],
    ]);
    // one sample per node with self fuel, depth-first, then the closing (root) sample
    expect(cpu.samples).toEqual([1, 2, 3, 4, 5, 6, 1]);
    expect(cpu.timeDeltas).toEqual([0, 1, 7, 10, 7, 20, 3]);
    // a sample lasts until the next one: durations are the self fuel, and they sum to the total
    const durations = cpu.timeDeltas.slice(1);
    expect(durations).toEqual([1, 7, 10, 7, 20, 3]);
    expect(cpu.timeDeltas.reduce((a, b) => a + b, 0)).toBe(cpu.endTime - cpu.startTime);
    expect(JSON.parse(JSON.stringify(cpu))).toEqual(cpu);
  });

  it('handles an empty call (nothing but the root)', () => {
    const r = new FuelRecorder(1);
    r.begin(10);
    const cpu = toCpuProfile(fuelProfile(r.finish(10), () => 'x'));
    expect(cpu).toEqual({
      nodes: [
        {
          id: 1,
          callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 },
          hitCount: 0,
          children: [],
        },
      ],
      startTime: 0,
      endTime: 0,
      samples: [1],
      timeDeltas: [0],
    });
  });
});

describe('toSpeedscope', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../../fixtures/speedscope/file-format-schema.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

  it('passes the published speedscope file schema', () => {
    const file = toSpeedscope(sampleProfile(), { name: 'shape' });
    expect(schemaViolations(schema, JSON.parse(JSON.stringify(file)))).toEqual([]);
    expect(file.$schema).toBe(SPEEDSCOPE_SCHEMA);
  });

  it('the schema check itself catches a wrong unit and a missing field', () => {
    const file = JSON.parse(JSON.stringify(toSpeedscope(sampleProfile()))) as {
      profiles: { unit: string; endValue?: number }[];
    };
    (file.profiles[0] as { unit: string }).unit = 'fuel';
    delete file.profiles[0]?.endValue;
    expect(schemaViolations(schema, file)).toEqual(['/profiles/0: matches none of anyOf']);
  });

  it('opens and closes every frame in order, with the exact fuel between', () => {
    const file = toSpeedscope(sampleProfile(), { name: 'shape' });
    expect(file.name).toBe('shape');
    // two functions named parse stay two frames
    expect(file.shared.frames).toEqual([
      { name: 'main' },
      { name: 'parse' },
      { name: 'Vec<u8>::push & grow' },
      { name: 'emit' },
      { name: 'parse' },
    ]);
    const profile = file.profiles[0];
    expect(profile).toMatchObject({ type: 'evented', unit: 'none', startValue: 0, endValue: 48 });
    expect(profile?.events.map((e) => `${e.type}${e.frame}@${e.at}`)).toEqual([
      'O0@1', // 1 fuel was spent before main
      'O1@8', // a frame's self fuel comes before its callees
      'O2@18',
      'C2@25',
      'C1@25',
      'O3@25',
      'C3@45',
      'O4@45',
      'C4@48',
      'C0@48',
    ]);
    // the self fuel of each frame, recomputed from the events as speedscope does
    const self = new Map<number, number>();
    const stack: number[] = [];
    let last = 0;
    for (const event of profile?.events ?? []) {
      const top = stack[stack.length - 1];
      if (top !== undefined) self.set(top, (self.get(top) ?? 0) + event.at - last);
      last = event.at;
      if (event.type === 'O') stack.push(event.frame);
      else expect(stack.pop()).toBe(event.frame);
    }
    expect(stack).toEqual([]);
    expect([...self.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [0, 5 + 2],
      [1, 10],
      [2, 7],
      [3, 20],
      [4, 3],
    ]);
  });
});

describe('toFlameGraphSvg', () => {
  it('is one well-formed SVG document with nothing to fetch or run', () => {
    const svg = toFlameGraphSvg(sampleProfile(), { title: 'shape <dry run>' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/<script|href=|url\(|@import|<foreignObject|<image|on[a-z]+=/i);
    expect(wellFormednessErrors(svg)).toEqual([]);
    expect(svg).toContain('>shape &lt;dry run&gt;</text>');
  });

  it('gives every frame a hover title with its name and fuel, escaped', () => {
    const svg = toFlameGraphSvg(sampleProfile());
    expect(svg.split('\n')[1]).toBe('<title>Fuel profile: 48 fuel</title>');
    const titles = [...svg.matchAll(/<g class="frame"><title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(titles).toEqual([
      '(root)\n48 fuel total (100.00%), 1 self, 1 call',
      'main\n47 fuel total (97.92%), 7 self, 1 call',
      'parse\n3 fuel total (6.25%), 3 self, 1 call',
      'parse\n17 fuel total (35.42%), 10 self, 1 call',
      'Vec&lt;u8&gt;::push &amp; grow\n7 fuel total (14.58%), 7 self, 1 call',
      'emit\n20 fuel total (41.67%), 20 self, 1 call',
    ]);
  });

  it('draws widths in proportion to total fuel, callees on top of their caller', () => {
    const svg = toFlameGraphSvg(sampleProfile(), { width: 500 });
    const rects = [...svg.matchAll(/<rect x="([\d.]+)" y="(\d+)" width="([\d.]+)"/g)].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
      width: Number(m[3]),
    }));
    // the background, then root, main, parse#4, parse, push, emit: 480 px for 48 fuel, siblings
    // in name order from the left (emit, parse, parse#4), 17 px a level, the deepest at the top
    expect(rects.slice(1)).toEqual([
      { x: 10, y: 95, width: 480 },
      { x: 10, y: 78, width: 470 },
      { x: 380, y: 61, width: 30 },
      { x: 210, y: 61, width: 170 },
      { x: 210, y: 44, width: 70 },
      { x: 10, y: 61, width: 200 },
    ]);
  });

  it('replaces characters XML cannot hold', () => {
    const r = new FuelRecorder(1);
    r.begin(10);
    r.enter(0, 10);
    const svg = toFlameGraphSvg(fuelProfile(r.finish(5), () => 'bad\u0001name\ud800'));
    expect(svg).toContain('bad\ufffdname\ufffd');
    expect(wellFormednessErrors(svg)).toEqual([]);
  });
});
