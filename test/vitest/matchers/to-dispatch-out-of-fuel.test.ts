/**
 * `toDispatch` on a call that runs out of fuel: the failure says where the fuel went — the five
 * functions with the most self fuel, from a profiled replay on a fresh instance — and a passing
 * verdict (`.fallback()`, `.not`) costs no replay.
 */
import '../../../src/vitest/setup.js';
import { describe, expect, test } from 'vitest';
import { PluginSession, plugin } from '../../../src/conformance/index.js';
import { outOfFuelHintText, ranOutOfFuel } from '../../../src/conformance/out-of-fuel.js';
import { FuelRecorder, fuelProfile } from '../../../src/engine/profile/fuel-profile.js';
import { body, spin } from '../../../src/wat/index.js';
import { ShapeFn } from '../../../src/wire/index.js';
import { uncoloured } from '../../support/uncoloured.js';
import { shapePlugin } from '../../support/vitest-plugins.js';

/** `shape` calls a loop that never ends: all but a few units of fuel are the loop's. */
const spinning = plugin(shapePlugin({ exports: { shape: spin() } }), { fuel: 100_000 });

describe('toDispatch on a call that runs out of fuel', () => {
  test('lists the functions with the most self fuel', async () => {
    await expect(
      uncoloured(expect(spinning).toDispatch(ShapeFn)),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: expect(received).toDispatch(ShapeFn)

      Expected shape to return Ok, but it fell back

      Policy: FailRequest
      Stage:  plugin_call
      Error:  PluginCall: plugin call failed: plugin ran out of fuel
      Fuel used: <n> of 100000

      Most self fuel (a profiled replay of the call on a fresh instance):
        1. func[7]: 100,000 self, 100,000 total, 1 call]
    `);
  });

  test('does so for a session too', async () => {
    const session = await PluginSession.create(spinning);
    try {
      await expect(uncoloured(expect(session).toDispatch(ShapeFn).ok())).rejects.toThrow(
        /Most self fuel \(a profiled replay of the call on a fresh instance\):\n {2}1\. func\[\d+\]: /,
      );
    } finally {
      await session.close();
    }
  });

  test('a verdict that passes needs no replay', async () => {
    await expect(spinning).toDispatch(ShapeFn).fallback('FailRequest', { stage: 'plugin_call' });
    await expect(spinning).not.toDispatch(ShapeFn);
  });

  test('other fallbacks get no hint', async () => {
    const failing = shapePlugin({ exports: { shape: body('i32.const 3') } });
    await expect(uncoloured(expect(failing).toDispatch(ShapeFn))).rejects.toThrow(
      /^(?![\s\S]*Most self fuel)[\s\S]*Returned non-zero exit code: 3/,
    );
  });
});

describe('the hint', () => {
  test('names at most five functions, numbered, most self fuel first', () => {
    const r = new FuelRecorder(7);
    r.begin(1_000_000);
    let fuel = 1_000_000;
    r.enter(0, fuel);
    for (let i = 1; i < 7; i++) {
      r.enter(i, fuel);
      fuel -= i * 10_000;
      r.exit(fuel);
    }
    const text = outOfFuelHintText(fuelProfile(r.finish(fuel), (i) => `f${i}`));
    expect(text).toBe(
      [
        'Most self fuel (a profiled replay of the call on a fresh instance):',
        '  1. f6: 60,000 self, 60,000 total, 1 call',
        '  2. f5: 50,000 self, 50,000 total, 1 call',
        '  3. f4: 40,000 self, 40,000 total, 1 call',
        '  4. f3: 30,000 self, 30,000 total, 1 call',
        '  5. f2: 20,000 self, 20,000 total, 1 call',
      ].join('\n'),
    );
  });

  test('is for out-of-fuel fallbacks only', () => {
    const base = {
      kind: 'fallback',
      policy: 'FailRequest',
      stage: 'plugin_call',
      errorKind: 'PluginCall',
    } as const;
    const at = (error: string) => ({ ...base, error, fuelConsumed: 1, durationMs: 0, logs: [] });
    expect(ranOutOfFuel(at('plugin call failed: plugin ran out of fuel'))).toBe(true);
    expect(ranOutOfFuel(at('plugin call failed: timeout'))).toBe(false);
  });
});
