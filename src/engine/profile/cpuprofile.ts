/**
 * Engine layer: a fuel profile as a Chrome DevTools `.cpuprofile` (the `Profiler.Profile` object
 * of the DevTools protocol), which Chrome's Performance panel, VS Code and speedscope open.
 *
 * The format is sampled and timed in microseconds; a fuel profile is exact, so each call-tree
 * node with self fuel becomes one sample whose duration is that fuel (1 fuel shown as 1 µs).
 * Samples follow the tree depth-first, so the timeline reads as a flame chart. A sample's
 * duration is the delta to the next sample's time; a last sample on `(root)` at the end time
 * closes the final one (readers drop the duration of a profile's last sample).
 */
import type { FuelProfile, FuelProfileNode } from './fuel-profile.js';

export interface CpuProfileCallFrame {
  readonly functionName: string;
  readonly scriptId: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: CpuProfileCallFrame;
  readonly hitCount: number;
  readonly children: number[];
}

export interface CpuProfile {
  readonly nodes: CpuProfileNode[];
  /** microseconds; 0 */
  readonly startTime: number;
  /** microseconds; the profile's total fuel */
  readonly endTime: number;
  /** node ids, in time order */
  readonly samples: number[];
  /** per sample, the time since the previous sample (the first: since `startTime`) */
  readonly timeDeltas: number[];
}

export function toCpuProfile(profile: FuelProfile): CpuProfile {
  const nodes: CpuProfileNode[] = [];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let previousWeight = 0;
  // depth-first, pre-order, without recursion (the tree can be as deep as the guest's stack)
  const pending: { node: FuelProfileNode; parent: CpuProfileNode | undefined }[] = [
    { node: profile.root, parent: undefined },
  ];
  while (pending.length > 0) {
    const { node, parent } = pending.pop() as (typeof pending)[number];
    const made: CpuProfileNode = {
      id: nodes.length + 1,
      callFrame: {
        functionName: node.name,
        scriptId: '0',
        url: '',
        lineNumber: -1,
        columnNumber: -1,
      },
      hitCount: node.self > 0 ? 1 : 0,
      children: [],
    };
    nodes.push(made);
    parent?.children.push(made.id);
    if (node.self > 0) {
      samples.push(made.id);
      timeDeltas.push(previousWeight);
      previousWeight = node.self;
    }
    for (let i = node.children.length - 1; i >= 0; i--) {
      pending.push({ node: node.children[i] as FuelProfileNode, parent: made });
    }
  }
  // the closing sample on (root), node 1, at the end time
  samples.push(1);
  timeDeltas.push(previousWeight);
  return { nodes, startTime: 0, endTime: profile.total, samples, timeDeltas };
}
