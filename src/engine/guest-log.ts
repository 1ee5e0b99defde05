/**
 * Engine layer: the guest's Extism log calls (`log_trace` … `log_error` in `extism:host/env`,
 * `Host.log` in the AssemblyScript PDK), captured per call instead of printed.
 *
 * The JS SDK hands every log call at or above its `logLevel` to the `logger` it was given; the
 * engine gives each instance a `GuestLogSink` as that logger with the level at `trace`, so every
 * line is kept. What the guest can observe is the Rust host's: `get_log_level` answers Extism's
 * default global level (info, 2) — the Rust kernel's `GLOBAL_LOG_LEVEL` when the host never sets
 * one — so a PDK that checks the level before formatting a message does the same work, and burns
 * the same fuel, as under cc-lb. (The Rust host then drops trace and debug lines; we keep them,
 * because a test tool that hides what the guest said helps no one, and keeping a line changes
 * nothing the guest can see.)
 *
 * A call keeps its last `GUEST_LOG_MAX_LINES` lines, each cut to `GUEST_LOG_MAX_CHARS`, so a guest
 * logging in a loop cannot exhaust the test process.
 */

export type GuestLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface GuestLogEntry {
  readonly level: GuestLogLevel;
  readonly message: string;
}

/** The value of `get_log_level` in the Rust Extism runtime when no log level was configured: info. */
export const RUST_DEFAULT_LOG_LEVEL = 2;

export const GUEST_LOG_MAX_LINES = 1000;
export const GUEST_LOG_MAX_CHARS = 16 * 1024;

/** The log of a call that logged nothing (shared: frozen). */
export const NO_LOGS: readonly GuestLogEntry[] = Object.freeze([]);

/** The SDK's `logger` for one instance; `take()` ends the current call's log and starts the next. */
export class GuestLogSink {
  #lines: GuestLogEntry[] | undefined;

  trace(message: string): void {
    this.#add('trace', message);
  }
  debug(message: string): void {
    this.#add('debug', message);
  }
  info(message: string): void {
    this.#add('info', message);
  }
  warn(message: string): void {
    this.#add('warn', message);
  }
  error(message: string): void {
    this.#add('error', message);
  }
  /** The SDK's own diagnostics go through `log` on some paths; they are the host's, kept as info. */
  log(message: string): void {
    this.#add('info', message);
  }

  /** The lines logged since the last `take()` (frozen), and a fresh log for the next call. */
  take(): readonly GuestLogEntry[] {
    const lines = this.#lines;
    if (lines === undefined) return NO_LOGS;
    this.#lines = undefined;
    if (lines.length > GUEST_LOG_MAX_LINES) lines.splice(0, lines.length - GUEST_LOG_MAX_LINES);
    return Object.freeze(lines);
  }

  #add(level: GuestLogLevel, text: unknown): void {
    const message = String(text);
    const entry = Object.freeze({
      level,
      message:
        message.length > GUEST_LOG_MAX_CHARS
          ? `${message.slice(0, GUEST_LOG_MAX_CHARS)}… (${message.length - GUEST_LOG_MAX_CHARS} more characters)`
          : message,
    });
    let lines = this.#lines;
    if (lines === undefined) {
      lines = [];
      this.#lines = lines;
    }
    lines.push(entry);
    // drop the oldest lines in batches, so a long log costs amortized O(1) per line
    if (lines.length >= 2 * GUEST_LOG_MAX_LINES) lines.splice(0, lines.length - GUEST_LOG_MAX_LINES);
  }
}

/** The last `count` lines of a log as text, `[warn] message` each — for failure messages. */
export function lastLogLines(logs: readonly GuestLogEntry[], count = 10): string[] {
  const shown = logs.slice(Math.max(0, logs.length - count));
  return shown.map((entry) => `[${entry.level}] ${entry.message}`);
}
