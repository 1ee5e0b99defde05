/**
 * Conformance layer: `plugin(wasm, options)`, the descriptor every conformance call and matcher
 * accepts in place of raw bytes, and the resolver that turns either form into bytes, host
 * capabilities and the engine limits used for every instance this layer builds.
 */
import { DEFAULT_MAX_MEMORY_PAGES } from '../engine/index.js';
import { HANDSHAKE_FUEL, HANDSHAKE_WALL_MS, type WasmInput, wasmBytes } from '../wire/index.js';

export interface PluginLimits {
  /** fuel per guest call (the reference: 10 000 000) */
  readonly fuel: number;
  /** wall-clock budget per call in ms (the reference: 200); enforced only with `strictWallClock` */
  readonly wallMs: number;
  /** fail a call whose duration exceeds `wallMs` with `timeout` (off by default: fuel is the budget) */
  readonly strictWallClock: boolean;
  /** cap on the guest's linear memory, in 64 KiB pages */
  readonly maxMemoryPages: number;
}

export interface PluginUnderTest {
  readonly wasm: Uint8Array;
  readonly capabilities: readonly string[];
  readonly limits: PluginLimits;
}

export interface PluginOptions {
  capabilities?: Iterable<string>;
  fuel?: number;
  wallMs?: number;
  strictWallClock?: boolean;
  maxMemoryPages?: number;
}

export type PluginSource = WasmInput | PluginUnderTest;

/** The resolved form every conformance function works on. */
export interface ResolvedPlugin {
  readonly wasm: Uint8Array;
  readonly capabilities: readonly string[];
  readonly limits: PluginLimits;
}

export const DEFAULT_LIMITS: PluginLimits = Object.freeze({
  fuel: HANDSHAKE_FUEL,
  wallMs: HANDSHAKE_WALL_MS,
  strictWallClock: false,
  maxMemoryPages: DEFAULT_MAX_MEMORY_PAGES,
});

/*
 * A registered symbol rather than a WeakSet: the package can be loaded twice in one process (a
 * Vitest setup file and a test importing it through another path), and a descriptor made by one
 * copy must still be recognised by the other.
 */
const BRAND = Symbol.for('cc-lb-plugin-conformance.PluginUnderTest');

/**
 * Describes a plugin under test. The bytes are copied once, so later changes to the caller's
 * buffer cannot change what is tested; the descriptor and its parts are frozen.
 */
export function plugin(wasm: WasmInput, options: PluginOptions = {}): PluginUnderTest {
  // A copy, never a view: `Buffer.prototype.slice` would alias the caller's memory.
  const bytes = new Uint8Array(wasmBytes(wasm));
  const limits: PluginLimits = Object.freeze({
    fuel: positiveInteger('fuel', options.fuel ?? DEFAULT_LIMITS.fuel),
    wallMs: positiveInteger('wallMs', options.wallMs ?? DEFAULT_LIMITS.wallMs),
    strictWallClock: options.strictWallClock ?? DEFAULT_LIMITS.strictWallClock,
    maxMemoryPages: positiveInteger(
      'maxMemoryPages',
      options.maxMemoryPages ?? DEFAULT_LIMITS.maxMemoryPages,
    ),
  });
  const descriptor = {
    wasm: bytes,
    capabilities: Object.freeze([...(options.capabilities ?? [])]),
    limits,
  };
  Object.defineProperty(descriptor, BRAND, { value: true, enumerable: false });
  return Object.freeze(descriptor);
}

export function isPluginUnderTest(x: unknown): x is PluginUnderTest {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Raw bytes resolve to the reference defaults and no host capabilities. The bytes of a raw input
 * are viewed, not copied: the call that resolves them uses them before returning control.
 */
export function resolvePlugin(source: PluginSource): ResolvedPlugin {
  if (isPluginUnderTest(source)) return source;
  return { wasm: wasmBytes(source), capabilities: [], limits: DEFAULT_LIMITS };
}

/** The options object the engine's `buildPlugin` and the host's execute functions take. */
export function engineLimits(limits: PluginLimits): {
  fuel: number;
  wallMs: number;
  strictWallClock: boolean;
  maxMemoryPages: number;
} {
  return {
    fuel: limits.fuel,
    wallMs: limits.wallMs,
    strictWallClock: limits.strictWallClock,
    maxMemoryPages: limits.maxMemoryPages,
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`plugin(): ${name} must be a positive integer, received ${String(value)}`);
  }
  return value;
}
