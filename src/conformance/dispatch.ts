/**
 * Conformance layer: `dispatch.run` — one wire call on a fresh instance, under metadata from a
 * separate handshake (PROTOCOL.md §8.4). Only failing to get that far is an error (`RunError`);
 * everything that goes wrong in the call itself is a fallback outcome.
 */
import { BuildPluginError, buildPlugin, checkCallFuel, type LoadedPlugin } from '../engine/index.js';
import { type DispatchOutcome, dispatchWireCall } from '../host/index.js';
import type { AnyWireFunction, RequestOf, ResponseOf } from '../wire/index.js';
import { HandshakeError, RunError } from './errors.js';
import { metadataFromHandshake } from './metadata.js';
import { engineLimits, type PluginSource, resolvePlugin } from './plugin-under-test.js';
import type { DispatchCallOptions } from './session.js';

/**
 * Builds the instance first (as the reference does), then handshakes on another instance; the
 * dispatch instance never sees `cc_lb_handshake`. The instance is closed afterwards.
 * `options.fuel` is the budget of the wire call alone; the handshake keeps the plugin's.
 * `options.profile` builds the dispatch instance as the profiling variant: the outcome carries
 * the call's fuel profile.
 */
async function run<F extends AnyWireFunction>(
  source: PluginSource,
  fn: F,
  request: RequestOf<F> = fn.dryRunRequest() as RequestOf<F>,
  options?: DispatchCallOptions,
): Promise<DispatchOutcome<ResponseOf<F>>> {
  if (options?.fuel !== undefined) checkCallFuel(options.fuel, 'dispatch.run');
  const plugin = resolvePlugin(source);
  let loaded: LoadedPlugin;
  try {
    loaded = await buildPlugin(plugin.wasm, {
      ...engineLimits(plugin.limits),
      ...(options?.profile === true ? { profile: true } : {}),
    });
  } catch (error) {
    if (error instanceof BuildPluginError) throw new RunError({ kind: 'Build', reason: error.reason }, error);
    throw error;
  }
  try {
    let metadata: Awaited<ReturnType<typeof metadataFromHandshake>>['metadata'];
    try {
      ({ metadata } = await metadataFromHandshake(plugin));
    } catch (error) {
      if (error instanceof HandshakeError) throw new RunError({ kind: 'Handshake', cause: error });
      throw error;
    }
    return await dispatchWireCall(
      loaded,
      metadata,
      fn,
      request,
      options?.fuel === undefined ? undefined : { fuel: options.fuel },
    );
  } finally {
    await loaded.close();
  }
}

export const dispatch = Object.freeze({ run });
