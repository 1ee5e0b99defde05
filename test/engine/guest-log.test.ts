/**
 * The guest's Extism log calls, captured per call (never printed), the log level the guest is
 * told, and the bounds that keep a guest logging in a loop from exhausting the process.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  GUEST_LOG_MAX_CHARS,
  GUEST_LOG_MAX_LINES,
  GuestLogSink,
  lastLogLines,
} from '../../src/engine/guest-log.js';
import { buildPlugin, NO_LOGS, PluginCallError } from '../../src/engine/index.js';
import { wat } from '../../src/wat/compile.js';
import { KERNEL_IMPORTS, WRITE_HELPER } from '../support/extism-kernel-wat.js';

const LIMITS = { wallMs: 200, fuel: 10_000_000 };

const chatty = wat`(module
  ${KERNEL_IMPORTS}
  (import "extism:host/env" "log_trace" (func $log_trace (param i64)))
  (import "extism:host/env" "log_debug" (func $log_debug (param i64)))
  (import "extism:host/env" "log_info" (func $log_info (param i64)))
  (import "extism:host/env" "log_warn" (func $log_warn (param i64)))
  (import "extism:host/env" "log_error" (func $log_error (param i64)))
  (import "extism:host/env" "get_log_level" (func $get_log_level (result i32)))
  (memory 1)
  (data (i32.const 0) "starting")
  (data (i32.const 16) "careful")
  (data (i32.const 32) "deep")
  (data (i32.const 48) "fine")
  (data (i32.const 64) "bad")
  (data (i32.const 80) "it broke")
  (data (i32.const 96) "\\ff\\fe")
  ${WRITE_HELPER}
  (func (export "chatty") (result i32)
    (call $log_info (call $write (i32.const 0) (i32.const 8)))
    (call $log_warn (call $write (i32.const 16) (i32.const 7)))
    (call $log_trace (call $write (i32.const 32) (i32.const 4)))
    (call $log_debug (call $write (i32.const 48) (i32.const 4)))
    (call $log_error (call $write (i32.const 64) (i32.const 3)))
    (i32.const 0))
  (func (export "quiet") (result i32) (i32.const 0))
  (func (export "level") (result i32) (call $get_log_level))
  (func (export "log_then_fail") (result i32)
    (call $log_info (call $write (i32.const 0) (i32.const 8)))
    (call $error_set (call $write (i32.const 80) (i32.const 8)))
    (i32.const 1))
  (func (export "log_then_bad_utf8") (result i32) (local $o i64)
    (call $log_warn (call $write (i32.const 16) (i32.const 7)))
    (local.set $o (call $write (i32.const 96) (i32.const 2)))
    (call $output_set (local.get $o) (i64.const 2))
    (i32.const 0))
  (func (export "log_forever") (result i32)
    (loop $forever (call $log_info (call $write (i32.const 0) (i32.const 8))) (br $forever))
    (i32.const 0))
  (func (export "log_then_spin") (result i32)
    (call $log_info (call $write (i32.const 0) (i32.const 8)))
    (loop $forever (br $forever))
    (i32.const 0)))`;

describe('guest logs', () => {
  it('are kept per call, in order, with their levels, and nothing is printed', async () => {
    const printed = [
      vi.spyOn(console, 'log'),
      vi.spyOn(console, 'info'),
      vi.spyOn(console, 'warn'),
      vi.spyOn(console, 'error'),
      vi.spyOn(console, 'debug'),
      vi.spyOn(console, 'trace'),
    ];
    try {
      const plugin = await buildPlugin(chatty, LIMITS);
      const result = await plugin.call('chatty', '');
      expect(result.logs).toEqual([
        { level: 'info', message: 'starting' },
        { level: 'warn', message: 'careful' },
        { level: 'trace', message: 'deep' },
        { level: 'debug', message: 'fine' },
        { level: 'error', message: 'bad' },
      ]);
      // the next call starts with an empty log of its own
      const quiet = await plugin.call('quiet', '');
      expect(quiet.logs).toEqual([]);
      expect(quiet.logs).toBe(NO_LOGS);
      expect(Object.isFrozen(result.logs)).toBe(true);
      for (const spy of printed) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of printed) spy.mockRestore();
    }
  });

  it('get_log_level answers the Rust host’s default level (info = 2)', async () => {
    const plugin = await buildPlugin(chatty, LIMITS);
    await expect(plugin.call('level', '')).rejects.toMatchObject({
      kind: 'NonZeroExit',
      message: 'Returned non-zero exit code: 2',
    });
  });

  it('a failed call carries the lines it logged before failing', async () => {
    const plugin = await buildPlugin(chatty, LIMITS);
    const failed = await plugin.call('log_then_fail', '').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(PluginCallError);
    expect(failed).toMatchObject({ kind: 'GuestError', message: 'it broke' });
    expect((failed as PluginCallError).logs).toEqual([{ level: 'info', message: 'starting' }]);
    const outOfFuel = await plugin.call('log_then_spin', '', { fuel: 10_000 }).catch((e: unknown) => e);
    expect(outOfFuel).toMatchObject({ kind: 'OutOfFuel', fuelConsumed: 10_000 });
    expect((outOfFuel as PluginCallError).logs).toEqual([{ level: 'info', message: 'starting' }]);
    // logs are diagnostics: not part of what `toEqual` compares
    expect(Object.keys(outOfFuel as object)).not.toContain('logs');
  });

  it('output that is not UTF-8 fails with what the guest wrote and logged', async () => {
    const plugin = await buildPlugin(chatty, LIMITS);
    const result = await plugin.call('log_then_bad_utf8', '');
    let error: unknown;
    try {
      result.text();
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(PluginCallError);
    expect(error).toMatchObject({
      kind: 'InvalidUtf8Output',
      message: 'invalid utf-8 sequence of 1 bytes from index 0',
      output: { length: 2, head: '\\xff\\xfe', truncated: false },
    });
    expect((error as PluginCallError).logs).toEqual([{ level: 'warn', message: 'careful' }]);
  });

  it('a guest logging in a loop until its fuel runs out keeps only the last lines', async () => {
    const plugin = await buildPlugin(chatty, LIMITS);
    const error = await plugin.call('log_forever', '').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'OutOfFuel' });
    const { logs } = error as PluginCallError;
    expect(logs).toHaveLength(GUEST_LOG_MAX_LINES);
    expect(logs?.every((line) => line.level === 'info' && line.message === 'starting')).toBe(true);
  });
});

describe('GuestLogSink', () => {
  it(`keeps the last ${GUEST_LOG_MAX_LINES} lines of a call, each cut to ${GUEST_LOG_MAX_CHARS} characters`, () => {
    const sink = new GuestLogSink();
    for (let i = 0; i < 2 * GUEST_LOG_MAX_LINES + 5; i++) sink.info(`line ${i}`);
    const lines = sink.take();
    expect(lines).toHaveLength(GUEST_LOG_MAX_LINES);
    expect(lines[0]).toEqual({ level: 'info', message: `line ${GUEST_LOG_MAX_LINES + 5}` });
    expect(lines.at(-1)).toEqual({ level: 'info', message: `line ${2 * GUEST_LOG_MAX_LINES + 4}` });
    expect(sink.take()).toBe(NO_LOGS);
    sink.warn('x'.repeat(GUEST_LOG_MAX_CHARS + 3));
    expect(sink.take()[0]?.message).toBe(`${'x'.repeat(GUEST_LOG_MAX_CHARS)}… (3 more characters)`);
  });

  it('lastLogLines shows the last lines as `[level] message`', () => {
    const logs = [
      { level: 'info', message: 'a' },
      { level: 'warn', message: 'b' },
      { level: 'error', message: 'c' },
    ] as const;
    expect(lastLogLines(logs, 2)).toEqual(['[warn] b', '[error] c']);
    expect(lastLogLines([], 2)).toEqual([]);
  });
});
