/**
 * Engine layer: from guest bytes to a compiled, instrumented `WebAssembly.Module`, once per content,
 * and the content's sha-256 (`contentDigest`), computed at most once per content.
 *
 * In memory, entries are found by length and confirmed by comparing the bytes (a memcmp is far
 * cheaper than hashing, and a second build of the same module must cost little more than the SDK's
 * own createPlugin); each content entry holds one compiled module per set of instrumentation
 * options and, once asked for, its digest. On disk they are keyed by sha-256 of the bytes plus
 * everything that changes the instrumented output (package version, instrumenter id, memory cap,
 * kernel-call fuel).
 * Compiled modules are kept in memory for the process; the
 * instrumented bytes are also written to `node_modules/.cache/cc-lb-plugin-conformance/` when that
 * is writable, so Vitest workers and later runs skip the rewrite. Disk writes go to a temporary
 * file renamed into place (atomic, so parallel workers never see half a file), and an entry that
 * does not parse or compile is ignored and rebuilt.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BuildPluginError, UnsupportedFeatureError } from './errors.js';
import { importViolation } from './import-policy.js';
import {
  binaryInstrumenter,
  InstrumentError,
  type Instrumenter,
  type InstrumentMeta,
  type InstrumentOptions,
} from './instrument.js';
import { readModuleInfo } from './module-info.js';
import { PROFILE_VARIANT_ID } from './profile/profile-instrumentation.js';
import './v8-features.js';
import { WasmFeatureError, WasmFormatError } from './wasm-binary.js';

export interface PreparedModule {
  readonly module: WebAssembly.Module;
  readonly meta: InstrumentMeta;
}

/** One distinct byte content: its compiled modules per instrumentation options, and its digest. */
interface ContentEntry {
  readonly bytes: Buffer;
  readonly snapshot: Uint8Array;
  readonly prepared: Map<string, Promise<PreparedModule>>;
  /** the settled `prepared` entries' values, so a hot build need not wait a tick for them */
  readonly ready: Map<string, PreparedModule>;
  digest: string | undefined;
}

/** Content entries by byte length; a bucket rarely holds more than one entry. */
const memoryCache = new Map<number, ContentEntry[]>();
const DISK_MAGIC = new TextEncoder().encode('CCLBENG1');

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The package version, part of every cache key: an upgrade never reads an entry written by
 * another version's instrumenter, even if someone forgot to bump the instrumenter id (the golden
 * test in test/engine/instrument.test.ts catches that too). `../../package.json` is the package
 * root from both `src/engine` and `dist/engine`.
 */
export const PACKAGE_VERSION: string = (
  createRequire(import.meta.url)('../../package.json') as { version: string }
).version;

/** The last options key built: repeated builds with the same options reuse the same string. */
let lastOptionsKey: { id: string; pages: number; fuel: number; profile: boolean; key: string } | undefined;

function optionsKey(options: InstrumentOptions, instrumenter: Instrumenter): string {
  const { id } = instrumenter;
  const { maxMemoryPages: pages, kernelCallFuel: fuel } = options;
  // the profiling variant is another module: its own key, versioned on its own
  const profile = options.profile === true;
  const last = lastOptionsKey;
  if (last?.id === id && last.pages === pages && last.fuel === fuel && last.profile === profile) {
    return last.key;
  }
  const key = `${id}-v${PACKAGE_VERSION}-p${pages}-k${fuel}${profile ? `-${PROFILE_VARIANT_ID}` : ''}`;
  lastOptionsKey = { id, pages, fuel, profile, key };
  return key;
}

export function cacheKey(bytes: Uint8Array, options: InstrumentOptions, instrumenter: Instrumenter): string {
  return `${contentDigest(bytes)}-${optionsKey(options, instrumenter)}`;
}

function findEntry(bytes: Uint8Array): ContentEntry | undefined {
  const bucket = memoryCache.get(bytes.byteLength);
  if (bucket === undefined) return undefined;
  // our own snapshot handed back needs no comparison
  for (const entry of bucket) if (entry.snapshot === bytes) return entry;
  // `Buffer#equals` takes any Uint8Array: no Buffer view of the caller's bytes is needed
  for (const entry of bucket) if (entry.bytes.equals(bytes)) return entry;
  return undefined;
}

/**
 * The sha-256 (hex) of `bytes`. For bytes already built in this process it is computed once and
 * then found by memcmp, so callers that key their own caches on content (the conformance layer's
 * handshake memo) do not re-hash a module on every use.
 */
export function contentDigest(bytes: Uint8Array): string {
  const entry = findEntry(bytes);
  if (entry === undefined) return sha256(bytes);
  entry.digest ??= sha256(entry.bytes);
  return entry.digest;
}

/**
 * A private, never-mutated copy of `bytes` (the cache's own, shared by every caller with the same
 * content), for callers that must keep the bytes they were given without copying them each time.
 * Only a first sight of the content copies. Treat the result as read-only.
 */
export function contentSnapshot(bytes: Uint8Array): Uint8Array {
  let entry = findEntry(bytes);
  if (entry === undefined) entry = addEntry(bytes);
  return entry.snapshot;
}

function addEntry(bytes: Uint8Array): ContentEntry {
  const copy = Buffer.from(bytes); // a copy: the caller may reuse its buffer
  const entry: ContentEntry = {
    bytes: copy,
    // a plain Uint8Array view: `slice()` on it copies (a Buffer's `slice()` would alias)
    snapshot: new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength),
    prepared: new Map(),
    ready: new Map(),
    digest: undefined,
  };
  const bucket = memoryCache.get(bytes.byteLength);
  if (bucket === undefined) memoryCache.set(bytes.byteLength, [entry]);
  else bucket.push(entry);
  return entry;
}

/**
 * The compiled instrumented module for `bytes` if it is already built in this process (never
 * starts a build): lets a hot `buildPlugin` go on without waiting a microtask for `prepareModule`.
 */
export function preparedModuleIfReady(
  bytes: Uint8Array,
  options: InstrumentOptions,
  instrumenter: Instrumenter = binaryInstrumenter,
): PreparedModule | undefined {
  return findEntry(bytes)?.ready.get(optionsKey(options, instrumenter));
}

/** The compiled instrumented module for `bytes`, or a BuildPluginError explaining why there is none. */
export function prepareModule(
  bytes: Uint8Array,
  options: InstrumentOptions,
  instrumenter: Instrumenter = binaryInstrumenter,
): Promise<PreparedModule> {
  const key = optionsKey(options, instrumenter);
  const entry = findEntry(bytes);
  const hit = entry?.prepared.get(key);
  if (hit !== undefined) return hit;
  const content = entry ?? addEntry(bytes);
  // Built from the private copy, so a caller changing its buffer mid-build changes nothing.
  const prepared = Promise.resolve().then(() =>
    build(content.bytes, options, instrumenter, `${contentDigest(content.bytes)}-${key}`),
  );
  content.prepared.set(key, prepared);
  prepared.then(
    (module) => {
      if (content.prepared.get(key) === prepared) content.ready.set(key, module);
    },
    () => {}, // handled below
  );
  // A failure is not kept: the next build reports it afresh (and a transient disk error heals).
  prepared.catch(() => {
    if (content.prepared.get(key) === prepared) content.prepared.delete(key);
    if (content.prepared.size > 0) return;
    const remaining = (memoryCache.get(content.bytes.byteLength) ?? []).filter((e) => e !== content);
    if (remaining.length === 0) memoryCache.delete(content.bytes.byteLength);
    else memoryCache.set(content.bytes.byteLength, remaining);
  });
  return prepared;
}

async function build(
  bytes: Uint8Array,
  options: InstrumentOptions,
  instrumenter: Instrumenter,
  key: string,
): Promise<PreparedModule> {
  const fromDisk = await readDiskEntry(key);
  if (fromDisk !== undefined) return fromDisk;

  // Order matters: a proposal V8 cannot run is named before V8's validation could call the module
  // invalid; then the guest's own bytes are validated before anything is rewritten, so the
  // rewriter can never be what makes an invalid module valid (wasmtime refuses, e.g., a stray
  // byte after a section's last entry; so must we).
  let info: ReturnType<typeof readModuleInfo>;
  let instrumented: ReturnType<Instrumenter['instrument']> | undefined;
  let deferred: Error | undefined;
  try {
    info = readModuleInfo(bytes);
    const violation = importViolation(info.imports, info.types);
    if (violation !== undefined) deferred = new BuildPluginError(violation);
    else instrumented = instrumenter.instrument(info, options);
  } catch (error) {
    if (error instanceof WasmFeatureError) throw featureError(error);
    if (!(error instanceof InstrumentError || error instanceof WasmFormatError)) throw error;
    deferred = error;
  }
  const invalid = engineCompileError(bytes);
  if (invalid !== undefined) throw new BuildPluginError(invalid, { cause: deferred });
  if (deferred instanceof BuildPluginError) throw deferred;
  if (deferred !== undefined || instrumented === undefined) {
    throw new BuildPluginError(deferred?.message ?? 'the module could not be instrumented', {
      cause: deferred,
    });
  }

  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(instrumented.bytes as Uint8Array<ArrayBuffer>);
  } catch (error) {
    // The original bytes validated above: the rewriter is at fault and says so.
    throw new BuildPluginError(`engine instrumentation produced an invalid module: ${messageOf(error)}`, {
      cause: error,
    });
  }
  void writeDiskEntry(key, instrumented.bytes, instrumented.meta);
  return { module, meta: instrumented.meta };
}

/**
 * A proposal the engine does not run: `UnsupportedFeature` when the host accepts it, a build
 * failure naming the proposal when the host (wasmtime's defaults) refuses it too.
 */
function featureError(error: WasmFeatureError): BuildPluginError {
  if (error.hostAccepts) return new UnsupportedFeatureError(error.feature, error.message, { cause: error });
  return new BuildPluginError(
    `${error.feature} support is not enabled: ${error.message}, and the cc-lb host's wasmtime configuration refuses it`,
    { cause: error },
  );
}

/** V8's validation error for the original bytes (without its `WebAssembly.Module(): ` prefix), if any. */
function engineCompileError(bytes: Uint8Array): string | undefined {
  if (WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) return undefined;
  try {
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    return undefined;
  } catch (error) {
    return messageOf(error).replace(/^WebAssembly\.\w+\(\): /, '');
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function cacheDirectory(): string | undefined {
  const nodeModules = join(process.cwd(), 'node_modules');
  return existsSync(nodeModules) ? join(nodeModules, '.cache', 'cc-lb-plugin-conformance') : undefined;
}

async function readDiskEntry(key: string): Promise<PreparedModule | undefined> {
  const directory = cacheDirectory();
  if (directory === undefined) return undefined;
  try {
    const data = new Uint8Array(await readFile(join(directory, `engine-${key}.bin`)));
    if (data.length < 12 || !DISK_MAGIC.every((b, i) => data[i] === b)) return undefined;
    const metaLength = new DataView(data.buffer, data.byteOffset + 8, 4).getUint32(0, true);
    const meta = JSON.parse(new TextDecoder().decode(data.subarray(12, 12 + metaLength))) as InstrumentMeta;
    if (!Array.isArray(meta.functionExports) || !Array.isArray(meta.imports)) return undefined;
    const module = await WebAssembly.compile(data.subarray(12 + metaLength) as Uint8Array<ArrayBuffer>);
    return { module, meta };
  } catch {
    return undefined; // missing, unreadable or corrupt: rebuild
  }
}

async function writeDiskEntry(key: string, bytes: Uint8Array, meta: InstrumentMeta): Promise<void> {
  const directory = cacheDirectory();
  if (directory === undefined) return;
  try {
    await mkdir(directory, { recursive: true });
    const metaBytes = new TextEncoder().encode(JSON.stringify(meta));
    const header = new Uint8Array(12);
    header.set(DISK_MAGIC);
    new DataView(header.buffer).setUint32(8, metaBytes.length, true);
    const target = join(directory, `engine-${key}.bin`);
    const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temporary, Buffer.concat([header, metaBytes, bytes]));
    await rename(temporary, target);
  } catch {
    // A read-only or full disk only costs the next process a rewrite.
  }
}

/** Drops the in-memory cache (tests and benchmarks measure cold builds with it). */
export function clearModuleCache(): void {
  memoryCache.clear();
}
