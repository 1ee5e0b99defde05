/**
 * CLI layer: where reports go. Human output is one line a layer; `--json` prints report objects.
 * Colour only on a TTY and never when NO_COLOR is set.
 */
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

  /** A report's warnings (e.g. a call slower than wallMs), one line each. */
  warnings(warnings: readonly string[] | undefined): void {
    for (const warning of warnings ?? []) this.line(`  ${this.paint('33', `warning: ${warning}`)}`);
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
