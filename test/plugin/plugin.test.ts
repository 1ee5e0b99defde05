import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import defaultExport, { ccLbConformance, type WatLoadError } from '../../src/plugin/index.js';
import { resolveSetupEntry } from '../../src/plugin/setup-entry.js';
import { compileWat } from '../../src/wat/compile.js';

const GOOD = '(module\n  (func (export "cc_lb_handshake") (result i32)\n    (i32.const 0)))\n';
const BROKEN = '(module\n  (func (export "f") (result i32)\n    (i64.const 0)))\n';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cc-lb-plugin-'));
  writeFileSync(join(dir, 'good.wat'), GOOD);
  writeFileSync(join(dir, 'broken.wat'), BROKEN);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type LoadHook = (this: unknown, id: string) => Promise<{ code: string; map: null } | null>;
type ConfigHook = (this: unknown, config: object, env: object) => { test: { setupFiles: string[] } } | null;
const loadOf = (options?: Parameters<typeof ccLbConformance>[0]) => ccLbConformance(options).load as LoadHook;
const configOf = (options?: Parameters<typeof ccLbConformance>[0]) =>
  ccLbConformance(options).config as ConfigHook;

/** Evaluates generated module code the way a bundler would, and returns its default export. */
async function evaluate(code: string): Promise<unknown> {
  const url = `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
  return ((await import(url)) as { default: unknown }).default;
}

describe('ccLbConformance — .wat imports', () => {
  it('is a named and the default export, named cc-lb-conformance, enforced pre', () => {
    expect(defaultExport).toBe(ccLbConformance);
    expect(ccLbConformance()).toMatchObject({ name: 'cc-lb-conformance', enforce: 'pre' });
  });

  it('load compiles a .wat file to a module whose default export is a Uint8Array of the bytes', async () => {
    const result = await loadOf().call(undefined, join(dir, 'good.wat'));
    expect(result?.map).toBeNull();
    const bytes = await evaluate(result!.code);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes).toEqual(compileWat(GOOD));
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
  });

  it('load also takes ids with Vite-internal queries, and leaves other ids alone', async () => {
    const load = loadOf();
    expect(await load.call(undefined, `${join(dir, 'good.wat')}?import&v=1`)).not.toBeNull();
    for (const id of [
      join(dir, 'good.wat.ts'),
      `${join(dir, 'good.wat')}?raw`,
      `${join(dir, 'good.wat')}?url`,
      '\0virtual:x.wat',
      join(dir, 'good.wasm'),
    ]) {
      expect(await load.call(undefined, id)).toBeNull();
    }
  });

  it('a broken .wat fails through this.error with the file, line and (0-based) column', async () => {
    const file = join(dir, 'broken.wat');
    let reported: WatLoadError | undefined;
    const context = {
      error(error: WatLoadError): never {
        reported = error;
        throw new Error('reported');
      },
    };
    await expect(loadOf().call(context, file)).rejects.toThrow('reported');
    expect(reported).toEqual({
      message: `${file}:3:6: type mismatch in implicit return, expected [i32] but got [i64]\n      (i64.const 0)))\n       ^`,
      id: file,
      loc: { file, line: 3, column: 5 },
    });
  });

  it('without a plugin context it throws an Error carrying the same fields', async () => {
    const file = join(dir, 'broken.wat');
    const error = await loadOf()
      .call(undefined, file)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ id: file, loc: { file, line: 3, column: 5 } });
    expect((error as Error).message).toMatch(/broken\.wat:3:6: type mismatch/);
  });

  it('a missing file is an ordinary read error', async () => {
    await expect(loadOf().call(undefined, join(dir, 'absent.wat'))).rejects.toThrow(/ENOENT/);
  });
});

describe('ccLbConformance — a real Vite server', () => {
  it('serves a .wat import as bytes and reports a compile error with its location', async () => {
    writeFileSync(join(dir, 'entry.js'), "import bytes from './good.wat';\nexport default bytes;\n");
    const server = await createServer({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      appType: 'custom',
      server: { middlewareMode: true, hmr: false, ws: false, watch: null },
      optimizeDeps: { noDiscovery: true, include: [] },
      plugins: [ccLbConformance({ setup: false })],
    });
    try {
      const entry = (await server.ssrLoadModule(join(dir, 'entry.js'))) as { default: Uint8Array };
      expect(new Uint8Array(entry.default)).toEqual(compileWat(GOOD));
      const failure = await server.ssrLoadModule(join(dir, 'broken.wat')).then(
        () => undefined,
        (e: unknown) => e as { message: string; plugin?: string; loc?: unknown; frame?: string },
      );
      expect(failure?.plugin).toBe('cc-lb-conformance');
      expect(failure?.loc).toEqual({ file: join(dir, 'broken.wat'), line: 3, column: 5 });
      expect(failure?.message).toContain('broken.wat:3:6: type mismatch in implicit return');
      expect(failure?.frame).toContain('(i64.const 0)))');
    } finally {
      await server.close();
    }
  });
});

describe('ccLbConformance — the Vitest setup entry', () => {
  const packageSetup = fileURLToPath(new URL('../../src/vitest/setup.ts', import.meta.url));

  it("appends the package's setup entry (the .ts file when running from source) to test.setupFiles", () => {
    expect(configOf().call(undefined, {}, {})).toEqual({ test: { setupFiles: [packageSetup] } });
    expect(configOf().call(undefined, { test: { setupFiles: './mine.ts' } }, {})).toEqual({
      test: { setupFiles: [packageSetup] },
    });
  });

  it('adds nothing when the entry is already listed, or with setup: false', () => {
    expect(configOf().call(undefined, { test: { setupFiles: ['./a.ts', packageSetup] } }, {})).toBeNull();
    expect(configOf({ setup: false }).call(undefined, {}, {})).toBeNull();
  });

  it('resolves relative to the plugin module, preferring setup.js over setup.ts', () => {
    const root = mkdtempSync(join(tmpdir(), 'cc-lb-setup-'));
    try {
      mkdirSync(join(root, 'plugin'));
      mkdirSync(join(root, 'vitest'));
      const moduleUrl = pathToFileURL(join(root, 'plugin', 'index.js'));
      writeFileSync(join(root, 'vitest', 'setup.ts'), '');
      expect(resolveSetupEntry(moduleUrl)).toBe(join(root, 'vitest', 'setup.ts'));
      writeFileSync(join(root, 'vitest', 'setup.js'), '');
      expect(resolveSetupEntry(moduleUrl)).toBe(join(root, 'vitest', 'setup.js'));
      expect(resolveSetupEntry(moduleUrl.href)).toBe(join(root, 'vitest', 'setup.js'));
      rmSync(join(root, 'vitest'), { recursive: true });
      expect(() => resolveSetupEntry(moduleUrl)).toThrow(
        `cc-lb-conformance: the Vitest setup entry is missing (looked for ${join(root, 'vitest', 'setup.js')} and ${join(root, 'vitest', 'setup.ts')})`,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
