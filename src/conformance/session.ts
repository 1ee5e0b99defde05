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
 * - After `close()`, `dispatch` rejects with `Error('session is closed')`: there is no instance
 *   left to call, and a fallback would wrongly blame the plugin.
 */
import { BuildPluginError, buildPlugin, type LoadedPlugin } from '../engine/index.js';
import { type DispatchOutcome, dispatchWireCall } from '../host/index.js';
import type {
  AnyWireFunction,
  AugmentedMetadata,
  PluginIdentity,
  RequestOf,
  ResponseOf,
} from '../wire/index.js';
import { HandshakeError } from './errors.js';
import type { HandshakeOptions } from './handshake.js';
import { metadataFromHandshake } from './metadata.js';
import { engineLimits, type PluginSource, resolvePlugin } from './plugin-under-test.js';

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
  #lastCall: LastCall | undefined;
  #plugin: LoadedPlugin | undefined;
  /** the tail of the call queue: each dispatch starts after the previous one settled */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(plugin: LoadedPlugin, metadata: AugmentedMetadata) {
    this.#plugin = plugin;
    this.metadata = metadata;
    this.identity = metadata.identity;
    this.negotiatedFunctions = Object.freeze({ ...metadata.negotiated_functions });
  }

  static async create(source: PluginSource, options: SessionOptions = {}): Promise<PluginSession> {
    const plugin = resolvePlugin(source);
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
      const { metadata } = await metadataFromHandshake(plugin, options);
      return new PluginSession(loaded, metadata);
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
    const call = this.#queue.then(() => this.#dispatchNow(plugin, fn, request));
    this.#queue = call.catch(() => undefined);
    return call;
  }

  async #dispatchNow<F extends AnyWireFunction>(
    plugin: LoadedPlugin,
    fn: F,
    request: RequestOf<F>,
  ): Promise<DispatchOutcome<ResponseOf<F>>> {
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
  }

  /**
   * Releases the instance once the calls already queued have finished (they still run); later
   * `dispatch` calls reject. Calling it again does nothing.
   */
  async close(): Promise<void> {
    const plugin = this.#plugin;
    if (plugin === undefined) return;
    this.#plugin = undefined;
    await this.#queue;
    await plugin.close();
  }
}
