import '../../src/vitest/setup.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PluginSession } from '../../src/conformance/index.js';
import { pluginTest } from '../../src/vitest/plugin-test.js';
import { ShapeFn } from '../../src/wire/index.js';
import { repoFile, runChildVitest } from '../support/child-vitest.js';
import { shapePlugin } from '../support/vitest-plugins.js';

const bytes = shapePlugin();
const file = join(mkdtempSync(join(tmpdir(), 'cc-lb-plugin-test-')), 'shape.wasm');
writeFileSync(file, bytes);

// File-scoped fixtures must be defined at the top level of the file, so every pluginTest is made here.
const fromPath = pluginTest({ wasm: file, capabilities: ['observability:emit'], fuel: 5_000_000 });
const fromBytes = pluginTest({ wasm: bytes });
const fromUrl = pluginTest({ wasm: pathToFileURL(file) });

describe('pluginTest from a file path', () => {
  const test = fromPath;
  const seen: { wasm?: Uint8Array; sessions: PluginSession[] } = { sessions: [] };

  test('`wasm` holds the file bytes and `plugin` the options', ({ wasm, plugin }) => {
    expect(wasm).toEqual(bytes);
    expect(plugin.wasm).toEqual(bytes);
    expect(plugin.capabilities).toEqual(['observability:emit']);
    expect(plugin.limits.fuel).toBe(5_000_000);
    seen.wasm = wasm;
  });

  test('`wasm` is read once per file', ({ wasm }) => {
    expect(wasm).toBe(seen.wasm);
  });

  test('`session` is a live session for this test', async ({ session }) => {
    seen.sessions.push(session);
    expect(session.closed).toBe(false);
    expect(session.identity.plugin_name).toBe('demo-shape');
    await expect(session).toDispatch(ShapeFn).ok();
  });

  test('the next test gets a new session, and the previous one was closed', ({ session }) => {
    expect(seen.sessions).toHaveLength(1);
    expect(session).not.toBe(seen.sessions[0]);
    expect(seen.sessions[0]?.closed).toBe(true);
    expect(session.closed).toBe(false);
  });
});

describe('pluginTest from bytes and from a URL', () => {
  fromBytes('bytes are used as given, with the default limits', async ({ wasm, plugin }) => {
    expect(wasm).toEqual(bytes);
    expect(plugin.limits.fuel).toBe(10_000_000);
    await expect(plugin).toHandshake({ identity: { name: 'demo-shape' } });
  });

  fromUrl('a file URL is read', ({ wasm }) => {
    expect(wasm).toEqual(bytes);
  });
});

describe('pluginTest with a relative path', () => {
  it('resolves it against the Vitest root, not the working directory, and names the absolute path it tried', async () => {
    const result = await runChildVitest(
      {
        'relative.test.ts': `import { pluginTest } from ${JSON.stringify(repoFile('src/vitest/plugin-test.ts'))};
const built = pluginTest({ wasm: 'dist/x.wasm' });
const missing = pluginTest({ wasm: 'dist/missing.wasm' });
built('reads dist/x.wasm under the root', ({ wasm }) => {
  expect(wasm.byteLength).toBe(${bytes.byteLength});
});
missing('names the path it tried', async ({ wasm }) => {
  expect(wasm).toBeUndefined();
});
`,
      },
      { cwd: tmpdir(), assets: { 'dist/x.wasm': bytes } },
    );
    expect(result.output).toMatch(/✓ relative\.test\.ts > reads dist\/x\.wasm under the root/);
    expect(result.output).toMatch(
      /Error: cannot read wasm module \/\S+\/cc-lb-child-vitest-\w+\/dist\/missing\.wasm: no such file/,
    );
    expect(result.output).toMatch(/Tests {2}1 failed \| 1 passed \(2\)/);
  }, 60_000);
});
