/**
 * Vitest layer: the hints for common mistakes (no identity section, `env.abort`, WASI) as the
 * closing paragraph of a failure message, each once however many checks the mistake broke.
 */
import { hintsFor } from '../conformance/hints.js';
import { isPluginUnderTest, type PluginSource } from '../conformance/index.js';

/** `\n\nHint: …` per hint that applies to the module; empty when none does. */
export function hintText(source: PluginSource): string {
  const wasm = isPluginUnderTest(source) ? source.wasm : source;
  return hintsFor(wasm)
    .map((hint) => `\n\nHint: ${hint.text}`)
    .join('');
}
