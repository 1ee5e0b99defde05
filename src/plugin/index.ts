/**
 * Vite/Vitest plugin layer (`cc-lb-plugin-conformance/plugin`): `ccLbConformance()` wires the
 * package into a project's test run. It owns two things:
 * - `.wat` imports: `import bytes from './plugin.wat'` yields the compiled module as a
 *   `Uint8Array`, so fixtures live as readable text beside the tests; a compile error fails the
 *   import with the `.wat` file, line and column;
 * - the setup entry: it appends the package's Vitest setup file (matcher registration) to
 *   `test.setupFiles`, so users need not know its path.
 *
 * It depends on Vite's types only: the returned object is a plain plugin any Vite 5+ / Vitest 3+
 * host can run, and no Vite code is loaded at runtime.
 */
import { readFile } from 'node:fs/promises';
import type { Plugin, UserConfig } from 'vite';
import { compileWat, WatCompileError } from '../wat/compile.js';
import { resolveSetupEntry } from './setup-entry.js';

export interface CcLbConformanceOptions {
  /** Add the package's Vitest setup entry to `test.setupFiles` (default true). */
  readonly setup?: boolean;
}

/** The fields of Rollup/Vite's error object this plugin fills; `loc.column` is 0-based as Vite expects. */
export interface WatLoadError {
  readonly message: string;
  readonly id: string;
  readonly loc: { readonly file: string; readonly line: number; readonly column: number };
}

/** The part of the Vitest config this plugin contributes; Vite merges it by appending arrays. */
interface VitestSetupPart {
  test: { setupFiles: string[] };
}

/** Queries under which Vite serves a file some other way (`?raw` text, `?url` asset, …); left alone. */
const FOREIGN_QUERIES = ['raw', 'url', 'inline', 'worker', 'sharedworker', 'init'];

export function ccLbConformance(options: CcLbConformanceOptions = {}): Plugin {
  return {
    name: 'cc-lb-conformance',
    // Before Vite's asset handling, which would otherwise serve an unknown extension as a URL.
    enforce: 'pre',

    config(config) {
      if (options.setup === false) return null;
      const entry = resolveSetupEntry();
      const existing = (config as { test?: { setupFiles?: string | string[] } }).test?.setupFiles;
      const present = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
      if (present.includes(entry)) return null;
      const part: VitestSetupPart = { test: { setupFiles: [entry] } };
      return part as UserConfig;
    },

    async load(id) {
      const file = watFilePath(id);
      if (file === undefined) return null;
      const source = await readFile(file, 'utf8');
      let bytes: Uint8Array;
      try {
        bytes = compileWat(source, file);
      } catch (error) {
        if (!(error instanceof WatCompileError)) throw error;
        const located: WatLoadError = {
          message: error.message,
          id: file,
          loc: { file, line: error.line ?? 1, column: Math.max(0, (error.column ?? 1) - 1) },
        };
        // Vite's `this.error` adds the plugin name and a code frame read from `loc.file`.
        if (typeof this?.error === 'function') this.error(located);
        throw Object.assign(new Error(located.message), located);
      }
      return { code: bytesModule(bytes), map: null };
    },
  };
}

export default ccLbConformance;

/** The file path of a `.wat` module id, or undefined for any other id. */
function watFilePath(id: string): string | undefined {
  // `\0` marks virtual modules by Vite/Rollup convention: never files on disk.
  if (id.startsWith('\0')) return undefined;
  const queryAt = id.indexOf('?');
  const path = queryAt === -1 ? id : id.slice(0, queryAt);
  if (!path.endsWith('.wat')) return undefined;
  if (queryAt !== -1) {
    const params = new URLSearchParams(id.slice(queryAt + 1));
    if (FOREIGN_QUERIES.some((q) => params.has(q))) return undefined;
  }
  return path;
}

/**
 * An ES module whose default export is the bytes. Base64 keeps the generated code about a third
 * larger than the binary (a number list would be up to four times), and `atob` exists in Node and
 * browsers alike.
 */
function bytesModule(bytes: Uint8Array): string {
  const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return [
    `const binary = atob(${JSON.stringify(base64)});`,
    'const bytes = new Uint8Array(binary.length);',
    'for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);',
    'export default bytes;',
    '',
  ].join('\n');
}
