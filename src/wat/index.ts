/**
 * WAT layer entry (`cc-lb-plugin-conformance/wat`): the `wat` tag, plugin-module builders, JSON
 * builders for guest outputs and custom-section helpers. Re-exports only.
 */
export * from './compile.js';
export * from './json-builders.js';
export * from './plugin-module.js';
export * from './sections.js';
