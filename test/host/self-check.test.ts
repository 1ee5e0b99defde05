import { describe, expect, it } from 'vitest';
import {
  executeSelfCheck,
  SelfCheckExecutionError,
  type SelfCheckOptions,
} from '../../src/host/self-check.js';
import { selfCheckJson } from '../../src/wat/json-builders.js';
import { type ExportBehaviour, output, pluginModule, returnCode, spin } from '../../src/wat/plugin-module.js';
import { SelfCheckValidationError } from '../../src/wire/errors.js';
import { fixturePlugin } from '../support/fixture-plugins.js';
import { expectInput } from '../support/input-check-guest.js';

/** the first use compiles the AssemblyScript fixtures (cached afterwards) */
const FIXTURE_COMPILE_MS = 120_000;

/** REFERENCE-CASES.md §0.4 self-check module: `cc_lb_self_check` answers with the given output */
function selfCheckModule(answer: ExportBehaviour | string, userHostImport = false): Uint8Array {
  const behaviour = typeof answer === 'string' ? output(answer) : answer;
  return pluginModule({ exports: { cc_lb_self_check: behaviour }, userHostImport });
}

const AT_1_800_000_000 = { now: () => 1_800_000_000 } satisfies SelfCheckOptions;

async function selfCheckError(wasm: Uint8Array, options: SelfCheckOptions = AT_1_800_000_000) {
  try {
    await executeSelfCheck(wasm, options);
  } catch (error) {
    expect(error).toBeInstanceOf(SelfCheckExecutionError);
    return error as SelfCheckExecutionError;
  }
  throw new Error('executeSelfCheck unexpectedly succeeded');
}

describe('executeSelfCheck: reference cases', () => {
  it('S-01 success with no failures is accepted', async () => {
    const { response, fuelConsumed } = await executeSelfCheck(
      selfCheckModule('{"status":"success","failures":[],"completed_at":1}'),
      AT_1_800_000_000,
    );
    expect(response).toEqual({ status: 'success', failures: [], completed_at: 1 });
    expect(fuelConsumed).toBeGreaterThan(0);
  });

  it('S-02 a failure status with its failures is rejected', async () => {
    const error = await selfCheckError(
      selfCheckModule(
        '{"status":"failure","failures":[{"stage":"wire_function_test","message":"bad wire shape"}],"completed_at":1}',
      ),
    );
    expect(error.kind).toBe('FailureStatus');
    expect(error.failures).toBe(1);
    expect(error.message).toBe('self-check reported failure status with 1 failure(s)');
  });

  it('S-03 a module without cc_lb_self_check', async () => {
    const error = await selfCheckError(pluginModule({ exports: { shape: returnCode(0) } }));
    expect(error.kind).toBe('MissingSelfCheckExport');
    expect(error.message).toBe('plugin does not export cc_lb_self_check');
  });

  it('S-04 a module importing an unregistered host function', async () => {
    const error = await selfCheckError(selfCheckModule(selfCheckJson(), true));
    expect(['Instantiate', 'Call']).toContain(error.kind);
    expect(error.reason).toMatch(/cc_lb_log/);
    expect(error.message).toBe(
      `${error.kind === 'Instantiate' ? 'self-check plugin instantiation failed' : 'self-check call failed'}: ${error.reason}`,
    );
  });

  it('S-05 8 193 bytes of output are too large', async () => {
    const error = await selfCheckError(selfCheckModule('x'.repeat(8_193)));
    expect(error.kind).toBe('OutputTooLarge');
    expect(error).toMatchObject({ bytes: 8_193, max: 8_192 });
    expect(error.message).toBe('self-check output size 8193 exceeds maximum 8192');
  });

  it('S-06 success that lists failures', async () => {
    const error = await selfCheckError(
      selfCheckModule(
        '{"status":"success","failures":[{"stage":"wire_function_test","message":"bad"}],"completed_at":1}',
      ),
    );
    expect(error.kind).toBe('SuccessWithFailures');
    expect(error.count).toBe(1);
    expect(error.message).toBe('self-check success response included 1 failure(s)');
  });

  it('S-07 failure without failures', async () => {
    const error = await selfCheckError(
      selfCheckModule('{"status":"failure","failures":[],"completed_at":1}'),
    );
    expect(error.kind).toBe('FailureWithoutFailures');
    expect(error.message).toBe('self-check failure response did not include failures');
  });

  it('S-08 completed_at 0 fails response validation', async () => {
    const error = await selfCheckError(
      selfCheckModule('{"status":"success","failures":[],"completed_at":0}'),
    );
    expect(error.kind).toBe('Validation');
    expect(error.message).toBe(
      'self-check validation failed: invalid timestamp: completed_at must be positive',
    );
    expect(error.cause).toBeInstanceOf(SelfCheckValidationError);
    expect(error.cause).toMatchObject({ kind: 'InvalidTimestamp', reason: 'completed_at must be positive' });
  });
});

describe('executeSelfCheck: derived cases', () => {
  it('X-12 an unknown key in the response', async () => {
    const text = '{"status":"success","failures":[],"completed_at":1,"extra":1}';
    const error = await selfCheckError(selfCheckModule(text));
    expect(error.kind).toBe('DecodeResponse');
    expect(error.reason).toBe(
      'unknown field `extra`, expected one of `status`, `failures`, `completed_at` at line 1 column 58',
    );
    expect(error.message).toBe(`self-check response decode failed: ${error.reason}`);
    expect(error.output).toEqual({
      length: text.length,
      head: text.replaceAll('"', '\\"'),
      truncated: false,
    });
    const execution = await executeSelfCheck(selfCheckModule(selfCheckJson()), AT_1_800_000_000);
    expect(Object.keys(execution)).toEqual(['response', 'fuelConsumed']);
  });

  it('X-13 a guest that loops forever is a Call failure: no timeout classification here', async () => {
    const error = await selfCheckError(selfCheckModule(spin()), { ...AT_1_800_000_000, fuel: 100_000 });
    expect(error.kind).toBe('Call');
    expect(error.reason).toBe('plugin ran out of fuel');
    expect(error.message).toBe('self-check call failed: plugin ran out of fuel');
  });
});

describe('executeSelfCheck: real plugins', () => {
  it.each(['shape', 'router', 'observe'] as const)(
    'the %s fixture passes its self-check',
    async (name) => {
      const { response } = await executeSelfCheck(await fixturePlugin(name), AT_1_800_000_000);
      expect(response.status).toBe('success');
      expect(response.failures).toEqual([]);
    },
    FIXTURE_COMPILE_MS,
  );
});

describe('executeSelfCheck: budgets', () => {
  it('with the default budget (SELF_CHECK_FUEL) a spinning guest is stopped too', async () => {
    const error = await selfCheckError(selfCheckModule(spin()));
    expect(error.message).toBe('self-check call failed: plugin ran out of fuel');
  });
});

describe('executeSelfCheck: the 0.1.0 request and the flow around it', () => {
  it('sends all seven wire functions in list order, initiated_at from the clock', async () => {
    const request =
      '{"functions_to_test":["shape","normalize_error","build_signer","sign","on_unauthorized","observe","filter"],"initiated_at":1800000000}';
    const { response } = await executeSelfCheck(
      selfCheckModule(expectInput(request, selfCheckJson())),
      AT_1_800_000_000,
    );
    expect(response.status).toBe('success');
  });

  it('functionsToTest overrides the list', async () => {
    const request = '{"functions_to_test":["filter","shape"],"initiated_at":1800000000}';
    const wasm = selfCheckModule(expectInput(request, selfCheckJson()));
    await expect(
      executeSelfCheck(wasm, { ...AT_1_800_000_000, functionsToTest: ['filter', 'shape'] }),
    ).resolves.toMatchObject({
      response: { status: 'success' },
    });
  });

  it('fractional clock seconds are truncated, as Duration::as_secs does', async () => {
    const request = '{"functions_to_test":["observe"],"initiated_at":1800000000}';
    const wasm = selfCheckModule(expectInput(request, selfCheckJson()));
    const { response } = await executeSelfCheck(wasm, {
      now: () => 1_800_000_000.999,
      functionsToTest: ['observe'],
    });
    expect(response.completed_at).toBe(1);
  });

  it('an explicit empty list fails request validation (EmptyRequest)', async () => {
    const error = await selfCheckError(selfCheckModule(selfCheckJson()), {
      ...AT_1_800_000_000,
      functionsToTest: [],
    });
    expect(error.kind).toBe('Validation');
    expect(error.cause).toMatchObject({ kind: 'EmptyRequest' });
    expect(error.message).toBe(
      'self-check validation failed: self-check request is empty (no functions to test)',
    );
  });

  it('more than 16 functions fail validation (TooManyFunctions)', async () => {
    const error = await selfCheckError(selfCheckModule(selfCheckJson()), {
      ...AT_1_800_000_000,
      functionsToTest: Array.from({ length: 17 }, () => 'shape'),
    });
    expect(error.message).toBe(
      'self-check validation failed: self-check function list exceeds maximum of 16',
    );
  });

  it('a clock at the epoch gives initiated_at 0, which fails validation', async () => {
    const error = await selfCheckError(selfCheckModule(selfCheckJson()), { now: () => 0 });
    expect(error.message).toBe(
      'self-check validation failed: invalid timestamp: initiated_at must be positive',
    );
  });

  it('a clock before the epoch is a Clock error with the SystemTimeError text', async () => {
    const error = await selfCheckError(selfCheckModule(selfCheckJson()), { now: () => -1 });
    expect(error.kind).toBe('Clock');
    expect(error.message).toBe(
      'self-check timestamp generation failed: second time provided was later than self',
    );
  });

  it('a clock beyond i64 is a Clock error with the TryFromIntError text', async () => {
    const error = await selfCheckError(selfCheckModule(selfCheckJson()), { now: () => 2 ** 63 });
    expect(error.message).toBe(
      'self-check timestamp generation failed: out of range integral type conversion attempted',
    );
  });

  it('a module that does not build', async () => {
    const error = await selfCheckError(new Uint8Array(16));
    expect(error.kind).toBe('Instantiate');
    expect(error.message).toBe(`self-check plugin instantiation failed: ${error.reason}`);
  });

  it('output that is not UTF-8 is a Call failure with the Rust Utf8Error text', async () => {
    const error = await selfCheckError(selfCheckModule(output(new Uint8Array([0xc3, 0x28]))));
    expect(error.kind).toBe('Call');
    expect(error.message).toBe('self-check call failed: invalid utf-8 sequence of 1 bytes from index 0');
  });

  it('exactly 8 192 bytes reach the decoder', async () => {
    const error = await selfCheckError(selfCheckModule(' '.repeat(8_192)));
    expect(error.kind).toBe('DecodeResponse');
    expect(error.message).toBe(
      'self-check response decode failed: EOF while parsing a value at line 1 column 8192',
    );
  });

  it('more than 16 failures fail validation before the status check', async () => {
    const failures = Array.from({ length: 17 }, () => ({ stage: 'wire_function_test', message: 'x' }));
    const error = await selfCheckError(selfCheckModule(selfCheckJson({ status: 'failure', failures })));
    expect(error.message).toBe(
      'self-check validation failed: self-check function list exceeds maximum of 16',
    );
  });

  it('completed_at is never compared with initiated_at', async () => {
    const { response } = await executeSelfCheck(
      selfCheckModule(selfCheckJson({ completed_at: 5 })),
      AT_1_800_000_000,
    );
    expect(response.completed_at).toBe(5);
  });
});
