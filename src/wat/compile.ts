/**
 * WAT layer: compiling WebAssembly text to validated module bytes with wabt.
 *
 * wabt loads asynchronously once; this module awaits it at load time so that `wat` and
 * `compileWat` are synchronous for every caller afterwards.
 */
import wabtInit from 'wabt';
import { HOST_WASM_FEATURES } from '../wire/wasm-features.js';

const wabt = await wabtInit();

/**
 * Exactly the proposals the cc-lb host (wasmtime) accepts — the engine's own list — in wabt's
 * names. Passed to parsing and to validation alike: wabt validates with its defaults otherwise.
 */
const WAT_FEATURES: Readonly<Record<string, boolean>> = Object.freeze(
  Object.fromEntries(HOST_WASM_FEATURES.flatMap((f) => (f.wabt === undefined ? [] : [[f.wabt, true]]))),
);

/** A WAT compilation failure: where it happened and the offending source line. */
export class WatCompileError extends Error {
  override readonly name = 'WatCompileError';
  constructor(
    message: string,
    readonly filename: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    readonly sourceLine: string | undefined,
  ) {
    super(message);
  }
}

export interface CompileWatOptions {
  /**
   * Write the `name` section (the `$names` of functions, locals, …), as a toolchain's debug build
   * does; fuel profiles show these names. Off by default: the module is then exactly what the
   * text says and nothing more.
   */
  readonly debugNames?: boolean;
}

/**
 * Compiles WAT text to module bytes, throwing `WatCompileError` whose message names
 * `filename:line:column`, the error, and the source line with a caret under the column.
 */
export function compileWat(
  source: string,
  filename = 'inline.wat',
  options: CompileWatOptions = {},
): Uint8Array {
  let module: ReturnType<typeof wabt.parseWat> | undefined;
  try {
    module = wabt.parseWat(filename, source, WAT_FEATURES);
    module.resolveNames();
    // wabt's typings omit validate's features argument; its implementation takes it
    (module.validate as (features: Readonly<Record<string, boolean>>) => void)(WAT_FEATURES);
    return new Uint8Array(
      module.toBinary({ log: false, write_debug_names: options.debugNames === true }).buffer,
    );
  } catch (error) {
    throw toCompileError(error, source, filename);
  } finally {
    module?.destroy();
  }
}

/** Tagged-template form: ``wat`(module …)` `` with `${}` interpolation of plain values. */
export function wat(strings: TemplateStringsArray, ...values: unknown[]): Uint8Array {
  return compileWat(String.raw({ raw: strings }, ...values));
}

function toCompileError(error: unknown, source: string, filename: string): WatCompileError {
  const raw = error instanceof Error ? error.message : String(error);
  // wabt reports "<file>:<line>:<col>: error: <text>" lines after a "parseWat failed:" header.
  const lines = raw.split('\n').filter((l) => l.trim() !== '');
  const located = lines.find((l) => /:\d+:\d+: error:/.test(l));
  const match = located?.match(/:(\d+):(\d+): error: (.*)$/);
  if (!match) {
    const text = lines.filter((l) => !/failed:$/.test(l.trim())).join('; ') || raw;
    return new WatCompileError(`${filename}: ${text}`, filename, undefined, undefined, undefined);
  }
  const line = Number(match[1]);
  const column = Number(match[2]);
  const sourceLine = source.split('\n')[line - 1];
  const caret =
    sourceLine === undefined ? '' : `\n  ${sourceLine}\n  ${' '.repeat(Math.max(0, column - 1))}^`;
  return new WatCompileError(
    `${filename}:${line}:${column}: ${match[3]}${caret}`,
    filename,
    line,
    column,
    sourceLine,
  );
}
