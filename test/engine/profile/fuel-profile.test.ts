/**
 * The recorder on event sequences worked out by hand: what the profiling instrumentation reports
 * (a function entered, the top function exiting, each with the remaining fuel) must add up to
 * exact self and total fuel per function and per call path, for recursion, traps and overruns
 * too. The instrumented guest's side is tested in profile-instrumentation.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  FOLDED_PATHS_NAME,
  type FuelProfile,
  type FuelProfileNode,
  FuelRecorder,
  fuelProfile,
  topSelfFuel,
} from '../../../src/engine/profile/fuel-profile.js';

const NAMES = ['main', 'f', 'g', 'h'];
const nameOf = (index: number) => NAMES[index] ?? `func[${index}]`;

/** The tree as nested [name, self, total, calls, children] rows, easy to read in a failure. */
function shape(node: FuelProfileNode): unknown {
  return [node.name, node.self, node.total, node.calls, node.children.map(shape)];
}

function fn(profile: FuelProfile, name: string) {
  return profile.functions.find((f) => f.name === name);
}

describe('FuelRecorder', () => {
  it('attributes the fuel between events to the frame on top', () => {
    const r = new FuelRecorder(4);
    r.begin(1000);
    r.enter(0, 1000); // main: 10 until f
    r.enter(1, 990); // f: 5 until g
    r.enter(2, 985); // g: 20
    r.exit(965); // back in f: 3 more
    r.exit(962); // back in main: 2, then the call returns
    r.exit(960);
    const profile = fuelProfile(r.finish(960), nameOf);
    expect(profile.total).toBe(40);
    expect(shape(profile.root)).toEqual([
      '(root)',
      0,
      40,
      1,
      [['main', 12, 40, 1, [['f', 8, 28, 1, [['g', 20, 20, 1, []]]]]]],
    ]);
    expect(profile.functions).toEqual([
      { name: 'g', index: 2, self: 20, total: 20, calls: 1 },
      { name: 'main', index: 0, self: 12, total: 40, calls: 1 },
      { name: 'f', index: 1, self: 8, total: 28, calls: 1 },
    ]);
  });

  it('merges repeated calls of one path and keeps callees in first-call order', () => {
    const r = new FuelRecorder(4);
    r.begin(100);
    r.enter(0, 100);
    for (let i = 0; i < 3; i++) {
      r.enter(2, 99 - i * 10); // g costs 4 each time
      r.exit(95 - i * 10);
      r.enter(1, 95 - i * 10); // f costs 6 each time
      r.exit(89 - i * 10);
    }
    const profile = fuelProfile(r.finish(69), nameOf);
    expect(shape(profile.root)).toEqual([
      '(root)',
      0,
      31,
      1,
      [
        [
          'main',
          1,
          31,
          1,
          [
            ['g', 12, 12, 3, []],
            ['f', 18, 18, 3, []],
          ],
        ],
      ],
    ]);
    expect(fn(profile, 'f')).toEqual({ name: 'f', index: 1, self: 18, total: 18, calls: 3 });
  });

  it('counts a recursive function once in its total, however deep', () => {
    // main → f → f → f, each f spending 5 before recursing and 1 after
    const r = new FuelRecorder(4);
    r.begin(100);
    r.enter(0, 100);
    r.enter(1, 98);
    r.enter(1, 93);
    r.enter(1, 88);
    r.exit(83); // the innermost f spent 5
    r.exit(82);
    r.exit(81);
    r.exit(80);
    const profile = fuelProfile(r.finish(80), nameOf);
    // f: 5+5+5 before, 1+1 after the inner calls returned = 17 self; active from 98 to 81
    expect(fn(profile, 'f')).toEqual({ name: 'f', index: 1, self: 17, total: 17, calls: 3 });
    expect(fn(profile, 'main')).toEqual({ name: 'main', index: 0, self: 3, total: 20, calls: 1 });
    // one node per depth: the tree is keyed by path
    expect(shape(profile.root)).toEqual([
      '(root)',
      0,
      20,
      1,
      [['main', 3, 20, 1, [['f', 6, 17, 1, [['f', 6, 11, 1, [['f', 5, 5, 1, []]]]]]]]],
    ]);
  });

  it('counts mutual recursion once per function', () => {
    // main → f → g → f → g
    const r = new FuelRecorder(4);
    r.begin(100);
    r.enter(0, 100);
    r.enter(1, 100);
    r.enter(2, 90);
    r.enter(1, 80);
    r.enter(2, 70);
    r.exit(60); // inner g
    r.exit(60); // inner f
    r.exit(55);
    r.exit(50);
    r.exit(50);
    const profile = fuelProfile(r.finish(50), nameOf);
    // f: 10 (outer, before g) + 10 (inner, before g) + 5 (outer, after g returned); active 100 → 50
    expect(fn(profile, 'f')).toEqual({ name: 'f', index: 1, self: 25, total: 50, calls: 2 });
    // g: 10 + 10 + 5 (outer g after the inner f returned); active 90 → 55
    expect(fn(profile, 'g')).toEqual({ name: 'g', index: 2, self: 25, total: 35, calls: 2 });
    expect(profile.total).toBe(50);
  });

  it('keeps the partial profile of a call that trapped with frames open', () => {
    const r = new FuelRecorder(4);
    r.begin(100);
    r.enter(0, 100);
    r.enter(1, 95);
    r.enter(2, 90);
    const profile = fuelProfile(r.finish(70), nameOf); // trapped in g
    expect(profile.total).toBe(30);
    expect(shape(profile.root)).toEqual([
      '(root)',
      0,
      30,
      1,
      [['main', 5, 30, 1, [['f', 5, 25, 1, [['g', 20, 20, 1, []]]]]]],
    ]);
  });

  it('clamps an overrun below zero, so an out-of-fuel call totals exactly its budget', () => {
    const r = new FuelRecorder(4);
    r.begin(50);
    r.enter(0, 50);
    r.enter(1, 10);
    r.enter(2, -3); // the call into g overran; g's entry check traps
    const profile = fuelProfile(r.finish(-4), nameOf);
    expect(profile.total).toBe(50);
    expect(profile.functions.map((f) => [f.name, f.self, f.total])).toEqual([
      ['main', 40, 50],
      ['f', 10, 10],
      ['g', 0, 0],
    ]);
  });

  it('lets a tail call replace the frame: the callee becomes its caller`s sibling', () => {
    // main → f, f tail-calls g
    const r = new FuelRecorder(4);
    r.begin(100);
    r.enter(0, 100);
    r.enter(1, 99);
    r.exit(90); // f's exit hook runs before its return_call
    r.enter(2, 90);
    r.exit(80); // g returns to main
    r.exit(80);
    const profile = fuelProfile(r.finish(80), nameOf);
    expect(shape(profile.root)).toEqual([
      '(root)',
      0,
      20,
      1,
      [
        [
          'main',
          1,
          20,
          1,
          [
            ['f', 9, 9, 1, []],
            ['g', 10, 10, 1, []],
          ],
        ],
      ],
    ]);
  });

  it('charges fuel spent outside every function to the root', () => {
    const r = new FuelRecorder(4);
    r.begin(100);
    const profile = fuelProfile(r.finish(85), nameOf);
    expect(profile).toEqual({
      total: 15,
      functions: [],
      root: { name: '(root)', index: -1, self: 15, total: 15, calls: 1, children: [] },
    });
  });

  it('folds call paths past the bound into one node per parent, totals still exact', () => {
    // a binary recursion: main → (f|g) → (f|g) → … makes a new path at every call
    const r = new FuelRecorder(4, { maxPaths: 8 });
    r.begin(1_000_000);
    let fuel = 1_000_000;
    r.enter(0, fuel);
    const descend = (depth: number): void => {
      if (depth === 0) return;
      for (const callee of [1, 2]) {
        r.enter(callee, fuel);
        fuel -= 3;
        descend(depth - 1);
        fuel -= 1;
        r.exit(fuel);
      }
    };
    descend(6);
    const profile = fuelProfile(r.finish(fuel), nameOf);
    const calls = 2 + 4 + 8 + 16 + 32 + 64;
    expect(profile.total).toBe(calls * 4);
    expect(fn(profile, 'f')?.calls).toBe(calls / 2);
    expect(fn(profile, 'f')?.self).toBe((calls / 2) * 4);
    // every node's total is its self plus its children's totals, folded nodes included
    const nodes: FuelProfileNode[] = [];
    const walk = (node: FuelProfileNode): void => {
      nodes.push(node);
      expect(node.total).toBe(node.self + node.children.reduce((sum, c) => sum + c.total, 0));
      node.children.forEach(walk);
    };
    walk(profile.root);
    expect(nodes.some((n) => n.name === FOLDED_PATHS_NAME)).toBe(true);
    expect(nodes.filter((n) => n.name !== FOLDED_PATHS_NAME).length).toBe(8);
  });

  it('starts every call afresh', () => {
    const r = new FuelRecorder(4);
    r.begin(100);
    r.enter(3, 100);
    r.finish(40);
    r.begin(10);
    r.enter(1, 10);
    const profile = fuelProfile(r.finish(7), nameOf);
    expect(profile.functions).toEqual([{ name: 'f', index: 1, self: 3, total: 3, calls: 1 }]);
  });

  it('refuses a function index outside the module', () => {
    const r = new FuelRecorder(4);
    r.begin(10);
    expect(() => r.enter(4, 10)).toThrow(new RangeError('no function 4 in this module'));
  });
});

describe('fuelProfile', () => {
  it('sorts functions by self fuel, ties by index, and names unnamed ones func[N]', () => {
    const r = new FuelRecorder(6);
    r.begin(100);
    r.enter(0, 100);
    r.enter(5, 100);
    r.exit(90);
    r.enter(4, 90);
    r.exit(80);
    const profile = fuelProfile(r.finish(80), nameOf);
    expect(profile.functions.map((f) => [f.name, f.self])).toEqual([
      ['func[4]', 10],
      ['func[5]', 10],
      ['main', 0],
    ]);
  });

  it('lists the five functions with the most self fuel for an out-of-fuel message', () => {
    const r = new FuelRecorder(8);
    r.begin(100_000);
    r.enter(0, 100_000);
    let fuel = 100_000;
    for (let i = 1; i < 8; i++) {
      r.enter(i, fuel);
      fuel -= i * 1000 - 1;
      r.exit(fuel);
    }
    const lines = topSelfFuel(fuelProfile(r.finish(fuel), nameOf));
    expect(lines).toEqual([
      'func[7]: 6,999 self, 6,999 total, 1 call',
      'func[6]: 5,999 self, 5,999 total, 1 call',
      'func[5]: 4,999 self, 4,999 total, 1 call',
      'func[4]: 3,999 self, 3,999 total, 1 call',
      'h: 2,999 self, 2,999 total, 1 call',
    ]);
  });
});
