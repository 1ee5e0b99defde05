/**
 * Vitest layer: `pluginTest(options)` — Vitest's `test` extended with the fixtures a plugin's test
 * file needs:
 * - `wasm`: the module bytes, read once per file (a path or URL goes through `loadWasm`);
 * - `plugin`: the `PluginUnderTest` built from them with the options' capabilities and limits,
 *   also once per file (it is immutable);
 * - `session`: a fresh `PluginSession` for each test that asks for it, closed after that test, so
 *   guest state never leaks from one test into the next.
 *
 * Vitest requires file-scoped fixtures to be defined at the top level of a test file, so call
 * `pluginTest` there (`const test = pluginTest({ wasm: … })`), not inside a `describe`.
 */
import { test } from 'vitest';
import { type PluginOptions, PluginSession, plugin } from '../conformance/index.js';
import { loadWasm } from '../engine/index.js';
import { type WasmInput, wasmBytes } from '../wire/index.js';

export interface PluginTestOptions extends PluginOptions {
  /** the module: bytes, or a file path or URL to read them from */
  readonly wasm: WasmInput | string | URL;
}

export function pluginTest(options: PluginTestOptions) {
  const { wasm: input, ...pluginOptions } = options;
  return test
    .extend(
      'wasm',
      { scope: 'file' },
      async (): Promise<Uint8Array> =>
        typeof input === 'string' || input instanceof URL ? loadWasm(input) : wasmBytes(input),
    )
    .extend('plugin', { scope: 'file' }, ({ wasm }) => plugin(wasm, pluginOptions))
    .extend('session', async ({ plugin }, { onCleanup }) => {
      const session = await PluginSession.create(plugin);
      onCleanup(() => session.close());
      return session;
    });
}
