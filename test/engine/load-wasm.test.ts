/** loadWasm: paths and file: URLs, and an error that names the path. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadWasm } from '../../src/engine/index.js';

describe('loadWasm', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cc-lb-engine-'));
  const file = join(directory, 'plugin.wasm');
  writeFileSync(file, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));

  it('reads a path, a file: URL string and a URL', async () => {
    const expected = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expect(await loadWasm(file)).toEqual(expected);
    expect(await loadWasm(pathToFileURL(file).href)).toEqual(expected);
    expect(await loadWasm(pathToFileURL(file))).toEqual(expected);
  });

  it('names the missing path', async () => {
    const missing = join(directory, 'missing.wasm');
    await expect(loadWasm(missing)).rejects.toThrow(`cannot read wasm module ${missing}: no such file`);
  });

  it('says when the path is a directory', async () => {
    await expect(loadWasm(directory)).rejects.toThrow(
      `cannot read wasm module ${directory}: it is a directory`,
    );
  });
});
