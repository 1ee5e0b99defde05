/**
 * Test support: a child Vitest run over test files written into a temporary folder, with this
 * package's matchers registered from `src/`. What a person sees in the terminal (messages printed
 * once, never-awaited assertions failing) can only be observed from outside the run.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** An absolute path to a file of this repository. */
export const repoFile = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

export interface ChildRun {
  readonly code: number;
  /** stdout then stderr, uncoloured */
  readonly output: string;
}

export interface ChildOptions {
  /** where the child process starts; default the folder holding the files (the Vitest root) */
  readonly cwd?: string;
  /** other files to write into the folder first (relative path → bytes) */
  readonly assets?: Readonly<Record<string, Uint8Array>>;
}

/**
 * Runs `files` (name → source; `test`, `expect` are globals) in a child Vitest whose root is a
 * fresh folder holding them, and removes the folder after.
 */
export async function runChildVitest(
  files: Readonly<Record<string, string>>,
  options: ChildOptions = {},
): Promise<ChildRun> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-lb-child-vitest-'));
  try {
    for (const [name, bytes] of Object.entries(options.assets ?? {})) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), bytes);
    }
    for (const [name, source] of Object.entries(files)) await writeFile(join(dir, name), source);
    // A plain object config: a config file outside the repository cannot resolve 'vitest/config'.
    const config = join(dir, 'vitest.config.mjs');
    await writeFile(
      config,
      `export default { test: { root: ${JSON.stringify(dir)}, include: ${JSON.stringify(Object.keys(files))}, globals: true, ` +
        `setupFiles: [${JSON.stringify(repoFile('src/vitest/setup.ts'))}], pool: 'threads', maxWorkers: 1 } };\n`,
    );
    // The child must not think it is a worker of this run.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
    return await exec(
      process.execPath,
      [repoFile('node_modules/vitest/vitest.mjs'), 'run', '--config', config, '--reporter', 'verbose'],
      { cwd: options.cwd ?? dir, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' } },
    ).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        output: error.stdout + error.stderr,
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
