/**
 * Engine layer: a fuel profile as a speedscope file (https://www.speedscope.app/file-format-schema.json),
 * one evented profile whose unit is fuel (the format's unit `none`: plain numbers).
 *
 * Each call-tree node opens at the fuel already spent before it and closes `total` later; its
 * self fuel comes first and its callees after, depth-first, so the "time order" view is a flame
 * chart of the call and "left heavy" and "sandwich" work as for any profile. Fuel spent outside
 * every guest function (the root's self fuel, normally 0) is the gap before the first frame.
 */
import type { FuelProfile, FuelProfileNode } from './fuel-profile.js';

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

export interface SpeedscopeFrame {
  readonly name: string;
}

export interface SpeedscopeEvent {
  readonly type: 'O' | 'C';
  readonly at: number;
  readonly frame: number;
}

export interface SpeedscopeEventedProfile {
  readonly type: 'evented';
  readonly name: string;
  readonly unit: 'none';
  readonly startValue: number;
  readonly endValue: number;
  readonly events: SpeedscopeEvent[];
}

export interface SpeedscopeFile {
  readonly $schema: typeof SPEEDSCOPE_SCHEMA;
  readonly shared: { readonly frames: SpeedscopeFrame[] };
  readonly profiles: SpeedscopeEventedProfile[];
  readonly name: string;
  readonly activeProfileIndex: number;
  readonly exporter: string;
}

export function toSpeedscope(profile: FuelProfile, options: { name?: string } = {}): SpeedscopeFile {
  const name = options.name ?? 'fuel';
  const frames: SpeedscopeFrame[] = [];
  // one frame per function (by index; synthetic nodes by name), so equal names stay apart
  const frameIds = new Map<string, number>();
  const frameOf = (node: FuelProfileNode): number => {
    const key = node.index >= 0 ? `#${node.index}` : node.name;
    let id = frameIds.get(key);
    if (id === undefined) {
      id = frames.length;
      frames.push({ name: node.name });
      frameIds.set(key, id);
    }
    return id;
  };
  const events: SpeedscopeEvent[] = [];
  // depth-first without recursion; a close is queued under the node's children
  type Step = { open: FuelProfileNode } | { close: number; at: number };
  const pending: Step[] = [];
  let at = profile.root.self;
  for (let i = profile.root.children.length - 1; i >= 0; i--) {
    pending.push({ open: profile.root.children[i] as FuelProfileNode });
  }
  while (pending.length > 0) {
    const step = pending.pop() as Step;
    if ('close' in step) {
      events.push({ type: 'C', at: step.at, frame: step.close });
      at = step.at;
      continue;
    }
    const node = step.open;
    const frame = frameOf(node);
    events.push({ type: 'O', at, frame });
    pending.push({ close: frame, at: at + node.total });
    at += node.self;
    for (let i = node.children.length - 1; i >= 0; i--) {
      pending.push({ open: node.children[i] as FuelProfileNode });
    }
  }
  return {
    $schema: SPEEDSCOPE_SCHEMA,
    shared: { frames },
    profiles: [{ type: 'evented', name, unit: 'none', startValue: 0, endValue: profile.total, events }],
    name,
    activeProfileIndex: 0,
    exporter: 'cc-lb-plugin-conformance',
  };
}
