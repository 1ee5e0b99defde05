/** Host layer (mirrors cc-lb-runtime-protocol 0.1.0): identity, offer, handshake, self-check, dispatch, slots. */
export * from './dispatch.js';
export * from './handshake.js';
export * from './identity.js';
export * from './offer.js';
export type { HostCallOptions } from './phase-instance.js';
export * from './self-check.js';
export * from './slots.js';
export * from './wasm-walk.js';
