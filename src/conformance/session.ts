/**
 * Conformance layer: `PluginSession` — one instance and one metadata record, on which any number
 * of wire calls are dispatched (PROTOCOL.md §7.4, §8.4).
 *
 * - Creation builds the dispatch instance first (failure → `HandshakeError` `Instantiate`), then
 *   runs the handshake on a separate instance to get the metadata.
 * - `dispatch` never rejects for anything the plugin does: failures are fallback outcomes, and a
 *   fallback (a trap included) leaves the session usable — the reference keeps no failure state.
 * - Calls are strictly sequential: the reference takes exclusive access per call, and concurrent
 *   calls on one Extism JS instance corrupt each other.
 * - `plugin` (with the offered capabilities) and `functionVersions` record what the session was
 *   made from, so a matcher handed the session can repeat its handshake or run its self-check.
 * - After `close()`, `dispatch` rejects with `Error('session is closed')`: there is no instance
 *   left to call, and a fallback would wrongly blame the plugin.
 */
import { BuildPluginError, buildPlugin, type LoadedPlugin } from '../engine/index.js';
import { contentSnapshot } from '../engine/module-cache.js';
import { type DispatchOutcome, dispatchWireCall } from '../host/index.js';
import type {
  AnyWireFunction,
  AugmentedMetadata,
  PluginIdentity,
  RequestOf,
  ResponseOf,
  WireFunctionName,
} from '../wire/index.js';
import { wasmBytes } from '../wire/wasm-input.js';
import { HandshakeError } from './errors.js';
import type { HandshakeOptions } from './handshake.js';
import { metadataFromHandshake } from './metadata.js';
import {
  DEFAULT_LIMITS,
  plugin as describePlugin,
  engineLimits,
  isPluginUnderTest,
  type PluginSource,
  type PluginUnderTest,
  type ResolvedPlugin,
} from './plugin-under-test.js';

export type SessionOptions = HandshakeOptions;

export interface LastCall {
  readonly function: string;
  readonly fuelConsumed: number;
  readonly durationMs: number;
}

export class PluginSession {
  readonly identity: PluginIdentity;
  readonly metadata: AugmentedMetadata;
  readonly negotiatedFunctions: Readonly<Record<string, number>>;
  /** The offered versions its handshake used (`{}`: the default offer), to repeat that handshake. */
  readonly functionVersions: Readonly<Partial<Record<WireFunctionName, readonly number[]>>>;
  /** the descriptor, or how to make it on first use (see `plugin`) */
  #described: PluginUnderTest | (() => PluginUnderTest);
  #lastCall: LastCall | undefined;
  #plugin: LoadedPlugin | undefined;
  /** the tail of the call queue: each dispatch starts after the previous one settled */
  #queue: Promise<unknown> = Promise.resolve();
  /** dispatches accepted and not yet settled */
  #pending = 0;

  private constructor(
    plugin: LoadedPlugin,
    metadata: AugmentedMetadata,
    described: PluginUnderTest | (() => PluginUnderTest),
    functionVersions: Readonly<Partial<Record<WireFunctionName, readonly number[]>>>,
  ) {
    this.#plugin = plugin;
    this.#described = described;
    this.functionVersions = functionVersions;
    this.metadata = metadata;
    this.identity = metadata.identity;
    this.negotiatedFunctions = Object.freeze({ ...metadata.negotiated_functions });
  }

  /**
   * The plugin this session was created from, carrying the capabilities its handshake offered, so
   * the matchers that build their own instances (`toHandshake`, `toPassSelfCheck`, …) can take
   * the session and test the same plugin under the same host. The same object on every read.
   */
  get plugin(): PluginUnderTest {
    if (typeof this.#described === 'function') this.#described = this.#described();
    return this.#described;
  }

  static async create(source: PluginSource, options: SessionOptions = {}): Promise<PluginSession> {
    const { plugin, described } = describeSession(source, options.capabilities);
    const functionVersions =
      options.functionVersions === undefined
        ? NO_VERSIONS
        : deepFrozen(versionsCopy(options.functionVersions));
    let loaded: LoadedPlugin;
    try {
      loaded = await buildPlugin(plugin.wasm, engineLimits(plugin.limits));
    } catch (error) {
      if (error instanceof BuildPluginError) {
        throw new HandshakeError({ kind: 'Instantiate', reason: error.reason }, error);
      }
      throw error;
    }
    try {
      // The descriptor already holds the capabilities (an iterator in `options` is used up).
      const { metadata } = await metadataFromHandshake(plugin, {
        ...options,
        capabilities: plugin.capabilities,
        ...(functionVersions === NO_VERSIONS ? {} : { functionVersions: versionsCopy(functionVersions) }),
      });
      return new PluginSession(loaded, metadata, described, functionVersions);
    } catch (error) {
      await loaded.close();
      throw error;
    }
  }

  /** The last completed dispatch that reached the plugin instance (fallbacks included). */
  get lastCall(): LastCall | undefined {
    return this.#lastCall;
  }

  get closed(): boolean {
    return this.#plugin === undefined;
  }

  dispatch<F extends AnyWireFunction>(
    fn: F,
    request: RequestOf<F> = fn.dryRunRequest() as RequestOf<F>,
  ): Promise<DispatchOutcome<ResponseOf<F>>> {
    const plugin = this.#plugin;
    if (plugin === undefined) return Promise.reject(new Error('session is closed'));
    // The call itself is the queue's tail (no extra promise per call); a queued call starts after
    // it whatever its outcome. With nothing in flight it starts at once, not a microtask later.
    const idle = this.#pending === 0;
    this.#pending++;
    let call: Promise<DispatchOutcome<ResponseOf<F>>>;
    if (idle) {
      call = this.#dispatchNow(plugin, fn, request);
    } else {
      const next = () => this.#dispatchNow(plugin, fn, request);
      call = this.#queue.then(next, next);
    }
    this.#queue = call;
    return call;
  }

  async #dispatchNow<F extends AnyWireFunction>(
    plugin: LoadedPlugin,
    fn: F,
    request: RequestOf<F>,
  ): Promise<DispatchOutcome<ResponseOf<F>>> {
    try {
      let outcome: DispatchOutcome<ResponseOf<F>>;
      try {
        outcome = await dispatchWireCall(plugin, this.metadata, fn, request);
      } catch {
        // dispatchWireCall never throws; should it ever, behave as the reference's panic guard.
        outcome = {
          kind: 'fallback',
          policy: fn.fallback,
          stage: 'panic',
          error: 'dispatch panicked',
          errorKind: 'Panic',
          fuelConsumed: 0,
          durationMs: 0,
        };
      }
      this.#lastCall = {
        function: fn.name,
        fuelConsumed: outcome.fuelConsumed,
        durationMs: outcome.durationMs,
      };
      return outcome;
    } finally {
      this.#pending--;
    }
  }

  /**
   * Releases the instance once the calls already queued have finished (they still run); later
   * `dispatch` calls reject. Calling it again does nothing.
   */
  async close(): Promise<void> {
    const plugin = this.#plugin;
    if (plugin === undefined) return;
    this.#plugin = undefined;
    if (this.#pending > 0) await this.#queue.then(noop, noop);
    await plugin.close();
  }
}

/**
 * `session.plugin`: the caller's descriptor when the options change nothing, otherwise a new one
 * with the offered capabilities; and the resolved plugin the session is built and handshaken from.
 *
 * Raw bytes are kept as the engine's private snapshot of their content (copied once per content
 * per process, not per session), so a caller reusing its buffer cannot change what the session's
 * later checks test; the descriptor itself — which copies the bytes again, as `plugin()` does — is
 * only made if someone reads `session.plugin`. A hot create of the same bytes copies nothing.
 */
function describeSession(
  source: PluginSource,
  capabilities: Iterable<string> | undefined,
): { plugin: ResolvedPlugin; described: PluginUnderTest | (() => PluginUnderTest) } {
  if (isPluginUnderTest(source)) {
    const described =
      capabilities === undefined ? source : describePlugin(source.wasm, { ...source.limits, capabilities });
    return { plugin: described, described };
  }
  const wasm = contentSnapshot(wasmBytes(source));
  const offered = Object.freeze(capabilities === undefined ? [] : [...capabilities]);
  return {
    plugin: { wasm, capabilities: offered, limits: DEFAULT_LIMITS },
    described: () => describePlugin(wasm, { capabilities: offered }),
  };
}

/**
 * A copy the caller cannot change afterwards. Built with `fromEntries` so that no key, however
 * spelled, reaches the prototype; `undefined` entries are dropped, as the offer ignores them.
 */
function versionsCopy(
  versions: Readonly<Partial<Record<WireFunctionName, readonly number[]>>> = {},
): Partial<Record<WireFunctionName, number[]>> {
  return Object.fromEntries(
    Object.entries(versions).flatMap(([name, list]) => (list === undefined ? [] : [[name, [...list]]])),
  );
}

/** The recorded `functionVersions` of every session made with the default offer. */
const NO_VERSIONS: Readonly<Partial<Record<WireFunctionName, readonly number[]>>> = Object.freeze({});

function deepFrozen(
  versions: Partial<Record<WireFunctionName, number[]>>,
): Readonly<Partial<Record<WireFunctionName, readonly number[]>>> {
  for (const list of Object.values(versions)) Object.freeze(list);
  return Object.freeze(versions);
}

function noop(): void {}
