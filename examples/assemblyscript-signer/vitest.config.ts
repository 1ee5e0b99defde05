import { ccLbConformance } from 'cc-lb-plugin-conformance/plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Registers the conformance matchers (`toHandshake`, `toDispatch`, …) in every test file.
  plugins: [ccLbConformance()],
  test: {
    name: 'assemblyscript-signer',
    include: ['test/**/*.test.ts'],
    // Compiles and stamps the plugin once before any test file loads it.
    globalSetup: './test/global-setup.ts',
  },
});
