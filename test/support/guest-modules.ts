/**
 * Test support: complete guest modules for conformance tests, built with `pluginModule` — a
 * handshake export answering a fixed accept, a self-check export answering success, and the
 * given wire-function handlers. Every part can be replaced by another export behaviour.
 */

import { compileWat } from '../../src/wat/compile.js';
import {
  type AcceptParts,
  acceptJson,
  body,
  type ExportBehaviour,
  type IdentityParts,
  output,
  pluginModule,
  pluginModuleWat,
  selfCheckJson,
  withIdentity,
} from '../../src/wat/index.js';

export interface GuestSpec {
  /** accept parts (merged over the empty accept) or a behaviour for `cc_lb_handshake`; `false` omits it */
  readonly handshake?: AcceptParts | ExportBehaviour | false;
  /** a behaviour for `cc_lb_self_check` (default: success); `false` omits it */
  readonly selfCheck?: ExportBehaviour | false;
  /** wire-function exports */
  readonly handlers?: Readonly<Record<string, ExportBehaviour>>;
  readonly identity?: IdentityParts | string | false;
  readonly userHostImport?: boolean;
  readonly memory?: number;
}

function isBehaviour(x: object): x is ExportBehaviour {
  return typeof (x as { kind?: unknown }).kind === 'string';
}

/** An accept that negotiates exactly these functions at version 1. */
export function acceptFor(...functions: string[]): AcceptParts {
  return {
    chosen_versions: Object.fromEntries(functions.map((f) => [f, 1])),
    plugin_supported: Object.fromEntries(functions.map((f) => [f, [1]])),
    implemented_functions: functions,
  };
}

export function guestModule(spec: GuestSpec = {}): Uint8Array {
  const exports: Record<string, ExportBehaviour> = {};
  const handshake = spec.handshake ?? {};
  if (handshake !== false) {
    exports.cc_lb_handshake = isBehaviour(handshake) ? handshake : output(acceptJson(handshake));
  }
  const selfCheck = spec.selfCheck ?? output(selfCheckJson());
  if (selfCheck !== false) exports.cc_lb_self_check = selfCheck;
  Object.assign(exports, spec.handlers ?? {});
  return pluginModule({
    exports,
    ...(spec.identity === undefined ? {} : { identity: spec.identity }),
    ...(spec.userHostImport === undefined ? {} : { userHostImport: spec.userHostImport }),
    ...(spec.memory === undefined ? {} : { memory: spec.memory }),
  });
}

/** WAT instructions that store `text` (ASCII) in Extism memory, its offset in `$o`. Needs `(local $o i64)`. */
function storeWat(text: string): string[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [
    `    (local.set $o (call $alloc (i64.const ${bytes.length})))`,
    ...bytes.map((b, i) => `    (call $store_u8 (i64.add (local.get $o) (i64.const ${i})) (i32.const ${b}))`),
  ];
}

/** WAT instructions that set `text` (ASCII) as the output and leave 0 on the stack. Needs `(local $o i64)`. */
export function setOutputWat(text: string): string {
  const length = new TextEncoder().encode(text).length;
  return [
    ...storeWat(text),
    `    (call $output_set (local.get $o) (i64.const ${length}))`,
    '    (i32.const 0)',
  ].join('\n');
}

/** WAT that reports `text` (ASCII) through `error_set` and leaves 1, a guest error. Needs `(local $o i64)`. */
export function errorSetWat(text: string): string {
  return [...storeWat(text), '    (call $error_set (local.get $o))', '    (i32.const 1)'].join('\n');
}

/**
 * A handler that traps on its first call and answers `text` on every later one. The "already
 * called" flag is byte 0 of the module's own memory, so it lives in the instance, not the module.
 */
export function trapsOnceThenAnswers(text: string): ExportBehaviour {
  return body(
    [
      '    (local $o i64)',
      '    (if (i32.eqz (i32.load8_u (i32.const 0)))',
      '      (then (i32.store8 (i32.const 0) (i32.const 1)) unreachable))',
      setOutputWat(text),
    ].join('\n'),
  );
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/**
 * WAT instructions that log `text` (ASCII) through Extism's `log_<level>`. Needs `(local $o i64)`
 * and a module built by `loggingGuestModule`, which imports the log functions.
 */
export function logWat(level: (typeof LOG_LEVELS)[number], text: string): string {
  return [...storeWat(text), `    (call $log_${level} (local.get $o))`].join('\n');
}

/** `guestModule`, with Extism's five `log_*` kernel functions imported for `logWat` bodies. */
export function loggingGuestModule(spec: GuestSpec = {}): Uint8Array {
  const exports: Record<string, ExportBehaviour> = {};
  const handshake = spec.handshake ?? {};
  if (handshake !== false) {
    exports.cc_lb_handshake = isBehaviour(handshake) ? handshake : output(acceptJson(handshake));
  }
  const selfCheck = spec.selfCheck ?? output(selfCheckJson());
  if (selfCheck !== false) exports.cc_lb_self_check = selfCheck;
  Object.assign(exports, spec.handlers ?? {});
  const text = pluginModuleWat({
    exports,
    ...(spec.memory === undefined ? {} : { memory: spec.memory }),
  }).replace(
    '(module\n',
    `(module\n${LOG_LEVELS.map((l) => `  (import "extism:host/env" "log_${l}" (func $log_${l} (param i64)))\n`).join('')}`,
  );
  const compiled = compileWat(text, 'loggingGuestModule.wat');
  if (spec.identity === false) return compiled;
  return withIdentity(compiled, spec.identity ?? {});
}
