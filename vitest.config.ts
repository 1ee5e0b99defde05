import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Plugins run in the foreground of each worker; fuel, not wall time, bounds them.
    pool: 'forks',
    typecheck: {
      // The matcher augmentation is checked by `expectTypeOf` and `@ts-expect-error` in these files.
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      // Only the type tests' own assertions count here; `tsc --noEmit` checks every source file.
      ignoreSourceErrors: true,
    },
  },
});
