/**
 * The README is product surface: its set-up commands, matcher table, CLI lines and WAT example are
 * checked against the code, so the documentation cannot drift from what ships.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli/args.js';
import { handshake } from '../src/conformance/index.js';
import { matchers } from '../src/vitest/matchers/index.js';
import { acceptJson, output, pluginModule } from '../src/wat/index.js';

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start, `README section "${heading}"`).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

function codeBlocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] ?? '');
}

describe('README', () => {
  it('has exactly the two set-up commands, and both are scripts of the package', () => {
    const [block] = codeBlocks(section('Set up'), 'sh');
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

  it('shows only CLI lines the CLI accepts', () => {
    const lines = codeBlocks(section('CLI'), 'sh')
      .flatMap((b) => b.split('\n'))
      .filter((l) => l.startsWith('npx cc-lb-conformance '));
    expect(lines.length).toBeGreaterThanOrEqual(7);
    for (const line of lines) {
      const argv = line
        .replace(/#.*$/, '')
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
});
