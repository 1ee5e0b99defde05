/**
 * The README is product surface: its set-up commands, matcher table, CLI lines and WAT example are
 * checked against the code, so the documentation cannot drift from what ships.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli/args.js';
import { fixtures, handshake } from '../src/conformance/index.js';
import * as rootEntry from '../src/index.js';
import { matchers } from '../src/vitest/matchers/index.js';
import { acceptJson, output, pluginModule } from '../src/wat/index.js';
import { allWireFunctions, decodeWire, FilterFn } from '../src/wire/index.js';

const root_ = join(import.meta.dirname, '..');
const readme = readFileSync(join(root_, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root_, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** The text under a `##` (or, with level 3, `###`) heading, up to the next heading of that level or above. */
function section(heading: string, level = 2): string {
  const marks = '#'.repeat(level);
  const start = readme.indexOf(`\n${marks} ${heading}\n`);
  expect(start, `README section "${heading}"`).toBeGreaterThan(-1);
  const ends = ['\n## ', level === 3 ? '\n### ' : '\n## ']
    .map((m) => readme.indexOf(m, start + 1))
    .filter((i) => i !== -1);
  return readme.slice(start, ends.length === 0 ? undefined : Math.min(...ends));
}

function codeBlocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] ?? '');
}

describe('README', () => {
  it('has exactly the two set-up commands, and both are scripts of the package', () => {
    const [block] = codeBlocks(section('Set up', 3), 'sh');
    const commands = (block ?? '')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.replace(/#.*$/, '').trim());
    expect(commands).toEqual(['npm install && npm start', 'npm test']);
    expect(pkg.scripts.start).toBeDefined();
    expect(pkg.scripts.test).toContain('vitest run');
  });

  it('lists exactly the registered matchers', () => {
    const table = section('Matchers');
    const listed = new Set([...table.matchAll(/^\| `(to[A-Za-z]+)\(/gm)].map((m) => m[1]));
    expect([...listed].sort()).toEqual(Object.keys(matchers).sort());
  });

  it('shows only CLI lines the CLI accepts, in every section', () => {
    expect(
      codeBlocks(section('CLI'), 'sh')
        .join('')
        .match(/^npx cc-lb-conformance /gm)?.length,
    ).toBeGreaterThanOrEqual(9);
    const lines = codeBlocks(readme, 'sh')
      .flatMap((b) => b.split('\n'))
      .filter((l) => l.startsWith('npx cc-lb-conformance '));
    for (const line of lines) {
      const argv = line
        .replace(/#.*$/, '')
        .replace(/>.*$/, '')
        .replace(/\[(--out [^\]]+)\]/, '$1')
        .trim()
        .split(/\s+/)
        .slice(2);
      expect(() => parseCliArgs(argv), line).not.toThrow();
    }
  });

  it("runs the WAT helpers' negotiation example as written", async () => {
    const block = codeBlocks(section('WAT helpers (`cc-lb-plugin-conformance/wat`)'), 'ts').find((b) =>
      b.includes('const stubborn'),
    );
    expect(block).toBeDefined();
    const body = (block ?? '').replace(/^import .*$/gm, '');
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
      ...args: string[]
    ) => (...values: unknown[]) => Promise<void>;
    const run = new AsyncFunction('expect', 'handshake', 'acceptJson', 'output', 'pluginModule', body);
    await run(expect, handshake, acceptJson, output, pluginModule);
  });

  it("type-checks every TypeScript block that imports the package, as an author's project would", async () => {
    const blocks = codeBlocks(readme, 'ts').filter((b) =>
      /^import .* from 'cc-lb-plugin-conformance/m.test(b),
    );
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    // Inside node_modules so the package resolves by name (through its exports, to dist/) as for a user.
    const dir = join(root_, 'node_modules', '.cache', 'cc-lb-readme-blocks');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await Promise.all(blocks.map((block, i) => writeFile(join(dir, `block-${i}.mts`), block)));
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          types: ['node', 'cc-lb-plugin-conformance/vitest', 'cc-lb-plugin-conformance/wat-module'],
        },
        include: ['*.mts'],
      }),
    );
    const result = await promisify(execFile)(process.execPath, [
      join(root_, 'node_modules/typescript/bin/tsc'),
      '-p',
      dir,
    ]).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    expect(result).toBe('');
  }, 120_000);

  it('runs the builder example, and the request it builds is a valid filter request', async () => {
    const block = codeBlocks(section('Requests to start from', 3), 'ts')[0] ?? '';
    const body = block.replace(/^import .*$/gm, '').replace(/^const request =/m, 'return');
    const request = new Function('fixtures', body)(fixtures);
    expect(decodeWire(FilterFn.request, JSON.stringify(request))).toEqual(request);
    expect(request.candidates.map((c: { name: string }) => c.name)).toEqual(['primary', 'backup-fallback']);
  });

  it("the guest contract's fallback table is each function's fallback policy", () => {
    const rows = [
      ...section('What your plugin must do').matchAll(/^\| (`[a-z_]+`(?:, `[a-z_]+`)*)\s*\| `([A-Za-z]+)`/gm),
    ];
    const documented = Object.fromEntries(
      rows.flatMap(([, names, policy]) =>
        [...(names ?? '').matchAll(/`([a-z_]+)`/g)].map((m) => [m[1], policy]),
      ),
    );
    expect(documented).toEqual(Object.fromEntries(allWireFunctions.map((fn) => [fn.name, fn.fallback])));
  });

  it('names only exports that exist where it points authors to them', () => {
    const text = section('What your plugin must do') + section('Requests to start from', 3);
    const fnNames = [...text.matchAll(/`([A-Z][A-Za-z]+Fn)`/g)].map((m) => m[1] as string);
    expect(new Set(fnNames)).toEqual(
      new Set(
        allWireFunctions.map(
          (fn) => `${fn.name.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase())}Fn`,
        ),
      ),
    );
    const exported = new Set(Object.keys(rootEntry));
    for (const name of [...fnNames, 'allWireFunctions', 'dryRunSamples', 'fixtures']) {
      expect(exported.has(name), name).toBe(true);
    }
    const builders = [...text.matchAll(/`(?:fixtures\.)?([a-z][A-Za-z]+(?:Builder|Template))\(/g)].map(
      (m) => m[1] as string,
    );
    expect(builders.length).toBeGreaterThanOrEqual(10);
    for (const name of builders)
      expect(typeof fixtures[name as keyof typeof fixtures], name).toBe('function');
  });
});
