/**
 * `cc-lb-conformance init`: every kind × language is generated into one temporary folder, which
 * links this package the way an install would (a `node_modules` pointing at this repository's,
 * where `cc-lb-plugin-conformance` is the repository itself, resolved through its `exports` to
 * the built dist/). One child Vitest then runs the eight generated suites as projects — each
 * builds its plugin (asc is loaded once for all four AssemblyScript ones) and climbs its ladder —
 * and one `tsc` type-checks all their tests. Each combination's test below reads its part of that
 * one run, so the expensive work happens once.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INIT_KINDS, INIT_LANGUAGES } from '../../src/cli/init/project.js';
import { runCliCaptured as run } from '../support/cli-run.js';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const COMBINATIONS = INIT_KINDS.flatMap((kind) => INIT_LANGUAGES.map((lang) => [kind, lang] as const));

interface FileReport {
  readonly name: string;
  readonly assertionResults: readonly { readonly status: string; readonly fullName: string }[];
}

let dir: string;
let report: { readonly testResults: readonly FileReport[] };
let childOutput: string;
let typecheck: { code: number; output: string };

/** A child process's exit code and output, whether it failed or not. */
async function outcome(command: Promise<{ stdout: string; stderr: string }>) {
  return command.then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: `${error.stdout}${error.stderr}`,
    }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-lb-init-'));
  for (const [kind, lang] of COMBINATIONS) {
    const r = await run('init', join(dir, `${kind}-${lang}`), '--kind', kind, '--lang', lang);
    if (r.code !== 0) throw new Error(`init ${kind} ${lang} failed: ${r.stderr}`);
  }
  await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await writeFile(
    join(dir, 'vitest.config.mjs'),
    "export default { test: { projects: ['*/vitest.config.ts'] } };\n",
  );
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: './router-wat/tsconfig.json',
      include: ['*/test/**/*.ts', '*/vitest.config.ts', '*/build.mjs'],
    }),
  );
  // The child must not think it is a worker of this run.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  const reportFile = join(dir, 'report.json');
  const child = await outcome(
    exec(
      process.execPath,
      [join(repo, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=json', `--outputFile=${reportFile}`],
      { cwd: dir, env: { ...env, NO_COLOR: '1', CI: '1' }, maxBuffer: 16 * 1024 * 1024 },
    ),
  );
  childOutput = child.output;
  report = JSON.parse(await readFile(reportFile, 'utf8').catch(() => '{"testResults":[]}'));
  typecheck = await outcome(
    exec(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir }),
  );
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('init: every kind × language builds and passes its own generated suite', () => {
  it.each(COMBINATIONS)('%s in %s', async (kind, lang) => {
    const testFile = join(dir, `${kind}-${lang}`, 'test', 'plugin.test.ts');
    const file = report.testResults.find((f) => f.name === testFile);
    expect(file, `no result for ${testFile}; the child run said:\n${childOutput}`).toBeDefined();
    const written = (await readFile(testFile, 'utf8')).match(/^ {2}test\(/gm)?.length ?? 0;
    const failed = file?.assertionResults.filter((a) => a.status !== 'passed').map((a) => a.fullName);
    expect(failed, childOutput).toEqual([]);
    // every test the file declares ran: none skipped, none lost
    expect(file?.assertionResults.length).toBe(written);
    expect(written).toBeGreaterThanOrEqual(7);
  });

  it('type-checks every generated test, config and build script', () => {
    expect(typecheck.output).toBe('');
    expect(typecheck.code).toBe(0);
  });
});

describe('init: what it writes, and what it refuses', () => {
  it('writes the AssemblyScript project files and says what to do next', async () => {
    const target = join(dir, 'fresh', 'my-router');
    const r = await run('init', target, '--kind', 'router');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`created my-router, a router plugin in assemblyscript, in ${target}:`);
    expect(r.stdout).toContain(`cd ${target} && npm install && npm test`);
    expect((await readdir(target, { recursive: true })).sort()).toEqual([
      '.gitignore',
      'README.md',
      'asconfig.json',
      'assembly',
      'assembly/cc-lb.ts',
      'assembly/index.ts',
      'assembly/tsconfig.json',
      'build.mjs',
      'package.json',
      'test',
      'test/global-setup.ts',
      'test/plugin.test.ts',
      'tsconfig.json',
      'vitest.config.ts',
    ]);
    const manifest = JSON.parse(await readFile(join(target, 'package.json'), 'utf8'));
    const own = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: 'my-router',
      type: 'module',
      scripts: { build: 'node build.mjs', test: 'vitest run' },
      devDependencies: {
        'cc-lb-plugin-conformance': `^${own.version}`,
        vitest: own.devDependencies.vitest,
        assemblyscript: own.devDependencies.assemblyscript,
        '@extism/as-pdk': own.devDependencies['@extism/as-pdk'],
      },
    });
    const readme = await readFile(join(target, 'README.md'), 'utf8');
    expect(readme.split('\n').filter((l) => l.trim() !== '')).toHaveLength(3);
    expect(await readFile(join(target, 'vitest.config.ts'), 'utf8')).toContain(
      'plugins: [ccLbConformance()]',
    );
    expect(await readFile(join(target, 'assembly/index.ts'), 'utf8')).not.toContain('__PLUGIN_NAME__');
  });

  it('a WAT project has plugin.wat and no AssemblyScript dependency', async () => {
    const target = join(dir, 'fresh', 'obs');
    expect(
      (await run('init', target, '--kind', 'observability', '--lang', 'wat', '--name', 'obs-hook')).code,
    ).toBe(0);
    const manifest = JSON.parse(await readFile(join(target, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.devDependencies).sort()).toEqual(['cc-lb-plugin-conformance', 'vitest']);
    expect(manifest.name).toBe('obs-hook');
    const json = await run('init', join(dir, 'fresh', 'json'), '--kind', 'signer', '--lang', 'wat', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      command: 'init',
      name: 'json',
      kind: 'signer',
      lang: 'wat',
      files: expect.arrayContaining(['plugin.wat', 'test/plugin.test.ts']),
    });
    expect(await readFile(join(target, 'plugin.wat'), 'utf8')).toMatch(
      /^;; obs-hook — a cc-lb observability plugin/,
    );
  });

  it('refuses a directory that is not empty (exit 2), writing nothing', async () => {
    const target = join(dir, 'fresh', 'taken');
    await mkdir(target, { recursive: true });
    await writeFile(join(target, 'notes.txt'), 'mine');
    const r = await run('init', target, '--kind', 'shape');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `cc-lb-conformance: init: ${target} is not empty (1 entry); init writes a new project into an empty or missing directory\n`,
    );
    expect(await readdir(target)).toEqual(['notes.txt']);
  });

  it('names the usage mistakes (exit 2)', async () => {
    const cases: [string[], string][] = [
      [['init', join(dir, 'x')], 'init: missing --kind (one of router, shape, observability, signer)'],
      [
        ['init', join(dir, 'x'), '--kind', 'auto'],
        "init: --kind must be one of router, shape, observability, signer; got 'auto'",
      ],
      [
        ['init', join(dir, 'x'), '--kind', 'shape', '--lang', 'rust'],
        "--lang must be one of assemblyscript, wat; got 'rust'",
      ],
      [['init', '--kind', 'shape'], 'init: missing <dir>'],
      [['verify', 'p.wasm', '--lang', 'wat'], '--lang applies to init, not verify'],
      [['init', join(dir, 'Bad Name'), '--kind', 'shape'], "init: 'Bad Name' cannot be a plugin name"],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toContain(message);
    }
  });
});
