// Builds the plugin before the tests run, so `npm test` always tests the current source.
import { build } from '../build.mjs';

export default async function setup(): Promise<void> {
  await build();
}
