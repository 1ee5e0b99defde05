/**
 * Conformance layer: `PluginSession` — one instance and one metadata record, on which any number
 * of wire calls are dispatched (PROTOCOL.md §7.4, §8.4).
 *
 * - Creation builds the dispatch instance first (failure → `HandshakeError` `Instantiate`), then
 *   runs the handshake on a separate instance to get the metadata.
 * - `dispatch` never rejects for anything the plugin does: failures are fallback outcomes, and a
 *   fallback (a trap included) leaves the session usable — the reference keeps no failure state.
 * - Guest calls are strictly sequential: the reference takes exclusive access per call, and
 *   concurrent calls on one Extism JS instance corrupt each other. The engine's instance queue is
 *   the one queue that orders them; a dispatch that never reaches the guest (a `version_lookup`
 *   fallback) settles without waiting for the calls before it.
 * - `dispatch(fn, request, { fuel })` runs that one call under its own budget; the handshake,
 *   on its own instance, keeps the plugin's.
 * - `plugin` (with the offered capabilities) and `functionVersions` record what the session was
 *   made from, so a matcher handed the session can repeat its handshake or run its self-check.
 * - After `close()`, `dispatch` rejects with `Error('session is closed')`: there is no instance
 *   left to call, and a fallback would wrongly blame the plugin. Dispatches made before `close()`
 *   run to the end, and `close()` settles after them.
 */
import {
  BuildPluginError,
  buildPlugin,
  checkCallFuel,
  type FuelProfile,
  type GuestLogEntry,
  type LoadedPlugin,
} from '../engine/index.js';
import { contentSnapshot } from '../engine/module-cache.js';
import { type DispatchOptions, type DispatchOutcome, dispatchWireCall } from '../host/index.js';
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

/** Options of one dispatch (`session.dispatch`, `dispatch.run`, `toDispatch`). */
export interface DispatchCallOptions {
  /** this call's fuel budget (an integer), instead of the plugin's; the handshake keeps its own */
  readonly fuel?: number;
  /**
   * Record the call's fuel profile (`outcome.profile`, `lastCall.profile`). The profiling variant
   * of the instrumentation is a different module, so on a session the call runs on a fresh
   * profiling instance of the same plugin and limits (closed after the call): the session's own
   * instance, and whatever state the guest keeps in it, is untouched.
   */
  readonly profile?: boolean;
}

export interface LastCall {
  readonly function: string;
  readonly fuelConsumed: number;
  /** wall time of the guest call (non-enumerable: left out of `toEqual` and snapshots) */
  readonly durationMs: number;
  /** the guest's Extism log lines of the call, in order */
  readonly logs: readonly GuestLogEntry[];
  /** the call's fuel profile, when the dispatch asked for one */
  readonly profile?: FuelProfile;
}

export class PluginSession {
  readonly identity: PluginIdentity;
  readonly metadata: AugmentedMetadata;
  readonly negotiatedFunctions: Readonly<Record<string, number>>;
  /** The offered versions its handshake used (`{}`: the default offer), to repeat that handshake. */
  readonly functionVersions: Readonly<Partial<Record<WireFunctionName, readonly number[]>>>;
  /** the descriptor; undefined until first read for raw bytes (see `plugin`) */
  #described: PluginUnderTest | undefined;
  /** what the session was built and handshaken from, to make the descriptor on first read */
  readonly #resolved: ResolvedPlugin;
  /**
   * The last completed dispatch, kept as plain fields (no object per call); `lastCall` builds the
   * record on first read after each call and hands back that same object until the next one.
   */
  #lastFunction: string | undefined;
  #lastOutcome: DispatchOutcome<unknown> | undefined;
  #lastCall: LastCall | undefined;
  #plugin: LoadedPlugin | undefined;

  private constructor(
    plugin: LoadedPlugin,
    metadata: AugmentedMetadata,
    resolved: ResolvedPlugin,
    described: PluginUnderTest | undefined,
    functionVersions: Readonly<Partial<Record<WireFunctionName, readonly number[]>>>,
  ) {
    this.#plugin = plugin;
    this.#resolved = resolved;
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
    if (this.#described === undefined) {
      const { wasm, capabilities } = this.#resolved;
      this.#described = describePlugin(wasm, { capabilities });
    }
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
      const { metadata } = await metadataFromHandshake(
        plugin,
        functionVersions === NO_VERSIONS
          ? { ...options, capabilities: plugin.capabilities }
          : {
              ...options,
              capabilities: plugin.capabilities,
              functionVersions: versionsCopy(functionVersions),
            },
      );
      return new PluginSession(loaded, metadata, plugin, described, functionVersions);
    } catch (error) {
      await loaded.close();
      throw error;
    }
  }

  /** The last completed dispatch (fallbacks included, also those that never reached the guest). */
  get lastCall(): LastCall | undefined {
    const outcome = this.#lastOutcome;
    if (this.#lastCall === undefined && outcome !== undefined) {
      this.#lastCall = Object.defineProperty(
        {
          function: this.#lastFunction as string,
          fuelConsumed: outcome.fuelConsumed,
          logs: outcome.logs,
          ...(outcome.profile === undefined ? {} : { profile: outcome.profile }),
        },
        'durationMs',
        { value: outcome.durationMs, enumerable: false },
      ) as LastCall;
    }
    return this.#lastCall;
  }

  get closed(): boolean {
    return this.#plugin === undefined;
  }

  dispatch<F extends AnyWireFunction>(
    fn: F,
    request: RequestOf<F> = fn.dryRunRequest() as RequestOf<F>,
    options?: DispatchCallOptions,
  ): Promise<DispatchOutcome<ResponseOf<F>>> {
    const plugin = this.#plugin;
    if (plugin === undefined) return Promise.reject(new Error('session is closed'));
    let callOptions: DispatchOptions | undefined;
    if (options?.fuel !== undefined) {
      try {
        checkCallFuel(options.fuel, 'session.dispatch');
      } catch (error) {
        return Promise.reject(error);
      }
      callOptions = { fuel: options.fuel };
    }
    // The engine orders the guest calls; the outcome is recorded as the call's own continuation.
    const call =
      options?.profile === true
        ? this.#profiledDispatch(fn, request, callOptions)
        : dispatchWireCall(plugin, this.metadata, fn, request, callOptions);
    return call.then((outcome) => this.#record(fn, outcome));
  }

  /** The call on a fresh profiling instance of the same plugin and limits, closed afterwards. */
  async #profiledDispatch<F extends AnyWireFunction>(
    fn: F,
    request: RequestOf<F>,
    callOptions: DispatchOptions | undefined,
  ): Promise<DispatchOutcome<ResponseOf<F>>> {
    const profiling = await buildPlugin(this.#resolved.wasm, {
      ...engineLimits(this.#resolved.limits),
      profile: true,
    });
    try {
      return await dispatchWireCall(profiling, this.metadata, fn, request, callOptions);
    } finally {
      await profiling.close();
    }
  }

  /**
   * Records the settled call as the last call, before its caller sees the outcome. Should reading
   * the function's name throw (not a wire function), the call rejects and the last call stays.
   */
  #record<R>(fn: AnyWireFunction, outcome: DispatchOutcome<R>): DispatchOutcome<R> {
    this.#lastFunction = fn.name;
    this.#lastOutcome = outcome;
    this.#lastCall = undefined;
    return outcome;
  }

  /**
   * Releases the instance once the dispatches already made have finished (they still run, in the
   * engine's queue); later `dispatch` calls reject. Calling it again does nothing.
   */
  close(): Promise<void> {
    const plugin = this.#plugin;
    if (plugin === undefined) return Promise.resolve();
    this.#plugin = undefined;
    return plugin.close();
  }
}

/**
 * `session.plugin`: the caller's descriptor when the options change nothing, otherwise a new one
 * with the offered capabilities; and the resolved plugin the session is built and handshaken from.
 *
 * Raw bytes are kept as the engine's private snapshot of their content (copied once per content
 * per process, not per session), so a caller reusing its buffer cannot change what the session's
 * later checks test; the descriptor itself — which copies the bytes again, as `plugin()` does — is
 * only made if someone reads `session.plugin` (`described` undefined: make it from `plugin`). A
 * hot create of the same bytes copies nothing, and with no capabilities allocates no list either.
 */
function describeSession(
  source: PluginSource,
  capabilities: Iterable<string> | undefined,
): { plugin: ResolvedPlugin; described: PluginUnderTest | undefined } {
  if (isPluginUnderTest(source)) {
    const described =
      capabilities === undefined ? source : describePlugin(source.wasm, { ...source.limits, capabilities });
    return { plugin: described, described };
  }
  const wasm = contentSnapshot(wasmBytes(source));
  const offered = capabilities === undefined ? NO_CAPABILITIES : Object.freeze([...capabilities]);
  return { plugin: { wasm, capabilities: offered, limits: DEFAULT_LIMITS }, described: undefined };
}

/** The offer of every raw-bytes session made without capabilities (frozen, so shareable). */
const NO_CAPABILITIES: readonly string[] = Object.freeze([]);

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
