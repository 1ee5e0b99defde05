/**
 * CLI layer: the files of a new plugin project (`cc-lb-conformance init`). The texts live in
 * `templates/init/` (shipped with the package): real source files with `__PLUGIN_NAME__`-style
 * placeholders, so each can be read, formatted and compiled as what it is.
 *
 * | kind × language | plugin source                                      | build                      |
 * |-----------------|----------------------------------------------------|----------------------------|
 * | assemblyscript  | assembly/index.ts (the kind) + assembly/cc-lb.ts   | asc, then stamp            |
 * | wat             | plugin.wat (shared plumbing + the kind's exports)  | compileWat, then stamp     |
 *
 * Every project also gets package.json, build.mjs, vitest.config.ts with `ccLbConformance()`,
 * tsconfig.json, test/global-setup.ts (builds before the tests), test/plugin.test.ts (the ladder
 * for the kind), a README of three lines and a .gitignore.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const INIT_KINDS = ['router', 'shape', 'observability', 'signer'] as const;
export type InitKind = (typeof INIT_KINDS)[number];
export const INIT_LANGUAGES = ['assemblyscript', 'wat'] as const;
export type InitLanguage = (typeof INIT_LANGUAGES)[number];

export interface ProjectOptions {
  /** the plugin_name and npm package name */
  readonly name: string;
  readonly kind: InitKind;
  readonly lang: InitLanguage;
}

export interface ProjectFile {
  /** relative to the project directory, with `/` separators */
  readonly path: string;
  readonly content: string;
}

/** `src/cli/init/` and `dist/cli/init/` sit at the same depth below the package root. */
const packageRoot = new URL('../../../', import.meta.url);
const templates = new URL('templates/init/', packageRoot);

async function template(path: string): Promise<string> {
  return readFile(fileURLToPath(new URL(path, templates)), 'utf8');
}

interface OwnManifest {
  readonly name: string;
  readonly version: string;
  readonly devDependencies: Readonly<Record<string, string>>;
}

async function ownManifest(): Promise<OwnManifest> {
  return JSON.parse(
    await readFile(fileURLToPath(new URL('package.json', packageRoot)), 'utf8'),
  ) as OwnManifest;
}

const LANGUAGE_NAMES: Record<InitLanguage, string> = {
  assemblyscript: 'AssemblyScript',
  wat: 'WebAssembly text',
};

/** Every file of the project, in a stable order. */
export async function projectFiles(options: ProjectOptions): Promise<ProjectFile[]> {
  const { name, kind, lang } = options;
  const fill = (text: string) =>
    text
      .replaceAll('__PLUGIN_NAME__', name)
      .replaceAll('__KIND__', kind)
      .replaceAll('__LANGUAGE__', LANGUAGE_NAMES[lang])
      .replaceAll('__SOURCE__', lang === 'wat' ? 'plugin.wat' : 'assembly/index.ts');
  const files: ProjectFile[] = [
    { path: 'package.json', content: await packageJson(options) },
    { path: 'README.md', content: fill(await template('common/README.md')) },
    { path: '.gitignore', content: await template('common/gitignore') },
    { path: 'tsconfig.json', content: await template('common/tsconfig.json') },
    { path: 'vitest.config.ts', content: fill(await template('common/vitest.config.ts')) },
    { path: 'build.mjs', content: fill(await template(`${lang}/build.mjs`)) },
    { path: 'test/global-setup.ts', content: await template('common/test/global-setup.ts') },
    { path: 'test/plugin.test.ts', content: fill(await template(`test/${kind}.test.ts`)) },
  ];
  if (lang === 'wat') {
    const source = (await template('wat/cc-lb.wat')) + (await template(`wat/${kind}.wat`)) + ')\n';
    files.push({ path: 'plugin.wat', content: fill(source) });
  } else {
    files.push(
      { path: 'asconfig.json', content: fill(await template('assemblyscript/asconfig.json')) },
      { path: 'assembly/tsconfig.json', content: await template('assemblyscript/assembly/tsconfig.json') },
      { path: 'assembly/cc-lb.ts', content: await template('assemblyscript/assembly/cc-lb.ts') },
      { path: 'assembly/index.ts', content: fill(await template(`assemblyscript/${kind}.ts`)) },
    );
  }
  return files;
}

/** This package at its own version, vitest, and for AssemblyScript the compiler and the PDK. */
async function packageJson({ name, kind, lang }: ProjectOptions): Promise<string> {
  const own = await ownManifest();
  const dev = own.devDependencies;
  const devDependencies: Record<string, string> = {};
  if (lang === 'assemblyscript') {
    devDependencies['@extism/as-pdk'] = dev['@extism/as-pdk'] ?? '*';
    devDependencies.assemblyscript = dev.assemblyscript ?? '*';
  }
  devDependencies[own.name] = `^${own.version}`;
  devDependencies.vitest = dev.vitest ?? '*';
  const manifest = {
    name,
    version: '0.1.0',
    private: true,
    description: `A cc-lb ${kind} plugin in ${LANGUAGE_NAMES[lang]}.`,
    type: 'module',
    scripts: { build: 'node build.mjs', test: 'vitest run' },
    devDependencies,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
