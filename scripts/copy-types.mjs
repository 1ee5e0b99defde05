// tsc emits no declaration files for hand-written `.d.ts` sources; the `*.wat` module
// declarations ship as they are, next to the compiled output.
import { cp } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await cp(join(root, 'src', 'types'), join(root, 'dist', 'types'), { recursive: true });
