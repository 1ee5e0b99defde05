/**
 * WAT layer entry (`cc-lb-plugin-conformance/wat`): the `wat` tag, plugin-module builders, JSON
 * builders for guest outputs and custom-section helpers. Re-exports only, each name written out
 * (`test/api-surface.test.ts` snapshots this entry's keys); the section reader and LEB128 encoder
 * behind the helpers stay internal.
 */

// Compiling WAT text to validated bytes.
export { type CompileWatOptions, compileWat, WatCompileError, wat } from './compile.js';
// JSON builders for the handshake's and the self-check's guest outputs.
export { type AcceptParts, acceptJson, type SelfCheckParts, selfCheckJson } from './json-builders.js';
// Plugin modules from a declarative spec, one behaviour per export.
export {
  type BodyBehaviour,
  body,
  type ExportBehaviour,
  type FailBehaviour,
  fail,
  type OutputBehaviour,
  output,
  type PluginModuleSpec,
  pluginModule,
  pluginModuleWat,
  type ReturnCodeBehaviour,
  returnCode,
  type SpinBehaviour,
  spin,
  type TrapBehaviour,
  trap,
} from './plugin-module.js';
// Custom sections: the identity payload, adding, replacing, reading and removing sections.
export {
  customSections,
  DEFAULT_IDENTITY,
  emptyModule,
  encodeCustomSection,
  type IdentityParts,
  identityPayload,
  WasmSectionError,
  withCustomSection,
  withIdentity,
  withoutCustomSection,
} from './sections.js';
