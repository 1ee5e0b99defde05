import { ccLbConformance } from 'cc-lb-plugin-conformance/plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Registers the conformance matchers (`toHandshake`, `toDispatch`, …) in every test file.
  plugins: [ccLbConformance()],
  test: {
    name: '__PLUGIN_NAME__',
    include: ['test/**/*.test.ts'],
    // Builds dist/__PLUGIN_NAME__.wasm once before any test file loads it.
    globalSetup: './test/global-setup.ts',
  },
});
