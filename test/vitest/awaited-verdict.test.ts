import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const repoFile = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/*
 * Whether a forgotten `await` fails the test can only be seen from outside the test run, so this
 * runs one child Vitest over a file whose tests forget to await, next to one that awaits.
 */
test('an assertion that is never awaited fails the test that created it, with a message saying so', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cc-lb-never-awaited-'));
  try {
    await writeFile(
      join(dir, 'never-awaited.test.ts'),
      `import { ShapeFn } from ${JSON.stringify(repoFile('src/wire/index.ts'))};
test('forgets a dispatch chain', () => {
  expect(new Uint8Array()).toDispatch(ShapeFn).ok();
});
test('forgets a plain matcher', () => {
  expect(new Uint8Array()).not.toHandshake();
});
test('awaits', async () => {
  await expect(new Uint8Array([0])).not.toHandshake();
});
`,
    );
    // A plain object config: a config file outside the repository cannot resolve 'vitest/config'.
    const config = join(dir, 'vitest.config.mjs');
    await writeFile(
      config,
      `export default { test: { root: ${JSON.stringify(dir)}, include: ['never-awaited.test.ts'], globals: true, ` +
        `setupFiles: [${JSON.stringify(repoFile('src/vitest/setup.ts'))}], pool: 'threads', maxWorkers: 1 } };\n`,
    );
    // The child must not think it is a worker of this run.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
    const result = await run(
      process.execPath,
      [repoFile('node_modules/vitest/vitest.mjs'), 'run', '--config', config, '--reporter', 'verbose'],
      { cwd: dir, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' } },
    ).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        output: error.stdout + error.stderr,
      }),
    );
    expect(result.output).toContain(
      'NeverAwaitedAssertionError: expect(received).toDispatch(ShapeFn).ok() was never awaited. The matchers of ' +
        'cc-lb-plugin-conformance are asynchronous and check nothing until awaited: write `await expect(…)…`.',
    );
    expect(result.output).toContain(
      'NeverAwaitedAssertionError: expect(received).not.toHandshake() was never awaited.',
    );
    expect(result.output).toMatch(/✓ never-awaited\.test\.ts > awaits/);
    expect(result.output).toMatch(/Tests {2}2 failed \| 1 passed \(3\)/);
    expect(result.code).toBe(1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
