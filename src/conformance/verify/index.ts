/**
 * Conformance layer: the verify flows, one file per plugin kind, as the `verify` namespace and as
 * the reference's top-level `verify*Plugin` names. Re-exports only.
 */
import { verifyObservabilityPlugin } from './observability.js';
import { verifyRouterPlugin } from './router.js';
import { verifyShapePlugin } from './shape.js';
import { verifySignerPlugin } from './signer.js';

export type { VerifyOptions } from './common.js';
export { verifyObservabilityPlugin, verifyRouterPlugin, verifyShapePlugin, verifySignerPlugin };

export const verify = Object.freeze({
  shape: verifyShapePlugin,
  router: verifyRouterPlugin,
  observability: verifyObservabilityPlugin,
  signer: verifySignerPlugin,
});
