/**
 * Conformance layer: `identity.read` — the nine static checks of cc-lb-plugin-conformance 0.1.x
 * followed by the host's identity reader.
 *
 * The static checks never fail; they describe the module. They read the identity payload as a
 * generic JSON value (not the typed `PluginIdentity`), so they can say *which* field is wrong, and
 * they can disagree with the reader: a duplicated key passes check 3 (last value wins) while the
 * reader rejects it, and `abi_envelope: 2` fails check 4 while the reader accepts it.
 */
import { BuildPluginError, buildPlugin } from '../engine/index.js';
import { IdentityReadError, readIdentity, walkWasm } from '../host/index.js';
import {
  CC_LB_PLUGIN_MAGIC,
  CC_LB_PLUGIN_SECTION_NAME,
  CUSTOM_SECTION_FIELD_COUNT,
  CUSTOM_SECTION_MAX_SIZE,
  HANDSHAKE_EXPORT,
  type JsonNode,
  PLUGIN_NAME_MAX_BYTES,
  PLUGIN_NAME_PATTERN,
  PLUGIN_VERSION_MAX_BYTES,
  parseJsonValue,
  rustDebugList,
  rustDebugString,
  SELF_CHECK_EXPORT,
  WireDecodeError,
} from '../wire/index.js';
import { compareCodePoints, sortedUnique } from '../wire/ordered.js';
import { IdentityError } from './errors.js';
import { engineLimits, type PluginSource, type ResolvedPlugin, resolvePlugin } from './plugin-under-test.js';
import type { IdentityReport, StaticCheck, StaticCheckName } from './reports.js';

const ABI_ENVELOPE_V1 = 1n;
const REQUIRED_LIFECYCLE_EXPORTS = [HANDSHAKE_EXPORT, SELF_CHECK_EXPORT] as const;
/** The four identity keys, sorted (the order check 3 compares and prints them in). */
const IDENTITY_FIELDS = ['abi_envelope', 'magic', 'plugin_name', 'plugin_version'] as const;
const WASI_MODULES = new Set(['wasi_snapshot_preview1', 'wasi_snapshot_preview2', 'wasi_unstable']);

/** What a single walk of the module yields for checks 1–7 and 9. */
interface WasmFacts {
  readonly identitySections: readonly Uint8Array[];
  readonly functionExports: ReadonlySet<string>;
  /** sorted by code point and de-duplicated, as the reference's BTreeSet */
  readonly importModules: readonly string[];
  readonly parseError: string | undefined;
}

/** A check's outcome before it is named: `undefined` passes, a string is the failure detail. */
type Outcome = string | undefined;

async function read(source: PluginSource): Promise<IdentityReport> {
  const resolved = resolvePlugin(source);
  const staticChecks = await runStaticChecks(resolved);
  let identity: ReturnType<typeof readIdentity>;
  try {
    identity = readIdentity(resolved.wasm);
  } catch (error) {
    if (error instanceof IdentityReadError) throw new IdentityError(error, staticChecks);
    throw error;
  }
  return { identity, staticChecks };
}

/**
 * The nine static checks alone. The reference keeps this private and its tests call it directly;
 * we expose it because a failing `read` would otherwise hide them.
 */
async function staticChecks(source: PluginSource): Promise<StaticCheck[]> {
  return runStaticChecks(resolvePlugin(source));
}

export const identity = Object.freeze({ read, staticChecks });

async function runStaticChecks(plugin: ResolvedPlugin): Promise<StaticCheck[]> {
  const facts = collectWasmFacts(plugin.wasm);
  const payload = identityPayload(facts);
  const outcomes: Record<StaticCheckName, Outcome> = {
    CustomSectionExactlyOnce: customSectionExactlyOnce(facts),
    CustomSectionSizeWithinLimit: customSectionSizeWithinLimit(facts),
    JsonFieldsExactlyFour: withPayload(payload, jsonFieldsExactlyFour),
    IdentityFieldsWellFormed: withPayload(payload, identityFieldsWellFormed),
    PluginNameRegexCompliant: withPayload(payload, pluginNameRegexCompliant),
    PluginVersionLengthCompliant: withPayload(payload, pluginVersionLengthCompliant),
    AllRequiredExportsPresent: allRequiredExportsPresent(facts),
    ExtismCanInstantiate: await extismCanInstantiate(plugin),
    NoWasiImports: noWasiImports(facts),
  };
  return (Object.keys(outcomes) as StaticCheckName[]).map((name) => ({
    name,
    pass: outcomes[name] === undefined,
    detail: outcomes[name],
  }));
}

function collectWasmFacts(wasm: Uint8Array): WasmFacts {
  const walk = walkWasm(wasm);
  return {
    identitySections: walk.customSections
      .filter((s) => s.name === CC_LB_PLUGIN_SECTION_NAME)
      .map((s) => s.data),
    functionExports: new Set(walk.functionExports),
    importModules: sortedUnique(walk.importModules),
    // upstream collect_wasm_facts stops at the first entry it cannot decode, before any later
    // parse error; the walk records both, in that order of precedence
    parseError:
      (walk.entryError ?? walk.error) === undefined
        ? undefined
        : `invalid wasm: ${walk.entryError ?? walk.error}`,
  };
}

/** The single identity payload parsed as a generic JSON value, or the detail shared by checks 3–6. */
function identityPayload(facts: WasmFacts): { value: JsonNode } | { detail: string } {
  if (facts.parseError !== undefined) return { detail: facts.parseError };
  const [only, ...rest] = facts.identitySections;
  if (only === undefined) return { detail: `missing ${CC_LB_PLUGIN_SECTION_NAME} custom section` };
  if (rest.length > 0) {
    return {
      detail: `${CC_LB_PLUGIN_SECTION_NAME} custom section appears ${facts.identitySections.length} times`,
    };
  }
  try {
    return { value: parseJsonValue(only) };
  } catch (error) {
    if (error instanceof WireDecodeError) return { detail: `malformed identity JSON: ${error.serdeText}` };
    throw error;
  }
}

function withPayload(
  payload: { value: JsonNode } | { detail: string },
  check: (v: JsonNode) => Outcome,
): Outcome {
  return 'detail' in payload ? payload.detail : check(payload.value);
}

// 1
function customSectionExactlyOnce(facts: WasmFacts): Outcome {
  if (facts.parseError !== undefined) return facts.parseError;
  const n = facts.identitySections.length;
  return n === 1 ? undefined : `expected exactly one ${CC_LB_PLUGIN_SECTION_NAME} custom section, found ${n}`;
}

// 2
function customSectionSizeWithinLimit(facts: WasmFacts): Outcome {
  if (facts.parseError !== undefined) return facts.parseError;
  if (facts.identitySections.length === 0) return `missing ${CC_LB_PLUGIN_SECTION_NAME} custom section`;
  const oversized = facts.identitySections
    .map((s) => s.length)
    .filter((size) => size > CUSTOM_SECTION_MAX_SIZE);
  return oversized.length === 0
    ? undefined
    : `custom section payload size(s) ${rustDebugList(oversized)} exceed max ${CUSTOM_SECTION_MAX_SIZE} bytes`;
}

// 3
function jsonFieldsExactlyFour(value: JsonNode): Outcome {
  if (value.type !== 'object') return 'identity payload top level is not a JSON object';
  const keys = [...value.entries.keys()].sort(compareCodePoints);
  const exact =
    keys.length === CUSTOM_SECTION_FIELD_COUNT &&
    IDENTITY_FIELDS.every((field, index) => keys[index] === field);
  return exact
    ? undefined
    : `identity JSON fields must be exactly ${rustDebugList(IDENTITY_FIELDS)}; found ${rustDebugList(keys)}`;
}

// 4
function identityFieldsWellFormed(value: JsonNode): Outcome {
  const problems: string[] = [];
  const magic = magicField(value);
  if (typeof magic === 'string') problems.push(magic);
  else if (!magic.every((byte, i) => byte === CC_LB_PLUGIN_MAGIC[i])) {
    problems.push(`magic must equal ${rustDebugList(CC_LB_PLUGIN_MAGIC)}; found ${rustDebugList(magic)}`);
  }
  const abi = asU64(field(value, 'abi_envelope'));
  if (abi === undefined) problems.push('abi_envelope must be an unsigned integer');
  else if (abi !== ABI_ENVELOPE_V1) problems.push(`abi_envelope must be ${ABI_ENVELOPE_V1}; found ${abi}`);
  for (const name of ['plugin_name', 'plugin_version'] as const) {
    const text = stringField(value, name);
    if (typeof text !== 'string') problems.push(text.problem);
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}

// 5
function pluginNameRegexCompliant(value: JsonNode): Outcome {
  const name = stringField(value, 'plugin_name');
  if (typeof name !== 'string') return name.problem;
  return pluginNameMatchesWirePattern(name)
    ? undefined
    : `plugin_name ${rustDebugString(name)} must match ${PLUGIN_NAME_PATTERN} and be at most ${PLUGIN_NAME_MAX_BYTES} bytes`;
}

// 6
function pluginVersionLengthCompliant(value: JsonNode): Outcome {
  const version = stringField(value, 'plugin_version');
  if (typeof version !== 'string') return version.problem;
  const byteLength = utf8Length(version);
  return byteLength > 0 && byteLength <= PLUGIN_VERSION_MAX_BYTES
    ? undefined
    : `plugin_version must be non-empty and at most ${PLUGIN_VERSION_MAX_BYTES} bytes; found ${byteLength} bytes`;
}

// 7
function allRequiredExportsPresent(facts: WasmFacts): Outcome {
  if (facts.parseError !== undefined) return facts.parseError;
  const missing = REQUIRED_LIFECYCLE_EXPORTS.filter((name) => !facts.functionExports.has(name));
  return missing.length === 0 ? undefined : `missing wasm function export(s): ${rustDebugList(missing)}`;
}

// 8 — the only check that does not depend on the walk: it builds the module with the engine.
async function extismCanInstantiate(plugin: ResolvedPlugin): Promise<Outcome> {
  try {
    const loaded = await buildPlugin(plugin.wasm, engineLimits(plugin.limits));
    await loaded.close();
    return undefined;
  } catch (error) {
    if (error instanceof BuildPluginError) return error.message;
    throw error;
  }
}

// 9
function noWasiImports(facts: WasmFacts): Outcome {
  if (facts.parseError !== undefined) return facts.parseError;
  const forbidden = facts.importModules.filter((m) => WASI_MODULES.has(m) || m.startsWith('wasi:'));
  return forbidden.length === 0 ? undefined : `forbidden WASI import module(s): ${rustDebugList(forbidden)}`;
}

/** `value.get(key)` of serde_json: `undefined` for a missing key or a non-object value. */
function field(value: JsonNode, key: string): JsonNode | undefined {
  return value.type === 'object' ? value.entries.get(key) : undefined;
}

/** serde_json `as_u64`: only integer literals in 0..=u64::MAX, never floats. */
function asU64(node: JsonNode | undefined): bigint | undefined {
  return node?.type === 'int' && node.value >= 0n ? node.value : undefined;
}

function stringField(value: JsonNode, key: 'plugin_name' | 'plugin_version'): string | { problem: string } {
  const node = field(value, key);
  return node?.type === 'string' ? node.value : { problem: `${key} must be a string` };
}

/** The magic as 8 byte values, or the first problem found (the reference stops at the first). */
function magicField(value: JsonNode): number[] | string {
  const node = field(value, 'magic');
  if (node?.type !== 'array') return 'magic must be an array of 8 bytes';
  if (node.items.length !== CC_LB_PLUGIN_MAGIC.length) {
    return `magic must contain ${CC_LB_PLUGIN_MAGIC.length} bytes; found ${node.items.length}`;
  }
  const bytes: number[] = [];
  for (const [index, item] of node.items.entries()) {
    const byte = asU64(item);
    if (byte === undefined) return `magic[${index}] must be an integer byte`;
    if (byte > 255n) return `magic[${index}] exceeds u8 max: ${byte}`;
    bytes.push(Number(byte));
  }
  return bytes;
}

/** The wire name rule, byte-wise: any non-ASCII byte or upper-case letter fails. */
function pluginNameMatchesWirePattern(name: string): boolean {
  const bytes = new TextEncoder().encode(name);
  const first = bytes[0];
  if (first === undefined || bytes.length > PLUGIN_NAME_MAX_BYTES || !isLower(first)) return false;
  return bytes.every((b) => isLower(b) || (b >= 0x30 && b <= 0x39) || b === 0x5f || b === 0x2d);
}

function isLower(byte: number): boolean {
  return byte >= 0x61 && byte <= 0x7a;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
