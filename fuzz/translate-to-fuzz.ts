/**
 * Rewriter fuzzer (test tooling, not shipped): random valid wasm modules from binaryen's
 * translate-to-fuzz (`wasm-opt -ttf`), which turns arbitrary input bytes into a valid module.
 *
 * The npm `binaryen` package ships `wasm-opt` as an Emscripten program; starting it as a process
 * costs about 0.6 s per module, so it is loaded once into a `vm` context (its runtime kept alive)
 * and its `main` is called once per module, with input and output files in a private temporary
 * folder. The same seed and feature set always give the same module.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';

const POST_MVP = [
  '--mvp-features',
  '--enable-sign-ext',
  '--enable-nontrapping-float-to-int',
  '--enable-bulk-memory',
  '--enable-bulk-memory-opt',
  '--enable-mutable-globals',
  '--enable-multivalue',
];
const SIMD = [...POST_MVP, '--enable-simd'];
const REFERENCE_TYPES = [...SIMD, '--enable-reference-types'];

/** The feature sets the fuzzer covers (wasm-opt flags), each a superset of the one before. */
export const FEATURE_SETS = {
  mvp: ['--mvp-features'],
  'post-mvp': POST_MVP,
  simd: SIMD,
  'reference-types': REFERENCE_TYPES,
  'tail-calls': [...REFERENCE_TYPES, '--enable-tail-call'],
} as const satisfies Record<string, readonly string[]>;

export type FeatureSet = keyof typeof FEATURE_SETS;
export const FEATURE_SET_NAMES = Object.keys(FEATURE_SETS) as FeatureSet[];

export function isFeatureSet(name: string): name is FeatureSet {
  return Object.hasOwn(FEATURE_SETS, name);
}

/** A small, seedable PRNG (mulberry32): the module for a seed must never depend on the platform. */
export function seededBytes(seed: number, length: number): Uint8Array {
  let state = seed >>> 0;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}

interface WasmOptContext {
  callMain(args: string[]): number;
}

/**
 * wasm-opt itself failed on an input (an abort or a trap inside it, not a module). Its memory may
 * be left corrupt, so the generator must be restarted before the next module.
 */
export class GeneratorCrash extends Error {
  override readonly name = 'GeneratorCrash';
}

/** One loaded `wasm-opt`; `close()` removes its temporary folder. */
export class TranslateToFuzz {
  /** Set when the program crashed: `generate` refuses until `restart()`. */
  private crashed = false;

  private constructor(
    private context: WasmOptContext,
    private readonly messages: string[],
    private readonly folder: string,
  ) {}

  static async load(): Promise<TranslateToFuzz> {
    const messages: string[] = [];
    const context = await TranslateToFuzz.start(messages);
    return new TranslateToFuzz(context, messages, mkdtempSync(join(tmpdir(), 'cc-lb-ttf-')));
  }

  /** A fresh copy of the program, after a GeneratorCrash. */
  async restart(): Promise<void> {
    this.context = await TranslateToFuzz.start(this.messages);
    this.crashed = false;
  }

  private static async start(messages: string[]): Promise<WasmOptContext> {
    const require = createRequire(import.meta.url);
    const path = require.resolve('binaryen/bin/wasm-opt');
    let ready!: () => void;
    let failed!: (error: Error) => void;
    const initialized = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    // The program reads its arguments from process.argv at load time and sets process.exitCode;
    // it gets a process of its own so neither touches ours.
    const programProcess = Object.create(process, {
      argv: { value: [process.argv0, path] },
      exitCode: { value: undefined, writable: true },
    });
    const sandbox: Record<string, unknown> = {
      process: programProcess,
      require: createRequire(path),
      __filename: path,
      __dirname: join(path, '..'),
      // The program writes through console.log/error, bound at load time.
      console: {
        log: (line: string) => messages.push(line),
        error: (line: string) => messages.push(line),
        warn: (line: string) => messages.push(line),
      },
      setTimeout,
      clearTimeout,
      URL,
      TextDecoder,
      TextEncoder,
      performance,
      WebAssembly,
      Module: {
        noInitialRun: true,
        noExitRuntime: true,
        print: (line: string) => messages.push(line),
        printErr: (line: string) => messages.push(line),
        onRuntimeInitialized: () => ready(),
        onAbort: (what: unknown) => failed(new Error(`wasm-opt aborted: ${String(what)}`)),
      },
    };
    vm.createContext(sandbox);
    vm.runInContext(readFileSync(path, 'utf8'), sandbox, { filename: path });
    await initialized;
    return sandbox as unknown as WasmOptContext;
  }

  /** The module translate-to-fuzz makes from `seed`'s input bytes (1 to 16 KiB of them). */
  generate(seed: number, features: FeatureSet): Uint8Array {
    const length = 1024 + (seededBytes(seed ^ 0x5bd1e995, 2).reduce((a, b) => a * 256 + b, 0) % 15360);
    const input = join(this.folder, 'input.bin');
    const output = join(this.folder, 'output.wasm');
    writeFileSync(input, seededBytes(seed, length));
    rmSync(output, { force: true });
    this.messages.length = 0;
    if (this.crashed) throw new GeneratorCrash('wasm-opt crashed earlier: restart() it first');
    let status: number;
    try {
      status = this.context.callMain([input, '-ttf', '--quiet', ...FEATURE_SETS[features], '-o', output]);
    } catch (error) {
      this.crashed = true;
      throw new GeneratorCrash(`wasm-opt crashed on seed ${seed} (${features})`, { cause: error });
    }
    if (status !== 0) {
      throw new Error(
        `wasm-opt -ttf failed (status ${status}) for seed ${seed}: ${this.messages.join('\n')}`,
      );
    }
    return new Uint8Array(readFileSync(output));
  }

  close(): void {
    rmSync(this.folder, { recursive: true, force: true });
  }
}
