/**
 * CLI layer: writing a fuel profile to the file `--profile` names, in the format its extension
 * says — `.cpuprofile` (Chrome DevTools, VS Code, speedscope), `.speedscope.json` (speedscope) or
 * `.svg` (a flame graph any browser shows).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type FuelProfile, toCpuProfile, toFlameGraphSvg, toSpeedscope } from '../engine/index.js';

export const PROFILE_EXTENSIONS = ['.cpuprofile', '.speedscope.json', '.svg'] as const;
export type ProfileExtension = (typeof PROFILE_EXTENSIONS)[number];

/** The format a file name asks for, or undefined when it ends in none of PROFILE_EXTENSIONS. */
export function profileExtension(path: string): ProfileExtension | undefined {
  const lower = path.toLowerCase();
  return PROFILE_EXTENSIONS.find((extension) => lower.endsWith(extension));
}

/** The file's text: `title` names what was profiled (the plugin file and the call). */
export function profileFileText(profile: FuelProfile, extension: ProfileExtension, title: string): string {
  switch (extension) {
    case '.cpuprofile':
      return JSON.stringify(toCpuProfile(profile));
    case '.speedscope.json':
      return JSON.stringify(toSpeedscope(profile, { name: title }));
    case '.svg':
      return toFlameGraphSvg(profile, { title: `Fuel profile: ${title}` });
  }
}

/** Writes the profile (creating the folder), in the format of the path's extension. */
export async function writeProfileFile(path: string, profile: FuelProfile, title: string): Promise<void> {
  const extension = profileExtension(path);
  if (extension === undefined) throw new Error(`no profile format for ${path}`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, profileFileText(profile, extension, title));
}
