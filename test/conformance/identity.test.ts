import { describe, expect, it } from 'vitest';
import { IdentityError } from '../../src/conformance/errors.js';
import { identity } from '../../src/conformance/identity.js';
import { plugin } from '../../src/conformance/plugin-under-test.js';
import { STATIC_CHECK_NAMES, type StaticCheck } from '../../src/conformance/reports.js';
import { IdentityReadError } from '../../src/host/index.js';
import { pluginModule, wat, withCustomSection, withIdentity } from '../../src/wat/index.js';
import { syntheticModule, validIdentityPayload } from '../support/synthetic-module.js';

const ALL_PASS = STATIC_CHECK_NAMES.map((name) => ({ name, pass: true, detail: undefined }));

/** The nine checks with the given failures (name → detail); every other check passes. */
function checksWith(failures: Partial<Record<(typeof STATIC_CHECK_NAMES)[number], string>>): StaticCheck[] {
  return STATIC_CHECK_NAMES.map((name) => {
    const detail = failures[name];
    return { name, pass: detail === undefined, detail };
  });
}

async function readError(wasm: Uint8Array): Promise<IdentityError> {
  const error = await identity.read(wasm).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(IdentityError);
  return error as IdentityError;
}

describe('the synthetic module (REFERENCE-CASES §0.3)', () => {
  it('is laid out byte for byte as specified', () => {
    const hex = Buffer.from(syntheticModule()).toString('hex');
    expect(hex).toBe(
      [
        '0061736d01000000',
        '010401600000',
        '0303020000',
        `0726020f${Buffer.from('cc_lb_handshake').toString('hex')}0000`,
        `10${Buffer.from('cc_lb_self_check').toString('hex')}0001`,
        '0a0702020' + '00b0200' + '0b',
      ].join(''),
    );
    expect(
      Buffer.from(syntheticModule(validIdentityPayload('test-plugin')))
        .subarray(8, 12)
        .toString('hex'),
    ).toBe('00770f63');
  });
});

describe('identity.read', () => {
  it('CI-01: a valid identity reads and all nine static checks pass', async () => {
    const report = await identity.read(syntheticModule(validIdentityPayload('test-plugin')));
    expect(report.identity).toEqual({
      magic: [204, 27, 112, 16, 0, 1, 0, 0],
      abi_envelope: 1,
      plugin_name: 'test-plugin',
      plugin_version: '1.0.0',
    });
    expect(report.staticChecks).toEqual(ALL_PASS);
  });

  it('CI-01 via withIdentity on the section-less module gives the same report', async () => {
    const stamped = withIdentity(syntheticModule(), { plugin_name: 'test-plugin', plugin_version: '1.0.0' });
    const report = await identity.read(stamped);
    expect(report.identity.plugin_name).toBe('test-plugin');
    expect(report.staticChecks).toEqual(ALL_PASS);
  });

  it('CI-02: payload `{` fails the read as malformed and checks 3–6 with the serde text', async () => {
    const error = await readError(syntheticModule('{'));
    expect(error.message).toBe(
      'malformed cc_lb.plugin.v1 payload: EOF while parsing an object at line 1 column 1',
    );
    expect(error.cause).toBeInstanceOf(IdentityReadError);
    expect((error.cause as IdentityReadError).kind).toBe('MalformedPayload');
    const detail = 'malformed identity JSON: EOF while parsing an object at line 1 column 1';
    expect(error.staticChecks).toEqual(
      checksWith({
        JsonFieldsExactlyFour: detail,
        IdentityFieldsWellFormed: detail,
        PluginNameRegexCompliant: detail,
        PluginVersionLengthCompliant: detail,
      }),
    );
    expect(await identity.staticChecks(syntheticModule('{'))).toEqual(error.staticChecks);
  });

  it('CI-03: no identity section fails the read as missing and checks 1–6', async () => {
    const error = await readError(syntheticModule());
    expect(error.message).toBe('missing cc_lb.plugin.v1 custom section');
    const missing = 'missing cc_lb.plugin.v1 custom section';
    expect(error.staticChecks).toEqual(
      checksWith({
        CustomSectionExactlyOnce: 'expected exactly one cc_lb.plugin.v1 custom section, found 0',
        CustomSectionSizeWithinLimit: missing,
        JsonFieldsExactlyFour: missing,
        IdentityFieldsWellFormed: missing,
        PluginNameRegexCompliant: missing,
        PluginVersionLengthCompliant: missing,
      }),
    );
  });

  it('CI-04: a 65-byte name fails the read as invalid identity and check 5', async () => {
    const name = `a${'b'.repeat(64)}`;
    const error = await readError(syntheticModule(validIdentityPayload(name)));
    expect(error.message).toBe(
      'invalid plugin identity: plugin name does not match pattern ^[a-z][a-z0-9_-]*$ (max 64 bytes)',
    );
    expect(error.staticChecks).toEqual(
      checksWith({
        PluginNameRegexCompliant: `plugin_name "${name}" must match ^[a-z][a-z0-9_-]*$ and be at most 64 bytes`,
      }),
    );
  });

  it.each([
    ['CI-02', '{'],
    ['CI-04', validIdentityPayload(`a${'b'.repeat(64)}`)],
  ])('%s gives the same outcome when the section is stamped with withIdentity', async (_, payload) => {
    const byteBuilt = await readError(syntheticModule(payload));
    const stamped = await readError(withIdentity(syntheticModule(), payload));
    expect(stamped.message).toBe(byteBuilt.message);
    expect(stamped.staticChecks).toEqual(byteBuilt.staticChecks);
  });

  it('withIdentity replaces an existing section: exactly one remains and all checks pass', async () => {
    const restamped = withIdentity(
      syntheticModule(validIdentityPayload('first')),
      validIdentityPayload('second'),
    );
    const report = await identity.read(restamped);
    expect(report.identity.plugin_name).toBe('second');
    expect(report.staticChecks).toEqual(ALL_PASS);
  });

  it('check 8 builds with the descriptor limits (a memory cap below the module minimum)', async () => {
    const wasm = withIdentity(
      wat`(module (memory 3)
        (func (export "cc_lb_handshake") (result i32) (i32.const 0))
        (func (export "cc_lb_self_check") (result i32) (i32.const 0)))`,
      {},
    );
    expect((await identity.staticChecks(wasm))[7]?.pass).toBe(true);
    const capped = await identity.staticChecks(plugin(wasm, { maxMemoryPages: 2 }));
    expect(capped[7]?.pass).toBe(false);
    expect(capped[7]?.detail).toMatch(/^failed to instantiate plugin: /);
  });

  it('two identity sections: check 1 counts them, checks 3–6 name the count, the read says duplicate', async () => {
    const twice = withCustomSection(
      syntheticModule(validIdentityPayload('test-plugin')),
      'cc_lb.plugin.v1',
      validIdentityPayload('test-plugin'),
    );
    const error = await readError(twice);
    expect(error.message).toBe('duplicate cc_lb.plugin.v1 custom section');
    const times = 'cc_lb.plugin.v1 custom section appears 2 times';
    expect(error.staticChecks).toEqual(
      checksWith({
        CustomSectionExactlyOnce: 'expected exactly one cc_lb.plugin.v1 custom section, found 2',
        JsonFieldsExactlyFour: times,
        IdentityFieldsWellFormed: times,
        PluginNameRegexCompliant: times,
        PluginVersionLengthCompliant: times,
      }),
    );
  });

  it('an oversized section: check 2 lists the size as a Rust list', async () => {
    const error = await readError(syntheticModule(' '.repeat(65_537)));
    expect(error.message).toBe('cc_lb.plugin.v1 custom section is 65537 bytes, max 65536');
    expect(error.staticChecks[1]).toEqual({
      name: 'CustomSectionSizeWithinLimit',
      pass: false,
      detail: 'custom section payload size(s) [65537] exceed max 65536 bytes',
    });
  });

  it('X-14: abi_envelope 2 reads fine but fails check 4', async () => {
    const wasm = syntheticModule(
      '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":2,"plugin_name":"test-plugin","plugin_version":"1.0.0"}',
    );
    const report = await identity.read(wasm);
    expect(report.identity.abi_envelope).toBe(2);
    expect(report.staticChecks).toEqual(
      checksWith({ IdentityFieldsWellFormed: 'abi_envelope must be 1; found 2' }),
    );
  });

  it('X-15: a duplicated key passes the generic checks but the read rejects it', async () => {
    const wasm = syntheticModule(
      '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"a","plugin_name":"b","plugin_version":"1.0.0"}',
    );
    const error = await readError(wasm);
    expect(error.message).toMatch(
      /^malformed cc_lb\.plugin\.v1 payload: duplicate field `plugin_name` at line 1 column /,
    );
    expect(error.staticChecks).toEqual(ALL_PASS);
  });

  it('check 3 and check 4 list every problem of a wrong-shaped payload', async () => {
    const wasm = syntheticModule(
      '{"magic":[204,27,112,16,0,1,0,300],"abi_envelope":-1,"plugin_name":7,"extra":null}',
    );
    const checks = await identity.staticChecks(wasm);
    expect(checks.slice(2, 6)).toEqual([
      {
        name: 'JsonFieldsExactlyFour',
        pass: false,
        detail:
          'identity JSON fields must be exactly ["abi_envelope", "magic", "plugin_name", "plugin_version"]; found ["abi_envelope", "extra", "magic", "plugin_name"]',
      },
      {
        name: 'IdentityFieldsWellFormed',
        pass: false,
        detail:
          'magic[7] exceeds u8 max: 300; abi_envelope must be an unsigned integer; plugin_name must be a string; plugin_version must be a string',
      },
      { name: 'PluginNameRegexCompliant', pass: false, detail: 'plugin_name must be a string' },
      { name: 'PluginVersionLengthCompliant', pass: false, detail: 'plugin_version must be a string' },
    ]);
  });

  it('check 4: magic problems — wrong bytes, wrong length, not an array, not integers', async () => {
    const detailFor = async (magic: string) => {
      const payload = `{"magic":${magic},"abi_envelope":1,"plugin_name":"p","plugin_version":"1"}`;
      return (await identity.staticChecks(syntheticModule(payload)))[3]?.detail;
    };
    expect(await detailFor('[0,0,0,0,0,0,0,0]')).toBe(
      'magic must equal [204, 27, 112, 16, 0, 1, 0, 0]; found [0, 0, 0, 0, 0, 0, 0, 0]',
    );
    expect(await detailFor('[67,67,76,66]')).toBe('magic must contain 8 bytes; found 4');
    expect(await detailFor('"CCLB"')).toBe('magic must be an array of 8 bytes');
    expect(await detailFor('[204,27,112,16,0,1.0,0,0]')).toBe('magic[5] must be an integer byte');
  });

  it('a non-object payload fails check 3 and all of check 4', async () => {
    const checks = await identity.staticChecks(syntheticModule('[1]'));
    expect(checks[2]?.detail).toBe('identity payload top level is not a JSON object');
    expect(checks[3]?.detail).toBe(
      'magic must be an array of 8 bytes; abi_envelope must be an unsigned integer; plugin_name must be a string; plugin_version must be a string',
    );
  });

  it('check 6 counts bytes, not characters', async () => {
    const payload = `{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"p","plugin_version":"${'é'.repeat(17)}"}`;
    const checks = await identity.staticChecks(syntheticModule(payload));
    expect(checks[5]).toEqual({
      name: 'PluginVersionLengthCompliant',
      pass: false,
      detail: 'plugin_version must be non-empty and at most 32 bytes; found 34 bytes',
    });
  });

  it('check 7 lists missing lifecycle exports; check 9 lists WASI import modules', async () => {
    const wasm = withIdentity(
      wat`(module
        (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
        (import "wasi:cli/stdout" "get" (func))
        (func (export "cc_lb_handshake") (result i32) (i32.const 0)))`,
      {},
    );
    const checks = await identity.staticChecks(wasm);
    expect(checks[6]).toEqual({
      name: 'AllRequiredExportsPresent',
      pass: false,
      detail: 'missing wasm function export(s): ["cc_lb_self_check"]',
    });
    expect(checks[8]).toEqual({
      name: 'NoWasiImports',
      pass: false,
      detail: 'forbidden WASI import module(s): ["wasi:cli/stdout", "wasi_snapshot_preview1"]',
    });
    // the host registers no WASI, so the module also cannot be instantiated
    expect(checks[7]?.pass).toBe(false);
    expect(checks[7]?.detail).toMatch(/^failed to instantiate plugin: /);
  });

  it('check 8 reports the engine text when the module cannot be built', async () => {
    const wasm = pluginModule({
      userHostImport: true,
      exports: { cc_lb_handshake: { kind: 'trap' }, cc_lb_self_check: { kind: 'trap' } },
    });
    const checks = await identity.staticChecks(wasm);
    expect(checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(['ExtismCanInstantiate']);
    expect(checks[7]?.detail).toMatch(/^failed to instantiate plugin: .*cc_lb_log/);
  });

  it('a parse error fails every walk-based check with `invalid wasm: …`; check 8 still builds', async () => {
    const broken = Uint8Array.from([...syntheticModule(validIdentityPayload('test-plugin')), 0x0b, 0x05]);
    const checks = await identity.staticChecks(broken);
    for (const check of checks) {
      expect(check.pass).toBe(false);
      if (check.name !== 'ExtismCanInstantiate') expect(check.detail).toMatch(/^invalid wasm: /);
    }
    const error = await readError(broken);
    expect(error.message).toBe(checks[0]?.detail);
  });

  it('accepts a PluginUnderTest and ArrayBuffer views with an offset', async () => {
    const bytes = syntheticModule(validIdentityPayload('test-plugin'));
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    const view = new DataView(padded.buffer, 3, bytes.length);
    expect((await identity.read(view)).identity.plugin_name).toBe('test-plugin');
    expect((await identity.read(plugin(bytes))).staticChecks).toEqual(ALL_PASS);
  });
});
