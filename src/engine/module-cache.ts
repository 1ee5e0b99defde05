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
 * Compiled modules are kept in memory in one bounded `ModuleCache` the engine owns (least recently
 * used contents are dropped beyond `MODULE_CACHE_MAX_ENTRIES` / `MODULE_CACHE_MAX_BYTES`); the
 * instrumented bytes are also written to `node_modules/.cache/cc-lb-plugin-conformance/` when that
 * is writable, so Vitest workers and later runs skip the rewrite. Disk writes go to a temporary
 * file renamed into place (atomic, so parallel workers never see half a file), and an entry that
 * does not parse or compile is ignored and rebuilt. A disk failure other than a missing entry or
 * a read-only / full disk is told once as a process warning (the run goes on without the cache).
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
  type FunctionExportMeta,
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
  /** `meta.functionExports` by guest name, made once per compiled module for every instance */
  readonly exportsByName: ReadonlyMap<string, FunctionExportMeta>;
}

/** One distinct byte content: its compiled modules per instrumentation options, and its digest. */
interface ContentEntry {
  readonly bytes: Buffer;
  readonly snapshot: Uint8Array;
  readonly prepared: Map<string, Promise<PreparedModule>>;
  /** the settled `prepared` entries' values, so a hot build need not wait a tick for them */
  readonly ready: Map<string, PreparedModule>;
  digest: string | undefined;
  /** the cache's use counter at the last lookup that found this entry (eviction order) */
  lastUsed: number;
}

export interface ModuleCacheOptions {
  /** distinct contents kept in memory; the least recently used one is dropped beyond this */
  readonly maxEntries?: number;
  /** total bytes of the contents kept in memory (the newest content is kept whatever its size) */
  readonly maxBytes?: number;
  /** where instrumented modules are kept on disk; default `node_modules/.cache/…` of the cwd, if any */
  readonly directory?: string | (() => string | undefined);
}

export const MODULE_CACHE_MAX_ENTRIES = 64;
export const MODULE_CACHE_MAX_BYTES = 256 * 1024 * 1024;

const DISK_MAGIC = new TextEncoder().encode('CCLBENG1');

/** Disk-cache write failures that only cost the next process a rewrite (read-only or full disk). */
const EXPECTED_WRITE_ERRORS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT']);

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

/**
 * The engine's one module cache: contents by byte length (a bucket rarely holds more than one),
 * bounded by count and bytes with least-recently-used eviction, plus the disk directory. All of
 * its state is here; `clear()` forgets it.
 */
export class ModuleCache {
  readonly #contents = new Map<number, ContentEntry[]>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #directory: () => string | undefined;
  #entryCount = 0;
  #byteCount = 0;
  #uses = 0;
  /** The last options key built: repeated builds with the same options reuse the same string. */
  #lastOptionsKey: { id: string; pages: number; fuel: number; profile: boolean; key: string } | undefined;
  /** disk-cache failure codes already warned about, so a broken directory warns once */
  readonly #warned = new Set<string>();

  constructor(options: ModuleCacheOptions = {}) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? MODULE_CACHE_MAX_ENTRIES);
    this.#maxBytes = options.maxBytes ?? MODULE_CACHE_MAX_BYTES;
    const { directory } = options;
    this.#directory =
      directory === undefined
        ? defaultDirectory
        : typeof directory === 'string'
          ? () => directory
          : directory;
  }

  /** How many distinct contents and bytes are held in memory. */
  get size(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.#entryCount, bytes: this.#byteCount };
  }

  /** Forgets every in-memory entry (tests and benchmarks measure cold builds with it). */
  clear(): void {
    this.#contents.clear();
    this.#entryCount = 0;
    this.#byteCount = 0;
    this.#lastOptionsKey = undefined;
    this.#warned.clear();
  }

  optionsKey(options: InstrumentOptions, instrumenter: Instrumenter): string {
    const { id } = instrumenter;
    const { maxMemoryPages: pages, kernelCallFuel: fuel } = options;
    // the profiling variant is another module: its own key, versioned on its own
    const profile = options.profile === true;
    const last = this.#lastOptionsKey;
    if (last?.id === id && last.pages === pages && last.fuel === fuel && last.profile === profile) {
      return last.key;
    }
    const key = `${id}-v${PACKAGE_VERSION}-p${pages}-k${fuel}${profile ? `-${PROFILE_VARIANT_ID}` : ''}`;
    this.#lastOptionsKey = { id, pages, fuel, profile, key };
    return key;
  }

  /**
   * The sha-256 (hex) of `bytes`. For bytes already built in this process it is computed once and
   * then found by memcmp, so callers that key their own caches on content (the conformance layer's
   * handshake memo) do not re-hash a module on every use.
   */
  contentDigest(bytes: Uint8Array): string {
    const entry = this.#find(bytes);
    if (entry === undefined) return sha256(bytes);
    entry.digest ??= sha256(entry.bytes);
    return entry.digest;
  }

  /**
   * A private, never-mutated copy of `bytes` (the cache's own, shared by every caller with the
   * same content), for callers that must keep the bytes they were given without copying them each
   * time. Only a first sight of the content (or one after its eviction) copies. Read-only.
   */
  contentSnapshot(bytes: Uint8Array): Uint8Array {
    return (this.#find(bytes) ?? this.#add(bytes)).snapshot;
  }

  /** The compiled module for `bytes` if already built here (never starts a build). */
  preparedIfReady(
    bytes: Uint8Array,
    options: InstrumentOptions,
    instrumenter: Instrumenter = binaryInstrumenter,
  ): PreparedModule | undefined {
    return this.#find(bytes)?.ready.get(this.optionsKey(options, instrumenter));
  }

  /** The compiled instrumented module for `bytes`, or a BuildPluginError explaining why there is none. */
  prepare(
    bytes: Uint8Array,
    options: InstrumentOptions,
    instrumenter: Instrumenter = binaryInstrumenter,
  ): Promise<PreparedModule> {
    const key = this.optionsKey(options, instrumenter);
    const entry = this.#find(bytes);
    const hit = entry?.prepared.get(key);
    if (hit !== undefined) return hit;
    const content = entry ?? this.#add(bytes);
    // Built from the private copy, so a caller changing its buffer mid-build changes nothing.
    const prepared = Promise.resolve().then(() =>
      this.#build(content.bytes, options, instrumenter, `${this.contentDigest(content.bytes)}-${key}`),
    );
    content.prepared.set(key, prepared);
    prepared.then(
      (module) => {
        if (content.prepared.get(key) === prepared) content.ready.set(key, module);
      },
      () => {
        // A failure is not kept: the next build reports it afresh (and a transient disk error
        // heals). The rejection itself reaches the caller through `prepared`.
        if (content.prepared.get(key) === prepared) content.prepared.delete(key);
        if (content.prepared.size === 0) this.#remove(content);
      },
    );
    return prepared;
  }

  #find(bytes: Uint8Array): ContentEntry | undefined {
    const bucket = this.#contents.get(bytes.byteLength);
    if (bucket === undefined) return undefined;
    let found: ContentEntry | undefined;
    // our own snapshot handed back needs no comparison
    for (const entry of bucket) if (entry.snapshot === bytes) found = entry;
    // `Buffer#equals` takes any Uint8Array: no Buffer view of the caller's bytes is needed
    if (found === undefined) for (const entry of bucket) if (entry.bytes.equals(bytes)) found = entry;
    if (found !== undefined) found.lastUsed = ++this.#uses;
    return found;
  }

  #add(bytes: Uint8Array): ContentEntry {
    const copy = Buffer.from(bytes); // a copy: the caller may reuse its buffer
    const entry: ContentEntry = {
      bytes: copy,
      // a plain Uint8Array view: `slice()` on it copies (a Buffer's `slice()` would alias)
      snapshot: new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength),
      prepared: new Map(),
      ready: new Map(),
      digest: undefined,
      lastUsed: ++this.#uses,
    };
    const bucket = this.#contents.get(bytes.byteLength);
    if (bucket === undefined) this.#contents.set(bytes.byteLength, [entry]);
    else bucket.push(entry);
    this.#entryCount++;
    this.#byteCount += copy.byteLength;
    this.#evict(entry);
    return entry;
  }

  /** Drops least recently used contents until both bounds hold; `keep` (the newest) always stays. */
  #evict(keep: ContentEntry): void {
    while (
      this.#entryCount > this.#maxEntries ||
      (this.#byteCount > this.#maxBytes && this.#entryCount > 1)
    ) {
      let oldest: ContentEntry | undefined;
      for (const bucket of this.#contents.values()) {
        for (const entry of bucket) {
          if (entry !== keep && (oldest === undefined || entry.lastUsed < oldest.lastUsed)) oldest = entry;
        }
      }
      if (oldest === undefined) return;
      this.#remove(oldest);
    }
  }

  #remove(content: ContentEntry): void {
    const bucket = this.#contents.get(content.bytes.byteLength);
    if (bucket === undefined || !bucket.includes(content)) return;
    const remaining = bucket.filter((e) => e !== content);
    if (remaining.length === 0) this.#contents.delete(content.bytes.byteLength);
    else this.#contents.set(content.bytes.byteLength, remaining);
    this.#entryCount--;
    this.#byteCount -= content.bytes.byteLength;
  }

  async #build(
    bytes: Uint8Array,
    options: InstrumentOptions,
    instrumenter: Instrumenter,
    key: string,
  ): Promise<PreparedModule> {
    const fromDisk = await this.#readDiskEntry(key);
    if (fromDisk !== undefined) return fromDisk;
    const built = await build(bytes, options, instrumenter);
    void this.#writeDiskEntry(key, built.bytes, built.prepared.meta);
    return built.prepared;
  }

  async #readDiskEntry(key: string): Promise<PreparedModule | undefined> {
    const directory = this.#directory();
    if (directory === undefined) return undefined;
    let data: Uint8Array;
    try {
      data = new Uint8Array(await readFile(join(directory, `engine-${key}.bin`)));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') this.#warn('read', error);
      return undefined; // no entry (or an unreadable one): build it
    }
    try {
      if (data.length < 12 || !DISK_MAGIC.every((b, i) => data[i] === b)) return undefined;
      const metaLength = new DataView(data.buffer, data.byteOffset + 8, 4).getUint32(0, true);
      const meta = JSON.parse(new TextDecoder().decode(data.subarray(12, 12 + metaLength))) as InstrumentMeta;
      if (!Array.isArray(meta.functionExports) || !Array.isArray(meta.imports)) return undefined;
      const module = await WebAssembly.compile(data.subarray(12 + metaLength) as Uint8Array<ArrayBuffer>);
      return preparedFrom(module, meta);
    } catch (error) {
      // A corrupt entry (truncated, not JSON, not wasm) is rebuilt and overwritten; anything else
      // is a bug of ours and surfaces.
      if (
        error instanceof SyntaxError ||
        error instanceof WebAssembly.CompileError ||
        error instanceof RangeError
      )
        return undefined;
      throw error;
    }
  }

  async #writeDiskEntry(key: string, bytes: Uint8Array, meta: InstrumentMeta): Promise<void> {
    const directory = this.#directory();
    if (directory === undefined) return;
    try {
      await mkdir(directory, { recursive: true });
      const metaBytes = new TextEncoder().encode(JSON.stringify(meta));
      const header = new Uint8Array(12);
      header.set(DISK_MAGIC);
      new DataView(header.buffer).setUint32(8, metaBytes.length, true);
      const target = join(directory, `engine-${key}.bin`);
      const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      // chunk by chunk: joining them first would copy megabytes on the main thread
      await writeFile(temporary, [header, metaBytes, bytes]);
      await rename(temporary, target);
    } catch (error) {
      // A read-only or full disk only costs the next process a rewrite; anything else is told.
      if (!EXPECTED_WRITE_ERRORS.has(errorCode(error) ?? '')) this.#warn('write', error);
    }
  }

  /** One process warning per failure code: the run goes on (it only loses the disk cache). */
  #warn(operation: 'read' | 'write', error: unknown): void {
    const code = errorCode(error) ?? (error instanceof Error ? error.name : 'unknown');
    if (this.#warned.has(`${operation}:${code}`)) return;
    this.#warned.add(`${operation}:${code}`);
    process.emitWarning(
      `cc-lb-plugin-conformance could not ${operation} its module cache in ${this.#directory()}: ${messageOf(error)}`,
      { type: 'ModuleCacheWarning', code: `CC_LB_MODULE_CACHE_${operation.toUpperCase()}`, detail: code },
    );
  }
}

/** The engine's module cache (one per process; bounded, see `ModuleCache`). */
export const moduleCache = new ModuleCache();

export function cacheKey(bytes: Uint8Array, options: InstrumentOptions, instrumenter: Instrumenter): string {
  return `${moduleCache.contentDigest(bytes)}-${moduleCache.optionsKey(options, instrumenter)}`;
}

export function contentDigest(bytes: Uint8Array): string {
  return moduleCache.contentDigest(bytes);
}

export function contentSnapshot(bytes: Uint8Array): Uint8Array {
  return moduleCache.contentSnapshot(bytes);
}

export function preparedModuleIfReady(
  bytes: Uint8Array,
  options: InstrumentOptions,
  instrumenter: Instrumenter = binaryInstrumenter,
): PreparedModule | undefined {
  return moduleCache.preparedIfReady(bytes, options, instrumenter);
}

export function prepareModule(
  bytes: Uint8Array,
  options: InstrumentOptions,
  instrumenter: Instrumenter = binaryInstrumenter,
): Promise<PreparedModule> {
  return moduleCache.prepare(bytes, options, instrumenter);
}

/** Drops the in-memory cache (tests and benchmarks measure cold builds with it). */
export function clearModuleCache(): void {
  moduleCache.clear();
}

function preparedFrom(module: WebAssembly.Module, meta: InstrumentMeta): PreparedModule {
  return { module, meta, exportsByName: new Map(meta.functionExports.map((e) => [e.name, e])) };
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function defaultDirectory(): string | undefined {
  const nodeModules = join(process.cwd(), 'node_modules');
  return existsSync(nodeModules) ? join(nodeModules, '.cache', 'cc-lb-plugin-conformance') : undefined;
}

/** Reads, checks, instruments and compiles `bytes` (no cache involved). */
async function build(
  bytes: Uint8Array,
  options: InstrumentOptions,
  instrumenter: Instrumenter,
): Promise<{ prepared: PreparedModule; bytes: Uint8Array }> {
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
  return { prepared: preparedFrom(module, instrumented.meta), bytes: instrumented.bytes };
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
