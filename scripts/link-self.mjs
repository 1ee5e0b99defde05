// Links node_modules/cc-lb-plugin-conformance to this package, so the bundled examples import
// the package by its name and resolve it through the `exports` map exactly as an installed user
// would (to dist/, the published files), without a registry round-trip.
import { lstat, mkdir, rm, symlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const link = join(root, 'node_modules', 'cc-lb-plugin-conformance');
await mkdir(dirname(link), { recursive: true });
const existing = await lstat(link).catch(() => undefined);
if (existing !== undefined) await rm(link, { recursive: !existing.isSymbolicLink(), force: true });
await symlink(relative(dirname(link), root), link, 'dir');
