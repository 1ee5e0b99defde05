/**
 * Conformance layer: what to do about the mistakes new plugin authors make most — no identity
 * section, AssemblyScript's default `env.abort` import, a WASI build target. Read from the module
 * itself, not from error texts, so each mistake gives one hint however many layers it breaks
 * (a missing section fails seven static checks and the handshake).
 */

import { walkWasm } from '../host/index.js';
import { CC_LB_PLUGIN_SECTION_NAME } from '../wire/index.js';
import type { WasmInput } from '../wire/wasm-input.js';

export type HintKind = 'MissingIdentitySection' | 'AbortImport' | 'WasiImports';

export interface Hint {
  readonly kind: HintKind;
  readonly text: string;
}

export interface HintOptions {
  /** the module's file, to write into the `stamp` command line (default `plugin.wasm`) */
  readonly file?: string;
}

/** The hints that apply to `wasm`, in a fixed order; empty for a module that makes none of these mistakes. */
export function hintsFor(wasm: WasmInput, options: HintOptions = {}): Hint[] {
  const walk = walkWasm(wasm);
  const hints: Hint[] = [];
  if (!walk.customSections.some((section) => section.name === CC_LB_PLUGIN_SECTION_NAME)) {
    const file = options.file ?? 'plugin.wasm';
    hints.push({
      kind: 'MissingIdentitySection',
      text:
        `the module has no ${CC_LB_PLUGIN_SECTION_NAME} identity section. Add one after building with ` +
        `\`cc-lb-conformance stamp ${file} --name my-plugin --version 0.1.0\`, or in Rust let the PDK ` +
        'write it: `#[cc_lb_pdk::plugin(name = "my-plugin", version = "0.1.0")] mod plugin { … }`',
    });
  }
  if (walk.imports.some((entry) => entry.module === 'env' && entry.name === 'abort')) {
    hints.push({
      kind: 'AbortImport',
      text:
        'the module imports env.abort, which AssemblyScript adds by default and the cc-lb host does not ' +
        'provide. Build with `asc … --use abort=` (an abort then traps), or route it to your own ' +
        'function: `--use abort=assembly/index/myAbort`',
    });
  }
  const wasi = walk.importModules.filter((module) => module.startsWith('wasi'));
  if (wasi.length > 0) {
    hints.push({
      kind: 'WasiImports',
      text:
        `the module imports WASI (${wasi.join(', ')}); cc-lb runs plugins without WASI. Build for ` +
        '`wasm32-unknown-unknown` (`cargo build --target wasm32-unknown-unknown`), not a wasi target',
    });
  }
  return hints;
}
