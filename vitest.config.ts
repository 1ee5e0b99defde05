import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Plugins run in the foreground of each worker; fuel, not wall time, bounds them.
    pool: 'forks',
  },
});
