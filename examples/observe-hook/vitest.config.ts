import { ccLbConformance } from 'cc-lb-plugin-conformance/plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles `.wat` imports to bytes and registers the conformance matchers.
  plugins: [ccLbConformance()],
  test: { name: 'observe-hook', include: ['test/**/*.test.ts'] },
});
