/** Wire layer: pure, synchronous protocol types, limits, validators, decoding and hashing. */
export * from './canonical.js';
export * from './constants.js';
export * from './decode.js';
export * from './decode-error.js';
export * from './encode.js';
export * from './errors.js';
export * from './fallback.js';
export * from './functions/index.js';
export * from './handshake.js';
export * from './identity.js';
export * from './json.js';
export * from './metadata.js';
export * from './plugin-kind.js';
export * from './rust-debug.js';
export * from './schema.js';
export * from './self-check.js';
export * from './wasm-input.js';
