/**
 * CLI layer: turns argv into a command description, or a usage error (exit 2) that says what was
 * wrong. Parsing only; nothing here reads files or runs plugins.
 */
import { parseArgs } from 'node:util';
import { VERIFY_KINDS, type VerifyKind } from '../conformance/index.js';
import { INIT_KINDS, INIT_LANGUAGES, type InitLanguage } from './init/project.js';
import { PROFILE_EXTENSIONS, profileExtension } from './profile-file.js';

export const COMMANDS = [
  'verify',
  'identity',
  'handshake',
  'self-check',
  'dispatch',
  'fuzz',
  'stamp',
  'init',
] as const;
export type CommandName = (typeof COMMANDS)[number];
/** `--kind`: a verify kind, or `auto` for every kind the negotiated functions call for. */
export const KIND_OPTIONS = ['auto', ...VERIFY_KINDS] as const;
export type VerifyKindOption = VerifyKind | 'auto';

export interface CliCommand {
  readonly command: CommandName;
  /** the plugin file; for `init`, the project directory */
  readonly file: string;
  /** `dispatch` only: the wire function's name */
  readonly functionName: string | undefined;
  readonly kind: VerifyKindOption;
  /** `init` only: the plugin source language */
  readonly lang: InitLanguage;
  readonly capabilities: string[];
  readonly json: boolean;
  /** print every line the guest logged, not only the last ones of a failing call */
  readonly verbose: boolean;
  readonly fuel: number | undefined;
  readonly requestFile: string | undefined;
  /** `dispatch` only: print the function's request template instead of dispatching */
  readonly template: boolean;
  readonly name: string | undefined;
  readonly version: string | undefined;
  readonly out: string | undefined;
  /** `fuzz` only: the wire functions named with `--function` (empty: every negotiated one) */
  readonly functions: string[];
  /** `fuzz` only: generated requests per function */
  readonly runs: number | undefined;
  /** `fuzz` only: the fast-check seed */
  readonly seed: number | undefined;
  /** `verify` only: generated requests per required function (`--fuzz N`) */
  readonly fuzzRuns: number | undefined;
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
  fuzz <plugin.wasm>                    dispatch generated requests and shrink a failing one to a minimal case
  dispatch [<plugin.wasm>] <function> --template
                                        print a complete, realistic request for <function> to start a --request file from
  stamp <plugin.wasm> --name N --version V [--out FILE]
                                        write the identity custom section (replacing any existing one)
  init <dir> --kind router|shape|observability|signer [--lang assemblyscript|wat] [--name N]
                                        write a new plugin project that passes its own test suite

Options:
  --kind shape|router|observability|signer|auto   plugin kind for verify (default: auto, from the negotiated functions)
  --lang assemblyscript|wat             init: the plugin's source language (default: assemblyscript)
  --capability NAME                     offer a host capability (repeatable)
  --fuel N                              fuel per guest call (default 10000000, the host's budget)
  --request FILE                        dispatch: JSON request (without "_v")
  --function NAME                       fuzz: a wire function to fuzz (repeatable; default: every negotiated one)
  --runs N                              fuzz: generated requests per function (default 100)
  --seed S                              fuzz: the seed, to repeat a run
  --fuzz N                              verify: also run N generated requests per function (off by default)
  --template                            dispatch: print a request template instead of dispatching
  --profile FILE                        dispatch: write the call's fuel profile; the extension picks the
                                        format: .cpuprofile (Chrome DevTools), .speedscope.json, .svg
  --profile DIR                         verify: write one flame graph (.svg) per dispatch layer
  --json                                print the report as JSON
  --verbose                             print every line the guest logged (failures show the last ones)
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
  const operands = [...(isCommand ? rest : positionals)];
  const template = values.template ?? false;
  if (template && command !== 'dispatch')
    throw new UsageError(`--template applies to dispatch, not ${command}`);
  if (template && values.request !== undefined)
    throw new UsageError('--template prints a request; it cannot be combined with --request');
  // A template needs no plugin: `dispatch filter --template` names the function alone.
  if (template && operands.length === 1) operands.unshift('');
  const file = operands[0];
  if (file === undefined)
    throw new UsageError(`${command}: missing ${command === 'init' ? '<dir>' : '<plugin.wasm>'}`);

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
  if (!(KIND_OPTIONS as readonly string[]).includes(kind)) {
    throw new UsageError(`--kind must be one of ${KIND_OPTIONS.join(', ')}; got '${kind}'`);
  }
  if (values.kind !== undefined && command !== 'verify' && command !== 'init')
    throw new UsageError(`--kind applies to verify and init, not ${command}`);
  if (command === 'init') {
    if (values.kind === undefined)
      throw new UsageError(`init: missing --kind (one of ${INIT_KINDS.join(', ')})`);
    if (!(INIT_KINDS as readonly string[]).includes(kind))
      throw new UsageError(`init: --kind must be one of ${INIT_KINDS.join(', ')}; got '${kind}'`);
  }
  const lang = values.lang ?? 'assemblyscript';
  if (values.lang !== undefined && command !== 'init')
    throw new UsageError(`--lang applies to init, not ${command}`);
  if (!(INIT_LANGUAGES as readonly string[]).includes(lang))
    throw new UsageError(`--lang must be one of ${INIT_LANGUAGES.join(', ')}; got '${lang}'`);
  if (values.request !== undefined && command !== 'dispatch') {
    throw new UsageError(`--request applies to dispatch, not ${command}`);
  }
  for (const option of ['function', 'runs', 'seed'] as const) {
    if (values[option] !== undefined && command !== 'fuzz') {
      throw new UsageError(`--${option} applies to fuzz, not ${command}`);
    }
  }
  if (values.fuzz !== undefined && command !== 'verify') {
    throw new UsageError(`--fuzz applies to verify, not ${command}`);
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
      if (values[option] === undefined || (option === 'name' && command === 'init')) continue;
      throw new UsageError(
        `--${option} applies to stamp${option === 'name' ? ' and init' : ''}, not ${command}`,
      );
    }
  }

  return {
    help: false,
    command,
    file,
    functionName,
    kind: kind as VerifyKindOption,
    lang: lang as InitLanguage,
    capabilities: values.capability ?? [],
    json: values.json ?? false,
    verbose: values.verbose ?? false,
    fuel: values.fuel === undefined ? undefined : parsePositive('--fuel', values.fuel),
    requestFile: values.request,
    template,
    name: values.name,
    version: values.version,
    out: values.out,
    functions: values.function ?? [],
    runs: values.runs === undefined ? undefined : parsePositive('--runs', values.runs),
    seed: values.seed === undefined ? undefined : parseSeed(values.seed),
    fuzzRuns: values.fuzz === undefined ? undefined : parsePositive('--fuzz', values.fuzz),
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
      verbose: { type: 'boolean' },
      fuel: { type: 'string' },
      request: { type: 'string' },
      template: { type: 'boolean' },
      lang: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      out: { type: 'string' },
      function: { type: 'string', multiple: true },
      runs: { type: 'string' },
      seed: { type: 'string' },
      fuzz: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function parsePositive(option: string, text: string): number {
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${option} must be a positive integer; got '${text}'`);
  }
  return Number(text);
}

/** fast-check seeds are 32-bit integers. */
function parseSeed(text: string): number {
  const seed = Number(text);
  if (!/^-?[0-9]+$/.test(text) || seed < -(2 ** 31) || seed >= 2 ** 32) {
    throw new UsageError(`--seed must be a 32-bit integer; got '${text}'`);
  }
  return seed;
}
