/**
 * Fuel profiles through the conformance API, on every fixture plugin this repository has: the
 * AssemblyScript rebuilds of the reference fixtures, each example plugin, and every module under
 * `test/fixtures/real-compilers` (rustc, clang, asc output). For each negotiated function the
 * profiled dispatch consumes exactly the fuel of the default one, its profile's total is that
 * fuel, and the numbers add up at every node.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dispatch, fixtures, PluginSession, plugin } from '../../src/conformance/index.js';
import type { FuelProfile, FuelProfileNode } from '../../src/engine/index.js';
import { compileWat } from '../../src/wat/compile.js';
import { withIdentity } from '../../src/wat/sections.js';
import { ShapeFn, wireFunction } from '../../src/wire/index.js';
import { type FixturePluginName, fixturePlugin } from '../support/fixture-plugins.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every node's total is its self fuel plus its callees' totals; functions' self adds up too. */
function checkArithmetic(profile: FuelProfile): void {
  const walk = (node: FuelProfileNode): void => {
    expect(node.total, node.name).toBe(node.self + node.children.reduce((sum, c) => sum + c.total, 0));
    node.children.forEach(walk);
  };
  walk(profile.root);
  expect(profile.root.total).toBe(profile.total);
  expect(profile.functions.reduce((sum, f) => sum + f.self, profile.root.self)).toBe(profile.total);
  for (const f of profile.functions) expect(f.total).toBeGreaterThanOrEqual(f.self);
}

async function examplePlugin(name: string): Promise<Uint8Array> {
  const { build } = (await import(join(ROOT, 'examples', name, 'build.mjs'))) as { build(): Promise<string> };
  return new Uint8Array(await readFile(await build()));
}

/** The shape example compiled with its function names (a debug build). */
async function namedShapeDialect(): Promise<Uint8Array> {
  const dir = join(ROOT, 'examples', 'shape-dialect');
  const identity = JSON.parse(await readFile(join(dir, 'identity.json'), 'utf8')) as object;
  const source = await readFile(join(dir, 'plugin.wat'), 'utf8');
  return withIdentity(compileWat(source, 'plugin.wat', { debugNames: true }), identity);
}

function realCompilerModules(): string[] {
  const dir = join(ROOT, 'test', 'fixtures', 'real-compilers');
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at)) {
      const path = join(at, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.wasm')) found.push(path);
    }
  };
  walk(dir);
  return found.sort();
}

const PLUGINS: [string, () => Promise<Uint8Array>][] = [
  ...(['shape', 'router', 'observe'] as FixturePluginName[]).map(
    (name) => [`fixture ${name}`, () => fixturePlugin(name)] as [string, () => Promise<Uint8Array>],
  ),
  ...['shape-dialect', 'router-filter', 'observe-hook', 'assemblyscript-signer'].map(
    (name) => [`example ${name}`, () => examplePlugin(name)] as [string, () => Promise<Uint8Array>],
  ),
  ...realCompilerModules().map(
    (path) =>
      [relative(ROOT, path), async () => new Uint8Array(await readFile(path))] as [
        string,
        () => Promise<Uint8Array>,
      ],
  ),
];

/** Plugins that require a capability are offered it (the observability hooks need one). */
const CAPABILITIES = ['observability:emit'];

describe('profile totals are exact on every fixture plugin', () => {
  it.each(PLUGINS)('%s', { timeout: 120_000 }, async (_label, load) => {
    const wasm = plugin(await load(), { capabilities: CAPABILITIES });
    const session = await PluginSession.create(wasm);
    const negotiated = Object.keys(session.negotiatedFunctions);
    await session.close();
    expect(negotiated.length).toBeGreaterThan(0);
    for (const name of negotiated) {
      const fn = wireFunction(name);
      if (fn === undefined) continue;
      const plain = await dispatch.run(wasm, fn);
      const profiled = await dispatch.run(wasm, fn, undefined, { profile: true });
      expect(profiled.kind, name).toBe(plain.kind);
      expect(profiled.fuelConsumed, name).toBe(plain.fuelConsumed);
      expect(plain.profile).toBeUndefined();
      const profile = profiled.profile as FuelProfile;
      expect(profile.total, name).toBe(profiled.fuelConsumed);
      expect(profile.functions.length).toBeGreaterThan(0);
      checkArithmetic(profile);
    }
  });
});

describe('per-call profile option', () => {
  it('session.dispatch records the profile on the outcome and on lastCall, only when asked', {
    timeout: 30_000,
  }, async () => {
    const wasm = await examplePlugin('shape-dialect');
    const session = await PluginSession.create(wasm);
    try {
      const plain = await session.dispatch(ShapeFn);
      expect(plain.profile).toBeUndefined();
      expect(session.lastCall?.profile).toBeUndefined();
      const profiled = await session.dispatch(ShapeFn, undefined, { profile: true });
      expect(profiled.kind).toBe('ok');
      expect(profiled.fuelConsumed).toBe(plain.fuelConsumed);
      expect(profiled.profile?.total).toBe(profiled.fuelConsumed);
      expect(session.lastCall?.profile).toBe(profiled.profile);
      // the session's own instance goes on as before
      const after = await session.dispatch(ShapeFn);
      expect([after.fuelConsumed, after.profile, session.lastCall?.profile]).toEqual([
        plain.fuelConsumed,
        undefined,
        undefined,
      ]);
    } finally {
      await session.close();
    }
  });

  it('a call that runs out of fuel falls back with its partial profile, totalling the budget', {
    timeout: 30_000,
  }, async () => {
    const example = plugin(await namedShapeDialect(), { fuel: 50_000 });
    const request = fixtures
      .shapeRequestBuilder()
      .bodyBase64(Buffer.from('x'.repeat(65_536)).toString('base64'))
      .build();
    const outcome = await dispatch.run(example, ShapeFn, request, { profile: true });
    expect(outcome).toMatchObject({
      kind: 'fallback',
      stage: 'plugin_call',
      error: 'plugin call failed: plugin ran out of fuel',
      fuelConsumed: 50_000,
    });
    expect(outcome.profile?.total).toBe(50_000);
    checkArithmetic(outcome.profile as FuelProfile);
    // the input is read byte by byte through the kernel: that is where 50 000 fuel goes
    expect(outcome.profile?.functions.map((f) => [f.name, f.self, f.total])).toEqual([
      ['read_input', 49_978, 49_998],
      ['ensure', 20, 20],
      ['func[39]', 2, 50_000],
    ]);
  });
});
