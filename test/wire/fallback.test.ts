import { describe, expect, it } from 'vitest';
import { decodeWire } from '../../src/wire/decode.js';
import { WireDecodeError } from '../../src/wire/decode-error.js';
import { encodeWire } from '../../src/wire/encode.js';
import {
  FALLBACK_POLICIES,
  type FallbackPolicy,
  FallbackPolicyWire,
  fallbackPolicyFromWire,
  fallbackPolicyToWire,
} from '../../src/wire/fallback.js';

describe('FallbackPolicy (REFERENCE-CASES §1.6)', () => {
  const pairs: [FallbackPolicy, string][] = [
    ['FailRequest', 'fail_request'],
    ['SilentSkip', 'silent_skip'],
    ['UseDefault', 'use_default'],
    ['PassThrough', 'pass_through'],
  ];

  it('W-60 each policy converts to its snake_case JSON name and back, and round-trips as JSON', () => {
    expect(FALLBACK_POLICIES).toEqual(pairs.map(([policy]) => policy));
    for (const [policy, wireName] of pairs) {
      const wire = fallbackPolicyToWire(policy);
      expect(wire).toBe(wireName);
      expect(fallbackPolicyFromWire(wire)).toBe(policy);
      expect(encodeWire(FallbackPolicyWire, wire)).toBe(`"${wireName}"`);
      expect(decodeWire(FallbackPolicyWire, `"${wireName}"`)).toBe(wireName);
    }
  });

  it('the variant names are not JSON names, and unknown values are refused', () => {
    expect(() => decodeWire(FallbackPolicyWire, '"FailRequest"')).toThrow(WireDecodeError);
    expect(() => fallbackPolicyToWire('fail_request' as FallbackPolicy)).toThrow(
      new TypeError('unknown fallback policy "fail_request"'),
    );
    expect(() => fallbackPolicyFromWire('toString' as FallbackPolicyWire)).toThrow(TypeError);
  });
});
