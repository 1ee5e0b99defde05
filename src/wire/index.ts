/** Wire layer: pure, synchronous protocol types, limits, validators, decoding and hashing. */
export * from './schema.js';
export * from './wasm-input.js';
