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
import { BuildPluginError, buildPlugin, type FuelProfile, type LoadedPlugin } from '../engine/index.js';
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
  /** the call's fuel profile, when the dispatch asked for one */
  readonly profile?: FuelProfile;
}

/** Options of one dispatch (`session.dispatch`, `dispatch.run`). */
export interface DispatchCallOptions {
  /**
   * Record the call's fuel profile (`outcome.profile`, `lastCall.profile`). The profiling variant
   * of the instrumentation is a different module, so on a session the call runs on a fresh
   * profiling instance of the same plugin and limits (closed after the call): the session's own
   * instance, and whatever state the guest keeps in it, is untouched.
   */
  readonly profile?: boolean;
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
  #lastFuel = 0;
  #lastDuration = 0;
  #lastProfile: FuelProfile | undefined;
  #lastCall: LastCall | undefined;
  #plugin: LoadedPlugin | undefined;
  /** the tail of the call queue: each dispatch starts after the previous one settled */
  #queue: Promise<unknown> = SETTLED;
  /** dispatches accepted and not yet settled */
  #pending = 0;
  /** the function of the call in flight; calls are strictly sequential, so there is one at most */
  #running: AnyWireFunction | undefined;
  /**
   * Settle handlers, made on the first dispatch and reused by every later one (none per call, none
   * for a session that never dispatches): they run as the call's own continuation — no extra async
   * frame — record it as the last call and free its queue slot.
   */
  #settled: ((outcome: DispatchOutcome<unknown>) => DispatchOutcome<unknown>) | undefined;
  #panicked: (() => DispatchOutcome<unknown>) | undefined;

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

  /** The last completed dispatch that reached the plugin instance (fallbacks included). */
  get lastCall(): LastCall | undefined {
    if (this.#lastCall === undefined && this.#lastFunction !== undefined) {
      this.#lastCall = {
        function: this.#lastFunction,
        fuelConsumed: this.#lastFuel,
        durationMs: this.#lastDuration,
        ...(this.#lastProfile === undefined ? {} : { profile: this.#lastProfile }),
      };
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
    const profile = options?.profile === true;
    // The call itself is the queue's tail (no extra promise per call); a queued call starts after
    // it whatever its outcome. With nothing in flight it starts at once, not a microtask later.
    const idle = this.#pending === 0;
    this.#pending++;
    let call: Promise<DispatchOutcome<ResponseOf<F>>>;
    if (idle) {
      call = this.#dispatchNow(plugin, fn, request, profile);
    } else {
      const next = () => this.#dispatchNow(plugin, fn, request, profile);
      call = this.#queue.then(next, next);
    }
    this.#queue = call;
    return call;
  }

  #dispatchNow<F extends AnyWireFunction>(
    plugin: LoadedPlugin,
    fn: F,
    request: RequestOf<F>,
    profile: boolean,
  ): Promise<DispatchOutcome<ResponseOf<F>>> {
    this.#running = fn;
    if (this.#settled === undefined) this.#makeSettleHandlers();
    const call = profile
      ? this.#profiledDispatch(fn, request)
      : dispatchWireCall(plugin, this.metadata, fn, request);
    return call.then(this.#settled, this.#panicked) as Promise<DispatchOutcome<ResponseOf<F>>>;
  }

  /** The call on a fresh profiling instance of the same plugin and limits, closed afterwards. */
  async #profiledDispatch<F extends AnyWireFunction>(
    fn: F,
    request: RequestOf<F>,
  ): Promise<DispatchOutcome<ResponseOf<F>>> {
    const profiling = await buildPlugin(this.#resolved.wasm, {
      ...engineLimits(this.#resolved.limits),
      profile: true,
    });
    try {
      return await dispatchWireCall(profiling, this.metadata, fn, request);
    } finally {
      await profiling.close();
    }
  }

  #makeSettleHandlers(): void {
    this.#settled = (outcome) => this.#record(this.#release(), outcome);
    this.#panicked = () => {
      const fn = this.#release();
      // dispatchWireCall never throws; should it ever, behave as the reference's panic guard.
      return this.#record(fn, {
        kind: 'fallback',
        policy: fn.fallback,
        stage: 'panic',
        error: 'dispatch panicked',
        errorKind: 'Panic',
        fuelConsumed: 0,
        durationMs: 0,
      });
    };
  }

  /** Ends the call in flight: its queue slot is freed first, whatever the bookkeeping then does. */
  #release(): AnyWireFunction {
    const fn = this.#running as AnyWireFunction;
    this.#running = undefined;
    this.#pending--;
    return fn;
  }

  /**
   * Records the settled call as the last call, before its caller sees the outcome. Should reading
   * the function's name throw (not a wire function), the call rejects and the last call stays.
   */
  #record(fn: AnyWireFunction, outcome: DispatchOutcome<unknown>): DispatchOutcome<unknown> {
    this.#lastFunction = fn.name;
    this.#lastFuel = outcome.fuelConsumed;
    this.#lastDuration = outcome.durationMs;
    this.#lastProfile = outcome.profile;
    this.#lastCall = undefined;
    return outcome;
  }

  /**
   * Releases the instance once the calls already queued have finished (they still run); later
   * `dispatch` calls reject. Calling it again does nothing.
   */
  close(): Promise<void> {
    const plugin = this.#plugin;
    if (plugin === undefined) return Promise.resolve();
    this.#plugin = undefined;
    // The instance's close promise itself (no extra async frame); queued calls finish first.
    if (this.#pending > 0) return this.#queue.then(noop, noop).then(() => plugin.close());
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

function noop(): void {}

/** The queue of a session with no call yet (shared: it is only ever chained from, never changed). */
const SETTLED: Promise<unknown> = Promise.resolve();
