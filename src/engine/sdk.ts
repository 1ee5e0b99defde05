/**
 * Engine layer: the single import of @extism/extism. On Node 20 loading the SDK pulls in
 * `node:wasi`, which prints an ExperimentalWarning about WASI into every user's test output even
 * though WASI is never enabled here. We filter exactly that warning while the SDK loads, and
 * leave every other warning alone.
 */
import type { createPlugin as CreatePlugin } from '@extism/extism';

export type { Plugin as ExtismPlugin } from '@extism/extism';

function isWasiExperimentalWarning(warning: unknown, rest: unknown[]): boolean {
  const text = warning instanceof Error ? warning.message : String(warning);
  const first = rest[0];
  const type =
    warning instanceof Error
      ? warning.name
      : typeof first === 'string'
        ? first
        : typeof first === 'object' && first !== null
          ? (first as { type?: unknown }).type
          : undefined;
  return type === 'ExperimentalWarning' && /\bWASI\b/.test(text);
}

async function loadSdk(): Promise<typeof import('@extism/extism')> {
  const original = process.emitWarning;
  const filtered = function (this: unknown, warning: unknown, ...rest: unknown[]): void {
    if (isWasiExperimentalWarning(warning, rest)) return;
    (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  };
  process.emitWarning = filtered as typeof process.emitWarning;
  try {
    return await import('@extism/extism');
  } finally {
    if (process.emitWarning === (filtered as typeof process.emitWarning)) process.emitWarning = original;
  }
}

const sdk = await loadSdk();

export const createPlugin: typeof CreatePlugin = sdk.createPlugin;
