import { describe, expect, it } from 'vitest';
import {
  AUGMENTED_METADATA_MAX_BYTES,
  CAPABILITIES_MAX_COUNT,
  CAPABILITY_NAME_MAX_BYTES,
  CC_LB_PLUGIN_MAGIC,
  CC_LB_PLUGIN_SECTION_NAME,
  CUSTOM_SECTION_FIELD_COUNT,
  CUSTOM_SECTION_MAX_SIZE,
  ENVELOPE_VERSION_V1,
  FUNCTION_VERSIONS_KEYS_MAX,
  FUNCTION_VERSIONS_PER_FN_MAX,
  HANDSHAKE_EXPORT,
  HANDSHAKE_FUEL,
  HANDSHAKE_OUTPUT_MAX_BYTES,
  HANDSHAKE_SCHEMA_VERSION_V1,
  HANDSHAKE_WALL_MS,
  IMPLEMENTED_FUNCTIONS_MAX,
  PLUGIN_NAME_MAX_BYTES,
  PLUGIN_VERSION_MAX_BYTES,
  REGISTRY_ROW_COUNT_HARD_REJECT,
  REGISTRY_ROW_COUNT_SOFT_WARN,
  SELF_CHECK_EXPORT,
  SELF_CHECK_FUEL,
  SELF_CHECK_OUTPUT_MAX_BYTES,
  SELF_CHECK_WALL_MS,
  SKIP_HANDSHAKE_IF_FRESH_TTL_SECS,
  STARTUP_HANDSHAKE_PARALLEL_MAX,
  STARTUP_HANDSHAKE_TOTAL_BUDGET_MS,
  VERSION_MAX,
  VERSION_MIN,
} from '../../src/wire/constants.js';

describe('limits (REFERENCE-CASES §1.1)', () => {
  it('W-01 VERSION_MIN < VERSION_MAX, 1 and 65535', () => {
    expect(VERSION_MIN).toBeLessThan(VERSION_MAX);
    expect(VERSION_MIN).toBe(1);
    expect(VERSION_MAX).toBe(65_535);
  });

  it('W-02 handshake bounds are positive and the output cap is below the custom-section cap', () => {
    expect(HANDSHAKE_WALL_MS).toBeGreaterThan(0);
    expect(HANDSHAKE_FUEL).toBeGreaterThan(0);
    expect(HANDSHAKE_OUTPUT_MAX_BYTES).toBe(32_768);
    expect(CUSTOM_SECTION_MAX_SIZE).toBe(65_536);
    expect(HANDSHAKE_OUTPUT_MAX_BYTES).toBeLessThan(CUSTOM_SECTION_MAX_SIZE);
  });

  it('W-03 the self-check output cap is below the handshake output cap', () => {
    expect(SELF_CHECK_OUTPUT_MAX_BYTES).toBe(8_192);
    expect(SELF_CHECK_OUTPUT_MAX_BYTES).toBeLessThan(HANDSHAKE_OUTPUT_MAX_BYTES);
  });

  it('W-04 IMPLEMENTED_FUNCTIONS_MAX (16) <= FUNCTION_VERSIONS_KEYS_MAX (32)', () => {
    expect(IMPLEMENTED_FUNCTIONS_MAX).toBe(16);
    expect(FUNCTION_VERSIONS_KEYS_MAX).toBe(32);
    expect(FUNCTION_VERSIONS_PER_FN_MAX).toBe(16);
    expect(IMPLEMENTED_FUNCTIONS_MAX).toBeLessThanOrEqual(FUNCTION_VERSIONS_KEYS_MAX);
  });

  it('W-05 capability count 32 and name length 64', () => {
    expect(CAPABILITIES_MAX_COUNT).toBe(32);
    expect(CAPABILITY_NAME_MAX_BYTES).toBe(64);
  });

  it('W-06 the augmented-metadata cap (262144) exceeds the custom-section cap', () => {
    expect(AUGMENTED_METADATA_MAX_BYTES).toBe(262_144);
    expect(AUGMENTED_METADATA_MAX_BYTES).toBeGreaterThan(CUSTOM_SECTION_MAX_SIZE);
  });

  it('W-07 the identity has exactly 4 fields', () => {
    expect(CUSTOM_SECTION_FIELD_COUNT).toBe(4);
  });

  it('W-08 the registry hard limit (10000) exceeds the soft warning (1000)', () => {
    expect(REGISTRY_ROW_COUNT_SOFT_WARN).toBe(1_000);
    expect(REGISTRY_ROW_COUNT_HARD_REJECT).toBe(10_000);
    expect(REGISTRY_ROW_COUNT_HARD_REJECT).toBeGreaterThan(REGISTRY_ROW_COUNT_SOFT_WARN);
  });

  it('W-09 the startup budget is at least 60 s and the parallelism in 1..=16', () => {
    expect(STARTUP_HANDSHAKE_TOTAL_BUDGET_MS).toBeGreaterThanOrEqual(60_000);
    expect(STARTUP_HANDSHAKE_PARALLEL_MAX).toBeGreaterThan(0);
    expect(STARTUP_HANDSHAKE_PARALLEL_MAX).toBeLessThanOrEqual(16);
  });

  it('W-10 the skip-if-fresh TTL is one week', () => {
    expect(SKIP_HANDSHAKE_IF_FRESH_TTL_SECS).toBe(604_800);
  });

  it('W-11 handshake and self-check share the 200 ms wall time', () => {
    expect(HANDSHAKE_WALL_MS).toBe(200);
    expect(SELF_CHECK_WALL_MS).toBe(HANDSHAKE_WALL_MS);
  });

  it('W-12 handshake and self-check share the 10 000 000 fuel budget', () => {
    expect(HANDSHAKE_FUEL).toBe(10_000_000);
    expect(SELF_CHECK_FUEL).toBe(HANDSHAKE_FUEL);
  });

  it('W-26 HANDSHAKE_SCHEMA_VERSION_V1 is 1', () => {
    expect(HANDSHAKE_SCHEMA_VERSION_V1).toBe(1);
    expect(ENVELOPE_VERSION_V1).toBe(1);
  });

  it('the identity constants: magic CC 1B 70 10 00 01 00 00, section and export names, name/version caps', () => {
    expect([...CC_LB_PLUGIN_MAGIC]).toEqual([0xcc, 0x1b, 0x70, 0x10, 0x00, 0x01, 0x00, 0x00]);
    expect(Object.isFrozen(CC_LB_PLUGIN_MAGIC)).toBe(true);
    expect(CC_LB_PLUGIN_SECTION_NAME).toBe('cc_lb.plugin.v1');
    expect(new TextEncoder().encode(CC_LB_PLUGIN_SECTION_NAME).length).toBe(15);
    expect(HANDSHAKE_EXPORT).toBe('cc_lb_handshake');
    expect(SELF_CHECK_EXPORT).toBe('cc_lb_self_check');
    expect(PLUGIN_NAME_MAX_BYTES).toBe(64);
    expect(PLUGIN_VERSION_MAX_BYTES).toBe(32);
  });
});
