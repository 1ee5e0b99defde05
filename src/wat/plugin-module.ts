/**
 * WAT layer: declarative plugin modules for runtime tests, reproducing the reference tests' recipe
 * (REFERENCE-CASES.md §0.4) so our host sees the same guest behaviour the Rust host was tested with.
 *
 * Generated module, in order:
 * - imports from `extism:host/env`: `$alloc (i64) -> i64`, `$store_u8 (i64, i32)`,
 *   `$output_set (i64, i64)`; `$error_set (i64)` when an export uses `fail` or `body`;
 *   `$input_length () -> i64` and `$input_load_u8 (i64) -> i32` when an export uses `body`;
 *   with `userHostImport`, `$cc_lb_log (i64, i64)` from `extism:host/user`;
 * - a memory exported as `memory` when `memory` pages are asked for or a large output needs one;
 * - one bytes helper per stored byte string: `alloc(n)`, then the bytes, then the offset;
 * - one export `() -> i32` per entry of `exports`.
 *
 * Byte strings of at most {@link PER_BYTE_LIMIT} bytes are stored exactly as the reference does,
 * one `store_u8` call per byte with the byte as a constant. Longer ones (handshake outputs reach
 * 32 KiB) would make tens of thousands of WAT lines, so they live in a data segment of the module's
 * own memory and a loop copies them with `store_u8`: the guest still writes Extism memory byte by
 * byte through the same import, only the code is a loop instead of straight-line calls. Those
 * segments are laid out from offset 0 of the module's memory, so a `body` that keeps state in that
 * memory should not share a module with outputs above the limit.
 */

import { CC_LB_PLUGIN_SECTION_NAME } from '../wire/constants.js';
import { compileWat } from './compile.js';
import { jsonText } from './json-text.js';
import { encodeCustomSection, type IdentityParts, identityPayload } from './sections.js';

/** Outputs up to this many bytes are stored with one `store_u8` call per byte (the reference recipe). */
export const PER_BYTE_LIMIT = 4096;

const WASM_PAGE_BYTES = 65_536;
const MAX_MEMORY_PAGES = 65_536;

/** Sets the output (verbatim bytes) and returns 0. */
export interface OutputBehaviour {
  readonly kind: 'output';
  readonly bytes: Uint8Array;
}
/** Stores the message, calls `error_set` with it and returns 1. */
export interface FailBehaviour {
  readonly kind: 'fail';
  readonly message: string;
}
/** Returns the code without setting any output. */
export interface ReturnCodeBehaviour {
  readonly kind: 'returnCode';
  readonly code: number;
}
/** Executes `unreachable`. */
export interface TrapBehaviour {
  readonly kind: 'trap';
}
/** Loops forever, so only fuel or the wall-clock limit ends the call. */
export interface SpinBehaviour {
  readonly kind: 'spin';
}
/** The given WAT instructions (optionally starting with `(local …)` declarations) as the body. */
export interface BodyBehaviour {
  readonly kind: 'body';
  readonly wat: string;
}
export type ExportBehaviour =
  | OutputBehaviour
  | FailBehaviour
  | ReturnCodeBehaviour
  | TrapBehaviour
  | SpinBehaviour
  | BodyBehaviour;

export interface PluginModuleSpec {
  /** Partial identity merged over the defaults, a raw payload string, or `false` for no section. Default: a valid identity. */
  readonly identity?: IdentityParts | string | false;
  /** Export name → behaviour. Every export has the guest signature `() -> i32`. */
  readonly exports?: Readonly<Record<string, ExportBehaviour>>;
  /** Import `extism:host/user` `cc_lb_log` and call it before `output_set` in every `output` export. */
  readonly userHostImport?: boolean;
  /** Minimum pages of the module's own memory (exported as `memory`); at least what large outputs need. */
  readonly memory?: number;
}

/**
 * An export that sets its output and returns 0. A string is written verbatim, a Uint8Array byte for
 * byte (e.g. invalid UTF-8), any other value as JSON (bigints as exact integers).
 */
export function output(value: unknown): OutputBehaviour {
  const bytes =
    value instanceof Uint8Array
      ? Uint8Array.from(value)
      : new TextEncoder().encode(typeof value === 'string' ? value : jsonText(value));
  return { kind: 'output', bytes };
}

/** An export that reports `message` through `error_set` and returns 1. */
export function fail(message: string): FailBehaviour {
  return { kind: 'fail', message };
}

/** An export that returns `code` and sets no output; an i32, written signed or unsigned. */
export function returnCode(code: number): ReturnCodeBehaviour {
  if (!Number.isInteger(code) || code < -(2 ** 31) || code > 2 ** 32 - 1) {
    throw new RangeError(`returnCode expects a 32-bit integer, received ${code}`);
  }
  return { kind: 'returnCode', code };
}

/** An export that traps (`unreachable`). */
export function trap(): TrapBehaviour {
  return { kind: 'trap' };
}

/** An export that never returns. */
export function spin(): SpinBehaviour {
  return { kind: 'spin' };
}

/**
 * An export whose body is `watText`, with `$alloc`, `$store_u8`, `$output_set`, `$error_set`,
 * `$input_length` and `$input_load_u8` in scope. It must leave an i32 (the return code) on the stack.
 */
export function body(watText: string): BodyBehaviour {
  return { kind: 'body', wat: watText };
}

/** Builds the module described by `spec`: compiled WAT plus the identity section (appended last). */
export function pluginModule(spec: PluginModuleSpec = {}): Uint8Array {
  const compiled = compileWat(pluginModuleWat(spec), 'pluginModule.wat');
  const identity = spec.identity ?? {};
  if (identity === false) return compiled;
  const section = encodeCustomSection(CC_LB_PLUGIN_SECTION_NAME, identityPayload(identity));
  const out = new Uint8Array(compiled.length + section.length);
  out.set(compiled, 0);
  out.set(section, compiled.length);
  return out;
}

/** The WAT text `pluginModule` compiles (the identity section is not part of it). */
export function pluginModuleWat(spec: PluginModuleSpec = {}): string {
  const entries = Object.entries(spec.exports ?? {});
  const kinds = new Set(entries.map(([, b]) => b.kind));
  const needsErrorSet = kinds.has('fail') || kinds.has('body');
  const needsInput = kinds.has('body');

  const helpers: string[] = [];
  const segments: string[] = [];
  let dataEnd = 0;
  /** Emits a bytes helper for `bytes` and returns its name. */
  const storeHelper = (bytes: Uint8Array): string => {
    const name = `$bytes_${helpers.length}`;
    if (bytes.length <= PER_BYTE_LIMIT) {
      helpers.push(perByteHelper(name, bytes));
    } else {
      segments.push(`  (data (i32.const ${dataEnd}) "${watStringBytes(bytes)}")`);
      helpers.push(copyLoopHelper(name, bytes.length, dataEnd));
      dataEnd += bytes.length;
    }
    return name;
  };

  const functions = entries.map(([exportName, behaviour]) =>
    exportFunction(exportName, behaviour, storeHelper, spec.userHostImport === true),
  );

  const pages = Math.max(checkedPages(spec.memory), Math.ceil(dataEnd / WASM_PAGE_BYTES));
  const env = 'extism:host/env';
  const lines = [
    '(module',
    `  (import "${env}" "alloc" (func $alloc (param i64) (result i64)))`,
    `  (import "${env}" "store_u8" (func $store_u8 (param i64 i32)))`,
    `  (import "${env}" "output_set" (func $output_set (param i64 i64)))`,
    ...(needsErrorSet ? [`  (import "${env}" "error_set" (func $error_set (param i64)))`] : []),
    ...(needsInput
      ? [
          `  (import "${env}" "input_length" (func $input_length (result i64)))`,
          `  (import "${env}" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))`,
        ]
      : []),
    ...(spec.userHostImport === true
      ? ['  (import "extism:host/user" "cc_lb_log" (func $cc_lb_log (param i64 i64)))']
      : []),
    ...(spec.memory !== undefined || dataEnd > 0 ? [`  (memory (export "memory") ${pages})`] : []),
    ...segments,
    ...helpers,
    ...functions,
    ')',
  ];
  return `${lines.join('\n')}\n`;
}

function exportFunction(
  exportName: string,
  behaviour: ExportBehaviour,
  storeHelper: (bytes: Uint8Array) => string,
  userHostImport: boolean,
): string {
  const head = `  (func (export "${watStringBytes(new TextEncoder().encode(exportName))}") (result i32)`;
  switch (behaviour.kind) {
    case 'output': {
      const helper = storeHelper(behaviour.bytes);
      // The reference's user-host-import variant logs two strings produced by the bytes helper.
      const log = userHostImport ? [`    (call $cc_lb_log (call ${helper}) (call ${helper}))`] : [];
      return [
        head,
        ...log,
        `    (call $output_set (call ${helper}) (i64.const ${behaviour.bytes.length}))`,
        '    (i32.const 0))',
      ].join('\n');
    }
    case 'fail': {
      const helper = storeHelper(new TextEncoder().encode(behaviour.message));
      return [head, `    (call $error_set (call ${helper}))`, '    (i32.const 1))'].join('\n');
    }
    case 'returnCode':
      return `${head}\n    (i32.const ${behaviour.code}))`;
    case 'trap':
      return `${head}\n    unreachable)`;
    case 'spin':
      return `${head}\n    (loop $forever (br $forever))\n    (i32.const 0))`;
    case 'body':
      return `${head}\n${behaviour.wat}\n  )`;
    default:
      throw new TypeError(`unknown export behaviour ${JSON.stringify(behaviour)}`);
  }
}

/** The reference recipe: `alloc(n)`, one `store_u8(offset + i, S[i])` per byte, return the offset. */
function perByteHelper(name: string, bytes: Uint8Array): string {
  const lines = [
    `  (func ${name} (result i64) (local $offset i64)`,
    `    (local.set $offset (call $alloc (i64.const ${bytes.length})))`,
  ];
  bytes.forEach((byte, i) => {
    lines.push(`    (call $store_u8 (i64.add (local.get $offset) (i64.const ${i})) (i32.const ${byte}))`);
  });
  lines.push('    (local.get $offset))');
  return lines.join('\n');
}

/** Large byte strings: `alloc(n)`, then a loop reading the data segment at `base` and calling `store_u8`. */
function copyLoopHelper(name: string, length: number, base: number): string {
  return [
    `  (func ${name} (result i64) (local $offset i64) (local $i i32)`,
    `    (local.set $offset (call $alloc (i64.const ${length})))`,
    '    (block $done',
    '      (loop $copy',
    `        (br_if $done (i32.ge_u (local.get $i) (i32.const ${length})))`,
    '        (call $store_u8',
    '          (i64.add (local.get $offset) (i64.extend_i32_u (local.get $i)))',
    `          (i32.load8_u (i32.add (local.get $i) (i32.const ${base}))))`,
    '        (local.set $i (i32.add (local.get $i) (i32.const 1)))',
    '        (br $copy)))',
    '    (local.get $offset))',
  ].join('\n');
}

function checkedPages(pages: number | undefined): number {
  if (pages === undefined) return 0;
  if (!Number.isInteger(pages) || pages < 0 || pages > MAX_MEMORY_PAGES) {
    throw new RangeError(`memory expects a page count from 0 to ${MAX_MEMORY_PAGES}, received ${pages}`);
  }
  return pages;
}

/** The body of a WAT string literal for arbitrary bytes: printable ASCII as is, the rest as `\hh`. */
function watStringBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c;
    out += printable ? String.fromCharCode(byte) : `\\${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}
