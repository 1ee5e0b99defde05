import { describe, expect, it } from 'vitest';
import { decodeWire } from '../../src/wire/decode.js';
import { WireDecodeError } from '../../src/wire/decode-error.js';
import { encodeWire } from '../../src/wire/encode.js';
import { SelfCheckValidationError } from '../../src/wire/errors.js';
import {
  SelfCheckFailure,
  SelfCheckRequest,
  SelfCheckResponse,
  SelfCheckStage,
  SelfCheckStatus,
  validateSelfCheckRequest,
  validateSelfCheckResponse,
} from '../../src/wire/self-check.js';

function thrown(run: () => void): SelfCheckValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SelfCheckValidationError);
    return error as SelfCheckValidationError;
  }
  throw new Error('expected a SelfCheckValidationError');
}

describe('self-check JSON (REFERENCE-CASES §1.5)', () => {
  it('W-49 the 4 stages and 2 statuses round-trip as their snake_case strings', () => {
    const stages: SelfCheckStage[] = [
      'request_preparation',
      'wire_function_test',
      'capability_verification',
      'response_validation',
    ];
    for (const stage of stages) {
      expect(encodeWire(SelfCheckStage, stage)).toBe(`"${stage}"`);
      expect(decodeWire(SelfCheckStage, `"${stage}"`)).toBe(stage);
    }
    for (const status of ['success', 'failure'] as SelfCheckStatus[]) {
      expect(encodeWire(SelfCheckStatus, status)).toBe(`"${status}"`);
      expect(decodeWire(SelfCheckStatus, `"${status}"`)).toBe(status);
    }
    expect(() => decodeWire(SelfCheckStatus, '"Success"')).toThrow(WireDecodeError);
  });

  it('W-50 a SelfCheckFailure round-trips', () => {
    const failure: SelfCheckFailure = { stage: 'wire_function_test', message: 'request serialize failed' };
    const text = encodeWire(SelfCheckFailure, failure);
    expect(text).toBe('{"stage":"wire_function_test","message":"request serialize failed"}');
    expect(decodeWire(SelfCheckFailure, text)).toEqual(failure);
  });

  it('W-51 a failure, a request and a response with one extra key are decode errors', () => {
    expect(() =>
      decodeWire(SelfCheckFailure, '{"stage":"wire_function_test","message":"m","extra":1}'),
    ).toThrow(WireDecodeError);
    expect(() =>
      decodeWire(SelfCheckRequest, '{"functions_to_test":["route"],"initiated_at":1000,"extra":1}'),
    ).toThrow(WireDecodeError);
    expect(() =>
      decodeWire(SelfCheckResponse, '{"status":"success","failures":[],"completed_at":2000,"extra":1}'),
    ).toThrow(WireDecodeError);
  });

  it('the reference examples round-trip in their exact text', () => {
    const request = '{"functions_to_test":["route","observe"],"initiated_at":1000}';
    const response = '{"status":"success","failures":[],"completed_at":2000}';
    expect(encodeWire(SelfCheckRequest, decodeWire(SelfCheckRequest, request))).toBe(request);
    expect(encodeWire(SelfCheckResponse, decodeWire(SelfCheckResponse, response))).toBe(response);
  });
});

describe('validateSelfCheckRequest (REFERENCE-CASES §1.5)', () => {
  it('W-52 names are not checked: route and observe at 1000 are valid', () => {
    expect(() =>
      validateSelfCheckRequest({ functions_to_test: ['route', 'observe'], initiated_at: 1000 }),
    ).not.toThrow();
  });

  it('W-53 EmptyRequest for an empty list', () => {
    const error = thrown(() => validateSelfCheckRequest({ functions_to_test: [], initiated_at: 1000 }));
    expect(error).toMatchObject({
      kind: 'EmptyRequest',
      message: 'self-check request is empty (no functions to test)',
    });
    expect(error.name).toBe('SelfCheckValidationError');
  });

  it('W-54 TooManyFunctions for func_0 … func_16 (17 names); 16 are fine', () => {
    const names = Array.from({ length: 17 }, (_, i) => `func_${i}`);
    expect(
      thrown(() => validateSelfCheckRequest({ functions_to_test: names, initiated_at: 1000 })),
    ).toMatchObject({
      kind: 'TooManyFunctions',
      message: 'self-check function list exceeds maximum of 16',
    });
    expect(() =>
      validateSelfCheckRequest({ functions_to_test: names.slice(0, 16), initiated_at: 1000 }),
    ).not.toThrow();
  });

  it('W-55 InvalidTimestamp("initiated_at must be positive") for 0 and for -100', () => {
    for (const initiatedAt of [0, -100, -9223372036854775808n]) {
      expect(
        thrown(() => validateSelfCheckRequest({ functions_to_test: ['shape'], initiated_at: initiatedAt })),
      ).toMatchObject({
        kind: 'InvalidTimestamp',
        reason: 'initiated_at must be positive',
        message: 'invalid timestamp: initiated_at must be positive',
      });
    }
    expect(() =>
      validateSelfCheckRequest({ functions_to_test: ['shape'], initiated_at: 9223372036854775807n }),
    ).not.toThrow();
  });

  it('checks emptiness, then the count, then the timestamp', () => {
    expect(thrown(() => validateSelfCheckRequest({ functions_to_test: [], initiated_at: 0 })).kind).toBe(
      'EmptyRequest',
    );
    const names = Array.from({ length: 20 }, (_, i) => `f${i}`);
    expect(thrown(() => validateSelfCheckRequest({ functions_to_test: names, initiated_at: 0 })).kind).toBe(
      'TooManyFunctions',
    );
  });
});

describe('validateSelfCheckResponse (REFERENCE-CASES §1.5)', () => {
  it('W-56 success with no failures at 2000 is valid', () => {
    expect(() =>
      validateSelfCheckResponse({ status: 'success', failures: [], completed_at: 2000 }),
    ).not.toThrow();
  });

  it('W-57 failure with one failure is valid: the wire crate does not check consistency', () => {
    expect(() =>
      validateSelfCheckResponse({
        status: 'failure',
        failures: [{ stage: 'wire_function_test', message: 'shape failed' }],
        completed_at: 2000,
      }),
    ).not.toThrow();
    expect(() =>
      validateSelfCheckResponse({
        status: 'success',
        failures: [{ stage: 'request_preparation', message: 'x' }],
        completed_at: 1,
      }),
    ).not.toThrow();
  });

  it('W-58 InvalidTimestamp("completed_at must be positive") for 0', () => {
    expect(
      thrown(() => validateSelfCheckResponse({ status: 'success', failures: [], completed_at: 0 })),
    ).toMatchObject({
      kind: 'InvalidTimestamp',
      reason: 'completed_at must be positive',
      message: 'invalid timestamp: completed_at must be positive',
    });
  });

  it('TooManyFunctions for 17 failures, after the timestamp check', () => {
    const failures = Array.from({ length: 17 }, (_, i) => ({
      stage: 'wire_function_test' as const,
      message: `f${i}`,
    }));
    expect(
      thrown(() => validateSelfCheckResponse({ status: 'failure', failures, completed_at: 5 })),
    ).toMatchObject({
      kind: 'TooManyFunctions',
    });
    expect(
      thrown(() => validateSelfCheckResponse({ status: 'failure', failures, completed_at: -1 })).kind,
    ).toBe('InvalidTimestamp');
    expect(() =>
      validateSelfCheckResponse({ status: 'failure', failures: failures.slice(0, 16), completed_at: 5 }),
    ).not.toThrow();
  });
});

describe('SelfCheckValidationError', () => {
  it('SerializationFailed carries its reason in the message (not produced by the validators)', () => {
    const error = new SelfCheckValidationError({ kind: 'SerializationFailed', reason: 'boom' });
    expect(error).toMatchObject({
      kind: 'SerializationFailed',
      reason: 'boom',
      message: 'self-check response serialization failed: boom',
    });
    expect(Object.keys(new SelfCheckValidationError({ kind: 'EmptyRequest' }))).not.toContain('reason');
  });
});
