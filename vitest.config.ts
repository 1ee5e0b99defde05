import { defineConfig } from 'vitest/config';
import { ccLbConformance } from './src/plugin/index.js';

export default defineConfig({
  // Our own plugin: registers the matchers (from src/, via the setup entry next to the plugin) and
  // compiles `.wat` imports, exactly as it does for plugin authors.
  plugins: [ccLbConformance()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          // Fails any test whose dispatch hid an error of ours behind a `panic` fallback.
          setupFiles: ['test/support/no-internal-panics.ts'],
          // Plugins run in the foreground of each worker; fuel, not wall time, bounds them.
          pool: 'forks',
          // The property tests of the wire layer take a few seconds alone and several times that
          // on a loaded 2-core machine; a hang still fails, only later than Vitest's 5 s default.
          testTimeout: 30_000,
          typecheck: {
            // The matcher augmentation is checked by `expectTypeOf` and `@ts-expect-error` in these files.
            enabled: true,
            include: ['test/**/*.test-d.ts'],
            // Only the type tests' own assertions count here; `tsc --noEmit` checks every source file.
            ignoreSourceErrors: true,
          },
        },
      },
      // Each example is a plugin project of its own, importing the package by name (the built dist/).
      'examples/*/vitest.config.ts',
    ],
  },
});
