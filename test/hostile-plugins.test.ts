/**
 * Hostile plugins through the public surface: the conformance API from the package root, the
 * matchers and the CLI. The engine has its own hostile-module tests; these prove that what an
 * author actually calls ends every attack with a clear, typed error (kind, exact message, cause)
 * and an honest exit code, and that nothing hangs, crashes the worker or poisons a session.
 *
 * Each module is small and every guest call is bounded by fuel, so this whole file runs in well
 * under a second of guest time.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';
import {
  dispatch,
  handshake,
  identity,
  ObserveFn,
  PluginSession,
  RunError,
  ShapeFn,
  selfCheck,
  verify,
} from '../src/index.js';
import '../src/vitest/setup.js';
import {
  acceptJson,
  body,
  type ExportBehaviour,
  output,
  pluginModule,
  selfCheckJson,
  spin,
  wat,
  withCustomSection,
} from '../src/wat/index.js';

const IDENTITY_SECTION = 'cc_lb.plugin.v1';
const VALID_PAYLOAD =
  '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"hostile","plugin_version":"1.0.0"}';
const SHAPE_RESPONSE = { _v: 1, url: 'https://h.test/', method: 'POST', headers: [], body_base64: '' };
/** What dispatch returns for it: the envelope's `_v` is the host's, not part of the response. */
const { _v: _envelope, ...SHAPE_DECODED } = SHAPE_RESPONSE;

const acceptShape = output(
  acceptJson({
    chosen_versions: { shape: 1 },
    plugin_supported: { shape: [1] },
    implemented_functions: ['shape'],
  }),
);
const selfCheckOk = output(selfCheckJson());

/** Grows memory 1024 pages at a time until `memory.grow` refuses, then aborts like an allocator would. */
const memoryBomb = body(`
    (block $refused
      (loop $grow
        (br_if $refused (i32.eq (memory.grow (i32.const 1024)) (i32.const -1)))
        (br $grow)))
    unreachable`);

/** Sets a 10 MiB output (Extism memory from the kernel's `alloc`, never written). */
const tenMiBOutput = body(
  '(call $output_set (call $alloc (i64.const 10485760)) (i64.const 10485760)) (i32.const 0)',
);

function allThree(behaviour: ExportBehaviour, memory?: number): Uint8Array {
  return pluginModule({
    ...(memory === undefined ? {} : { memory }),
    exports: { cc_lb_handshake: behaviour, cc_lb_self_check: behaviour, shape: behaviour },
  });
}

const GOOD_EXPORTS = {
  cc_lb_handshake: acceptShape,
  cc_lb_self_check: selfCheckOk,
  shape: output(SHAPE_RESPONSE),
};

const modules = {
  spinning: allThree(spin()),
  memoryBomb: allThree(memoryBomb, 1),
  tenMiBOutput: allThree(tenMiBOutput),
  fiveIdentitySections: (() => {
    let bytes = pluginModule({ exports: GOOD_EXPORTS });
    for (let i = 0; i < 4; i++) bytes = withCustomSection(bytes, IDENTITY_SECTION, VALID_PAYLOAD);
    return bytes;
  })(),
  identity70KiB: pluginModule({ identity: ' '.repeat(70 * 1024), exports: GOOD_EXPORTS }),
  /** A custom section whose name length (32) runs past the section's end. */
  malformedCustomSection: Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, 3, 0x20, 0x61, 0x62]),
  /**
   * A start function that never returns: instantiation itself must be metered. Extism instantiates
   * inside the first call (runtime/src/plugin.rs `raw_call` → `instantiate`), so it is that call's
   * fuel that runs out; building the plugin succeeds.
   */
  spinningStart: withCustomSection(
    wat`(module
      (func $start (loop $forever (br $forever)))
      (start $start)
      (func (export "cc_lb_handshake") (result i32) (i32.const 0))
      (func (export "cc_lb_self_check") (result i32) (i32.const 0)))`,
    IDENTITY_SECTION,
    VALID_PAYLOAD,
  ),
  garbage: Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff),
  empty: new Uint8Array(0),
} as const;

type ModuleName = keyof typeof modules;

async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(Error);
  return outcome.error as Error & Record<string, unknown>;
}

function causeOf(error: Error): Error & Record<string, unknown> {
  expect(error.cause).toBeInstanceOf(Error);
  return error.cause as Error & Record<string, unknown>;
}

describe('handshake.run ends every attack with a HandshakeError', () => {
  it.each<[ModuleName, string, string, string]>([
    ['spinning', 'WasmTrap', 'wasm execution failed: handshake call exceeded timeout/fuel budget', 'Timeout'],
    [
      'memoryBomb',
      'WasmTrap',
      'wasm execution failed: wasm trap: wasm `unreachable` instruction executed',
      'Call',
    ],
    [
      'tenMiBOutput',
      'Serialization',
      'handshake serialization failed: handshake output size 10485760 exceeds maximum 32768',
      'OutputTooLarge',
    ],
    [
      'fiveIdentitySections',
      'InvalidIdentity',
      'invalid identity field custom_section: duplicate cc_lb.plugin.v1 custom section',
      'DuplicateCustomSection',
    ],
    [
      'identity70KiB',
      'InvalidIdentity',
      'invalid identity field custom_section: cc_lb.plugin.v1 custom section is 71680 bytes, max 65536',
      'SectionTooLarge',
    ],
    [
      'spinningStart',
      'WasmTrap',
      'wasm execution failed: handshake call exceeded timeout/fuel budget',
      'Timeout',
    ],
  ])('%s → %s', async (name, kind, message, causeKind) => {
    const error = await failure(handshake.run(modules[name]));
    expect(error.name).toBe('HandshakeError');
    expect(error.kind).toBe(kind);
    expect(error.message).toBe(message);
    expect(causeOf(error).kind).toBe(causeKind);
  });

  it('a 10 MiB handshake output carries the exact size in the host error', async () => {
    const error = await failure(handshake.run(modules.tenMiBOutput));
    expect(causeOf(error)).toMatchObject({ kind: 'OutputTooLarge', bytes: 10485760, max: 32768 });
  });

  it.each<ModuleName>(['malformedCustomSection', 'garbage', 'empty'])(
    '%s bytes → Instantiate, with the engine’s reason',
    async (name) => {
      const error = await failure(handshake.run(modules[name]));
      expect(error.kind).toBe('Instantiate');
      expect(error.message).toMatch(/^plugin instantiation failed: \S/);
      expect(causeOf(error).kind).toBe('Instantiate');
    },
  );
});

describe('selfCheck.run ends every attack with a SelfCheckError', () => {
  it.each<[ModuleName, string, string]>([
    // No timeout classification in the self-check: the fuel text passes through.
    ['spinning', 'WasmTrap', 'wasm execution failed: plugin ran out of fuel'],
    ['memoryBomb', 'WasmTrap', 'wasm execution failed: wasm trap: wasm `unreachable` instruction executed'],
    [
      'tenMiBOutput',
      'Output',
      'self-check output invalid: self-check output size 10485760 exceeds maximum 8192',
    ],
    ['spinningStart', 'WasmTrap', 'wasm execution failed: plugin ran out of fuel'],
  ])('%s → %s', async (name, kind, message) => {
    const error = await failure(selfCheck.run(modules[name]));
    expect(error.name).toBe('SelfCheckError');
    expect(error.kind).toBe(kind);
    expect(error.message).toBe(message);
  });

  it('does not read the identity section, so five of them do not matter to it', async () => {
    await expect(selfCheck.run(modules.fiveIdentitySections)).resolves.toMatchObject({ status: 'Success' });
  });
});

describe('identity.read on hostile sections', () => {
  it('five identity sections: DuplicateCustomSection, and check 1 counts them', async () => {
    const error = await failure(identity.read(modules.fiveIdentitySections));
    expect(error.name).toBe('IdentityError');
    expect(error.message).toBe('duplicate cc_lb.plugin.v1 custom section');
    expect(causeOf(error).kind).toBe('DuplicateCustomSection');
    expect(error.staticChecks).toContainEqual({
      name: 'CustomSectionExactlyOnce',
      pass: false,
      detail: 'expected exactly one cc_lb.plugin.v1 custom section, found 5',
    });
  });

  it('a 70 KiB section: SectionTooLarge with its size, and check 2 lists it', async () => {
    const error = await failure(identity.read(modules.identity70KiB));
    expect(error.message).toBe('cc_lb.plugin.v1 custom section is 71680 bytes, max 65536');
    expect(causeOf(error)).toMatchObject({ kind: 'SectionTooLarge', size: 71680 });
    expect(error.staticChecks).toContainEqual({
      name: 'CustomSectionSizeWithinLimit',
      pass: false,
      detail: 'custom section payload size(s) [71680] exceed max 65536 bytes',
    });
  });

  it.each<ModuleName>(['malformedCustomSection', 'garbage', 'empty'])(
    '%s: a WasmParseError, and every walk-based check fails with the parser text',
    async (name) => {
      const error = await failure(identity.read(modules[name]));
      expect(error.message).toMatch(/^invalid wasm: /);
      expect(causeOf(error).kind).toBe('WasmParseError');
      const checks = error.staticChecks as { name: string; pass: boolean; detail?: string }[];
      expect(checks).toHaveLength(9);
      for (const check of checks) {
        expect(check.pass, check.name).toBe(false);
        if (check.name !== 'ExtismCanInstantiate') expect(check.detail).toBe(error.message);
      }
    },
  );

  it('a spinning start function passes ExtismCanInstantiate (building runs no guest code), without hanging', async () => {
    const report = await identity.read(modules.spinningStart);
    expect(report.staticChecks.find((c) => c.name === 'ExtismCanInstantiate')).toEqual({
      name: 'ExtismCanInstantiate',
      pass: true,
      detail: undefined,
    });
  });
});

describe('dispatch and sessions', () => {
  it('dispatch.run on garbage is a RunError Build, not a crash', async () => {
    const error = await failure(dispatch.run(modules.garbage, ShapeFn));
    expect(error).toBeInstanceOf(RunError);
    expect(error.kind).toBe('Build');
    expect(error.message).toMatch(/^plugin instantiation failed: /);
  });

  it('dispatch.run behind a spinning handshake is a RunError wrapping the HandshakeError', async () => {
    const error = await failure(dispatch.run(modules.spinning, ShapeFn));
    expect(error.kind).toBe('Handshake');
    expect(error.message).toBe(
      'handshake failed: wasm execution failed: handshake call exceeded timeout/fuel budget',
    );
    expect(causeOf(error).kind).toBe('WasmTrap');
  });

  it('a spinning and a memory-bombing handler each fall back, and the session keeps working', async () => {
    const bytes = pluginModule({
      memory: 1,
      exports: {
        cc_lb_handshake: output(
          acceptJson({
            chosen_versions: { shape: 1, observe: 1, normalize_error: 1 },
            plugin_supported: { shape: [1], observe: [1], normalize_error: [1] },
            implemented_functions: ['shape', 'observe', 'normalize_error'],
          }),
        ),
        cc_lb_self_check: selfCheckOk,
        shape: output(SHAPE_RESPONSE),
        observe: spin(),
        normalize_error: memoryBomb,
      },
    });
    const session = await PluginSession.create(bytes);
    try {
      await expect(session.dispatch(ObserveFn)).resolves.toMatchObject({
        kind: 'fallback',
        policy: 'SilentSkip',
        stage: 'plugin_call',
        error: 'plugin call failed: plugin ran out of fuel',
      });
      await expect(session.dispatch(ShapeFn)).resolves.toMatchObject({
        kind: 'ok',
        response: SHAPE_DECODED,
      });
      const { NormalizeErrorFn } = await import('../src/index.js');
      await expect(session.dispatch(NormalizeErrorFn)).resolves.toMatchObject({
        kind: 'fallback',
        policy: 'PassThrough',
        stage: 'plugin_call',
        error: 'plugin call failed: wasm trap: wasm `unreachable` instruction executed',
      });
      await expect(session.dispatch(ShapeFn)).resolves.toMatchObject({
        kind: 'ok',
        response: SHAPE_DECODED,
      });
    } finally {
      await session.close();
    }
  });
});

describe('production host functions are not there to lean on', () => {
  /*
   * HF-01 calls `cc_lb_now_unix_ms` on an instance built *with* the production host functions
   * (runtime 0.3.0). Conformance instances register none (PROTOCOL.md §10), and this package only
   * builds conformance instances, so HF-01 itself does not apply; its counterpart here is that the
   * same module is refused up front with a message naming the import and the rule.
   */
  const clockTest = withCustomSection(
    wat`(module
      (import "extism:host/user" "cc_lb_now_unix_ms" (func $now (result i64)))
      (func (export "cc_lb_handshake") (result i32) (drop (call $now)) (i32.const 0))
      (func (export "cc_lb_self_check") (result i32) (i32.const 0))
      (func (export "check_now") (result i32) (drop (call $now)) (i32.const 0)))`,
    IDENTITY_SECTION,
    '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"clock-test","plugin_version":"1.0.0"}',
  );
  const refusal =
    'import "extism:host/user" "cc_lb_now_unix_ms" is not provided: the cc-lb host registers no host functions for conformance runs';

  it('HF-01 counterpart: a module importing cc_lb_now_unix_ms fails to instantiate, naming the import', async () => {
    const error = await failure(handshake.run(clockTest));
    expect(error.kind).toBe('Instantiate');
    expect(error.message).toBe(`plugin instantiation failed: ${refusal}`);
    const report = await identity.read(clockTest);
    expect(report.staticChecks.filter((c) => !c.pass)).toEqual([
      { name: 'ExtismCanInstantiate', pass: false, detail: `failed to instantiate plugin: ${refusal}` },
    ]);
  });
});

describe('verify on hostile plugins', () => {
  it.each<[ModuleName, string, string]>([
    [
      'spinning',
      'Handshake',
      'handshake verification failed: wasm execution failed: handshake call exceeded timeout/fuel budget',
    ],
    [
      'tenMiBOutput',
      'Handshake',
      'handshake verification failed: handshake serialization failed: handshake output size 10485760 exceeds maximum 32768',
    ],
    [
      'fiveIdentitySections',
      'Handshake',
      'handshake verification failed: invalid identity field custom_section: duplicate cc_lb.plugin.v1 custom section',
    ],
  ])('%s → VerifyError %s', async (name, kind, message) => {
    const error = await failure(verify.shape(modules[name]));
    expect(error.name).toBe('VerifyError');
    expect(error.kind).toBe(kind);
    expect(error.message).toBe(message);
  });
});

describe('matchers given garbage settle with the reason, never hang', () => {
  it('the failure matchers pass on garbage, naming the engine error kind', async () => {
    await expect(modules.garbage).toFailHandshake('Instantiate');
    await expect(modules.garbage).toFailSelfCheck('Instantiate');
    await expect(modules.garbage).not.toHandshake();
    await expect(modules.garbage).not.toPassSelfCheck();
    await expect(modules.garbage).not.toPassStaticChecks();
    await expect(modules.garbage).not.toHaveIdentity({});
    await expect(modules.garbage).not.toVerifyAs('shape');
  });

  it('the success matchers fail on garbage with the error in their message', async () => {
    await expect(expect(modules.garbage).toHandshake()).rejects.toThrow(
      /Instantiate.*plugin instantiation failed/s,
    );
    await expect(expect(modules.garbage).toPassSelfCheck()).rejects.toThrow(/plugin instantiation failed/);
    await expect(expect(modules.garbage).toHaveIdentity({})).rejects.toThrow(/invalid wasm: /);
    await expect(expect(modules.garbage).toPassStaticChecks()).rejects.toThrow(/CustomSectionExactlyOnce/);
    await expect(expect(modules.garbage).toVerifyAs('shape')).rejects.toThrow(/plugin instantiation failed/);
    await expect(expect(modules.garbage).toDispatch(ShapeFn).ok()).rejects.toThrow(
      /plugin instantiation failed/,
    );
  });

  it('the spinning plugin fails toHandshake with the budget message', async () => {
    await expect(expect(modules.spinning).toHandshake()).rejects.toThrow(
      /handshake call exceeded timeout\/fuel budget/,
    );
    await expect(modules.spinning).toFailHandshake('Timeout');
  });
});

describe('the CLI on hostile plugins', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cc-lb-hostile-'));
  });

  async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const sink = {
      write: (s: string) => {
        out += s;
        return true;
      },
    } as never;
    const code = await runCli(argv, { stdout: sink, stderr: sink, env: {} });
    return { code, out };
  }

  async function fileOf(name: ModuleName): Promise<string> {
    const path = join(dir, `${name}.wasm`);
    await writeFile(path, modules[name]);
    return path;
  }

  it.each<[ModuleName, string]>([
    ['spinning', 'wasm execution failed: handshake call exceeded timeout/fuel budget'],
    ['memoryBomb', 'wasm execution failed: wasm trap: wasm `unreachable` instruction executed'],
    ['tenMiBOutput', 'handshake output size 10485760 exceeds maximum 32768'],
    ['fiveIdentitySections', 'duplicate cc_lb.plugin.v1 custom section'],
    ['identity70KiB', 'cc_lb.plugin.v1 custom section is 71680 bytes, max 65536'],
    ['spinningStart', 'wasm execution failed: handshake call exceeded timeout/fuel budget'],
  ])('verify %s exits 1 and says why', async (name, reason) => {
    const r = await cli('verify', await fileOf(name));
    expect(r.code).toBe(1);
    expect(r.out).toContain(reason);
    expect(r.out.trimEnd().split('\n').at(-1)).toMatch(/^FAIL \d+ of \d+ layer\(s\) failed$/);
  });

  it.each<ModuleName>(['malformedCustomSection', 'garbage', 'empty'])(
    'every command exits 2 on %s, naming the file',
    async (name) => {
      const path = await fileOf(name);
      for (const argv of [
        ['verify', path],
        ['identity', path],
        ['handshake', path],
        ['self-check', path],
        ['dispatch', path, 'shape'],
        ['stamp', path, '--name', 'x', '--version', '1'],
      ]) {
        const r = await cli(...argv);
        expect(r.code, argv[0]).toBe(2);
        expect(r.out, argv[0]).toMatch(
          new RegExp(
            `^cc-lb-conformance: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a (valid )?WebAssembly module`,
          ),
        );
      }
    },
  );
});
