/**
 * Engine layer: reading a plugin module from disk, with an error that names the path.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function loadWasm(pathOrUrl: string | URL): Promise<Uint8Array> {
  const path =
    pathOrUrl instanceof URL || pathOrUrl.startsWith('file:') ? fileURLToPath(pathOrUrl) : pathOrUrl;
  try {
    const data = await readFile(path);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new Error(`cannot read wasm module ${path}: ${why}`, { cause: error });
  }
}
