import { beforeAll, describe, expect, it } from 'vitest';
import { SelfCheckError } from '../../src/conformance/errors.js';
import { plugin } from '../../src/conformance/plugin-under-test.js';
import { selfCheck } from '../../src/conformance/self-check.js';
import { SelfCheckExecutionError } from '../../src/host/index.js';
import { fail, output, selfCheckJson, spin, trap } from '../../src/wat/index.js';
import { fixturePlugin } from '../support/fixture-plugins.js';
import { type GuestSpec, guestModule } from '../support/guest-modules.js';

// Compiling a fixture from its AssemblyScript source can take seconds on a cold cache.
beforeAll(async () => {
  await Promise.all([fixturePlugin('shape')]);
}, 120_000);

async function selfCheckError(
  wasm: Parameters<typeof selfCheck.run>[0],
  options?: Parameters<typeof selfCheck.run>[1],
): Promise<SelfCheckError> {
  const error = await selfCheck.run(wasm, options).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SelfCheckError);
  expect((error as SelfCheckError).cause).toBeInstanceOf(SelfCheckExecutionError);
  return error as SelfCheckError;
}

const withSelfCheck = (behaviour: GuestSpec['selfCheck']) => guestModule({ selfCheck: behaviour });

describe('selfCheck.run', () => {
  it('T-02: the shape fixture passes (0.1.0: all seven functions requested)', async () => {
    const report = await selfCheck.run(await fixturePlugin('shape'));
    expect(report).toEqual({ status: 'Success', failures: [], fuelConsumed: expect.any(Number) });
  });

  it('S-01: a success response with no failures', async () => {
    expect(await selfCheck.run(guestModule())).toEqual({
      status: 'Success',
      failures: [],
      fuelConsumed: expect.any(Number),
    });
  });

  it('an explicit function list is passed on; an empty one fails validation (EmptyRequest)', async () => {
    expect((await selfCheck.run(guestModule(), { functionsToTest: ['shape'] })).status).toBe('Success');
    const error = await selfCheckError(guestModule(), { functionsToTest: [] });
    expect(error).toMatchObject({
      kind: 'Output',
      reason: 'self-check validation failed: self-check request is empty (no functions to test)',
    });
  });

  it('Instantiate → Instantiate with the inner reason', async () => {
    const error = await selfCheckError(guestModule({ userHostImport: true }));
    const host = error.cause as SelfCheckExecutionError;
    expect(host.kind).toBe('Instantiate');
    expect(error).toMatchObject({ kind: 'Instantiate', reason: host.reason });
    expect(error.message).toBe(`plugin instantiation failed: ${host.reason}`);
  });

  it('S-03: MissingSelfCheckExport → MissingExport', async () => {
    const error = await selfCheckError(guestModule({ selfCheck: false }));
    expect(error.kind).toBe('MissingExport');
    expect(error.message).toBe('plugin does not export cc_lb_self_check');
  });

  it('S-02: FailureStatus → FailureStatus', async () => {
    const error = await selfCheckError(
      withSelfCheck(
        output(
          selfCheckJson({
            status: 'failure',
            failures: [{ stage: 'wire_function_test', message: 'bad wire shape' }],
          }),
        ),
      ),
    );
    expect(error.kind).toBe('FailureStatus');
    expect(error.message).toBe('self-check reported failure status');
    expect((error.cause as SelfCheckExecutionError).message).toBe(
      'self-check reported failure status with 1 failure(s)',
    );
  });

  it.each([
    ['S-05 OutputTooLarge', output('x'.repeat(8193)), 'self-check output size 8193 exceeds maximum 8192'],
    [
      'S-06 SuccessWithFailures',
      output(selfCheckJson({ failures: [{ stage: 'wire_function_test', message: 'bad' }] })),
      'self-check success response included 1 failure(s)',
    ],
    [
      'S-07 FailureWithoutFailures',
      output(selfCheckJson({ status: 'failure' })),
      'self-check failure response did not include failures',
    ],
    [
      'S-08 Validation',
      output(selfCheckJson({ completed_at: 0 })),
      'self-check validation failed: invalid timestamp: completed_at must be positive',
    ],
    [
      'X-12 DecodeResponse',
      output(selfCheckJson({ extra: 1 })),
      'self-check response decode failed: unknown field `extra`, expected one of `status`, `failures`, `completed_at` at line 1 column 58',
    ],
  ])('%s → Output with the whole host message', async (_, behaviour, reason) => {
    const error = await selfCheckError(withSelfCheck(behaviour));
    expect(error).toMatchObject({ kind: 'Output', reason });
    expect(error.message).toBe(`self-check output invalid: ${reason}`);
  });

  it('Call → WasmTrap with the inner reason', async () => {
    const error = await selfCheckError(withSelfCheck(fail('self-check exploded')));
    expect(error).toMatchObject({ kind: 'WasmTrap', reason: 'self-check exploded' });
    expect(error.message).toBe('wasm execution failed: self-check exploded');
    const trapped = await selfCheckError(withSelfCheck(trap()));
    expect(trapped.kind).toBe('WasmTrap');
    expect(trapped).toMatchObject({ reason: (trapped.cause as SelfCheckExecutionError).reason });
  });

  it('X-13: a self-check that loops forever → Call (no timeout classification) → WasmTrap', async () => {
    const error = await selfCheckError(withSelfCheck(spin()));
    expect((error.cause as SelfCheckExecutionError).kind).toBe('Call');
    expect(error).toMatchObject({ kind: 'WasmTrap', reason: 'plugin ran out of fuel' });
    expect(error.message).toBe('wasm execution failed: plugin ran out of fuel');
  });

  it('the descriptor fuel limit reaches the self-check call', async () => {
    const error = await selfCheckError(plugin(await fixturePlugin('shape'), { fuel: 500 }));
    expect(error).toMatchObject({ kind: 'WasmTrap', reason: 'plugin ran out of fuel' });
  });
});
