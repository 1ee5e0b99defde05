/**
 * CLI layer: `runCli(argv, io)` — the whole command line as a function returning the exit code,
 * so tests drive it in-process. Exit 0 passed, 1 the plugin failed a check, 2 bad usage or
 * unreadable input.
 */
import { parseCliArgs, USAGE, UsageError } from './args.js';
import { runDispatch } from './commands/dispatch.js';
import { runFuzz } from './commands/fuzz.js';
import { runInit } from './commands/init.js';
import { runHandshake, runIdentity, runSelfCheck } from './commands/single-layer.js';
import { runStamp } from './commands/stamp.js';
import { runVerify } from './commands/verify.js';
import { InputError } from './input.js';
import { type CliIo, Printer } from './output.js';

export const EXIT_PASSED = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const out = new Printer(io);
  try {
    const args = parseCliArgs(argv);
    if (args.help) {
      out.line(USAGE);
      return EXIT_PASSED;
    }
    switch (args.command) {
      case 'verify':
        return await runVerify(args, out);
      case 'identity':
        return await runIdentity(args, out);
      case 'handshake':
        return await runHandshake(args, out);
      case 'self-check':
        return await runSelfCheck(args, out);
      case 'dispatch':
        return await runDispatch(args, out);
      case 'fuzz':
        return await runFuzz(args, out);
      case 'stamp':
        return await runStamp(args, out);
      case 'init':
        return await runInit(args, out);
    }
  } catch (error) {
    out.endProgress();
    if (error instanceof UsageError) {
      out.error(`cc-lb-conformance: ${error.message}\nRun 'cc-lb-conformance --help' for usage.`);
      return EXIT_USAGE;
    }
    if (error instanceof InputError) {
      out.error(`cc-lb-conformance: ${error.message}`);
      return EXIT_USAGE;
    }
    out.error(`cc-lb-conformance: internal error: ${(error as Error).stack ?? String(error)}`);
    return EXIT_USAGE;
  }
}
