/**
 * ENGINE.md "Exactness at the edges" (issue 9): each case was a false pass or a false fail of this
 * package against the Rust host, and is asserted here at the public API — identity.read's static
 * checks, handshake.run, selfCheck.run, dispatch outcomes — with the Rust/Extism/wasmtime source
 * it follows.
 */
import { describe, expect, it } from 'vitest';
import { Printer } from '../src/cli/output.js';
import { dispatch } from '../src/conformance/dispatch.js';
import { HandshakeError, IdentityError, SelfCheckError } from '../src/conformance/errors.js';
import { handshake } from '../src/conformance/handshake.js';
import { identity } from '../src/conformance/identity.js';
import { plugin } from '../src/conformance/plugin-under-test.js';
import { STATIC_CHECK_NAMES, type StaticCheck } from '../src/conformance/reports.js';
import { selfCheck } from '../src/conformance/self-check.js';
import { buildPlugin } from '../src/engine/index.js';
import {
  acceptJson,
  body,
  output,
  selfCheckJson,
  wat,
  withCustomSection,
  withIdentity,
} from '../src/wat/index.js';
import { ShapeFn } from '../src/wire/index.js';
import { acceptFor, guestModule, setOutputWat } from './support/guest-modules.js';
import { identitySectionBytes, leb128, validIdentityPayload } from './support/synthetic-module.js';

const BOM = '\uFEFF';
/** conformance/handshake.ts: the text a handshake that ran out of fuel or time is reported with */
const TIMEOUT_REASON = 'handshake call exceeded timeout/fuel budget';
const BOM_BYTES = [0xef, 0xbb, 0xbf];

/** The nine checks with the given failures (name → detail); every other check passes. */
function checksWith(failures: Partial<Record<(typeof STATIC_CHECK_NAMES)[number], string>>): StaticCheck[] {
  return STATIC_CHECK_NAMES.map((name) => {
    const detail = failures[name];
    return { name, pass: detail === undefined, detail };
  });
}

/** Checks 1–7 and 9 failing with `detail`, check 8 as given (undefined: passes). */
function walkChecksFail(detail: string, check8?: string): StaticCheck[] {
  return checksWith({
    ...Object.fromEntries(
      STATIC_CHECK_NAMES.filter((n) => n !== 'ExtismCanInstantiate').map((n) => [n, detail]),
    ),
    ...(check8 === undefined ? {} : { ExtismCanInstantiate: check8 }),
  });
}

async function rejection<T>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

const bytes = (text: string) => [...new TextEncoder().encode(text)];
const name = (text: string) => [...leb128(bytes(text).length), ...bytes(text)];
const section = (id: number, contents: number[]) => [id, ...leb128(contents.length), ...contents];

/** A hand-assembled module: header, then the given sections, then a valid identity section. */
function rawModule(...sections: number[][]): Uint8Array {
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...sections.flat(),
    ...identitySectionBytes(validIdentityPayload('edge-plugin')),
  ]);
}

/** The offset of the first occurrence of `needle` in `haystack`. */
function offsetOf(haystack: Uint8Array, needle: number[]): number {
  for (let i = 0; i + needle.length <= haystack.length; i++) {
    if (needle.every((b, j) => haystack[i + j] === b)) return i;
  }
  throw new Error('needle not found');
}

/** `wasm` with one stray byte appended to the contents of its (only) section with id `id`. */
function withStrayByte(wasm: Uint8Array, id: number): Uint8Array {
  let pos = 8;
  while (pos < wasm.length) {
    const sectionId = wasm[pos]!;
    let size = 0;
    let shift = 0;
    let cursor = pos + 1;
    for (;;) {
      const b = wasm[cursor++]!;
      size += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    if (sectionId === id) {
      const contents = wasm.subarray(cursor, cursor + size);
      return Uint8Array.from([
        ...wasm.subarray(0, pos),
        ...section(id, [...contents, 0x00]),
        ...wasm.subarray(cursor + size),
      ]);
    }
    pos = cursor + size;
  }
  throw new Error(`no section ${id}`);
}

describe('1. bytes, not text: a leading UTF-8 BOM is kept', () => {
  // Rust reads output with String::from_utf8 (BOM kept) and serde_json refuses U+FEFF as a value
  // start (serde_json de.rs `parse_whitespace` knows only ' ', \t, \n, \r → "expected value").
  it('handshake: a BOM before the accept fails to decode, as serde_json does', async () => {
    const accept = acceptJson({});
    const wasm = guestModule({ handshake: output(Uint8Array.from([...BOM_BYTES, ...bytes(accept)])) });
    const error = await rejection(handshake.run(wasm), HandshakeError);
    expect(error.kind).toBe('Serialization');
    expect(error.message).toBe('handshake serialization failed: expected value at line 1 column 1');
  });

  it('self-check: a BOM before the response fails to decode', async () => {
    const wasm = guestModule({
      selfCheck: output(Uint8Array.from([...BOM_BYTES, ...bytes(selfCheckJson())])),
    });
    const error = await rejection(selfCheck.run(wasm), SelfCheckError);
    expect(error.message).toContain('expected value at line 1 column 1');
  });

  it('dispatch: a BOM before the envelope falls back at the stage that parses the output', async () => {
    const response = `{"_v":1,${JSON.stringify(ShapeFn.dryRunResponse()).slice(1)}`;
    const wasm = guestModule({
      handshake: acceptFor('shape'),
      handlers: { shape: output(Uint8Array.from([...BOM_BYTES, ...bytes(response)])) },
    });
    const outcome = await dispatch.run(wasm, ShapeFn);
    expect(outcome).toMatchObject({ kind: 'fallback', policy: 'FailRequest' });
    expect(JSON.stringify(outcome)).toContain('expected value at line 1 column 1');
    // the same envelope without the BOM is fine
    const clean = guestModule({ handshake: acceptFor('shape'), handlers: { shape: output(response) } });
    expect(await dispatch.run(clean, ShapeFn)).toMatchObject({ kind: 'ok' });
  });

  // wasmparser compares names as &str byte strings: "\u{FEFF}cc_lb.plugin.v1" is another name.
  it('a custom section named BOM + cc_lb.plugin.v1 is not the identity section', async () => {
    const wasm = withCustomSection(
      guestModule({ identity: false }),
      `${BOM}cc_lb.plugin.v1`,
      validIdentityPayload('x'),
    );
    const error = await rejection(identity.read(wasm), IdentityError);
    expect(error.message).toBe('missing cc_lb.plugin.v1 custom section');
    expect(error.staticChecks).toEqual(
      checksWith({
        CustomSectionExactlyOnce: 'expected exactly one cc_lb.plugin.v1 custom section, found 0',
        CustomSectionSizeWithinLimit: 'missing cc_lb.plugin.v1 custom section',
        JsonFieldsExactlyFour: 'missing cc_lb.plugin.v1 custom section',
        IdentityFieldsWellFormed: 'missing cc_lb.plugin.v1 custom section',
        PluginNameRegexCompliant: 'missing cc_lb.plugin.v1 custom section',
        PluginVersionLengthCompliant: 'missing cc_lb.plugin.v1 custom section',
      }),
    );
  });

  it('an export named BOM + cc_lb_handshake is not the handshake export', async () => {
    const wasm = guestModule({
      handshake: false,
      handlers: { [`${BOM}cc_lb_handshake`]: output(acceptJson({})) },
    });
    const report = await identity.read(wasm);
    expect(report.staticChecks).toEqual(
      checksWith({ AllRequiredExportsPresent: 'missing wasm function export(s): ["cc_lb_handshake"]' }),
    );
    const error = await rejection(handshake.run(wasm), HandshakeError);
    expect(error.kind).toBe('MissingExport');
    expect(error.message).toBe('plugin does not export cc_lb_handshake');
  });
});

describe('2. never repair a module: the guest’s own bytes are validated first', () => {
  // wasmtime refuses a section with bytes after its last entry (wasmparser SectionLimited:
  // "section size mismatch"); the rewriter used to re-emit the entries and drop the byte.
  it('a stray byte after the memory section’s last entry: check 8 and the handshake fail to build', async () => {
    const wasm = withStrayByte(guestModule({ memory: 1 }), 5);
    const checks = (await identity.read(wasm)).staticChecks;
    // parse_all does not decode memory entries: only the instantiation check sees it
    expect(checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(['ExtismCanInstantiate']);
    expect(checks[7]!.detail).toMatch(/^failed to instantiate plugin: .*section/);
    const error = await rejection(handshake.run(wasm), HandshakeError);
    expect(error.kind).toBe('Instantiate');
    expect(error.message).toBe(
      checks[7]!.detail!.replace('failed to instantiate plugin', 'plugin instantiation failed'),
    );
  });

  it('a stray byte after the code section’s last body fails to build', async () => {
    const wasm = withStrayByte(guestModule(), 10);
    const error = await rejection(handshake.run(wasm), HandshakeError);
    expect(error.kind).toBe('Instantiate');
    expect(error.message).toMatch(/^plugin instantiation failed: .*section/);
  });

  it('a stray byte after the export section’s last entry fails checks 1–7 and 9 too', async () => {
    const wasm = withStrayByte(guestModule(), 7);
    const exportSection = offsetOf(wasm, [0x07]);
    expect(exportSection).toBeGreaterThan(0);
    const checks = (await identity.read(wasm)).staticChecks;
    const detail = checks[0]!.detail!;
    expect(detail).toMatch(
      /^invalid wasm: section size mismatch: unexpected data at the end of the section \(at offset 0x[0-9a-f]+\)$/,
    );
    expect(checks).toEqual(walkChecksFail(detail, checks[7]!.detail));
    expect(checks[7]!.detail).toMatch(/^failed to instantiate plugin: /);
    expect((await rejection(handshake.run(wasm), HandshakeError)).kind).toBe('Instantiate');
  });
});

describe('3. every import and export entry is decoded, as collect_wasm_facts does', () => {
  const typeSection = section(1, [0x01, 0x60, 0x00, 0x00]);

  // wasmparser BinaryReader::external_kind_from_byte: "invalid leading byte (0x7) for external kind"
  it('an import kind byte 0x07 in front of a WASI import: checks 1–7 and 9 fail with the decode error', async () => {
    const wasm = rawModule(
      typeSection,
      section(2, [
        0x02,
        ...name('m'),
        ...name('x'),
        0x07,
        0x00,
        ...name('wasi_snapshot_preview1'),
        ...name('fd_write'),
        0x00,
        0x00,
      ]),
    );
    const kindAt = offsetOf(wasm, [...name('x'), 0x07]) + 2;
    const detail = `invalid wasm: invalid leading byte (0x7) for external kind (at offset 0x${kindAt.toString(16)})`;
    const checks = (await identity.read(wasm)).staticChecks;
    expect(checks).toEqual(walkChecksFail(detail, checks[7]!.detail));
    expect(checks[7]!.pass).toBe(false);
  });

  it('an export section that declares more entries than it holds fails checks 1–7 and 9', async () => {
    const wasm = rawModule(
      typeSection,
      section(3, [0x01, 0x00]),
      section(7, [0x02, ...name('cc_lb_handshake'), 0x00, 0x00]),
      section(10, [0x01, 0x02, 0x00, 0x0b]),
    );
    const end = offsetOf(wasm, [...name('cc_lb_handshake'), 0x00, 0x00]) + 18;
    const detail = `invalid wasm: unexpected end-of-file (at offset 0x${end.toString(16)})`;
    const checks = (await identity.read(wasm)).staticChecks;
    expect(checks).toEqual(walkChecksFail(detail, checks[7]!.detail));
  });

  it('a malformed global import type is reported with wasmparser’s text', async () => {
    const wasm = rawModule(section(2, [0x01, ...name('m'), ...name('g'), 0x03, 0x7f, 0x05]));
    const flagsAt = offsetOf(wasm, [0x03, 0x7f, 0x05]) + 2;
    const detail = `invalid wasm: malformed global flags (at offset 0x${flagsAt.toString(16)})`;
    const checks = (await identity.read(wasm)).staticChecks;
    expect(checks).toEqual(walkChecksFail(detail, checks[7]!.detail));
  });

  it('well-formed entries still pass (imports of every kind are decoded without error)', async () => {
    const wasm = withIdentity(
      wat`(module
        (import "extism:host/env" "output_set" (func (param i64 i64)))
        (func (export "cc_lb_handshake") (result i32) (i32.const 0))
        (func (export "cc_lb_self_check") (result i32) (i32.const 0)))`,
      {},
    );
    expect((await identity.read(wasm)).staticChecks).toEqual(checksWith({}));
  });
});

describe('4. lazy instantiation: the start function runs inside the first call, on its fuel', () => {
  // Extism runtime/src/plugin.rs: `Plugin::new` keeps only an `InstancePre`; `raw_call` sets the
  // fuel and then calls `instantiate`, which runs the start function.
  it('a trapping start function passes check 8 and fails the handshake as WasmTrap', async () => {
    const wasm = withIdentity(
      wat`(module
        (func $start unreachable)
        (start $start)
        (func (export "cc_lb_handshake") (result i32) (i32.const 0))
        (func (export "cc_lb_self_check") (result i32) (i32.const 0)))`,
      {},
    );
    expect((await identity.read(wasm)).staticChecks).toEqual(checksWith({}));
    const error = await rejection(handshake.run(wasm), HandshakeError);
    expect(error.kind).toBe('WasmTrap');
    expect(error.message).toContain('wasm trap: wasm `unreachable` instruction executed');
  });

  /** Burns about `fuel` units: 7 per iteration (local.get, 2 consts, add, tee, lt_u, br_if). */
  const burn = (fuel: number) => `
    (local $i i32)
    (loop $l (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${Math.ceil(fuel / 7)}))))`;
  const withStart = (startFuel: number, handshakeFuel: number) =>
    withIdentity(
      wat`(module
        (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
        (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
        (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
        (func $start ${burn(startFuel)})
        (start $start)
        (func (export "cc_lb_handshake") (result i32) (local $o i64) ${burn(handshakeFuel).replace('(local $i i32)', '(local $i i32)')}
          (local.set $o (call $alloc (i64.const 2)))
          (call $store_u8 (local.get $o) (i32.const 123))
          (call $store_u8 (i64.add (local.get $o) (i64.const 1)) (i32.const 125))
          (call $output_set (local.get $o) (i64.const 2))
          (i32.const 0))
        (func (export "cc_lb_self_check") (result i32) (i32.const 0)))`,
      {},
    );

  it('a start function burning 6M fuel and a 5M handshake run out of the one 10M budget', async () => {
    // each alone fits: the handshake gets as far as decoding "{}"
    const startOnly = await rejection(handshake.run(withStart(6_000_000, 0)), HandshakeError);
    expect(startOnly.message).toMatch(/^handshake serialization failed: missing field/);
    const handshakeOnly = await rejection(handshake.run(withStart(0, 5_000_000)), HandshakeError);
    expect(handshakeOnly.message).toBe(startOnly.message);
    // together they do not (PROTOCOL §4.9: a text containing "fuel" is classified Timeout)
    const both = await rejection(handshake.run(withStart(6_000_000, 5_000_000)), HandshakeError);
    expect(both.kind).toBe('WasmTrap');
    expect(both.message).toBe(`wasm execution failed: ${TIMEOUT_REASON}`);
  });
});

/** A handshake module whose accept reaches `output_set` through `route` (WAT using `$set`). */
function tableRoutedGuest(route: string, extra = ''): Uint8Array {
  const accept = acceptJson({});
  const length = bytes(accept).length;
  return withIdentity(
    wat`(module
      (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
      (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
      (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
      (import "extism:host/env" "error_set" (func $error_set (param i64)))
      (type $set (func (param i64 i64)))
      (type $err (func (param i64)))
      (memory 1)
      (data (i32.const 0) "${accept.replaceAll('"', '\\"')}")
      (table $t 2 funcref)
      ${extra}
      (func $write (param $ptr i32) (param $len i32) (result i64) (local $block i64) (local $i i32)
        (local.set $block (call $alloc (i64.extend_i32_u (local.get $len))))
        (block $done
          (loop $copy
            (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
            (call $store_u8
              (i64.add (local.get $block) (i64.extend_i32_u (local.get $i)))
              (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $copy)))
        (local.get $block))
      (func $tail (param i64 i64) (return_call_indirect (type $set) (local.get 0) (local.get 1) (i32.const 0)))
      (func (export "cc_lb_handshake") (result i32) (local $block i64)
        (local.set $block (call $write (i32.const 0) (i32.const ${length})))
        ${route.replaceAll('$LEN', String(length))}
        (i32.const 0))
      (func (export "cc_lb_self_check") (result i32) (i32.const 0)))`,
    {},
  );
}

describe('5. a kernel import reached through a table hits the same wrapper', () => {
  // In the Rust host the kernel is wasm: a call through a table is the same call, with the same
  // `len` (Extism kernel output_set) and the same fuel. clang emits this for a function pointer.
  const EMPTY_ACCEPT_REPORT = {
    chosenVersions: {},
    envelopeVersion: 1,
    identity: { name: 'test-plugin', version: '1.0.0', abiEnvelope: 1 },
    negotiatedCapabilities: [],
  };

  it('an element segment + call_indirect: output_set records the length and is charged kernel fuel', async () => {
    const direct = await handshake.run(
      tableRoutedGuest('(call $output_set (local.get $block) (i64.const $LEN))'),
    );
    expect(direct).toMatchObject(EMPTY_ACCEPT_REPORT);
    const indirect = await handshake.run(
      tableRoutedGuest(
        '(call_indirect (type $set) (local.get $block) (i64.const $LEN) (i32.const 0))',
        '(elem (table $t) (i32.const 0) func $output_set)',
      ),
    );
    expect(indirect).toMatchObject(EMPTY_ACCEPT_REPORT);
    // call_indirect costs what call costs; only its table-index operand is extra
    expect(indirect.fuelConsumed).toBe(direct.fuelConsumed + 1);
  });

  it('ref.func + table.set, table.grow and return_call_indirect reach the wrapper too', async () => {
    const declare = '(elem declare func $output_set)';
    const viaSet = await handshake.run(
      tableRoutedGuest(
        `(table.set $t (i32.const 0) (ref.func $output_set))
         (call_indirect (type $set) (local.get $block) (i64.const $LEN) (i32.const 0))`,
        declare,
      ),
    );
    expect(viaSet).toMatchObject(EMPTY_ACCEPT_REPORT);
    const viaGrow = await handshake.run(
      tableRoutedGuest(
        `(drop (table.grow $t (ref.func $output_set) (i32.const 1)))
         (call_indirect (type $set) (local.get $block) (i64.const $LEN) (i32.const 2))`,
        declare,
      ),
    );
    expect(viaGrow).toMatchObject(EMPTY_ACCEPT_REPORT);
    const viaTailCall = await handshake.run(
      tableRoutedGuest(
        '(call $tail (local.get $block) (i64.const $LEN))',
        '(elem (table $t) (i32.const 0) func $output_set)',
      ),
    );
    expect(viaTailCall).toMatchObject(EMPTY_ACCEPT_REPORT);
  });

  it('error_set through a table fails the call with the guest’s text', async () => {
    const error = await rejection(
      handshake.run(
        tableRoutedGuest(
          '(call_indirect (type $err) (local.get $block) (i32.const 1)) (return (i32.const 1))',
          '(elem (table $t) (i32.const 1) func $error_set)',
        ),
      ),
      HandshakeError,
    );
    expect(error.kind).toBe('WasmTrap');
    expect(error.message).toBe(`wasm execution failed: ${acceptJson({})}`);
  });
});

describe('8. trap texts follow wasmtime’s trap codes', () => {
  // wasmtime Trap::IntegerOverflow ("integer overflow") vs Trap::BadConversionToInteger
  // ("invalid conversion to integer"), cranelift's fcvt_to_sint checks (NaN first, then range).
  const trunc = (operand: string, op = 'i32.trunc_f32_s') =>
    guestModule({ handshake: body(`    (drop (${op} ${operand}))\n    (i32.const 0)`) });

  it('float-to-int overflow is `integer overflow`', async () => {
    for (const [operand, op] of [
      ['(f32.const 3e9)', 'i32.trunc_f32_s'],
      ['(f64.const -1)', 'i32.trunc_f64_u'],
      ['(f64.const 1e19)', 'i64.trunc_f64_s'],
      ['(f32.const inf)', 'i64.trunc_f32_u'],
    ] as const) {
      const error = await rejection(handshake.run(trunc(operand, op)), HandshakeError);
      expect(error.message).toBe('wasm execution failed: wasm trap: integer overflow');
    }
  });

  it('NaN is `invalid conversion to integer`', async () => {
    const error = await rejection(handshake.run(trunc('(f32.const nan)')), HandshakeError);
    expect(error.message).toBe('wasm execution failed: wasm trap: invalid conversion to integer');
  });

  it('in-range operands, including the edges, convert as before', async () => {
    const wasm = guestModule({
      handshake: body(
        [
          '    (local $o i64)',
          '    (drop (i32.trunc_f32_s (f32.const -2147483648)))',
          '    (drop (i32.trunc_f64_s (f64.const 2147483647.9)))',
          '    (drop (i32.trunc_f64_u (f64.const -0.9)))',
          '    (drop (i64.trunc_f64_u (f64.const 18446744073709549568)))',
          setOutputWat(acceptJson({})),
        ].join('\n'),
      ),
    });
    await expect(handshake.run(wasm)).resolves.toMatchObject({ envelopeVersion: 1 });
  });
});

describe('7. features: the host’s, not Node’s', () => {
  const lifecycle = `
    (func (export "cc_lb_self_check") (result i32) (i32.const 0))`;
  const answering = (code: string, extra = '') =>
    withIdentity(
      wat`(module
        (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
        (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
        (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
        ${extra}
        (func (export "cc_lb_handshake") (result i32) (local $o i64)
          ${code}
          ${setOutputWat(acceptJson({}))})
        ${lifecycle})`,
      {},
    );

  // wasmtime Config defaults: relaxed_simd and extended_const are on; Node 20's V8 runs both
  // behind --experimental-wasm-relaxed-simd / --experimental-wasm-extended-const, set at runtime.
  it('relaxed SIMD runs (V8 flag set by the engine) and is metered', async () => {
    const report = await handshake.run(
      answering('(drop (i32x4.extract_lane 0 (i32x4.relaxed_trunc_f32x4_s (f32x4.splat (f32.const 3.7)))))'),
    );
    expect(report).toMatchObject({ envelopeVersion: 1, chosenVersions: {} });
    expect(report.fuelConsumed).toBeGreaterThan(0);
  });

  it('extended-const initializers run', async () => {
    const wasm = answering(
      '(if (i32.ne (global.get $g) (i32.const 42)) (then unreachable))',
      '(global $g i32 (i32.add (i32.mul (i32.const 8) (i32.const 5)) (i32.const 2)))',
    );
    await expect(handshake.run(wasm)).resolves.toMatchObject({ envelopeVersion: 1 });
  });

  it('memory64 and multi-memory: identity reads them, and the verdict is UnsupportedFeature, not “invalid”', async () => {
    for (const [memories, feature] of [
      ['(memory i64 1)', 'memory64'],
      ['(memory 1) (memory $b 1)', 'multi-memory'],
    ] as const) {
      const wasm = answering('', memories);
      const checks = (await identity.read(wasm)).staticChecks;
      expect(checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(['ExtismCanInstantiate']);
      expect(checks[7]!.detail).toMatch(
        new RegExp(
          `^unsupported feature: ${feature} \\(.*\\) — the cc-lb host \\(wasmtime\\) accepts it, but this engine`,
        ),
      );
      const error = await rejection(handshake.run(wasm), HandshakeError);
      expect(error).toMatchObject({ kind: 'UnsupportedFeature', feature });
      expect(error.message).toBe(checks[7]!.detail);
      expect(error.message).not.toMatch(/invalid|reject/);
      const selfCheckError = await rejection(selfCheck.run(wasm), SelfCheckError);
      expect(selfCheckError).toMatchObject({ kind: 'UnsupportedFeature', feature });
    }
  });

  // wasmtime's defaults leave exceptions, GC and function references off: the module fails to
  // build there too, and our text names the proposal (wasmparser: "{desc} support is not enabled").
  it('exceptions, GC and call_ref are refused, named as proposals', async () => {
    const type = section(1, [0x01, 0x60, 0x00, 0x00]);
    const exceptions = rawModule(type, section(13, [0x01, 0x00, 0x00]));
    const gc = rawModule(section(1, [0x01, 0x5f, 0x00]));
    const callRef = rawModule(
      type,
      section(3, [0x01, 0x00]),
      section(10, [0x01, 0x06, 0x00, 0xd2, 0x00, 0x14, 0x00, 0x0b]), // ref.func 0, call_ref 0
    );
    for (const [wasm, feature] of [
      [exceptions, 'exceptions'],
      [gc, 'gc'],
      [callRef, 'function-references'],
    ] as const) {
      const detail = (await identity.read(wasm)).staticChecks[7]!.detail;
      expect(detail).toMatch(
        new RegExp(
          `^failed to instantiate plugin: ${feature} support is not enabled: .* needs the ${feature} proposal, and the cc-lb host's wasmtime configuration refuses it$`,
        ),
      );
      expect(detail).not.toMatch(/0x[0-9a-f]/);
    }
  });

  it('the /wat helpers compile exactly the host’s feature set', () => {
    expect(() => wat`(module (memory i64 1) (memory $b 1))`).not.toThrow();
    expect(() => wat`(module (global i64 (i64.add (i64.const 1) (i64.const 2))))`).not.toThrow();
    expect(() => wat`(module (func (return_call 0)))`).not.toThrow();
    expect(() => wat`(module (tag $e) (func (throw $e)))`).toThrow();
  });
});

describe('6. bulk work that fuel cannot see is bounded, and slow calls are reported', () => {
  // wasmtime charges memory.fill/copy/init and table.fill/copy/init 1 fuel whatever their length;
  // the Rust host's 200 ms epoch timer ends such a call with `timeout` (Extism `raw_call`).
  const fills = (count: number, bytesPerFill: number) =>
    guestModule({
      memory: 1024,
      handshake: body(
        [
          '    (local $i i32) (local $o i64)',
          '    (loop $l',
          `      (memory.fill (i32.const 0) (local.get $i) (i32.const ${bytesPerFill}))`,
          `      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${count}))))`,
          setOutputWat(acceptJson({})),
        ].join('\n'),
      ),
    });

  it('a loop of 64 MiB memory.fill costs little fuel but stops with `timeout` at the work bound', async () => {
    const error = await rejection(handshake.run(fills(100_000, 64 * 1024 * 1024)), HandshakeError);
    expect(error.kind).toBe('WasmTrap');
    expect(error.message).toBe(`wasm execution failed: ${TIMEOUT_REASON}`);
  });

  it('the bound scales with wallMs and is counted, not timed: the same work passes under a larger wallMs', async () => {
    // 16 fills of 64 MiB = 1 GiB: past the bound at wallMs 20 (800 MiB), within it at 200
    const wasm = fills(16, 64 * 1024 * 1024);
    const stopped = await rejection(handshake.run(plugin(wasm, { wallMs: 20 })), HandshakeError);
    expect(stopped.message).toBe(`wasm execution failed: ${TIMEOUT_REASON}`);
    await expect(handshake.run(plugin(wasm, { wallMs: 200 }))).resolves.toMatchObject({ envelopeVersion: 1 });
  });

  it('a call slower than wallMs carries a warning, shown by the matchers on failure', async () => {
    // 350M fuel of loop iterations (50M of them) takes tens of milliseconds on any machine, and
    // load can only lengthen it: with wallMs 1 the warning is certain (no verdict depends on it).
    const slow = plugin(
      guestModule({
        handshake: body(
          [
            '    (local $i i32) (local $o i64)',
            '    (loop $l (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 50000000))))',
            setOutputWat(acceptJson({})),
          ].join('\n'),
        ),
      }),
      { wallMs: 1, fuel: 1_000_000_000 },
    );
    const report = await handshake.run(slow);
    expect(report.warnings).toEqual([
      expect.stringMatching(
        /^a plugin call took \d+ ms, more than wallMs \(1 ms\): the Rust host would likely have stopped it with `timeout` \(not a failure here; strictWallClock makes it one\)$/,
      ),
    ]);
    // not enumerable: report equality does not depend on the clock
    expect(Object.keys(report)).not.toContain('warnings');
    await expect(expect(slow).toHandshake({ chosenVersions: { shape: 1 } })).rejects.toThrow(
      /Warning: a plugin call took \d+ ms, more than wallMs \(1 ms\)/,
    );
    // strictWallClock turns the same call into the host's verdict
    const strict = await rejection(
      handshake.run(plugin(slow.wasm, { wallMs: 1, fuel: 1_000_000_000, strictWallClock: true })),
      HandshakeError,
    );
    expect(strict.message).toBe(`wasm execution failed: ${TIMEOUT_REASON}`);
  });
});

describe('6. (engine) every bulk operation is counted', () => {
  const LIMITS = { wallMs: 1, fuel: 10_000_000 }; // bound: 40 MiB of fill-equivalent work
  const guest = wat`(module
    (memory 1024 1024)
    (data $d "abc")
    (table $t 200000 funcref)
    (elem $e func $f $f $f)
    (func $f)
    (func (export "copy_small") (memory.copy (i32.const 0) (i32.const 100) (i32.const 1000)))
    (func (export "copy_big") (memory.copy (i32.const 0) (i32.const ${32 * 1024 * 1024}) (i32.const ${32 * 1024 * 1024})))
    (func (export "init") (local $i i32)
      (loop $l
        (memory.init $d (i32.const 0) (i32.const 0) (i32.const 3))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 100000)))))
    (func (export "table_fill") (table.fill $t (i32.const 0) (ref.func $f) (i32.const 100000)))
    (func (export "table_copy") (table.copy $t $t (i32.const 0) (i32.const 100000) (i32.const 100000)))
    (func (export "table_init") (local $i i32)
      (loop $l
        (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 3))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 100000)))))
    (func (export "table_grow") (drop (table.grow $t (ref.null func) (i32.const 100000)))))`;

  it('memory.copy, table.fill/copy/init/grow past the bound end in `timeout`; small ones run', async () => {
    const loaded = await buildPlugin(guest, LIMITS);
    await expect(loaded.call('copy_small', '')).resolves.toMatchObject({ fuelConsumed: 5 });
    for (const name of ['copy_big', 'table_fill', 'table_copy', 'table_init', 'table_grow']) {
      await expect(loaded.call(name, ''), name).rejects.toMatchObject({
        kind: 'Timeout',
        message: 'timeout',
      });
    }
    // memory.init of 3 bytes 100 000 times is 300 KB of work: far inside the bound
    await expect(loaded.call('init', '')).resolves.toMatchObject({ output: new Uint8Array(0) });
    await loaded.close();
  });

  it('the CLI prints a report’s warnings', () => {
    let stdout = '';
    const out = new Printer({
      stdout: {
        write: (s: string) => {
          stdout += s;
          return true;
        },
      } as never,
      stderr: { write: () => true } as never,
      env: {},
    });
    out.warnings(['a plugin call took 250 ms, more than wallMs (200 ms): …']);
    expect(stdout).toBe('  warning: a plugin call took 250 ms, more than wallMs (200 ms): …\n');
  });
});

describe('4. (segments) active element and data segments are applied by the first call', () => {
  // wasmtime applies active segments while instantiating (before the start function), and
  // Extism instantiates inside the first call: an out-of-bounds segment fails that call.
  it('an out-of-bounds data segment passes check 8 and fails the handshake with the trap', async () => {
    const wasm = withIdentity(
      wat`(module
        (memory 1)
        (data (i32.const 65530) "0123456789")
        (func (export "cc_lb_handshake") (result i32) (i32.const 0))
        (func (export "cc_lb_self_check") (result i32) (i32.const 0)))`,
      {},
    );
    expect((await identity.read(wasm)).staticChecks).toEqual(checksWith({}));
    const error = await rejection(handshake.run(wasm), HandshakeError);
    expect(error.message).toBe('wasm execution failed: wasm trap: out of bounds memory access');
  });

  it('in-bounds segments are in place before the start function and the first export run', async () => {
    const wasm = withIdentity(
      wat`(module
        (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
        (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
        (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
        (type $v (func (result i32)))
        (memory 1)
        (global $seen (mut i32) (i32.const 0))
        (table 2 funcref)
        (elem (i32.const 1) $two)
        (data (i32.const 100) "{}")
        (func $two (result i32) (i32.const 2))
        ;; the start function sees both segments applied
        (func $start (global.set $seen (i32.add (i32.load8_u (i32.const 100)) (call_indirect (type $v) (i32.const 1)))))
        (start $start)
        (func (export "cc_lb_handshake") (result i32) (local $o i64)
          (if (i32.ne (global.get $seen) (i32.const 125)) (then unreachable))
          (local.set $o (call $alloc (i64.const 2)))
          (call $store_u8 (local.get $o) (i32.load8_u (i32.const 100)))
          (call $store_u8 (i64.add (local.get $o) (i64.const 1)) (i32.load8_u (i32.const 101)))
          (call $output_set (local.get $o) (i64.const 2))
          (i32.const 0))
        (func (export "cc_lb_self_check") (result i32) (i32.const 0)))`,
      {},
    );
    const error = await rejection(handshake.run(wasm), HandshakeError);
    // "{}" reached the decoder: the data was there, the element too (no trap)
    expect(error.message).toMatch(/^handshake serialization failed: missing field/);
  });
});
