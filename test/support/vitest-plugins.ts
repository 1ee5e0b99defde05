/**
 * Test support for the Vitest surface: small WAT plugins, built with `pluginModule`, that pass or
 * fail exactly one protocol step, so each matcher can be seen passing and failing for a known reason.
 */

import {
  acceptJson,
  type ExportBehaviour,
  fail,
  output,
  type PluginModuleSpec,
  pluginModule,
  selfCheckJson,
  trap,
} from '../../src/wat/index.js';
import { ShapeFn } from '../../src/wire/index.js';

/** The accept of a plugin implementing `shape` v1 and nothing else. */
export const SHAPE_ACCEPT = acceptJson({
  chosen_versions: { shape: 1 },
  plugin_supported: { shape: [1] },
  implemented_functions: ['shape'],
});

/** The response a well-behaved `shape` export returns (the dry-run response plus `_v`). */
export const SHAPE_RESPONSE = { _v: 1, ...ShapeFn.dryRunResponse() };

/** A shape plugin that passes every step; `exports` and `identity` override its parts. */
export function shapePlugin(
  overrides: {
    exports?: Record<string, ExportBehaviour>;
    identity?: PluginModuleSpec['identity'];
    memory?: number;
  } = {},
): Uint8Array {
  return pluginModule({
    ...(overrides.memory === undefined ? {} : { memory: overrides.memory }),
    identity: overrides.identity ?? { plugin_name: 'demo-shape', plugin_version: '1.2.3' },
    exports: {
      cc_lb_handshake: output(SHAPE_ACCEPT),
      cc_lb_self_check: output(selfCheckJson()),
      shape: output(SHAPE_RESPONSE),
      ...overrides.exports,
    },
  });
}

/** Chooses `shape` v1 but also exports `normalize_error` without declaring it. */
export function undeclaredExportPlugin(): Uint8Array {
  return shapePlugin({ exports: { normalize_error: output({ _v: 1 }) } });
}

/** The self-check export traps. */
export function trappingSelfCheckPlugin(): Uint8Array {
  return shapePlugin({ exports: { cc_lb_self_check: trap() } });
}

/** The `shape` export fails with a guest error. */
export function failingShapePlugin(message = 'upstream refused'): Uint8Array {
  return shapePlugin({ exports: { shape: fail(message) } });
}

/** Chooses `shape` v2: refused under the default offer (v1 only), accepted when v2 is offered. */
export function choosesShapeV2Plugin(): Uint8Array {
  return shapePlugin({
    exports: {
      cc_lb_handshake: output(
        acceptJson({
          chosen_versions: { shape: 2 },
          plugin_supported: { shape: [1, 2] },
          implemented_functions: ['shape'],
        }),
      ),
    },
  });
}

/** A shape plugin that requires the host capability `observability:emit`. */
export function capabilityShapePlugin(): Uint8Array {
  return shapePlugin({
    exports: {
      cc_lb_handshake: output(
        acceptJson({
          chosen_versions: { shape: 1 },
          plugin_supported: { shape: [1] },
          implemented_functions: ['shape'],
          required_capabilities: ['observability:emit'],
        }),
      ),
    },
  });
}
