/**
 * CLI layer: `init <dir> --kind K [--lang L] [--name N]` — writes a new plugin project that
 * already passes its own conformance suite (`npm install && npm test`). It refuses a directory
 * that holds anything, so it never overwrites an author's work.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CC_LB_PLUGIN_MAGIC, IdentityValidationError, validateIdentity } from '../../wire/index.js';
import { type CliCommand, UsageError } from '../args.js';
import { type InitKind, type InitLanguage, projectFiles } from '../init/project.js';
import { InputError } from '../input.js';
import type { Printer } from '../output.js';

export async function runInit(cmd: CliCommand, out: Printer): Promise<number> {
  const dir = resolve(cmd.file);
  const name = cmd.name ?? basename(dir);
  try {
    validateIdentity({
      magic: [...CC_LB_PLUGIN_MAGIC],
      abi_envelope: 1,
      plugin_name: name,
      plugin_version: '0.1.0',
    });
  } catch (error) {
    if (error instanceof IdentityValidationError) {
      throw new UsageError(
        `init: '${name}' cannot be a plugin name (${error.message}); choose one with --name, e.g. --name my-plugin`,
      );
    }
    throw error;
  }

  const existing = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new InputError(`cannot read ${dir}: ${error.code ?? error.message}`);
  });
  if (existing.length > 0) {
    throw new InputError(
      `init: ${dir} is not empty (${existing.length} entr${existing.length === 1 ? 'y' : 'ies'}); ` +
        'init writes a new project into an empty or missing directory',
    );
  }

  const files = await projectFiles({ name, kind: cmd.kind as InitKind, lang: cmd.lang as InitLanguage });
  try {
    for (const file of files) {
      const path = join(dir, ...file.path.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content, { flag: 'wx' });
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`init: cannot write into ${dir}: ${code ?? (error as Error).message}`);
  }

  if (cmd.json) {
    out.json({
      command: 'init',
      directory: dir,
      name,
      kind: cmd.kind,
      lang: cmd.lang,
      files: files.map((f) => f.path),
    });
  } else {
    out.line(`created ${name}, a ${cmd.kind} plugin in ${cmd.lang}, in ${dir}:`);
    for (const file of files) out.line(`  ${file.path}`);
    out.line('');
    out.line('next:');
    out.line(`  cd ${cmd.file} && npm install && npm test`);
  }
  return 0;
}
