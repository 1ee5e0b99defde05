import { describe, expect, it } from 'vitest';
import { CC_LB_PLUGIN_MAGIC } from '../../src/wire/constants.js';
import { decodeWire } from '../../src/wire/decode.js';
import { WireDecodeError } from '../../src/wire/decode-error.js';
import { encodeWire } from '../../src/wire/encode.js';
import { AugmentedMetadataError, IdentityValidationError } from '../../src/wire/errors.js';
import {
  AugmentedMetadata,
  augmentedMetadataFromHandshake,
  isMetadataExpired,
  metadataTtlSeconds,
  PluginRegistryRecord,
  validateAugmentedMetadata,
  validateRegistryRecord,
} from '../../src/wire/metadata.js';

function metadata(overrides: Partial<AugmentedMetadata> = {}): AugmentedMetadata {
  return {
    identity: {
      magic: [...CC_LB_PLUGIN_MAGIC],
      abi_envelope: 1,
      plugin_name: 'test-plugin',
      plugin_version: '1.0.0',
    },
    negotiated_functions: { route: 1 },
    negotiated_capabilities: ['async'],
    handshake_completed_at: 1000,
    self_check_passed: true,
    self_check_completed_at: 1100,
    expires_at: 2000,
    ...overrides,
  };
}

function record(overrides: Partial<PluginRegistryRecord> = {}): PluginRegistryRecord {
  return { plugin_id: 'plugin-uuid-123', augmented_metadata: metadata(), registered_at: 900, ...overrides };
}

function thrown(run: () => unknown): AugmentedMetadataError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AugmentedMetadataError);
    return error as AugmentedMetadataError;
  }
  throw new Error('expected an AugmentedMetadataError');
}

describe('validateAugmentedMetadata (REFERENCE-CASES §1.9)', () => {
  it('W-87 route:1, handshake 1000, self-check 1100, expires 2000 is valid', () => {
    expect(() => validateAugmentedMetadata(metadata())).not.toThrow();
  });

  it('W-88 NoNegotiatedFunctions without functions', () => {
    const error = thrown(() => validateAugmentedMetadata(metadata({ negotiated_functions: {} })));
    expect(error).toMatchObject({ kind: 'NoNegotiatedFunctions', message: 'no negotiated functions' });
    expect(error.name).toBe('AugmentedMetadataError');
  });

  it('W-89 InvalidTimestamp("handshake_completed_at must be positive") for handshake 0', () => {
    expect(thrown(() => validateAugmentedMetadata(metadata({ handshake_completed_at: 0 })))).toMatchObject({
      kind: 'InvalidTimestamp',
      reason: 'handshake_completed_at must be positive',
      message: 'invalid timestamp: handshake_completed_at must be positive',
    });
  });

  it('the self-check and expiry timestamps must be positive too, in that order', () => {
    expect(
      thrown(() => validateAugmentedMetadata(metadata({ self_check_completed_at: -1, expires_at: 0 }))),
    ).toMatchObject({ reason: 'self_check_completed_at must be positive' });
    expect(thrown(() => validateAugmentedMetadata(metadata({ expires_at: 0 })))).toMatchObject({
      kind: 'InvalidTimestamp',
      message: 'invalid timestamp: expires_at must be positive',
    });
  });

  it('W-90 ExpirationBeforeHandshake for handshake 2000, expires 1000 (and for equal times)', () => {
    expect(
      thrown(() =>
        validateAugmentedMetadata(
          metadata({ handshake_completed_at: 2000, self_check_completed_at: 2100, expires_at: 1000 }),
        ),
      ),
    ).toMatchObject({
      kind: 'ExpirationBeforeHandshake',
      message: 'expires_at must be after handshake_completed_at',
    });
    expect(thrown(() => validateAugmentedMetadata(metadata({ expires_at: 1000 }))).kind).toBe(
      'ExpirationBeforeHandshake',
    );
  });

  it('IdentityValidationFailed wraps the identity message first of all, with the identity error as cause', () => {
    const broken = metadata({
      identity: { magic: [...CC_LB_PLUGIN_MAGIC], abi_envelope: 1, plugin_name: 'Bad', plugin_version: '1' },
      handshake_completed_at: 0,
      negotiated_functions: {},
    });
    const error = thrown(() => validateAugmentedMetadata(broken));
    expect(error).toMatchObject({
      kind: 'IdentityValidationFailed',
      reason: 'plugin name does not match pattern ^[a-z][a-z0-9_-]*$ (max 64 bytes)',
      message:
        'identity validation failed: plugin name does not match pattern ^[a-z][a-z0-9_-]*$ (max 64 bytes)',
    });
    expect(error.cause).toBeInstanceOf(IdentityValidationError);
  });

  it('self_check_passed is never checked', () => {
    expect(() => validateAugmentedMetadata(metadata({ self_check_passed: false }))).not.toThrow();
  });

  it('W-93 SizeLimitExceeded for a capability of 262 145 × x', () => {
    const error = thrown(() =>
      validateAugmentedMetadata(metadata({ negotiated_capabilities: ['x'.repeat(262_145)] })),
    );
    expect(error).toMatchObject({
      kind: 'SizeLimitExceeded',
      message: 'augmented metadata serialization exceeds max size of 262144 bytes',
    });
  });

  it('the size limit measures UTF-8 bytes of the compact JSON, exactly at the boundary', () => {
    const base = metadata({ negotiated_capabilities: [''] });
    const overhead = new TextEncoder().encode(encodeWire(AugmentedMetadata, base)).length;
    const fits = 262_144 - overhead;
    expect(() =>
      validateAugmentedMetadata(metadata({ negotiated_capabilities: ['x'.repeat(fits)] })),
    ).not.toThrow();
    expect(
      thrown(() => validateAugmentedMetadata(metadata({ negotiated_capabilities: ['x'.repeat(fits + 1)] })))
        .kind,
    ).toBe('SizeLimitExceeded');
    // 'é' is one UTF-16 unit but two UTF-8 bytes: half as many characters already reach the limit.
    const half = Math.ceil((fits + 1) / 2);
    expect(
      thrown(() => validateAugmentedMetadata(metadata({ negotiated_capabilities: ['é'.repeat(half)] }))).kind,
    ).toBe('SizeLimitExceeded');
  });

  it('W-91 valid metadata round-trips', () => {
    const value = metadata({
      negotiated_functions: { route: 1, observe: 2 },
      negotiated_capabilities: ['async', 'streaming'],
    });
    const text = encodeWire(AugmentedMetadata, value);
    expect(text).toContain(
      '"negotiated_functions":{"observe":2,"route":1},"negotiated_capabilities":["async","streaming"]',
    );
    expect(decodeWire(AugmentedMetadata, text)).toEqual(value);
  });

  it('W-92 valid metadata JSON plus an extra key is a decode error', () => {
    const text =
      '{"identity":{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"test","plugin_version":"1.0"},"negotiated_functions":{"route":1},"negotiated_capabilities":[],"handshake_completed_at":1000,"self_check_passed":true,"self_check_completed_at":1100,"expires_at":2000,"unknown":"field"}';
    expect(() => decodeWire(AugmentedMetadata, text)).toThrow(WireDecodeError);
    expect(decodeWire(AugmentedMetadata, text.replace(',"unknown":"field"', '')).identity.plugin_name).toBe(
      'test',
    );
  });
});

describe('augmentedMetadataFromHandshake, expiry and TTL', () => {
  const parts = {
    identity: metadata().identity,
    negotiatedFunctions: { route: 1 },
    negotiatedCapabilities: ['async'],
    handshakeCompletedAt: 1000,
    selfCheckPassed: true,
    selfCheckCompletedAt: 1100,
    ttlSeconds: 3600,
  };

  it('W-94 handshake 1000 with a TTL of 3600 expires at 4600', () => {
    const built = augmentedMetadataFromHandshake(parts);
    expect(built).toEqual(metadata({ expires_at: 4600 }));
    expect(built.self_check_passed).toBe(true);
  });

  it('W-95 handshake 0 is rejected by the validation', () => {
    expect(thrown(() => augmentedMetadataFromHandshake({ ...parts, handshakeCompletedAt: 0 }))).toMatchObject(
      {
        kind: 'InvalidTimestamp',
        reason: 'handshake_completed_at must be positive',
      },
    );
  });

  it('sorts and de-duplicates capabilities and keeps i64 values beyond 2^53 exact', () => {
    const built = augmentedMetadataFromHandshake({
      ...parts,
      negotiatedCapabilities: ['b', 'a', 'b'],
      handshakeCompletedAt: 9_007_199_254_740_991,
      selfCheckCompletedAt: 9_007_199_254_740_991,
      ttlSeconds: 10,
    });
    expect(built.negotiated_capabilities).toEqual(['a', 'b']);
    expect(built.expires_at).toBe(9_007_199_254_741_001n);
  });

  it('W-96 with expires_at 2000: is_expired(1999) false, (2000) true, (2001) true', () => {
    const m = metadata();
    expect([1999, 2000, 2001].map((now) => isMetadataExpired(m, now))).toEqual([false, true, true]);
  });

  it('W-97 with expires_at 2000: ttl_seconds(1500) 500, (2000) 0, (2100) 0', () => {
    const m = metadata();
    expect([1500, 2000, 2100].map((now) => metadataTtlSeconds(m, now))).toEqual([500, 0, 0]);
  });
});

describe('validateRegistryRecord (REFERENCE-CASES §1.9)', () => {
  it('W-98 plugin-uuid-123 registered at 900 with valid metadata is valid', () => {
    expect(() => validateRegistryRecord(record())).not.toThrow();
  });

  it('W-99 an empty plugin_id is InvalidTimestamp("plugin_id must not be empty")', () => {
    expect(thrown(() => validateRegistryRecord(record({ plugin_id: '' })))).toMatchObject({
      kind: 'InvalidTimestamp',
      reason: 'plugin_id must not be empty',
      message: 'invalid timestamp: plugin_id must not be empty',
    });
  });

  it('registered_at must be positive; then the metadata is validated', () => {
    expect(thrown(() => validateRegistryRecord(record({ registered_at: 0 })))).toMatchObject({
      reason: 'registered_at must be positive',
    });
    expect(
      thrown(() =>
        validateRegistryRecord(record({ augmented_metadata: metadata({ negotiated_functions: {} }) })),
      ).kind,
    ).toBe('NoNegotiatedFunctions');
    expect(thrown(() => validateRegistryRecord(record({ plugin_id: '', registered_at: 0 }))).reason).toBe(
      'plugin_id must not be empty',
    );
  });

  it('W-100 a valid registry record round-trips', () => {
    const value = record();
    expect(decodeWire(PluginRegistryRecord, encodeWire(PluginRegistryRecord, value))).toEqual(value);
  });

  it('W-101 registry record JSON plus an extra key is a decode error', () => {
    const text = encodeWire(PluginRegistryRecord, record());
    expect(() => decodeWire(PluginRegistryRecord, `${text.slice(0, -1)},"extra":1}`)).toThrow(
      WireDecodeError,
    );
  });
});
