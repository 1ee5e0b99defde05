/**
 * Test support: the reference's three PDK-built fixture plugins (REFERENCE-CASES.md §10.1),
 * rebuilt from the AssemblyScript sources in `test/fixtures/plugins/` because their Rust sources
 * cannot be built here. Compiled with the programmatic `asc` API, stamped with the exact identity
 * section bytes the reference PDK emits, cached in memory and on disk.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { withCustomSection } from '../../src/wat/sections.js';
import { CC_LB_PLUGIN_SECTION_NAME } from '../../src/wire/constants.js';

export type FixturePluginName = 'shape' | 'router' | 'observe';

/**
 * The identity payload of each fixture, byte for byte as REFERENCE-CASES §10.1 gives it
 * (114, 117 and 116 bytes).
 */
export const FIXTURE_IDENTITY_PAYLOADS: Readonly<Record<FixturePluginName, string>> = Object.freeze({
  shape:
    '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"conformance-shape","plugin_version":"0.0.0-test"}',
  router:
    '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"conformance-plugin-router","plugin_version":"0.1.0"}',
  observe:
    '{"magic":[204,27,112,16,0,1,0,0],"abi_envelope":1,"plugin_name":"conformance-observe","plugin_version":"0.0.0-test"}',
});

/** The one handler export of each fixture. */
export const FIXTURE_HANDLER_EXPORTS: Readonly<Record<FixturePluginName, string>> = Object.freeze({
  shape: 'shape',
  router: 'filter',
  observe: 'observe',
});

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'plugins');
/** The only file the sources import from outside their directory (kernel import declarations). */
const PDK_ENV = join(REPO_ROOT, 'node_modules', '@extism', 'as-pdk', 'lib', 'env.ts');
const CACHE_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'cc-lb-plugin-conformance', 'fixtures');

/**
 * Compiler flags. The stub runtime is a bump allocator that the guest resets at the start of every
 * call (nothing outlives a call), which keeps a 120 KB dispatch near 1.2 M fuel where the
 * incremental GC needed over 10 M; `abort=` routes aborts to `unreachable` so the module imports
 * nothing but `extism:host/env`; the runtime helpers are not exported, so the function exports are
 * exactly the three plugin exports.
 */
const ASC_FLAGS = ['--runtime', 'stub', '--use', 'abort=', '-O2', '--noColors'];

const memoryCache = new Map<FixturePluginName, Promise<Uint8Array>>();

/**
 * The compiled, identity-stamped fixture. Each call returns a fresh copy, so a test may patch
 * the bytes in place (as T-07 does) without affecting others.
 */
export async function fixturePlugin(name: FixturePluginName): Promise<Uint8Array<ArrayBuffer>> {
  let pending = memoryCache.get(name);
  if (pending === undefined) {
    pending = loadOrBuild(name);
    memoryCache.set(name, pending);
    // A failed build must not poison the cache: the next caller retries and sees the error again.
    pending.catch(() => memoryCache.delete(name));
  }
  return (await pending).slice();
}

async function loadOrBuild(name: FixturePluginName): Promise<Uint8Array> {
  const key = await cacheKey(name);
  const cached = join(CACHE_DIR, `${name}-${key}.wasm`);
  try {
    return new Uint8Array(await readFile(cached));
  } catch {
    // Not cached yet (or unreadable): build it.
  }
  const compiled = await compileFixture(name);
  const stamped = withCustomSection(compiled, CC_LB_PLUGIN_SECTION_NAME, FIXTURE_IDENTITY_PAYLOADS[name]);
  await writeAtomically(cached, stamped);
  return stamped;
}

/** sha-256 over every fixture source, the PDK declarations, the asc version, flags and payload. */
async function cacheKey(name: FixturePluginName): Promise<string> {
  const hash = createHash('sha256');
  const files = [...(await listSources(SOURCE_DIR)).sort(), PDK_ENV];
  for (const file of files) {
    hash.update(relative(REPO_ROOT, file));
    hash.update('\0');
    hash.update(await readFile(file));
    hash.update('\0');
  }
  hash.update(`asc ${asc.version}\0${ASC_FLAGS.join(' ')}\0${name}\0${FIXTURE_IDENTITY_PAYLOADS[name]}`);
  return hash.digest('hex');
}

async function listSources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return listSources(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    }),
  );
  return nested.flat();
}

async function compileFixture(name: FixturePluginName): Promise<Uint8Array> {
  return compileAssemblyScript(join(SOURCE_DIR, `${name}.ts`));
}

/**
 * Compiles one AssemblyScript entry file with the fixture flags. A compile error throws with asc's
 * own diagnostics (code, message, source line, file and position) in the message.
 */
export async function compileAssemblyScript(entryPath: string): Promise<Uint8Array> {
  const entry = relative(REPO_ROOT, entryPath);
  let binary: Uint8Array | undefined;
  const stdout = asc.createMemoryStream();
  const stderr = asc.createMemoryStream();
  const result = await asc.main([entry, '--baseDir', REPO_ROOT, '--outFile', 'out.wasm', ...ASC_FLAGS], {
    stdout,
    stderr,
    writeFile(filename, contents) {
      if (filename.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
    },
  });
  if (result.error !== null) {
    throw new Error(`asc failed to compile ${entry}: ${result.error.message}\n${stderr.toString()}`);
  }
  if (binary === undefined) {
    throw new Error(`asc produced no binary for ${entry}\n${stderr.toString()}`);
  }
  return binary;
}

/** Temp file + rename, so parallel Vitest workers never read a half-written module. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(CACHE_DIR, { recursive: true });
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch {
    // The disk cache is an optimisation: a read-only checkout still gets the in-memory module.
    await rm(temp, { force: true });
  }
}
