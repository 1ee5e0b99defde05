/**
 * Wire layer: the plugin kinds of the wire crate and the wire functions each must and may
 * implement (PROTOCOL.md §1.5). The kind is not part of the custom section.
 */
import type { WireFunctionName } from './functions/index.js';
import { type Static, unitEnum } from './schema.js';

export const PluginKind = unitEnum('PluginKind', ['dialect', 'signer_factory', 'observability']);
export type PluginKind = Static<typeof PluginKind>;

export const PLUGIN_KINDS: readonly PluginKind[] = ['dialect', 'signer_factory', 'observability'];

export interface PluginKindFunctions {
  readonly required: readonly WireFunctionName[];
  readonly allowed: readonly WireFunctionName[];
}

const FUNCTIONS: Readonly<Record<PluginKind, PluginKindFunctions>> = {
  dialect: { required: ['shape'], allowed: ['shape', 'normalize_error'] },
  signer_factory: {
    required: ['build_signer', 'sign'],
    allowed: ['build_signer', 'sign', 'on_unauthorized'],
  },
  observability: { required: ['observe'], allowed: ['observe'] },
};

export function pluginKindFunctions(kind: PluginKind): PluginKindFunctions {
  const functions = FUNCTIONS[kind];
  return { required: [...functions.required], allowed: [...functions.allowed] };
}
