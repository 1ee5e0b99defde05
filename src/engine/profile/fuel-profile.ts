/**
 * Engine layer: the fuel profile — where one guest call spent its fuel, per function and per call
 * path — and the recorder that builds it while the call runs.
 *
 * The profiling instrumentation reports two events, each with the fuel counter (remaining fuel)
 * at that moment: a function was entered, and the function on top of the stack exits (returns,
 * or is replaced by a tail call). Fuel only ever decreases, so the fuel between two consecutive
 * events belongs to the function on top of the stack in between: that is its self fuel, exactly,
 * with no sampling. Kernel calls are not frames, so their fuel is the caller's. A call that traps
 * or runs out of fuel ends with frames still open; `finish` closes them at the final counter, so
 * the partial profile adds up too.
 *
 * Exactness: readings are clamped at 0 (the counter can overrun below zero before the next
 * check traps, and the engine reports such a call as having consumed exactly its budget), so
 * the profile's total is the budget minus the final clamped counter — the call's `fuelConsumed`.
 *
 * Recursion: the call tree is keyed by call path, so a recursive frame is a new node and no node
 * is ever open twice; a function's inclusive `total` counts only its outermost activation, so
 * recursion and mutual recursion are never counted twice.
 *
 * Bounds: a hostile guest can reach millions of distinct call paths within its budget, so the
 * tree holds at most `maxPaths` nodes; calls beyond it are folded into one node per parent
 * ("(call paths beyond the limit)"), which keeps every total exact. Per-function figures are
 * kept apart from the tree and are always exact.
 */

/** One function of a profile. `total` is inclusive (callees included), recursion counted once. */
export interface FuelProfileFunction {
  readonly name: string;
  /** the function's index in the module's function index space */
  readonly index: number;
  readonly self: number;
  readonly total: number;
  /** how many times the function was entered */
  readonly calls: number;
}

/**
 * A node of the call tree: one call path. The root is `(root)` (index -1): the call itself,
 * whose self fuel is what was charged outside every guest function (normally 0).
 */
export interface FuelProfileNode {
  readonly name: string;
  /** function index; -1 for the root and for the node that folds paths past the bound */
  readonly index: number;
  readonly self: number;
  readonly total: number;
  /** how many times this call path was entered */
  readonly calls: number;
  /** callees, in the order they were first called */
  readonly children: readonly FuelProfileNode[];
}

export interface FuelProfile {
  /** the fuel the call consumed: equal to its `fuelConsumed` */
  readonly total: number;
  /** every function that ran, by `self` descending (then by index) */
  readonly functions: readonly FuelProfileFunction[];
  readonly root: FuelProfileNode;
}

export const ROOT_NAME = '(root)';
export const FOLDED_PATHS_NAME = '(call paths beyond the limit)';
const FOLDED = -2;
const ROOT = -1;

/** Names a function by its index (the module's name section, demangled, or `func[N]`). */
export type FunctionNamer = (index: number) => string;

interface RecordNode {
  readonly fn: number;
  self: number;
  total: number;
  calls: number;
  readonly children: RecordNode[];
  /** the fold node among `children`, once made */
  folded: RecordNode | undefined;
  /** position in `nodes`, part of each child's key */
  readonly id: number;
}

/** What one profiled call leaves: the raw, index-keyed record, before naming and sorting. */
export interface FuelRecord {
  readonly total: number;
  readonly root: RecordNode;
  /** per function index: self fuel, inclusive fuel, entries */
  readonly self: Float64Array;
  readonly inclusive: Float64Array;
  readonly calls: Float64Array;
}

export const DEFAULT_MAX_PATHS = 200_000;

/**
 * Collects one call's events. `begin` starts a call, `enter`/`exit` are what the instrumented
 * guest reports, `finish` closes whatever is still open and hands back the record.
 */
export class FuelRecorder {
  private readonly functionCount: number;
  private readonly maxPaths: number;
  private budget = 0;
  private last = 0;
  private root: RecordNode;
  private nodeCount = 1;
  /** child lookup: parent id × (functionCount + 1) + function index → node */
  private readonly children = new Map<number, RecordNode>();
  // The stack of open frames, one entry each: the function, its node, the clamped reading at
  // entry, and whether it re-entered a node already open on the stack (a fold node).
  private stackFn: Int32Array;
  private stackNode: RecordNode[] = [];
  private stackEntry: Float64Array;
  private stackNested: Uint8Array;
  private height = 0;
  private self: Float64Array;
  private inclusive: Float64Array;
  private calls: Float64Array;
  /** open activations per function, and the reading at the outermost one */
  private open: Int32Array;
  private outerEntry: Float64Array;

  constructor(functionCount: number, options: { maxPaths?: number } = {}) {
    this.functionCount = functionCount;
    this.maxPaths = options.maxPaths ?? DEFAULT_MAX_PATHS;
    this.root = makeNode(ROOT, 0);
    this.stackFn = new Int32Array(64);
    this.stackEntry = new Float64Array(64);
    this.stackNested = new Uint8Array(64);
    this.self = new Float64Array(functionCount);
    this.inclusive = new Float64Array(functionCount);
    this.calls = new Float64Array(functionCount);
    this.open = new Int32Array(functionCount);
    this.outerEntry = new Float64Array(functionCount);
  }

  /** Starts a call with this fuel budget; anything recorded before is dropped. */
  begin(budget: number): void {
    this.budget = budget;
    this.last = budget;
    this.root = makeNode(ROOT, 0);
    this.nodeCount = 1;
    this.children.clear();
    this.stackNode.length = 0;
    this.height = 0;
    this.self.fill(0);
    this.inclusive.fill(0);
    this.calls.fill(0);
    this.open.fill(0);
    this.outerEntry.fill(0);
  }

  /** Function `fn` was entered with `remaining` fuel left. */
  enter(fn: number, remaining: number): void {
    const reading = this.attribute(remaining);
    if (!(fn >= 0 && fn < this.functionCount)) throw new RangeError(`no function ${fn} in this module`);
    const parent = this.height === 0 ? this.root : (this.stackNode[this.height - 1] as RecordNode);
    let node: RecordNode;
    let nested = false;
    if (parent.fn === FOLDED) {
      node = parent;
      nested = true;
    } else {
      const key = parent.id * (this.functionCount + 1) + fn;
      const existing = this.children.get(key);
      if (existing !== undefined) {
        node = existing;
      } else if (this.nodeCount < this.maxPaths) {
        node = makeNode(fn, this.nodeCount++);
        this.children.set(key, node);
        parent.children.push(node);
      } else {
        if (parent.folded === undefined) {
          parent.folded = makeNode(FOLDED, this.nodeCount++);
          parent.children.push(parent.folded);
        }
        node = parent.folded;
      }
    }
    if (!nested) node.calls++;
    this.calls[fn] = (this.calls[fn] as number) + 1;
    const open = this.open[fn] as number;
    this.open[fn] = open + 1;
    if (open === 0) this.outerEntry[fn] = reading;
    this.push(fn, node, reading, nested);
  }

  /** The function on top of the stack exits with `remaining` fuel left. */
  exit(remaining: number): void {
    const reading = this.attribute(remaining);
    if (this.height > 0) this.pop(reading);
  }

  /** Ends the call at the final counter, closing frames a trap left open, and returns the record. */
  finish(remaining: number): FuelRecord {
    const reading = this.attribute(remaining);
    while (this.height > 0) this.pop(reading);
    const total = this.budget - reading;
    this.root.total = total;
    this.root.calls = 1;
    return {
      total,
      root: this.root,
      self: this.self.slice(),
      inclusive: this.inclusive.slice(),
      calls: this.calls.slice(),
    };
  }

  /** Charges the fuel since the last event to the frame on top; returns the clamped reading. */
  private attribute(remaining: number): number {
    const reading = remaining > 0 ? Math.min(remaining, this.last) : 0;
    const spent = this.last - reading;
    if (spent > 0) {
      if (this.height === 0) {
        this.root.self += spent;
      } else {
        (this.stackNode[this.height - 1] as RecordNode).self += spent;
        const fn = this.stackFn[this.height - 1] as number;
        this.self[fn] = (this.self[fn] as number) + spent;
      }
    }
    this.last = reading;
    return reading;
  }

  private push(fn: number, node: RecordNode, reading: number, nested: boolean): void {
    if (this.height === this.stackFn.length) {
      this.stackFn = grown(this.stackFn, new Int32Array(this.height * 2));
      this.stackEntry = grown(this.stackEntry, new Float64Array(this.height * 2));
      this.stackNested = grown(this.stackNested, new Uint8Array(this.height * 2));
    }
    this.stackFn[this.height] = fn;
    this.stackNode[this.height] = node;
    this.stackEntry[this.height] = reading;
    this.stackNested[this.height] = nested ? 1 : 0;
    this.height++;
  }

  private pop(reading: number): void {
    this.height--;
    const fn = this.stackFn[this.height] as number;
    const entry = this.stackEntry[this.height] as number;
    if (this.stackNested[this.height] === 0)
      (this.stackNode[this.height] as RecordNode).total += entry - reading;
    const open = (this.open[fn] as number) - 1;
    this.open[fn] = open;
    if (open === 0) {
      this.inclusive[fn] = (this.inclusive[fn] as number) + (this.outerEntry[fn] as number) - reading;
    }
    this.stackNode.length = this.height;
  }
}

function makeNode(fn: number, id: number): RecordNode {
  return { fn, self: 0, total: 0, calls: 0, children: [], folded: undefined, id };
}

function grown<T extends Int32Array | Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** The author-facing profile: functions named and sorted, the tree named. */
export function fuelProfile(record: FuelRecord, nameOf: FunctionNamer): FuelProfile {
  const functions: FuelProfileFunction[] = [];
  for (let index = 0; index < record.calls.length; index++) {
    const calls = record.calls[index] as number;
    if (calls === 0) continue;
    functions.push({
      name: nameOf(index),
      index,
      self: record.self[index] as number,
      total: record.inclusive[index] as number,
      calls,
    });
  }
  functions.sort((a, b) => b.self - a.self || a.index - b.index);
  return { total: record.total, functions, root: namedTree(record.root, nameOf) };
}

/** Names the tree without recursion: a deep recursion in the guest must not overflow ours. */
function namedTree(root: RecordNode, nameOf: FunctionNamer): FuelProfileNode {
  const made = new Map<RecordNode, FuelProfileNode>();
  // post-order: children are made before their parent
  const order: RecordNode[] = [];
  const pending: RecordNode[] = [root];
  while (pending.length > 0) {
    const node = pending.pop() as RecordNode;
    order.push(node);
    for (const child of node.children) pending.push(child);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i] as RecordNode;
    made.set(node, {
      name: node.fn === ROOT ? ROOT_NAME : node.fn === FOLDED ? FOLDED_PATHS_NAME : nameOf(node.fn),
      index: node.fn < 0 ? -1 : node.fn,
      self: node.self,
      total: node.total,
      calls: node.calls,
      children: node.children.map((child) => made.get(child) as FuelProfileNode),
    });
  }
  return made.get(root) as FuelProfileNode;
}

/** The `count` functions with the most self fuel, one line each, for an out-of-fuel message. */
export function topSelfFuel(profile: FuelProfile, count = 5): string[] {
  return profile.functions
    .slice(0, count)
    .map(
      (f) =>
        `${f.name}: ${f.self.toLocaleString('en-US')} self, ${f.total.toLocaleString('en-US')} total, ${f.calls.toLocaleString('en-US')} ${f.calls === 1 ? 'call' : 'calls'}`,
    );
}
