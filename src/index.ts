/** The public surface of cc-lb-plugin-conformance: re-exports only. */
export * from './wire/index.js';
