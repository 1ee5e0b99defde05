/**
 * Wire layer: the protocol's compile-time constants (the reference's `limits` module and the
 * identity/handshake constants). There are no runtime overrides in the host.
 */

/** The identity magic, bytes `CC 1B 70 10 00 01 00 00`. */
export const CC_LB_PLUGIN_MAGIC: readonly [number, number, number, number, number, number, number, number] =
  Object.freeze([204, 27, 112, 16, 0, 1, 0, 0] as const) as unknown as readonly [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
export const CC_LB_PLUGIN_SECTION_NAME = 'cc_lb.plugin.v1';

export const HANDSHAKE_SCHEMA_VERSION_V1 = 1;
export const ENVELOPE_VERSION_V1 = 1;
export const HANDSHAKE_EXPORT = 'cc_lb_handshake';
export const SELF_CHECK_EXPORT = 'cc_lb_self_check';

export const CUSTOM_SECTION_MAX_SIZE = 64 * 1024;
export const CUSTOM_SECTION_FIELD_COUNT = 4;

export const HANDSHAKE_WALL_MS = 200;
export const HANDSHAKE_FUEL = 10_000_000;
export const HANDSHAKE_OUTPUT_MAX_BYTES = 32 * 1024;

export const SELF_CHECK_WALL_MS = 200;
export const SELF_CHECK_FUEL = 10_000_000;
export const SELF_CHECK_OUTPUT_MAX_BYTES = 8 * 1024;

export const FUNCTION_VERSIONS_KEYS_MAX = 32;
export const FUNCTION_VERSIONS_PER_FN_MAX = 16;
export const CAPABILITIES_MAX_COUNT = 32;
/** Declared by the reference but enforced by no validator. */
export const CAPABILITY_NAME_MAX_BYTES = 64;
export const IMPLEMENTED_FUNCTIONS_MAX = 16;

export const PLUGIN_NAME_MAX_BYTES = 64;
export const PLUGIN_VERSION_MAX_BYTES = 32;

export const VERSION_MIN = 1;
export const VERSION_MAX = 65_535;

export const AUGMENTED_METADATA_MAX_BYTES = 256 * 1024;

export const REGISTRY_ROW_COUNT_SOFT_WARN = 1_000;
export const REGISTRY_ROW_COUNT_HARD_REJECT = 10_000;

export const STARTUP_HANDSHAKE_TOTAL_BUDGET_MS = 60_000;
export const STARTUP_HANDSHAKE_PARALLEL_MAX = 8;
export const SKIP_HANDSHAKE_IF_FRESH_TTL_SECS = 7 * 24 * 3600;

/** Documentation only: identity validation implements it byte-wise. */
export const PLUGIN_NAME_PATTERN = '^[a-z][a-z0-9_-]*$';
/** Declared by the reference but enforced by no validator. */
export const CAPABILITY_PATTERN = '^[a-z][a-z0-9_]*$';

/** Host cap on `cc_lb_random_bytes` (production host functions only). */
export const RANDOM_BYTES_MAX = 65_536;
