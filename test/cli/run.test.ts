import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { readIdentity } from '../../src/host/index.js';
import {
  acceptJson,
  body,
  type ExportBehaviour,
  fail,
  output,
  pluginModule,
  selfCheckJson,
  spin,
  withCustomSection,
} from '../../src/wat/index.js';
import { runCliCaptured } from '../support/cli-run.js';
import { EMPTY_HEADER_NAME, trapsOnInput } from '../support/fuzz-guests.js';
import { acceptFor, loggingGuestModule, logWat, setOutputWat } from '../support/guest-modules.js';

const run = runCliCaptured;

const SHAPE_RESPONSE = {
  _v: 1,
  url: 'https://api.example.test/v1/messages',
  method: 'POST',
  headers: [],
  body_base64: '',
};

function shapePlugin(
  shape: ExportBehaviour = output(SHAPE_RESPONSE),
  identity: object = { plugin_name: 'cli-shape' },
) {
  return pluginModule({
    identity,
    exports: {
      cc_lb_handshake: output(
        acceptJson({
          chosen_versions: { shape: 1 },
          plugin_supported: { shape: [1] },
          implemented_functions: ['shape'],
        }),
      ),
      cc_lb_self_check: output(selfCheckJson()),
      shape,
    },
  });
}

let dir: string;
let good: string;

async function file(name: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-lb-cli-'));
  good = await file('good.wasm', shapePlugin());
});

describe('verify', () => {
  it('is the default command and passes every layer of a good shape plugin', async () => {
    const r = await run(good);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`cc-lb-conformance verify ${good} (kind: shape)`);
    expect(lines[1]).toMatch(/^ {2}✓ identity +cli-shape 1\.0\.0$/);
    expect(lines[2]).toMatch(
      /^ {2}✓ handshake +1 function\(s\) negotiated: shape@1 +fuel [\d,]+ \/ 10,000,000$/,
    );
    expect(lines[3]).toMatch(/^ {2}✓ self_check +fuel [\d,]+ \/ 10,000,000$/);
    expect(lines.slice(4, 10).map((l) => l.trim().split(/\s+/)[1])).toEqual([
      'dispatch:shape:basic',
      'dispatch:robustness:empty_body',
      'dispatch:robustness:malformed_json',
      'dispatch:robustness:invalid_utf8',
      'dispatch:robustness:large_body',
      'dispatch:robustness:unicode_preservation',
    ]);
    expect(lines[4]).toContain('shape dispatch returned a decodable response');
    expect(lines.at(-1)).toBe('PASS 9 layer(s) passed');
  });

  it('prints the report as JSON with --json', async () => {
    const r = await run('verify', good, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      command: 'verify',
      passed: true,
      kinds: ['shape'],
      handshake: {
        chosenVersions: { shape: 1 },
        identity: { name: 'cli-shape', version: '1.0.0', abiEnvelope: 1 },
      },
      selfCheck: { status: 'Success', failures: [] },
    });
    expect(report.layers).toHaveLength(9);
    expect(report.layers.map((l: { layer: string }) => l.layer).slice(3, 4)).toEqual([
      'dispatch:shape:basic',
    ]);
    expect(report.layers.every((l: { passed: boolean; failure?: unknown }) => l.passed && !l.failure)).toBe(
      true,
    );
    expect(report.extras).toEqual([]);
    expect(report.hints).toEqual([]);
  });

  it('fails (exit 1) naming each failed case with its policy, stage and error when a dispatch answers the wrong _v', async () => {
    const path = await file('wrong-v.wasm', shapePlugin(output({ ...SHAPE_RESPONSE, _v: 2 })));
    const r = await run(path);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /\n {2}✗ dispatch:shape:basic +shape fell back with policy FailRequest at stage response_envelope: response envelope version mismatch: expected 1, actual 2 {2}fuel [\d,]+ \/ 10,000,000\n/,
    );
    // the flow goes on after a failed case: every case has its line
    expect(r.stdout.match(/✗ dispatch:/g)).toHaveLength(6);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('FAIL 6 of 9 layer(s) failed');
  });

  it('reports a failing handshake and still shows the identity and self-check layers', async () => {
    const path = await file(
      'downgrade.wasm',
      pluginModule({
        exports: {
          cc_lb_handshake: output(
            acceptJson({
              chosen_versions: { shape: 9 },
              plugin_supported: { shape: [1] },
              implemented_functions: ['shape'],
            }),
          ),
          cc_lb_self_check: output(selfCheckJson()),
          shape: output(SHAPE_RESPONSE),
        },
      }),
    );
    const r = await run(path);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✓ identity/);
    expect(r.stdout).toContain(
      "✗ handshake                                   invalid identity field chosen_versions: handshake validation failed: chosen version not offered: function 'shape' version 9 not in offer",
    );
    expect(r.stdout).toMatch(/✓ self_check/);
  });

  it('uses the given kind instead of the negotiated one', async () => {
    const r = await run('verify', good, '--kind', 'router');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\n {2}✗ kind:router +declared function missing wasm export: filter\n/);
    expect(r.stdout).not.toContain('dispatch:');
  });

  it('lists the failing static checks even when the identity cannot be read', async () => {
    const path = await file(
      'two-identities.wasm',
      withCustomSection(shapePlugin(), 'cc_lb.plugin.v1', '{"plugin_name":"second"}'),
    );
    const r = await run(path);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ identity +duplicate cc_lb.plugin.v1 custom section\n/);
    expect(r.stdout).toMatch(
      /✗ identity:CustomSectionExactlyOnce +expected exactly one cc_lb.plugin.v1 custom section, found 2\n/,
    );
    expect(r.stdout).toMatch(
      /✗ identity:JsonFieldsExactlyFour +cc_lb.plugin.v1 custom section appears 2 times\n/,
    );
  });

  it('verifies every negotiated kind under --kind auto, noting only functions no kind covers', async () => {
    const path = await file(
      'multi-kind.wasm',
      pluginModule({
        identity: { plugin_name: 'cli-multi' },
        exports: {
          cc_lb_handshake: output(
            acceptJson({
              chosen_versions: { shape: 1, observe: 1, normalize_error: 1 },
              plugin_supported: { shape: [1], observe: [1], normalize_error: [1] },
              implemented_functions: ['shape', 'observe', 'normalize_error'],
            }),
          ),
          cc_lb_self_check: output(selfCheckJson()),
          shape: output(SHAPE_RESPONSE),
          observe: output({ _v: 1 }),
          normalize_error: output({ _v: 1 }),
        },
      }),
    );
    const r = await run(path);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`cc-lb-conformance verify ${path} (kind: shape, observability)`);
    expect(lines.filter((l) => l.startsWith('  note:'))).toEqual([
      "  note: plugin also declares 'normalize_error'",
    ]);
    expect(r.stdout).toMatch(/✓ dispatch:shape:basic /);
    expect(r.stdout).toMatch(/✓ dispatch:robustness:multi_event_batch /);
    expect(lines.at(-1)).toBe('PASS 11 layer(s) passed');
  });

  it('fails when the plugin negotiates nothing it can dispatch', async () => {
    const path = await file(
      'empty.wasm',
      pluginModule({
        exports: { cc_lb_handshake: output(acceptJson()), cc_lb_self_check: output(selfCheckJson()) },
      }),
    );
    const r = await run(path);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '✗ kind                                        the plugin negotiated none of shape, filter, observe, build_signer, sign: nothing to dispatch',
    );
  });

  it('charges fuel against --fuel: a spinning handshake is out of budget', async () => {
    const path = await file(
      'spin.wasm',
      pluginModule({ exports: { cc_lb_handshake: spin(), cc_lb_self_check: output(selfCheckJson()) } }),
    );
    const r = await run('handshake', path, '--fuel', '1000');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'WasmTrap: wasm execution failed: handshake call exceeded timeout/fuel budget',
    );
  });
});

describe('identity', () => {
  it('passes all nine static checks of a good plugin', async () => {
    const r = await run('identity', good);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('cli-shape 1.0.0 (abi_envelope 1)');
    expect(r.stdout.match(/✓/g)).toHaveLength(9);
    expect(r.stdout).toContain('PASS all 9 static checks passed');
  });

  it('exits 1 and names the failing static check with its detail', async () => {
    const path = await file(
      'abi2.wasm',
      shapePlugin(output(SHAPE_RESPONSE), { plugin_name: 'cli-shape', abi_envelope: 2 }),
    );
    const r = await run('identity', path);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ IdentityFieldsWellFormed +abi_envelope must be 1; found 2/);
  });

  it('still lists the nine static checks when the identity cannot be read', async () => {
    const path = await file(
      'anon-human.wasm',
      pluginModule({ identity: false, exports: { cc_lb_handshake: output(acceptJson()) } }),
    );
    const r = await run('identity', path);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ {2}✗ identity +Read: missing cc_lb.plugin.v1 custom section$/);
    expect(lines.slice(1, 10).map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual([
      '✗ CustomSectionExactlyOnce',
      '✗ CustomSectionSizeWithinLimit',
      '✗ JsonFieldsExactlyFour',
      '✗ IdentityFieldsWellFormed',
      '✗ PluginNameRegexCompliant',
      '✗ PluginVersionLengthCompliant',
      '✗ AllRequiredExportsPresent',
      '✓ ExtismCanInstantiate',
      '✓ NoWasiImports',
    ]);
    expect(lines[1]).toMatch(/expected exactly one cc_lb.plugin.v1 custom section, found 0$/);
    expect(lines[7]).toMatch(/missing wasm function export\(s\): \["cc_lb_self_check"\]$/);
    expect(lines.at(-1)).toBe('FAIL identity');
  });

  it('exits 1 with the reader error when the section is missing', async () => {
    const path = await file(
      'anon.wasm',
      pluginModule({ identity: false, exports: { cc_lb_handshake: output(acceptJson()) } }),
    );
    const r = await run('identity', path, '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({
      passed: false,
      error: { kind: 'Read', message: 'missing cc_lb.plugin.v1 custom section' },
    });
    expect(json.staticChecks).toHaveLength(9);
    expect(json.staticChecks[0]).toEqual({
      name: 'CustomSectionExactlyOnce',
      pass: false,
      detail: 'expected exactly one cc_lb.plugin.v1 custom section, found 0',
    });
  });
});

describe('handshake and self-check', () => {
  it('prints the negotiated functions and capabilities', async () => {
    const r = await run('handshake', good);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('capabilities required: (none)');
    expect(r.stdout).toMatch(/✓ handshake +1 function\(s\) negotiated: shape@1 +fuel/);
  });

  it('reports the self-check failure kind', async () => {
    const path = await file(
      'selfcheck-fails.wasm',
      pluginModule({
        exports: { cc_lb_handshake: output(acceptJson()), cc_lb_self_check: fail('self-check exploded') },
      }),
    );
    const r = await run('self-check', path);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('WasmTrap: wasm execution failed: self-check exploded');
  });

  it('shows what the guest wrote when the handshake answer does not decode', async () => {
    const path = await file(
      'handshake-garbage.wasm',
      pluginModule({ exports: { cc_lb_handshake: output('not an accept\u0001') } }),
    );
    const r = await run('handshake', path);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('    Guest output: the guest wrote 14 bytes: "not an accept\\x01"\n');
    const json = JSON.parse((await run('handshake', path, '--json')).stdout);
    expect(json.guestOutput).toEqual({ length: 14, head: 'not an accept\\x01', truncated: false });
  });
});

describe('dispatch', () => {
  it('dispatches the dry-run request and prints the response', async () => {
    const r = await run('dispatch', good, 'shape');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"url": "https://api.example.test/v1/messages"');
    expect(r.stdout).toContain('PASS dispatch shape');
  });

  it('dispatches a request read from --request', async () => {
    const request = await file(
      'request.json',
      JSON.stringify({
        request: { request_id: 'r', headers: [], method: 'GET', path: '/', query: null, body_base64: '' },
        upstream: { kind: 'anthropic_direct' },
        principal: { id: 'p', kind: 'api_key', claims: {} },
      }),
    );
    const r = await run('dispatch', good, 'shape', '--request', request, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).outcome).toMatchObject({ kind: 'ok', response: { method: 'POST' } });
  });

  it('exits 1 with policy, stage and error text on a fallback', async () => {
    const path = await file('shape-fails.wasm', shapePlugin(fail('no upstream for you')));
    const r = await run('dispatch', path, 'shape');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'fell back with policy FailRequest at stage plugin_call: plugin call failed: no upstream for you',
    );
  });

  it('on a fallback shows what the guest wrote and its last log lines; --verbose shows every line', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => logWat('info', `step ${i + 1}`));
    const path = await file(
      'shape-chatty.wasm',
      loggingGuestModule({
        identity: { plugin_name: 'cli-chatty' },
        handshake: acceptFor('shape'),
        handlers: { shape: body(['    (local $o i64)', ...lines, setOutputWat('{"_v":1}')].join('\n')) },
      }),
    );
    const r = await run('dispatch', path, 'shape');
    expect(r.code).toBe(1);
    const out = r.stdout.split('\n').map((l) => l.trimEnd());
    const at = out.findIndex((l) => l.includes('fell back with policy FailRequest at stage response_decode'));
    expect(out.slice(at + 1, at + 4)).toEqual([
      '    Guest output: the guest wrote 8 bytes: "{\\"_v\\":1}"',
      '    Guest log (last 10 of 12 lines):',
      '      [info] step 3',
    ]);
    expect(out).toContain('      [info] step 12');
    expect(out).not.toContain('      [info] step 2');
    const verbose = await run('dispatch', path, 'shape', '--verbose');
    expect(verbose.stdout).toContain('    Guest log (12 lines):\n      [info] step 1\n');
    const json = JSON.parse((await run('dispatch', path, 'shape', '--json')).stdout);
    expect(json.outcome).toMatchObject({
      kind: 'fallback',
      stage: 'response_decode',
      output: { length: 8, head: '{\\"_v\\":1}', truncated: false },
    });
    expect(json.outcome.logs).toHaveLength(12);
    expect(json.outcome).not.toHaveProperty('durationMs');
  });

  it('--verbose prints the guest log of a passing call too', async () => {
    const path = await file(
      'shape-logs.wasm',
      loggingGuestModule({
        identity: { plugin_name: 'cli-logs' },
        handshake: acceptFor('shape'),
        handlers: {
          shape: body(
            [
              '    (local $o i64)',
              logWat('debug', 'shaping'),
              setOutputWat(JSON.stringify(SHAPE_RESPONSE)),
            ].join('\n'),
          ),
        },
      }),
    );
    const quiet = await run('dispatch', path, 'shape');
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toContain('shaping');
    const verbose = await run('dispatch', path, 'shape', '--verbose');
    expect(verbose.stdout).toContain('    Guest log (1 line):\n      [debug] shaping\n');
  });

  it('rejects an unknown function (exit 2)', async () => {
    const r = await run('dispatch', good, 'route');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "unknown wire function 'route'; expected one of shape, normalize_error, build_signer, sign, on_unauthorized, observe, filter",
    );
  });

  it('rejects a request that is not valid JSON for the function, naming the path (exit 2)', async () => {
    const request = await file(
      'bad-request.json',
      '{"upstream":{"kind":"anthropic_direct"},"factory_state":null,"x":1}',
    );
    const r = await run('dispatch', good, 'build_signer', '--request', request);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`request ${request} is not a valid build_signer request: unknown field \`x\``);
    const broken = await file('broken.json', '{"status":');
    const r2 = await run('dispatch', good, 'normalize_error', '--request', broken);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('EOF while parsing a value at line 1 column 10');
  });
});

describe('fuzz', () => {
  it('fuzzes every negotiated function and passes a plugin that handles them (exit 0)', async () => {
    const r = await run('fuzz', good, '--runs', '20', '--seed', '5');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`cc-lb-conformance fuzz ${good}`);
    expect(lines[1]).toMatch(
      /^ {2}✓ fuzz:shape +20 requests: 20 ok, 0 guest error\(s\) \(seed 5\) +fuel [\d,]+ \/ 10,000,000$/,
    );
    expect(lines.at(-1)).toBe('PASS 1 function(s) handled every generated request');
  });

  it('exits 1 with the shrunk counterexample, its outcome and how to replay it', async () => {
    const path = await file(
      'empty-header.wasm',
      shapePlugin(trapsOnInput(EMPTY_HEADER_NAME, JSON.stringify(SHAPE_RESPONSE))),
    );
    const r = await run('fuzz', path, '--function', 'shape', '--runs', '200', '--seed', '1');
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(
      /^ {2}✗ fuzz:shape +the plugin trapped after \d+ request\(s\) +fuel [\d,]+ \/ 10,000,000$/,
    );
    expect(lines[2]).toBe(
      '      request: {"request":{"request_id":"","headers":[{"name":"","value_base64":""}],"method":"","path":"","query":null,"body_base64":""},"upstream":{"kind":"anthropic_direct"},"principal":{"id":"","kind":"","claims":{}}}',
    );
    expect(lines[3]).toBe(
      '      outcome: fallback FailRequest at stage plugin_call: plugin call failed: wasm trap: wasm `unreachable` instruction executed',
    );
    expect(lines[4]).toMatch(/^ {6}shrunk \d+ time\(s\); seed 1, replay \{ seed: 1, path: '[\d:]+' \}$/);
    expect(lines.at(-1)).toBe('FAIL 1 of 1 function(s) failed');
  });

  it('prints the reports as JSON with --json', async () => {
    const r = await run('fuzz', good, '--runs', '10', '--seed', '2', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      command: 'fuzz',
      passed: true,
      notNegotiated: [],
      reports: [{ function: 'shape', passed: true, runs: 10, seed: 2, stats: { ok: 10, guestErrors: 0 } }],
    });
  });

  it('fails a named function the plugin did not negotiate (exit 1), and refuses bad usage (exit 2)', async () => {
    const r = await run('fuzz', good, '--function', 'filter', '--runs', '5');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ fuzz:filter');
    expect(r.stdout).toContain('not negotiated by the plugin');
    const unknown = await run('fuzz', good, '--function', 'route');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown wire function 'route'; expected one of shape, normalize_error");
    const runs = await run('fuzz', good, '--runs', '0');
    expect(runs.code).toBe(2);
    expect(runs.stderr).toContain("--runs must be a positive integer; got '0'");
    const misplaced = await run('verify', good, '--runs', '3');
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('--runs applies to fuzz, not verify');
    const seed = await run('fuzz', good, '--seed', 'x');
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain("--seed must be a 32-bit integer; got 'x'");
  });

  it('exits 1 with the handshake error when the plugin cannot be handshaken', async () => {
    const path = await file('fuzz-no-handshake.wasm', shapePlugin(output(SHAPE_RESPONSE), {}));
    const broken = await file(
      'fuzz-downgrade.wasm',
      pluginModule({
        exports: {
          cc_lb_handshake: output(
            acceptJson({
              chosen_versions: { shape: 9 },
              plugin_supported: { shape: [1] },
              implemented_functions: ['shape'],
            }),
          ),
          shape: output(SHAPE_RESPONSE),
        },
      }),
    );
    expect((await run('fuzz', path, '--runs', '3')).code).toBe(0);
    const r = await run('fuzz', broken);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ handshake');
    expect(r.stdout).toContain("chosen version not offered: function 'shape' version 9 not in offer");
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('FAIL fuzz: the plugin could not be handshaken');
  });

  it('verify --fuzz N adds a generated-requests layer per function; off by default', async () => {
    const path = await file(
      'empty-header-verify.wasm',
      shapePlugin(trapsOnInput(EMPTY_HEADER_NAME, JSON.stringify(SHAPE_RESPONSE))),
    );
    // the reference layers alone pass this plugin
    const plain = await run(path);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain('generated:');
    const fuzzed = await run(path, '--fuzz', '200');
    expect(fuzzed.code).toBe(1);
    expect(fuzzed.stdout).toContain('✗ generated:shape');
    expect(fuzzed.stdout).toContain(
      'the plugin trapped on {"request":{"request_id":"","headers":[{"name":"","value_base64":""}]',
    );
    expect(fuzzed.stdout.trimEnd().split('\n').at(-1)).toBe('FAIL 1 of 10 layer(s) failed');
    const passing = await run(good, '--fuzz', '10');
    expect(passing.code).toBe(0);
    expect(passing.stdout).toMatch(/✓ generated:shape +10 generated request\(s\) handled \(seed -?\d+\)/);
  });
});

describe('stamp', () => {
  it('writes an identity section the host reader accepts, replacing any existing one', async () => {
    const path = await file('to-stamp.wasm', shapePlugin());
    const out = join(dir, 'stamped.wasm');
    const r = await run('stamp', path, '--name', 'stamped-plugin', '--version', '2.0.0', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`stamped ${out}: stamped-plugin 2.0.0 (abi_envelope 1)\n`);
    const identity = readIdentity(await readFile(out));
    expect(identity).toMatchObject({
      plugin_name: 'stamped-plugin',
      plugin_version: '2.0.0',
      abi_envelope: 1,
    });
    expect((await run('identity', out)).code).toBe(0);
  });

  it('stamps in place when --out is not given', async () => {
    const path = await file('in-place.wasm', pluginModule({ identity: false, exports: {} }));
    expect((await run('stamp', path, '--name', 'in-place', '--version', '0.1.0')).code).toBe(0);
    expect(readIdentity(await readFile(path)).plugin_name).toBe('in-place');
  });

  it('names an unwritable --out target (exit 2), leaving no temporary file behind', async () => {
    const target = join(dir, 'no-such-dir', 'stamped.wasm');
    const r = await run('stamp', good, '--name', 'x', '--version', '1', '--out', target);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cc-lb-conformance: cannot write ${target}: ENOENT\n`);
  });

  it('refuses an identity the host would reject (exit 2)', async () => {
    const r = await run('stamp', good, '--name', 'Bad.Name', '--version', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stamp: plugin name does not match pattern ^[a-z][a-z0-9_-]*$ (max 64 bytes)');
    const r2 = await run('stamp', good, '--name', 'ok');
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('stamp: missing --version');
  });
});

describe('bad usage and unreadable input exit 2 with a message', () => {
  it.each([
    [[], 'missing <plugin.wasm>'],
    [['verify'], 'verify: missing <plugin.wasm>'],
    [['--bogus', 'x.wasm'], "Unknown option '--bogus'"],
    [
      ['verify', 'x.wasm', '--kind', 'teapot'],
      "--kind must be one of auto, shape, router, observability, signer; got 'teapot'",
    ],
    [['verify', 'x.wasm', '--fuel', '12abc'], "--fuel must be a positive integer; got '12abc'"],
    [['handshake', 'x.wasm', '--kind', 'shape'], '--kind applies to verify and init, not handshake'],
    [['dispatch', 'x.wasm'], 'dispatch: missing <function>'],
  ])('%j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain("Run 'cc-lb-conformance --help' for usage.");
  });

  it('names a missing file', async () => {
    const missing = join(dir, 'nope.wasm');
    const r = await run('verify', missing);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot read ${missing}`);
  });

  it('refuses a file that is not wasm', async () => {
    const text = await file('readme.wasm', 'this is not wasm at all');
    const r = await run('identity', text);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${text} is not a WebAssembly module (it does not start with the \\0asm header)`,
    );
  });

  it('refuses a truncated module', async () => {
    const bytes = shapePlugin();
    const truncated = await file('truncated.wasm', bytes.slice(0, bytes.length - 7));
    const r = await run(truncated);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${truncated} is not a valid WebAssembly module:`);
  });

  it('prints usage with --help (exit 0)', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: cc-lb-conformance [command] <plugin.wasm> [options]');
  });
});

describe('the executable', () => {
  it('runs as a process and sets the exit code', async () => {
    const exec = promisify(execFile);
    const failing = await exec(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'identity', join(dir, 'nope.wasm')],
      {
        cwd: join(import.meta.dirname, '../..'),
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((failing as { code: number }).code).toBe(2);
    expect((failing as { stderr: string }).stderr).toContain('cannot read');
  }, 30_000);
});

describe('capability hints', () => {
  it('names the --capability flag when the plugin needs a capability the run did not offer', async () => {
    const path = await file(
      'needs-cap.wasm',
      pluginModule({
        exports: {
          cc_lb_handshake: fail(
            "required capability 'observability:emit' not available in host capabilities",
          ),
          cc_lb_self_check: output(selfCheckJson()),
        },
      }),
    );
    const r = await run(path);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '✗ handshake                                   missing host capability: observability:emit (offer it with --capability observability:emit)',
    );
    const h = await run('handshake', path);
    expect(h.stdout).toContain(
      'MissingCapability: missing host capability: observability:emit (offer it with --capability observability:emit)',
    );
  });
});
