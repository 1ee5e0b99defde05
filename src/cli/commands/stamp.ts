/**
 * CLI layer: `stamp` — writes the cc_lb.plugin.v1 identity section into a module built by a
 * toolchain that cannot emit custom sections (AssemblyScript, TinyGo, …), replacing any existing
 * one. The identity is validated first, so a stamped module always passes the host's reader.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readIdentity } from '../../host/index.js';
import { withIdentity } from '../../wat/sections.js';
import { CC_LB_PLUGIN_MAGIC, IdentityValidationError, validateIdentity } from '../../wire/index.js';
import { type CliCommand, UsageError } from '../args.js';
import { InputError, readPluginFile } from '../input.js';
import type { Printer } from '../output.js';

export async function runStamp(cmd: CliCommand, out: Printer): Promise<number> {
  const identity = {
    magic: [...CC_LB_PLUGIN_MAGIC],
    abi_envelope: 1,
    plugin_name: cmd.name ?? '',
    plugin_version: cmd.version ?? '',
  };
  try {
    validateIdentity(identity as Parameters<typeof validateIdentity>[0]);
  } catch (error) {
    if (error instanceof IdentityValidationError) throw new UsageError(`stamp: ${error.message}`);
    throw error;
  }
  const bytes = await readPluginFile(cmd.file);
  const stamped = withIdentity(bytes, identity);
  // The host's own reader must accept what we wrote; anything else is a bug worth failing loudly on.
  const read = readIdentity(stamped);
  const target = cmd.out ?? cmd.file;
  const temp = join(dirname(target), `.${process.pid}.${Date.now()}.stamp.tmp`);
  try {
    await writeFile(temp, stamped);
    await rename(temp, target);
  } catch (error) {
    // An unwritable target is an input problem (exit 2) to be named, not an internal error.
    await rm(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot write ${target}: ${code ?? (error as Error).message}`);
  }
  if (cmd.json) {
    out.json({ command: 'stamp', file: target, passed: true, identity: read });
  } else {
    out.line(
      `stamped ${target}: ${read.plugin_name} ${read.plugin_version} (abi_envelope ${read.abi_envelope})`,
    );
  }
  return 0;
}
