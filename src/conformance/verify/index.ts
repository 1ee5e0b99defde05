/**
 * Conformance layer: the verify flows, one file per plugin kind, as the `verify` namespace and as
 * the reference's top-level `verify*Plugin` names; `verifyLayers` runs several kinds as one flow.
 */
import type { PluginSource } from '../plugin-under-test.js';
import { type KindFlow, runFlow, type VerifyFlow, type VerifyKind, type VerifyOptions } from './common.js';
import { observabilityFlow, verifyObservabilityPlugin } from './observability.js';
import { routerFlow, verifyRouterPlugin } from './router.js';
import { shapeFlow, verifyShapePlugin } from './shape.js';
import { signerFlow, verifySignerPlugin } from './signer.js';

export {
  VERIFY_KINDS,
  type VerifyFlow,
  type VerifyKind,
  type VerifyLayer,
  type VerifyOptions,
} from './common.js';
export { verifyObservabilityPlugin, verifyRouterPlugin, verifyShapePlugin, verifySignerPlugin };

export const verify = Object.freeze({
  shape: verifyShapePlugin,
  router: verifyRouterPlugin,
  observability: verifyObservabilityPlugin,
  signer: verifySignerPlugin,
});

const FLOWS: Readonly<Record<VerifyKind, KindFlow>> = {
  shape: shapeFlow,
  router: routerFlow,
  observability: observabilityFlow,
  signer: signerFlow,
};

/** The kinds a negotiated function set calls for, in a stable order. */
export function kindsFromFunctions(chosen: Iterable<string>): VerifyKind[] {
  const names = new Set(chosen);
  return (Object.values(FLOWS) as KindFlow[])
    .filter((flow) =>
      flow.kind === 'signer'
        ? names.has('build_signer') || names.has('sign')
        : flow.required.some((fn) => names.has(fn.name)),
    )
    .map((flow) => flow.kind);
}

export interface VerifyLayersOptions extends VerifyOptions {
  /** the kinds to verify, or `'auto'`: every kind the negotiated functions call for */
  readonly kinds: readonly VerifyKind[] | 'auto';
  /** record each dispatch case's fuel profile as its layer's `profile` (each on a fresh profiling instance) */
  readonly profile?: boolean;
}

/**
 * Every layer of the verify flow of one or more kinds, yielded as each is decided; failed layers do
 * not stop it. Identity, handshake and self-check run once, the kinds' cases on one session.
 */
export function verifyLayers(source: PluginSource, options: VerifyLayersOptions): VerifyFlow {
  const { kinds, ...rest } = options;
  return runFlow(source, {
    ...rest,
    flows:
      kinds === 'auto'
        ? (chosen) => kindsFromFunctions(chosen).map((kind) => FLOWS[kind])
        : kinds.map((kind) => FLOWS[kind]),
  });
}
