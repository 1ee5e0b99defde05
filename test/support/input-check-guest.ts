/**
 * Test support: a guest export that checks the exact bytes the host sent it. When the input equals
 * `expected` it answers `answer` (like `output`); otherwise it reports the input it actually
 * received through `error_set` and returns 1, so a failing test shows what the host sent.
 */
import { type BodyBehaviour, body } from '../../src/wat/plugin-module.js';

const utf8 = new TextEncoder();

export function expectInput(expected: string, answer: string): BodyBehaviour {
  const want = utf8.encode(expected);
  const out = utf8.encode(answer);
  const lines = [
    '    (local $bad i32) (local $n i64) (local $i i64) (local $p i64)',
    '    (local.set $n (call $input_length))',
    `    (local.set $bad (i64.ne (local.get $n) (i64.const ${want.length})))`,
    // byte comparisons only when the length matches: loading past the input is an error
    '    (if (i32.eqz (local.get $bad)) (then',
    ...[...want].map(
      (byte, i) =>
        `      (if (i32.ne (call $input_load_u8 (i64.const ${i})) (i32.const ${byte})) (then (local.set $bad (i32.const 1))))`,
    ),
    '    ))',
    '    (if (local.get $bad) (then',
    '      (local.set $p (call $alloc (local.get $n)))',
    '      (block $done (loop $copy',
    '        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))',
    '        (call $store_u8 (i64.add (local.get $p) (local.get $i)) (call $input_load_u8 (local.get $i)))',
    '        (local.set $i (i64.add (local.get $i) (i64.const 1)))',
    '        (br $copy)))',
    '      (call $error_set (local.get $p))',
    '      (return (i32.const 1))))',
    `    (local.set $p (call $alloc (i64.const ${out.length})))`,
    ...[...out].map(
      (byte, i) => `    (call $store_u8 (i64.add (local.get $p) (i64.const ${i})) (i32.const ${byte}))`,
    ),
    `    (call $output_set (local.get $p) (i64.const ${out.length}))`,
    '    (i32.const 0)',
  ];
  return body(lines.join('\n'));
}
