/**
 * Vite/Vitest plugin layer: where the package's Vitest setup entry is on disk, for the plugin to
 * add to `test.setupFiles`. Not part of the `/plugin` entry's surface.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The Vitest setup entry shipped beside this module: `../vitest/setup.js` in the published build,
 * `../vitest/setup.ts` when running from source (where only the TypeScript file exists).
 */
export function resolveSetupEntry(moduleUrl: string | URL = import.meta.url): string {
  const candidates = ['../vitest/setup.js', '../vitest/setup.ts'].map((p) =>
    fileURLToPath(new URL(p, moduleUrl)),
  );
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    throw new Error(
      `cc-lb-conformance: the Vitest setup entry is missing (looked for ${candidates.join(' and ')})`,
    );
  }
  return found;
}
