// The npm registry this project is built against serves the platform binaries of biome and
// rollup only for the platforms it runs on, so `npm install` leaves the other platforms' optional
// packages out of package-lock.json and `npm ci` then refuses the lock as out of sync. This adds
// each missing optional platform package to the lock with its os/cpu/libc, so `npm ci` sees the
// lock complete and skips those packages for the platform mismatch, as it would anywhere else.
// Run it after `npm install` changes the lock: `node scripts/lock-platform-stubs.mjs`.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockPath = join(root, 'package-lock.json');
const lock = JSON.parse(await readFile(lockPath, 'utf8'));

const OS = [
  'android',
  'darwin',
  'linux',
  'win32',
  'freebsd',
  'openbsd',
  'openharmony',
  'netbsd',
  'sunos',
  'aix',
];
const CPU = {
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  arm: 'arm',
  loong64: 'loong64',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  s390x: 's390x',
};

/** os/cpu/libc of a platform package from its name, e.g. `@rollup/rollup-linux-arm-musleabihf`. */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.map((p) => CPU[p]).find((c) => c !== undefined);
  if (os === undefined || cpu === undefined) return undefined;
  const entry = { os: [os], cpu: [cpu] };
  if (os === 'linux') {
    if (parts.some((p) => p.startsWith('musl'))) entry.libc = ['musl'];
    else if (parts.some((p) => p.startsWith('gnu'))) entry.libc = ['glibc'];
  }
  return entry;
}

let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  if (path === '' || pkg.optionalDependencies === undefined) continue;
  for (const [name, version] of Object.entries(pkg.optionalDependencies)) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] !== undefined || lock.packages[`${path}/${key}`] !== undefined) continue;
    const platform = platformOf(name);
    if (platform === undefined || !/^\d+\.\d+\.\d+/.test(version)) continue;
    lock.packages[key] = {
      version,
      ...platform,
      ...(pkg.dev ? { dev: true } : {}),
      optional: true,
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) =>
    a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0,
  ),
);
await writeFile(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform package(s) to package-lock.json`);
