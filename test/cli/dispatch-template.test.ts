/** `dispatch … --template`: prints the function's realistic request, which `--request` accepts back. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestTemplate } from '../../src/conformance/index.js';
import { allWireFunctions, decodeWire } from '../../src/wire/index.js';
import { runCliCaptured as run } from '../support/cli-run.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-lb-template-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('dispatch --template', () => {
  it.each(allWireFunctions.map((fn) => [fn.name, fn] as const))(
    '%s: prints the request template as JSON, without reading the plugin',
    async (name, fn) => {
      const r = await run('dispatch', join(dir, 'absent.wasm'), name, '--template');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(decodeWire(fn.request, r.stdout)).toEqual(requestTemplate(fn));
    },
  );

  it('takes the function alone, and the printed file is a valid --request', async () => {
    const r = await run('dispatch', 'filter', '--template');
    expect(r.code).toBe(0);
    const file = join(dir, 'filter.json');
    await writeFile(file, r.stdout);
    // the request file is read and decoded before the plugin is: a missing plugin is the only complaint
    const back = await run('dispatch', join(dir, 'absent.wasm'), 'filter', '--request', file);
    expect(back.code).toBe(2);
    expect(back.stderr).toContain('absent.wasm');
    expect(back.stderr).not.toContain('filter.json');
  });

  it('refuses --template with --request, outside dispatch, and an unknown function (exit 2)', async () => {
    const both = await run('dispatch', 'p.wasm', 'sign', '--template', '--request', 'r.json');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--template prints a request; it cannot be combined with --request');
    const verify = await run('verify', 'p.wasm', '--template');
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain('--template applies to dispatch, not verify');
    const unknown = await run('dispatch', 'route', '--template');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown wire function 'route'");
  });
});
