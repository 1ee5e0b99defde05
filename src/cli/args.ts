/**
 * CLI layer: turns argv into a command description, or a usage error (exit 2) that says what was
 * wrong. Parsing only; nothing here reads files or runs plugins.
 */
import { parseArgs } from 'node:util';
import { PROFILE_EXTENSIONS, profileExtension } from './profile-file.js';

export const COMMANDS = ['verify', 'identity', 'handshake', 'self-check', 'dispatch', 'stamp'] as const;
export type CommandName = (typeof COMMANDS)[number];
export const VERIFY_KINDS = ['auto', 'shape', 'router', 'observability', 'signer'] as const;
export type VerifyKindOption = (typeof VERIFY_KINDS)[number];

export interface CliCommand {
  readonly command: CommandName;
  readonly file: string;
  /** `dispatch` only: the wire function's name */
  readonly functionName: string | undefined;
  readonly kind: VerifyKindOption;
  readonly capabilities: string[];
  readonly json: boolean;
  readonly fuel: number | undefined;
  readonly requestFile: string | undefined;
  readonly name: string | undefined;
  readonly version: string | undefined;
  readonly out: string | undefined;
  /** dispatch: the fuel-profile file; verify: the folder for one profile per dispatch layer */
  readonly profile: string | undefined;
}

export type ParsedArgs = { readonly help: true } | ({ readonly help: false } & CliCommand);

/** A usage mistake: the CLI prints it with a pointer to `--help` and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: cc-lb-conformance [command] <plugin.wasm> [options]

Commands:
  verify <plugin.wasm>                  identity, handshake, self-check and dispatch layers (default)
  identity <plugin.wasm>                read the cc_lb.plugin.v1 section and run the nine static checks
  handshake <plugin.wasm>               run cc_lb_handshake against the host offer
  self-check <plugin.wasm>              run cc_lb_self_check
  dispatch <plugin.wasm> <function>     dispatch one wire call (the function's dry-run request by default)
  stamp <plugin.wasm> --name N --version V [--out FILE]
                                        write the identity custom section (replacing any existing one)

Options:
  --kind shape|router|observability|signer|auto   plugin kind for verify (default: auto, from the negotiated functions)
  --capability NAME                     offer a host capability (repeatable)
  --fuel N                              fuel per guest call (default 10000000, the host's budget)
  --request FILE                        dispatch: JSON request (without "_v")
  --profile FILE                        dispatch: write the call's fuel profile; the extension picks the
                                        format: .cpuprofile (Chrome DevTools), .speedscope.json, .svg
  --profile DIR                         verify: write one flame graph (.svg) per dispatch layer
  --json                                print the report as JSON
  -h, --help                            show this help

Exit codes: 0 everything passed, 1 the plugin failed a check, 2 bad usage or unreadable input.`;

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseRaw>;
  try {
    parsed = parseRaw(argv);
  } catch (error) {
    // node's messages name the option ("Unknown option '--foo'"); keep them, drop node's advice.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };

  const [first, ...rest] = positionals;
  if (first === undefined) throw new UsageError('missing <plugin.wasm>');
  const isCommand = (COMMANDS as readonly string[]).includes(first);
  const command: CommandName = isCommand ? (first as CommandName) : 'verify';
  const operands = isCommand ? rest : positionals;
  const file = operands[0];
  if (file === undefined) throw new UsageError(`${command}: missing <plugin.wasm>`);

  let functionName: string | undefined;
  if (command === 'dispatch') {
    functionName = operands[1];
    if (functionName === undefined)
      throw new UsageError('dispatch: missing <function> (e.g. shape, sign, filter)');
    if (operands.length > 2) throw new UsageError(`dispatch: unexpected argument '${operands[2]}'`);
  } else if (operands.length > 1) {
    throw new UsageError(`${command}: unexpected argument '${operands[1]}'`);
  }

  const kind = values.kind ?? 'auto';
  if (!(VERIFY_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`--kind must be one of ${VERIFY_KINDS.join(', ')}; got '${kind}'`);
  }
  if (values.kind !== undefined && command !== 'verify')
    throw new UsageError(`--kind applies to verify, not ${command}`);
  if (values.request !== undefined && command !== 'dispatch') {
    throw new UsageError(`--request applies to dispatch, not ${command}`);
  }
  if (values.profile !== undefined) {
    if (command !== 'dispatch' && command !== 'verify') {
      throw new UsageError(`--profile applies to dispatch and verify, not ${command}`);
    }
    if (command === 'dispatch' && profileExtension(values.profile) === undefined) {
      throw new UsageError(
        `--profile FILE must end in ${PROFILE_EXTENSIONS.join(', ')} (the format); got '${values.profile}'`,
      );
    }
  }
  if (command === 'stamp') {
    if (values.name === undefined) throw new UsageError('stamp: missing --name (the plugin_name to write)');
    if (values.version === undefined)
      throw new UsageError('stamp: missing --version (the plugin_version to write)');
  } else {
    for (const option of ['name', 'version', 'out'] as const) {
      if (values[option] !== undefined) throw new UsageError(`--${option} applies to stamp, not ${command}`);
    }
  }

  return {
    help: false,
    command,
    file,
    functionName,
    kind: kind as VerifyKindOption,
    capabilities: values.capability ?? [],
    json: values.json ?? false,
    fuel: values.fuel === undefined ? undefined : parseFuel(values.fuel),
    requestFile: values.request,
    name: values.name,
    version: values.version,
    out: values.out,
    profile: values.profile,
  };
}

function parseRaw(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      kind: { type: 'string' },
      capability: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      fuel: { type: 'string' },
      request: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function parseFuel(text: string): number {
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--fuel must be a positive integer; got '${text}'`);
  }
  return Number(text);
}
