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
 *
 * A relative path is resolved against the Vitest root (the project's `root`, where its config
 * is), not the process's working directory, so `pluginTest({ wasm: 'dist/x.wasm' })` reads the
 * same file however Vitest was started; a failed read names the absolute path it tried.
 */
import { isAbsolute, resolve } from 'node:path';
import { TestRunner, test } from 'vitest';
import { type PluginOptions, PluginSession, plugin } from '../conformance/index.js';
import { loadWasm } from '../engine/index.js';
import { type WasmInput, wasmBytes } from '../wire/index.js';

export interface PluginTestOptions extends PluginOptions {
  /** the module: bytes, a file URL, or a path (a relative one is resolved against the Vitest root) */
  readonly wasm: WasmInput | string | URL;
}

export function pluginTest(options: PluginTestOptions) {
  const { wasm: given, ...pluginOptions } = options;
  const input =
    typeof given === 'string' && !given.startsWith('file:') ? resolve(vitestRoot(), given) : given;
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

/**
 * The root of the Vitest project running this file. The runner names a file task by its path
 * relative to that root, so the root is the file's path without that name; the working directory
 * stands in only when the file lies outside the root.
 */
function vitestRoot(): string {
  const file = TestRunner.getCurrentSuite()?.file;
  if (file !== undefined && !file.name.startsWith('..') && !isAbsolute(file.name)) {
    const { filepath, name } = file;
    if (filepath.endsWith(name)) return filepath.slice(0, filepath.length - name.length) || '/';
  }
  return process.cwd();
}
