/**
 * CLI layer: reading the files a command names. Anything unreadable is an `InputError` (exit 2)
 * that says which file and what was wrong with it.
 */
import { readFile } from 'node:fs/promises';
import { type PluginUnderTest, plugin } from '../conformance/index.js';
import { loadWasm } from '../engine/index.js';
import { walkWasm } from '../host/index.js';
import { type AnyWireFunction, decodeWire, WireDecodeError } from '../wire/index.js';
import type { CliCommand } from './args.js';

export class InputError extends Error {
  override readonly name = 'InputError';
}

const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d];

/** The module's bytes, after checking that they are a WebAssembly binary the host's parser can frame. */
export async function readPluginFile(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await loadWasm(path);
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (bytes.byteLength < 8 || WASM_HEADER.some((b, i) => bytes[i] !== b)) {
    throw new InputError(`${path} is not a WebAssembly module (it does not start with the \\0asm header)`);
  }
  // Framing only (the host's parser): V8's compiler would also refuse valid modules that use
  // proposals the host accepts and Node cannot run (memory64, multi-memory); the commands give
  // those their own verdicts.
  const framing = walkWasm(bytes).error;
  if (framing !== undefined) throw new InputError(`${path} is not a valid WebAssembly module: ${framing}`);
  return bytes;
}

/** The command's plugin file as a `PluginUnderTest`, with the capabilities and fuel it asked for. */
export async function readPluginUnderTest(cmd: CliCommand): Promise<PluginUnderTest> {
  const bytes = await readPluginFile(cmd.file);
  return plugin(bytes, {
    capabilities: cmd.capabilities,
    ...(cmd.fuel === undefined ? {} : { fuel: cmd.fuel }),
  });
}

/** A dispatch request from a JSON file, decoded with the wire function's request schema. */
export async function readRequestFile(path: string, fn: AnyWireFunction): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(
      `cannot read request ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return decodeWire(fn.request, text);
  } catch (error) {
    if (error instanceof WireDecodeError) {
      throw new InputError(`request ${path} is not a valid ${fn.name} request: ${error.message}`);
    }
    throw error;
  }
}
