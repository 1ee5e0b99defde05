/**
 * Test support for generated-request tests: guest exports with a planted bug (trap, or burn fuel
 * forever, when the input holds a byte pattern) or with state (a different answer from the second
 * call on), built as `body` behaviours of `pluginModule`, and shape plugins made from them.
 */
import { compileWat } from '../../src/wat/compile.js';
import { output, pluginModuleWat, selfCheckJson, withIdentity } from '../../src/wat/index.js';
import { type BodyBehaviour, body } from '../../src/wat/plugin-module.js';
import { SHAPE_ACCEPT, SHAPE_RESPONSE, shapePlugin } from './vitest-plugins.js';

const utf8 = new TextEncoder();

/** Lines that store `text` in fresh Extism memory and set it as the output. */
function outputLines(text: string): string[] {
  const bytes = utf8.encode(text);
  return [
    `    (local.set $p (call $alloc (i64.const ${bytes.length})))`,
    ...[...bytes].map(
      (byte, i) => `    (call $store_u8 (i64.add (local.get $p) (i64.const ${i})) (i32.const ${byte}))`,
    ),
    `    (call $output_set (local.get $p) (i64.const ${bytes.length}))`,
  ];
}

/**
 * Executes `unreachable` when the input contains `pattern` (a naive byte search), and answers
 * `answer` otherwise.
 */
export function trapsOnInput(pattern: string, answer: string): BodyBehaviour {
  return onInput(pattern, answer, 'unreachable');
}

/** Runs the WAT instructions `onHit` when the input contains `pattern`, and answers `answer` otherwise. */
function onInput(pattern: string, answer: string, onHit: string): BodyBehaviour {
  const want = utf8.encode(pattern);
  const lines = [
    '    (local $n i64) (local $i i64) (local $k i64) (local $p i64) (local $hit i32)',
    '    (local.set $n (call $input_length))',
    '    (block $searched (loop $next',
    `      (br_if $searched (i64.gt_u (i64.add (local.get $i) (i64.const ${want.length})) (local.get $n)))`,
    '      (local.set $hit (i32.const 1))',
    '      (local.set $k (i64.const 0))',
    '      (block $compared (loop $byte',
    `        (br_if $compared (i64.ge_u (local.get $k) (i64.const ${want.length})))`,
    ...[...want].map(
      (byte, k) =>
        `        (if (i64.eq (local.get $k) (i64.const ${k})) (then (if (i32.ne (call $input_load_u8 (i64.add (local.get $i) (local.get $k))) (i32.const ${byte})) (then (local.set $hit (i32.const 0)) (br $compared)))))`,
    ),
    '        (local.set $k (i64.add (local.get $k) (i64.const 1)))',
    '        (br $byte)))',
    `      (if (local.get $hit) (then ${onHit}))`,
    '      (local.set $i (i64.add (local.get $i) (i64.const 1)))',
    '      (br $next)))',
    ...outputLines(answer),
    '    (i32.const 0)',
  ];
  return body(lines.join('\n'));
}

/**
 * Answers `first` on the first call of an instance and `later` on every later one: the state is a
 * flag at byte 1024 of the module's own memory (the module needs `memory: 1`).
 */
export function answersDifferentlyLater(first: string, later: string): BodyBehaviour {
  const lines = [
    '    (local $p i64)',
    '    (if (i32.load8_u (i32.const 1024)) (then',
    ...outputLines(later).map((line) => `  ${line}`),
    '      (return (i32.const 0))))',
    '    (i32.store8 (i32.const 1024) (i32.const 1))',
    ...outputLines(first),
    '    (i32.const 0)',
  ];
  return body(lines.join('\n'));
}

/** The pattern of a header whose name is empty, as the host writes it (keys sorted). */
export const EMPTY_HEADER_NAME = '{"name":"","value_base64":"';

/** A shape plugin that answers well, except that it traps on a header with an empty name. */
export function emptyHeaderTrapPlugin(): Uint8Array {
  return shapePlugin({ exports: { shape: trapsOnInput(EMPTY_HEADER_NAME, JSON.stringify(SHAPE_RESPONSE)) } });
}

/**
 * Functions named in the name section that burn fuel in known proportions, called forever by
 * `$burn_forever`: per round `$burn_8` loops 8 times as often as `$burn_1`, `$burn_4` 4 times and
 * `$burn_2` twice, so the self-fuel order is fixed whatever each instruction costs.
 */
const BURNERS = [
  ...[8, 4, 2, 1].map((n) =>
    [
      `  (func $burn_${n} (local $i i32)`,
      `    (loop $again (local.set $i (i32.add (local.get $i) (i32.const 1)))`,
      `      (br_if $again (i32.lt_u (local.get $i) (i32.const ${n * 50})))))`,
    ].join('\n'),
  ),
  '  (func $burn_forever (loop $round (call $burn_8) (call $burn_4) (call $burn_2) (call $burn_1) (br $round)))',
].join('\n');

/**
 * A shape plugin that answers well, except that a header with an empty name sends it into
 * `$burn_forever` until its fuel runs out; compiled with the name section, so a fuel profile names
 * the burners.
 */
export function emptyHeaderFuelBurnerPlugin(): Uint8Array {
  const wat = pluginModuleWat({
    exports: {
      cc_lb_handshake: output(SHAPE_ACCEPT),
      cc_lb_self_check: output(selfCheckJson()),
      shape: onInput(EMPTY_HEADER_NAME, JSON.stringify(SHAPE_RESPONSE), '(call $burn_forever)'),
    },
  });
  // the burners go before the module's closing parenthesis
  const end = wat.lastIndexOf(')');
  const module = compileWat(`${wat.slice(0, end)}${BURNERS}\n)\n`, 'fuel-burner.wat', { debugNames: true });
  return withIdentity(module, { plugin_name: 'demo-shape', plugin_version: '1.2.3' });
}

/** A shape plugin whose second and later answers name another URL. */
export function statefulShapePlugin(): Uint8Array {
  const later = JSON.stringify({ ...SHAPE_RESPONSE, url: 'https://example.invalid/v1/messages' });
  return shapePlugin({
    exports: { shape: answersDifferentlyLater(JSON.stringify(SHAPE_RESPONSE), later) },
    memory: 1,
  });
}

/** The smallest shape request there is, but for one header with an empty name. */
export const ONE_EMPTY_HEADER = {
  request: {
    request_id: '',
    headers: [{ name: '', value_base64: '' }],
    method: '',
    path: '',
    query: null,
    body_base64: '',
  },
  upstream: { kind: 'anthropic_direct' as const },
  principal: { id: '', kind: '', claims: {} },
};
