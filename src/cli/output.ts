/**
 * CLI layer: where reports go. Human output is one line a layer (a failed layer adds its causes
 * and the guest's last log lines beneath it); `--json` prints report objects. Colour only on a TTY
 * and never when NO_COLOR is set.
 */
import { accountOfFailure, classOf, errorChain, failureLines } from '../conformance/error-account.js';
import type { Hint } from '../conformance/hints.js';
import {
  type GuestDiagnostics,
  guestDiagnosticLines,
  guestDiagnostics,
  type LayerFailure,
} from '../conformance/index.js';
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

export class Printer {
  readonly color: boolean;
  constructor(private readonly io: CliIo) {
    this.color = io.stdout.isTTY === true && io.env.NO_COLOR === undefined;
  }

  line(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  error(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
  }

  /** One row of the report: mark, layer name padded, detail. */
  layer(passed: boolean, name: string, detail?: string, fuel?: { used: number; budget: number }): void {
    const mark = passed ? this.paint('32', '✓') : this.paint('31', '✗');
    const parts = [`${mark} ${name.padEnd(42)}`];
    if (detail !== undefined && detail !== '') parts.push(passed ? detail : this.paint('31', detail));
    if (fuel !== undefined)
      parts.push(this.paint('2', `fuel ${formatFuel(fuel.used)} / ${formatFuel(fuel.budget)}`));
    this.line(`  ${parts.join('  ')}`.trimEnd());
  }

  /**
   * What the guest left behind in a failing call (its raw output when it did not decode, its last
   * log lines), indented under the layer; `all` prints every log line.
   */
  guestDiagnostics(subject: unknown, all: boolean): void {
    for (const line of guestDiagnosticLines(subject, all ? Number.POSITIVE_INFINITY : undefined)) {
      this.line(`    ${this.paint('2', line)}`);
    }
  }

  /**
   * The lines beneath a failed layer: causes the headline does not already say, then what the guest
   * left behind in the failing call (its output when it did not decode, its last log lines, told as
   * `dispatch` and the matchers tell them); `all` prints every log line.
   */
  failureDetail(failure: LayerFailure, all: boolean): void {
    const { causes } = accountOfFailure(failure);
    for (const cause of causes) this.line(`      ${this.paint('2', 'caused by')} ${cause}`);
    for (const line of failureLines(failure, all ? Number.POSITIVE_INFINITY : undefined)) {
      this.line(`      ${this.paint('2', line)}`);
    }
  }

  /** A report's warnings (e.g. a call slower than wallMs), one line each. */
  warnings(warnings: readonly string[] | undefined): void {
    for (const warning of warnings ?? []) this.line(`  ${this.paint('33', `warning: ${warning}`)}`);
  }

  /** Each hint once, after the report. */
  hints(hints: readonly Hint[]): void {
    for (const hint of hints) this.line(`${this.paint('33', 'hint:')} ${hint.text}`);
  }

  verdict(passed: boolean, text: string): void {
    this.line(passed ? this.paint('32', `PASS ${text}`) : this.paint('31', `FAIL ${text}`));
  }

  /** Progress for long work, on stderr and only for a person watching a terminal. */
  progress(text: string): void {
    if (this.io.stderr.isTTY === true) this.io.stderr.write(`\r\x1b[2K… ${text}`);
  }

  endProgress(): void {
    if (this.io.stderr.isTTY === true) this.io.stderr.write('\r\x1b[2K');
  }

  paint(code: string, text: string): string {
    return this.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}

export function formatFuel(n: number): string {
  return n.toLocaleString('en-US');
}

/** Reports may hold bigint (u64 beyond 2^53) and Uint8Array; JSON.stringify handles neither. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  return value;
}

/** The error's message, with the flag that fixes it when the plugin merely needs a capability. */
export function withCapabilityHint(error: unknown): string {
  const e = error as { kind?: unknown; name?: unknown; message: string };
  if (e.kind === 'MissingCapability' && typeof e.name === 'string') {
    return `${e.message} (offer it with --capability ${e.name})`;
  }
  return e.message;
}

/** A failed layer as JSON: everything the human line shows, plus the whole cause chain. */
export function failureJson(failure: LayerFailure, layer: string, fuel: { used?: number; budget: number }) {
  const { headline } = accountOfFailure(failure);
  // what the guest wrote, when its output is what did not read or decode (on the fallback's error)
  const { output } = guestDiagnostics(failure.error);
  const dispatch = failure.error.cause as { errorKind?: unknown } | undefined;
  return {
    case: layer,
    ...(failure.function === undefined ? {} : { function: failure.function }),
    ...(failure.policy === undefined ? {} : { policy: failure.policy }),
    ...(failure.stage === undefined ? {} : { stage: failure.stage }),
    ...(typeof dispatch?.errorKind === 'string' ? { errorKind: dispatch.errorKind } : {}),
    error: headline,
    causes: errorChain(failure.error).map((link) => {
      const kind = (link as { kind?: unknown }).kind;
      return {
        error: link instanceof Error ? classOf(link) : typeof link,
        ...(typeof kind === 'string' ? { kind } : {}),
        message: link instanceof Error ? link.message : String(link),
      };
    }),
    ...(fuel.used === undefined ? {} : { fuel: { used: fuel.used, budget: fuel.budget } }),
    ...(output === undefined ? {} : { output }),
    logs: failure.logs ?? [],
    ...(failure.outOfFuelHint === undefined ? {} : { outOfFuelHint: failure.outOfFuelHint }),
  };
}

/** The error as the JSON report's `error` member: kind, message and the wrapped cause's kind. */
export function errorJson(error: unknown): {
  kind: string;
  message: string;
  cause?: { kind: string; message: string };
} {
  const e = error as { kind?: unknown; message?: unknown; cause?: unknown };
  const kind = typeof e.kind === 'string' ? e.kind : (error as Error).name;
  const out: { kind: string; message: string; cause?: { kind: string; message: string } } = {
    kind,
    message: String(e.message),
  };
  const cause = e.cause as { kind?: unknown; message?: unknown } | undefined;
  if (cause !== undefined && cause !== null && typeof cause.kind === 'string') {
    out.cause = { kind: cause.kind, message: String(cause.message) };
  }
  return out;
}

/** The JSON report's `guestOutput` and `guestLogs` members, present when there is something to show. */
export function guestJson(subject: unknown): {
  guestOutput?: NonNullable<GuestDiagnostics['output']>;
  guestLogs?: GuestDiagnostics['logs'];
} {
  const { output, logs } = guestDiagnostics(subject);
  return {
    ...(output === undefined ? {} : { guestOutput: output }),
    ...(logs.length === 0 ? {} : { guestLogs: logs }),
  };
}
