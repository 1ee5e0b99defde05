/**
 * Host layer: which host slots a plugin fills (PROTOCOL.md §1.5). The handshake's
 * `implemented_functions` is the source of truth; runtime 0.1.0 also keeps a narrow legacy path
 * that recognises a bare `route` export as a router.
 */
import { BuildPluginError, buildPlugin } from '../engine/index.js';
import { HANDSHAKE_FUEL, HANDSHAKE_WALL_MS } from '../wire/constants.js';
import type { WasmInput } from '../wire/wasm-input.js';
import { closeQuietly } from './phase-instance.js';

/** The reference `PluginSlot`; its derived order is Router < ObservabilityHook < Shape. */
export type Slot = 'Router' | 'ObservabilityHook' | 'Shape';

const SLOT_ORDER: readonly Slot[] = ['Router', 'ObservabilityHook', 'Shape'];

const SLOT_OF_FUNCTION: Readonly<Record<string, Slot>> = {
  filter: 'Router',
  shape: 'Shape',
  observe: 'ObservabilityHook',
};

/**
 * `slot_set_from_handshake`: `filter` → Router, `shape` → Shape, `observe` → ObservabilityHook;
 * every other name is ignored (forward compatible). Sorted in slot order, de-duplicated.
 */
export function slotSetFromHandshake(implemented: Iterable<string>): Slot[] {
  const slots = new Set<Slot>();
  for (const name of implemented) {
    if (Object.hasOwn(SLOT_OF_FUNCTION, name)) slots.add(SLOT_OF_FUNCTION[name] as Slot);
  }
  return SLOT_ORDER.filter((slot) => slots.has(slot));
}

/**
 * Runtime 0.1.0's legacy `slot_set_from_extism_exports`: builds the module with the handshake
 * budgets; a module that fails to build has no slots; a function export named `route` makes it a
 * Router. No other export (not even `filter`, `shape` or `observe`) yields a slot without a
 * handshake. Absent from 0.2.x.
 */
export async function slotSetFromExtismExports(wasm: WasmInput): Promise<Slot[]> {
  let plugin: Awaited<ReturnType<typeof buildPlugin>>;
  try {
    plugin = await buildPlugin(wasm, { wallMs: HANDSHAKE_WALL_MS, fuel: HANDSHAKE_FUEL });
  } catch (error) {
    if (error instanceof BuildPluginError) return [];
    throw error;
  }
  try {
    return plugin.functionExists('route') ? ['Router'] : [];
  } finally {
    await closeQuietly(plugin);
  }
}
