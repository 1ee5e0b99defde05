// Builds dist/assemblyscript-signer.wasm before the tests run (a no-op when the sources are unchanged).
import { build } from '../build.mjs';

export default async function setup(): Promise<void> {
  await build();
}
