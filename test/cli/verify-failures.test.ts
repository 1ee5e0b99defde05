/**
 * The ten ways a router plugin breaks (issue 10's six plus four more), each as a WAT plugin run
 * through `cc-lb-conformance verify`: every failed dispatch layer names its case, the policy, the
 * stage, the error text, the fuel and the guest's last log lines, in the human report and in `--json`.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { body, type ExportBehaviour, fail, output, spin, trap } from '../../src/wat/index.js';
import { runCliCaptured } from '../support/cli-run.js';
import {
  acceptFor,
  errorSetWat,
  guestModule,
  loggingGuestModule,
  logWat,
  setOutputWat,
} from '../support/guest-modules.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-lb-cli-breakages-'));
});

async function verifyRouter(name: string, filter: ExportBehaviour, ...flags: string[]) {
  const path = join(dir, `${name}.wasm`);
  await writeFile(path, guestModule({ handshake: acceptFor('filter'), handlers: { filter } }));
  const run = await runCliCaptured('verify', path, ...flags);
  expect(run.stderr).toBe('');
  return { ...run, path };
}

/** The report's lines for failed layers and what is printed beneath them, without the padding. */
function failedLines(stdout: string): string {
  const lines = stdout.trimEnd().split('\n');
  const out: string[] = [];
  let inFailure = false;
  for (const line of lines) {
    if (line.startsWith('  ✗ ')) inFailure = true;
    else if (!line.startsWith('      ')) inFailure = false;
    if (inFailure || line.startsWith('FAIL') || line.startsWith('hint:'))
      out.push(line.replace(/ {2,}/g, '  '));
  }
  return out.join('\n');
}

const ONE_DECISION = '{"upstream_id":"u","decision":"accept","reason":""}';

describe('verify shows why each dispatch layer failed (ten breakages of a router)', () => {
  it('1. wrong field name', async () => {
    const r = await verifyRouter('wrong-field', output('{"_v":1,"result":[]}'));
    expect(r.code).toBe(1);
    expect(failedLines(r.stdout)).toMatchInlineSnapshot(`
      "  ✗ dispatch:filter:empty_candidates  filter fell back with policy UseDefault at stage response_decode: response decode failed: unknown field \`result\`, expected \`results\`  fuel 440 / 10,000,000
        Guest output: the guest wrote 20 bytes: "{\\"_v\\":1,\\"result\\":[]}"
        ✗ dispatch:filter:candidate_count  filter fell back with policy UseDefault at stage response_decode: response decode failed: unknown field \`result\`, expected \`results\`  fuel 440 / 10,000,000
        Guest output: the guest wrote 20 bytes: "{\\"_v\\":1,\\"result\\":[]}"
      FAIL 2 of 5 layer(s) failed"
    `);
  });

  it('2. extra field', async () => {
    const r = await verifyRouter('extra-field', output('{"_v":1,"results":[],"weight":3}'));
    expect(failedLines(r.stdout)).toMatchInlineSnapshot(`
      "  ✗ dispatch:filter:empty_candidates  filter fell back with policy UseDefault at stage response_decode: response decode failed: unknown field \`weight\`, expected \`results\`  fuel 680 / 10,000,000
        Guest output: the guest wrote 32 bytes: "{\\"_v\\":1,\\"results\\":[],\\"weight\\":3}"
        ✗ dispatch:filter:candidate_count  filter fell back with policy UseDefault at stage response_decode: response decode failed: unknown field \`weight\`, expected \`results\`  fuel 680 / 10,000,000
        Guest output: the guest wrote 32 bytes: "{\\"_v\\":1,\\"results\\":[],\\"weight\\":3}"
      FAIL 2 of 5 layer(s) failed"
    `);
  });

  it('3. panic (a trap)', async () => {
    const r = await verifyRouter('panic', trap());
    expect(failedLines(r.stdout)).toMatchInlineSnapshot(`
      "  ✗ dispatch:filter:empty_candidates  filter fell back with policy UseDefault at stage plugin_call: plugin call failed: wasm trap: wasm \`unreachable\` instruction executed  fuel 1 / 10,000,000
        ✗ dispatch:filter:candidate_count  filter fell back with policy UseDefault at stage plugin_call: plugin call failed: wasm trap: wasm \`unreachable\` instruction executed  fuel 1 / 10,000,000
      FAIL 2 of 5 layer(s) failed"
    `);
  });

  it('4. infinite loop', async () => {
    const r = await verifyRouter('infinite-loop', spin(), '--fuel', '200000');
    expect(failedLines(r.stdout)).toMatchInlineSnapshot(`
      "  ✗ dispatch:filter:empty_candidates  filter fell back with policy UseDefault at stage plugin_call: plugin call failed: plugin ran out of fuel  fuel 200,000 / 200,000
        Most self fuel (a profiled replay of the call on a fresh instance):
        1. func[7]: 200,000 self, 200,000 total, 1 call
        ✗ dispatch:filter:candidate_count  filter fell back with policy UseDefault at stage plugin_call: plugin call failed: plugin ran out of fuel  fuel 200,000 / 200,000
        Most self fuel (a profiled replay of the call on a fresh instance):
        1. func[7]: 200,000 self, 200,000 total, 1 call
      FAIL 2 of 5 layer(s) failed"
    `);
    const json = await verifyRouter('infinite-loop', spin(), '--fuel', '200000', '--json');
    const [failed] = JSON.parse(json.stdout).layers.filter((l: { passed: boolean }) => !l.passed);
    expect(failed.failure.outOfFuelHint).toBe(
      'Most self fuel (a profiled replay of the call on a fresh instance):\n  1. func[7]: 200,000 self, 200,000 total, 1 call',
    );
  });

  it('5. output that is not UTF-8', async () => {
    const r = await verifyRouter('non-utf8', output(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])));
    expect(failedLines(r.stdout)).toMatchInlineSnapshot(`
      "  ✗ dispatch:filter:empty_candidates  filter fell back with policy UseDefault at stage plugin_call: plugin call failed: invalid utf-8 sequence of 1 bytes from index 1  fuel 120 / 10,000,000
        Guest output: the guest wrote 4 bytes: "{\\xff\\xfe}"
        ✗ dispatch:filter:candidate_count  filter fell back with policy UseDefault at stage plugin_call: plugin call failed: invalid utf-8 sequence of 1 bytes from index 1  fuel 120 / 10,000,000
        Guest output: the guest wrote 4 bytes: "{\\xff\\xfe}"
      FAIL 2 of 5 layer(s) failed"
    `);
  });

  it('6. a finite loop that burns more fuel than the budget', async () => {
    const burn = body(
      [
        '    (local $o i64) (local $i i32)',
        '    (loop $burn',
        '      (local.set $i (i32.add (local.get $i) (i32.const 1)))',
        '      (br_if $burn (i32.lt_u (local.get $i) (i32.const 100000))))',
        setOutputWat('{"_v":1,"results":[]}'),
      ].join('\n'),
    );
    const r = await verifyRouter('fuel-burn', burn, '--fuel', '150000');
    expect(failedLines(r.stdout)).toMatchInlineSnapshot(`
      "  ✗ dispatch:filter:empty_candidates  filter fell back with policy UseDefault at stage plugin_call: plugin call failed: plugin ran out of fuel  fuel 150,000 / 150,000
        Most self fuel (a profiled replay of the call on a fresh instance):
        1. func[10]: 150,000 self, 150,000 total, 1 call
        ✗ dispatch:filter:candidate_count  filter fell back with policy UseDefault at stage plugin_call: plugin call failed: plugin ran out of fuel  fuel 150,000 / 150,000
        Most self fuel (a profiled replay of the call on a fresh instance):
        1. func[10]: 150,000 self, 150,000 total, 1 call
      FAIL 2 of 5 layer(s) failed"
    `);
  });

  it('7. the wrong envelope version', async () => {
    const r = await verifyRouter('wrong-v', output('{"_v":2,"results":[]}'));
    expect(failedLines(r.stdout)).toMatchInlineSnapshot(`
      "  ✗ dispatch:filter:empty_candidates  filter fell back with policy UseDefault at stage response_envelope: response envelope version mismatch: expected 1, actual 2  fuel 460 / 10,000,000
        Guest output: the guest wrote 21 bytes: "{\\"_v\\":2,\\"results\\":[]}"
        ✗ dispatch:filter:candidate_count  filter fell back with policy UseDefault at stage response_envelope: response envelope version mismatch: expected 1, actual 2  fuel 460 / 10,000,000
        Guest output: the guest wrote 21 bytes: "{\\"_v\\":2,\\"results\\":[]}"
      FAIL 2 of 5 layer(s) failed"
    `);
  });

  it('8. output that is not JSON', async () => {
    const r = await verifyRouter('not-json', output('results: none'));
    expect(failedLines(r.stdout)).toMatchInlineSnapshot(`
      "  ✗ dispatch:filter:empty_candidates  filter fell back with policy UseDefault at stage deserialize_response: response envelope deserialization failed: expected value at line 1 column 1  fuel 300 / 10,000,000
        Guest output: the guest wrote 13 bytes: "results: none"
        ✗ dispatch:filter:candidate_count  filter fell back with policy UseDefault at stage deserialize_response: response envelope deserialization failed: expected value at line 1 column 1  fuel 300 / 10,000,000
        Guest output: the guest wrote 13 bytes: "results: none"
      FAIL 2 of 5 layer(s) failed"
    `);
  });

  it('9. a guest error (error_set and a non-zero return)', async () => {
    const r = await verifyRouter('guest-error', fail('no upstream is healthy'));
    expect(failedLines(r.stdout)).toMatchInlineSnapshot(`
      "  ✗ dispatch:filter:empty_candidates  filter fell back with policy UseDefault at stage plugin_call: plugin call failed: no upstream is healthy  fuel 479 / 10,000,000
        ✗ dispatch:filter:candidate_count  filter fell back with policy UseDefault at stage plugin_call: plugin call failed: no upstream is healthy  fuel 479 / 10,000,000
      FAIL 2 of 5 layer(s) failed"
    `);
  });

  it('10. a decision count that does not match the candidates', async () => {
    const r = await verifyRouter('decision-count', output(`{"_v":1,"results":[${ONE_DECISION}]}`));
    expect(failedLines(r.stdout)).toMatchInlineSnapshot(`
      "  ✗ dispatch:filter:empty_candidates  filter response failed conformance check: expected 0 decision(s), got 1  fuel 1,480 / 10,000,000
      FAIL 1 of 5 layer(s) failed"
    `);
  });

  it('--json carries what the guest wrote when its output did not decode', async () => {
    const r = await verifyRouter('json-not-json', output('results: none'), '--json');
    const [failed] = JSON.parse(r.stdout).layers.filter((l: { passed: boolean }) => !l.passed);
    expect(failed.failure).toMatchObject({
      stage: 'deserialize_response',
      output: { length: 13, head: 'results: none', truncated: false },
      logs: [],
    });
  });

  it('--kind router prints the same layers as --kind auto', async () => {
    const auto = await verifyRouter('same-auto', output('{"_v":1,"result":[]}'));
    const router = await verifyRouter('same-router', output('{"_v":1,"result":[]}'), '--kind', 'router');
    const body = (s: string) => s.split('\n').slice(1).join('\n');
    expect(body(router.stdout)).toBe(body(auto.stdout));
    expect(auto.stdout.split('\n')[0]).toContain('(kind: router)');
  });

  it('--json carries the case, policy, stage, error, cause chain, fuel and logs of each failed layer', async () => {
    const r = await verifyRouter('json-guest-error', fail('no upstream is healthy'), '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const failed = report.layers.filter((l: { passed: boolean }) => !l.passed);
    expect(failed.map((l: { layer: string }) => l.layer)).toEqual([
      'dispatch:filter:empty_candidates',
      'dispatch:filter:candidate_count',
    ]);
    expect(failed[0].failure).toEqual({
      case: 'dispatch:filter:empty_candidates',
      function: 'filter',
      policy: 'UseDefault',
      stage: 'plugin_call',
      errorKind: 'PluginCall',
      error:
        'filter fell back with policy UseDefault at stage plugin_call: plugin call failed: no upstream is healthy',
      causes: [
        {
          error: 'VerifyError',
          kind: 'Dispatch',
          message: 'dispatch verification failed: filter dispatch fell back with policy UseDefault',
        },
        {
          error: 'DispatchError',
          kind: 'Fallback',
          message: 'filter dispatch fell back with policy UseDefault',
        },
      ],
      fuel: { used: expect.any(Number), budget: 10_000_000 },
      logs: [],
    });
    expect(failed[0].fuelConsumed).toBe(failed[0].failure.fuel.used);
    expect(report.kinds).toEqual(['router']);
    expect(report.handshake.chosenVersions).toEqual({ filter: 1 });
  });
});

describe('verify shows what the guest logged before a dispatch layer failed', () => {
  // Twelve log lines, then a guest error: more lines than a failure shows by default.
  const chatty = loggingGuestModule({
    handshake: acceptFor('filter'),
    handlers: {
      filter: body(
        [
          '    (local $o i64)',
          ...Array.from({ length: 12 }, (_, i) => logWat(i === 11 ? 'error' : 'info', `step ${i + 1}`)),
          errorSetWat('no upstream is healthy'),
        ].join('\n'),
      ),
    },
  });
  let path: string;
  beforeAll(async () => {
    path = join(dir, 'chatty.wasm');
    await writeFile(path, chatty);
  });

  /** The lines printed beneath the first failed dispatch layer, up to the next layer's line. */
  function beneathFirstFailure(stdout: string): string[] {
    const lines = stdout.trimEnd().split('\n');
    const at = lines.findIndex((l) => l.startsWith('  ✗ dispatch:'));
    const next = lines.findIndex((l, i) => i > at && !l.startsWith('      '));
    return lines.slice(at + 1, next);
  }

  it("the human report shows the failing call's last log lines under the layer", async () => {
    const r = await runCliCaptured('verify', path);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(beneathFirstFailure(r.stdout)).toEqual([
      '      Guest log (last 10 of 12 lines):',
      ...Array.from({ length: 9 }, (_, i) => `        [info] step ${i + 3}`),
      '        [error] step 12',
    ]);
  });

  it('--verbose prints every line the guest logged in the failing call', async () => {
    const r = await runCliCaptured('verify', path, '--verbose');
    expect(r.code).toBe(1);
    expect(beneathFirstFailure(r.stdout)).toEqual([
      '      Guest log (12 lines):',
      ...Array.from({ length: 11 }, (_, i) => `        [info] step ${i + 1}`),
      '        [error] step 12',
    ]);
  });

  it('--json carries every log line of the failing call, in order, with its level', async () => {
    const r = await runCliCaptured('verify', path, '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const [failed] = report.layers.filter((l: { passed: boolean }) => !l.passed);
    expect(failed.failure).toMatchObject({
      case: 'dispatch:filter:empty_candidates',
      stage: 'plugin_call',
      error:
        'filter fell back with policy UseDefault at stage plugin_call: plugin call failed: no upstream is healthy',
    });
    expect(failed.failure.logs).toEqual([
      ...Array.from({ length: 11 }, (_, i) => ({ level: 'info', message: `step ${i + 1}` })),
      { level: 'error', message: 'step 12' },
    ]);
  });
});
