/**
 * Conformance layer: what the guest left behind when something failed — the lines it logged
 * during the failing call and, when its output could not be read or decoded, the output itself —
 * found on a dispatch outcome or anywhere in an error's `cause` chain, and told as lines that the
 * matchers and the CLI both print.
 */
import {
  describeRawOutput,
  type GuestLogEntry,
  lastLogLines,
  NO_LOGS,
  type RawOutput,
} from '../engine/index.js';

/** How many of the last log lines a failure shows by default. */
export const FAILURE_LOG_LINES = 10;

/** The cause chains of this package are a few errors long; the cap guards against cycles. */
const MAX_DEPTH = 8;

export interface GuestDiagnostics {
  /** what the guest wrote, when reading or decoding it is what failed */
  readonly output: RawOutput | undefined;
  /** the guest's log lines of the failing call */
  readonly logs: readonly GuestLogEntry[];
}

/** The outermost `output` and non-empty `logs` on `subject` or its causes. */
export function guestDiagnostics(subject: unknown): GuestDiagnostics {
  let output: RawOutput | undefined;
  let logs: readonly GuestLogEntry[] | undefined;
  let current: unknown = subject;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < MAX_DEPTH; depth++) {
    const candidate = current as { output?: unknown; logs?: unknown; cause?: unknown };
    if (output === undefined && isRawOutput(candidate.output)) output = candidate.output;
    if (logs === undefined && Array.isArray(candidate.logs) && candidate.logs.length > 0) {
      logs = candidate.logs as readonly GuestLogEntry[];
    }
    current = candidate.cause;
  }
  return { output, logs: logs ?? NO_LOGS };
}

/**
 * `Guest output: the guest wrote 12 bytes: "…"` and `Guest log (last 2 of 2 lines):` with the
 * lines indented — nothing when there is nothing to show. `logLines: Infinity` shows every line.
 */
export function guestDiagnosticLines(subject: unknown, logLines: number = FAILURE_LOG_LINES): string[] {
  const { output, logs } = guestDiagnostics(subject);
  const lines: string[] = [];
  if (output !== undefined) lines.push(`Guest output: ${describeRawOutput(output)}`);
  if (logs.length > 0) {
    const shown = Math.min(logs.length, logLines);
    lines.push(
      shown === logs.length
        ? `Guest log (${logs.length} ${logs.length === 1 ? 'line' : 'lines'}):`
        : `Guest log (last ${shown} of ${logs.length} lines):`,
    );
    for (const line of lastLogLines(logs, shown)) lines.push(`  ${line}`);
  }
  return lines;
}

function isRawOutput(value: unknown): value is RawOutput {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as RawOutput).length === 'number' &&
    typeof (value as RawOutput).head === 'string'
  );
}
