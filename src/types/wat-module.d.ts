/**
 * Ambient types for `.wat` imports compiled by the `ccLbConformance()` Vite/Vitest plugin:
 * `import bytes from './plugin.wat'` gives the module bytes. Reference this file from a project's
 * tsconfig (`"types": ["cc-lb-plugin-conformance/wat-module"]`) or a triple-slash directive.
 * tsc does not emit `.d.ts` sources, so the build copies this file into `dist/types/`.
 */
declare module '*.wat' {
  const bytes: Uint8Array;
  export default bytes;
}
