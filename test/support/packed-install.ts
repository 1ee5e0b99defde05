/**
 * Test support: the packed tarball installed into a fresh project, as an author installs it, with
 * no network: a lockfile for the project is derived from this repository's, naming each package's
 * tarball URL and integrity, so `npm ci --offline` takes everything from the npm cache.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoFile } from './child-vitest.js';

const exec = promisify(execFile);

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/** `npm pack` of this repository (its scripts skipped: `dist/` is already built) into `dir`; the tarball's path. */
export async function packInto(dir: string): Promise<string> {
  const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: repoFile(''),
  });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  return join(dir, (packed as { filename: string }).filename);
}

/** Writes `package.json` and `package-lock.json` for a project depending on the tarball and `extra` packages. */
export async function writeProject(
  project: string,
  tarball: string,
  extra: readonly string[],
): Promise<void> {
  const repoLock = JSON.parse(await readFile(repoFile('package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const manifest = JSON.parse(await readFile(repoFile('package.json'), 'utf8')) as LockEntry & {
    name: string;
  };
  const tarballSpec = `file:${tarball}`;
  const rootDeps: Record<string, string> = { [manifest.name]: tarballSpec };
  for (const name of extra) rootDeps[name] = repoLock.packages[`node_modules/${name}`]?.version as string;

  const packages: Record<string, LockEntry> = {
    '': { name: 'packed-install', version: '1.0.0', dependencies: rootDeps },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version as string,
      resolved: tarballSpec,
      integrity: `sha512-${createHash('sha512')
        .update(await readFile(tarball))
        .digest('base64')}`,
      ...(manifest.dependencies === undefined ? {} : { dependencies: manifest.dependencies }),
      ...(manifest.peerDependencies === undefined ? {} : { peerDependencies: manifest.peerDependencies }),
      ...(manifest.peerDependenciesMeta === undefined
        ? {}
        : { peerDependenciesMeta: manifest.peerDependenciesMeta }),
    },
  };
  // Node's resolution over the repository's lock paths: nearest node_modules first.
  const locate = (from: string, name: string): string | undefined => {
    let base = from;
    for (;;) {
      const path = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
      if (repoLock.packages[path] !== undefined) return path;
      if (base === '') return undefined;
      const cut = base.lastIndexOf('/node_modules/');
      base = cut < 0 ? '' : base.slice(0, cut);
    }
  };
  const queue: [string, string][] = [
    ...Object.keys(manifest.dependencies ?? {}).map((name) => ['', name] as [string, string]),
    ...extra.map((name) => ['', name] as [string, string]),
  ];
  while (queue.length > 0) {
    const [from, name] = queue.shift() as [string, string];
    const path = locate(from, name);
    if (path === undefined || packages[path] !== undefined) continue;
    const entry = { ...(repoLock.packages[path] as LockEntry) };
    for (const flag of ['dev', 'devOptional', 'peer']) delete entry[flag];
    const tail = name.split('/').pop() as string;
    entry.resolved ??= `https://registry.npmjs.org/${name}/-/${tail}-${entry.version}.tgz`;
    packages[path] = entry;
    const optionalPeers = entry.peerDependenciesMeta ?? {};
    for (const dep of [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((peer) => optionalPeers[peer]?.optional !== true),
    ]) {
      queue.push([path, dep]);
    }
  }
  await writeFile(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'packed-install', version: '1.0.0', private: true, type: 'module', dependencies: rootDeps }, null, 2)}\n`,
  );
  await writeFile(
    join(project, 'package-lock.json'),
    `${JSON.stringify({ name: 'packed-install', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
}

/** `npm ci --offline` in `project`; its whole output. */
export async function installOffline(project: string): Promise<{ code: number; output: string }> {
  return exec('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel', 'warn'], {
    cwd: project,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: error.stdout + error.stderr,
    }),
  );
}
