/**
 * The package as an author gets it: `npm pack`, then `npm ci --offline` of a fresh project that
 * depends on the tarball, then a Vitest run in that project. Installing prints no warning of ours,
 * Vitest prints no source-map warning, and every file of ours a stack frame names was shipped.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installOffline, packInto, writeProject } from './support/packed-install.js';

const exec = promisify(execFile);
let dir: string;
let project: string;
let install: { code: number; output: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-lb-packed-'));
  project = join(dir, 'project');
  await mkdir(project);
  const tarball = await packInto(dir);
  await writeProject(project, tarball, ['vitest']);
  install = await installOffline(project);
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the packed tarball, installed', () => {
  it('installs without a warning of ours', () => {
    expect(install.code).toBe(0);
    const ours = install.output.split('\n').filter((line) => /cc-lb|scripts\//.test(line));
    expect(ours).toEqual([]);
  });

  it('runs under Vitest with no source-map warning, and its stack frames name only shipped files', async () => {
    await writeFile(
      join(project, 'vitest.config.mjs'),
      "import { ccLbConformance } from 'cc-lb-plugin-conformance/plugin';\n" +
        "export default { plugins: [ccLbConformance()], test: { include: ['*.test.ts'] } };\n",
    );
    await writeFile(
      join(project, 'installed.test.ts'),
      `import { expect, test } from 'vitest';
import { handshake } from 'cc-lb-plugin-conformance';
const noHandshake = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
test('an error thrown inside the package', async () => {
  await handshake.run(noHandshake);
});
test('a failing matcher', async () => {
  await expect(noHandshake).toHandshake();
});
`,
    );
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
    const run = await exec(process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], {
      cwd: project,
      env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' },
    }).then(
      ({ stdout, stderr }) => stdout + stderr,
      (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
    );
    expect(run).toMatch(/Tests {2}2 failed \(2\)/);
    expect(run).not.toMatch(/sourcemap/i);
    expect(run).not.toMatch(/deprecated|warning/i);
    const named = [...run.matchAll(/node_modules\/cc-lb-plugin-conformance\/([^\s:)]+)/g)].map(
      (m) => m[1] as string,
    );
    // the thrown error's frames go through the package, mapped to its TypeScript sources
    expect(named).toContain('src/conformance/handshake.ts');
    expect(
      named.filter((file) => !existsSync(join(project, 'node_modules/cc-lb-plugin-conformance', file))),
    ).toEqual([]);
    // the matcher's failure points at the test line alone
    const matcherFailure = run.slice(run.indexOf('FAIL  installed.test.ts > a failing matcher'));
    expect(matcherFailure.match(/ ❯ .*/g)).toEqual([expect.stringMatching(/^ ❯ installed\.test\.ts:8:\d+$/)]);
  }, 120_000);
});
