/**
 * Test support for message snapshots: awaits an assertion and, when it rejects, rethrows the error
 * with colours removed and the run-dependent fuel figures replaced, so a snapshot holds exactly the
 * text a reader sees and stays stable when the engine's fuel accounting changes.
 */
import { stripVTControlCharacters } from 'node:util';

export async function uncoloured(assertion: PromiseLike<unknown>): Promise<void> {
  try {
    await assertion;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const text = stripVTControlCharacters(error.message)
      .replace(/(fuel used:) \d+/gi, '$1 <n>')
      .replace(/("fuelConsumed": )\d+/g, '$1<n>');
    throw Object.assign(new Error(text), { name: error.name });
  }
}
