/**
 * The public surface against API.md: every name the contract lists is exported from the entry it
 * names, with the kind of value it says (function, class, object, schema, constant). Authors' code
 * outside this repository calls exactly these names, so a rename or a missing re-export is a
 * breaking change this table catches before a release does.
 *
 * Types cannot be seen at runtime; the `import type` block below makes `tsc --noEmit` fail when a
 * type name of the contract goes missing, and a few assignments pin their shapes.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  AugmentedMetadata,
  CallResult,
  CandidateWire,
  DispatchOutcome,
  DispatchStage,
  FallbackPolicy,
  FuelProfile,
  HandshakeAccept,
  HandshakeOffer,
  HandshakeReport,
  HeaderWire,
  IdentityReport,
  LayerResult,
  LoadedPlugin,
  ObserveEventWire,
  PluginCallErrorKind,
  PluginIdentity,
  PluginUnderTest,
  Principal,
  RequestOf,
  RequestWire,
  ResponseOf,
  SelfCheckReport,
  SelfCheckRequest,
  SelfCheckResponse,
  ShapeRequest,
  StaticCheck,
  VerifyReport,
  WasmInput,
  WireFunction,
} from '../src/index.js';
import * as root from '../src/index.js';
import * as pluginEntry from '../src/plugin/index.js';
import * as matchersEntry from '../src/vitest/matchers/index.js';
import * as vitestEntry from '../src/vitest/setup.js';
import * as watEntry from '../src/wat/index.js';

type Kind = 'function' | 'class' | 'object' | 'schema' | 'string' | 'number' | 'wire-function';

const TYPEBOX_KIND = Symbol.for('TypeBox.Kind');

function kindOf(value: unknown): Kind | 'undefined' | 'other' {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'function') {
    return /^class\b/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
  }
  if (typeof value === 'object' && value !== null) {
    if (TYPEBOX_KIND in value) return 'schema';
    if ('dryRunRequest' in value && 'supportedVersions' in value) return 'wire-function';
    return 'object';
  }
  return 'other';
}

type Row = readonly [name: string, kind: Kind];

const ROOT: readonly Row[] = [
  // Wire: constants with the Rust names (limits.rs and the identity/handshake constants).
  ['CC_LB_PLUGIN_MAGIC', 'object'],
  ['CC_LB_PLUGIN_SECTION_NAME', 'string'],
  ['HANDSHAKE_FUEL', 'number'],
  ['HANDSHAKE_WALL_MS', 'number'],
  ['HANDSHAKE_OUTPUT_MAX_BYTES', 'number'],
  ['SELF_CHECK_FUEL', 'number'],
  ['SELF_CHECK_WALL_MS', 'number'],
  ['SELF_CHECK_OUTPUT_MAX_BYTES', 'number'],
  ['IMPLEMENTED_FUNCTIONS_MAX', 'number'],
  ['FUNCTION_VERSIONS_KEYS_MAX', 'number'],
  ['FUNCTION_VERSIONS_PER_FN_MAX', 'number'],
  ['CAPABILITIES_MAX_COUNT', 'number'],
  ['CAPABILITY_NAME_MAX_BYTES', 'number'],
  ['VERSION_MIN', 'number'],
  ['VERSION_MAX', 'number'],
  ['CUSTOM_SECTION_MAX_SIZE', 'number'],
  ['CUSTOM_SECTION_FIELD_COUNT', 'number'],
  ['AUGMENTED_METADATA_MAX_BYTES', 'number'],
  ['REGISTRY_ROW_COUNT_SOFT_WARN', 'number'],
  ['REGISTRY_ROW_COUNT_HARD_REJECT', 'number'],
  ['STARTUP_HANDSHAKE_TOTAL_BUDGET_MS', 'number'],
  ['STARTUP_HANDSHAKE_PARALLEL_MAX', 'number'],
  ['SKIP_HANDSHAKE_IF_FRESH_TTL_SECS', 'number'],
  ['HANDSHAKE_SCHEMA_VERSION_V1', 'number'],
  ['ENVELOPE_VERSION_V1', 'number'],
  // Wire functions and the registry.
  ['ShapeFn', 'wire-function'],
  ['NormalizeErrorFn', 'wire-function'],
  ['BuildSignerFn', 'wire-function'],
  ['SignFn', 'wire-function'],
  ['OnUnauthorizedFn', 'wire-function'],
  ['ObserveFn', 'wire-function'],
  ['FilterFn', 'wire-function'],
  ['allWireFunctions', 'object'],
  ['wireFunction', 'function'],
  // Wire schemas (each also a type of the same name).
  ['PluginIdentity', 'schema'],
  ['HandshakeOffer', 'schema'],
  ['HandshakeAccept', 'schema'],
  ['SelfCheckRequest', 'schema'],
  ['SelfCheckResponse', 'schema'],
  ['HeaderWire', 'schema'],
  ['Principal', 'schema'],
  ['RequestWire', 'schema'],
  ['CandidateWire', 'schema'],
  ['ObserveEventWire', 'schema'],
  ['ShapeRequest', 'schema'],
  ['ShapeResponse', 'schema'],
  ['FilterRequest', 'schema'],
  ['FilterResponse', 'schema'],
  ['ObserveRequest', 'schema'],
  ['AugmentedMetadata', 'schema'],
  // Wire decoding, validators and hashing.
  ['decodeWire', 'function'],
  ['validateIdentity', 'function'],
  ['validateOffer', 'function'],
  ['validateAcceptAgainstOffer', 'function'],
  ['validateSelfCheckRequest', 'function'],
  ['validateSelfCheckResponse', 'function'],
  ['validateAugmentedMetadata', 'function'],
  ['canonicalizeOffer', 'function'],
  ['hostOfferHash', 'function'],
  ['offerHash', 'function'],
  // Inputs.
  ['loadWasm', 'function'],
  ['plugin', 'function'],
  // Host runtime.
  ['buildPlugin', 'function'],
  ['readIdentity', 'function'],
  ['buildOffer', 'function'],
  ['executeHandshake', 'function'],
  ['executeSelfCheck', 'function'],
  ['dispatchWireCall', 'function'],
  ['slotSetFromHandshake', 'function'],
  // Fuel profiles, as files other tools open.
  ['toCpuProfile', 'function'],
  ['toSpeedscope', 'function'],
  ['toFlameGraphSvg', 'function'],
  // Conformance: namespaces, top-level verify functions, the session.
  ['identity', 'object'],
  ['handshake', 'object'],
  ['selfCheck', 'object'],
  ['dispatch', 'object'],
  ['verify', 'object'],
  ['fixtures', 'object'],
  ['requestTemplate', 'function'],
  ['ShapeRequestBuilder', 'class'],
  ['FilterRequestBuilder', 'class'],
  ['CandidateBuilder', 'class'],
  ['ObserveRequestBuilder', 'class'],
  ['NormalizeErrorRequestBuilder', 'class'],
  ['BuildSignerRequestBuilder', 'class'],
  ['SignRequestBuilder', 'class'],
  ['OnUnauthorizedRequestBuilder', 'class'],
  ['verifyShapePlugin', 'function'],
  ['verifyRouterPlugin', 'function'],
  ['verifyObservabilityPlugin', 'function'],
  ['PluginSession', 'class'],
  // Generated requests (property-based conformance).
  ['requestArbitrary', 'function'],
  ['fuzz', 'object'],
  // Errors, by layer.
  ['IdentityValidationError', 'class'],
  ['HandshakeValidationError', 'class'],
  ['SelfCheckValidationError', 'class'],
  ['AugmentedMetadataError', 'class'],
  ['WireDecodeError', 'class'],
  ['PluginCallError', 'class'],
  ['BuildPluginError', 'class'],
  ['IdentityReadError', 'class'],
  ['HandshakeExecutionError', 'class'],
  ['SelfCheckExecutionError', 'class'],
  ['IdentityError', 'class'],
  ['HandshakeError', 'class'],
  ['SelfCheckError', 'class'],
  ['RunError', 'class'],
  ['VerifyError', 'class'],
  ['DispatchError', 'class'],
];

const ERROR_CLASSES = ROOT.filter(([name]) => name.endsWith('Error')).map(([name]) => name);

const MATCHER_NAMES = [
  'toHandshake',
  'toFailHandshake',
  'toPassSelfCheck',
  'toFailSelfCheck',
  'toHaveIdentity',
  'toPassStaticChecks',
  'toDispatch',
  'toVerifyAs',
  'toHandleGeneratedRequests',
] as const;

const WAT: readonly Row[] = [
  ['wat', 'function'],
  ['compileWat', 'function'],
  ['pluginModule', 'function'],
  ['output', 'function'],
  ['fail', 'function'],
  ['returnCode', 'function'],
  ['trap', 'function'],
  ['spin', 'function'],
  ['body', 'function'],
  ['acceptJson', 'function'],
  ['selfCheckJson', 'function'],
  ['withCustomSection', 'function'],
  ['withIdentity', 'function'],
  ['customSections', 'function'],
  ['withoutCustomSection', 'function'],
];

function entryTable(entry: Record<string, unknown>, rows: readonly Row[]) {
  return rows.map(([name, kind]) => ({ name, kind, actual: kindOf(entry[name]) }));
}

describe('package root (cc-lb-plugin-conformance)', () => {
  it.each(entryTable(root, ROOT))('exports $name as a $kind', ({ kind, actual }) => {
    expect(actual).toBe(kind);
  });

  it.each(ERROR_CLASSES)('%s is an Error subclass named after itself', (name) => {
    const ctor = (root as Record<string, unknown>)[name] as { prototype: unknown; name: string };
    expect(ctor.prototype).toBeInstanceOf(Error);
    expect(ctor.name).toBe(name);
  });

  it('CC_LB_PLUGIN_MAGIC is the 8 reference bytes', () => {
    expect([...root.CC_LB_PLUGIN_MAGIC]).toEqual([204, 27, 112, 16, 0, 1, 0, 0]);
    expect(root.CC_LB_PLUGIN_SECTION_NAME).toBe('cc_lb.plugin.v1');
  });

  it('each wire function has the WireFunction shape, and allWireFunctions is in reference order', () => {
    expect(root.allWireFunctions.map((fn) => fn.name)).toEqual([
      'shape',
      'normalize_error',
      'build_signer',
      'sign',
      'on_unauthorized',
      'observe',
      'filter',
    ]);
    for (const fn of root.allWireFunctions) {
      expect(Object.keys(fn).sort()).toEqual(
        [
          'dryRunRequest',
          'dryRunResponse',
          'fallback',
          'name',
          'request',
          'response',
          'supportedVersions',
        ].sort(),
      );
      expect(kindOf(fn.request)).toBe('schema');
      expect(kindOf(fn.response)).toBe('schema');
      expect(root.wireFunction(fn.name)).toBe(fn);
    }
  });

  it('the conformance namespaces carry the functions API.md names', () => {
    expect(kindOf(root.identity.read)).toBe('function');
    expect(kindOf(root.handshake.run)).toBe('function');
    expect(kindOf(root.selfCheck.run)).toBe('function');
    expect(kindOf(root.dispatch.run)).toBe('function');
    expect(kindOf(root.verify.shape)).toBe('function');
    expect(kindOf(root.verify.router)).toBe('function');
    expect(kindOf(root.verify.observability)).toBe('function');
    expect(kindOf(root.PluginSession.create)).toBe('function');
    expect(kindOf(root.fuzz.run)).toBe('function');
    for (const name of [
      'shapeRequestBuilder',
      'filterRequestBuilder',
      'observeRequestBuilder',
      'candidateBuilder',
      'normalizeErrorRequestBuilder',
      'buildSignerRequestBuilder',
      'signRequestBuilder',
      'onUnauthorizedRequestBuilder',
      'requestBuilder',
      'requestTemplate',
      'header',
      'synthPrincipal',
      'synthMetadata',
      'dryRunSample',
    ] as const) {
      expect(kindOf(root.fixtures[name]), name).toBe('function');
    }
  });

  it('plugin() returns the { wasm, capabilities, limits } descriptor', () => {
    const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const descriptor = root.plugin(bytes, { capabilities: new Set(['streaming']), fuel: 5 });
    expect(Object.keys(descriptor).sort()).toEqual(['capabilities', 'limits', 'wasm']);
    expect([...descriptor.capabilities]).toEqual(['streaming']);
    expect(descriptor.limits).toMatchObject({ fuel: 5, maxMemoryPages: 2048 });
    expect(root.isPluginUnderTest(descriptor)).toBe(true);
  });

  it('a PluginSession exposes identity, metadata, negotiatedFunctions, lastCall and close()', async () => {
    const { acceptJson, output, pluginModule, selfCheckJson } = watEntry;
    const session = await root.PluginSession.create(
      pluginModule({
        exports: {
          cc_lb_handshake: output(
            acceptJson({
              chosen_versions: { observe: 1 },
              plugin_supported: { observe: [1] },
              implemented_functions: ['observe'],
            }),
          ),
          cc_lb_self_check: output(selfCheckJson()),
          observe: output({ _v: 1 }),
        },
      }),
    );
    try {
      expect(session.identity.plugin_name).toBe('test-plugin');
      expect(session.metadata.negotiated_functions).toEqual({ observe: 1 });
      expect(session.negotiatedFunctions).toEqual({ observe: 1 });
      await expect(session.dispatch(root.ObserveFn)).resolves.toMatchObject({ kind: 'ok', response: {} });
      expect(session.lastCall).toMatchObject({ function: 'observe', fuelConsumed: expect.any(Number) });
      expect(typeof session.lastCall?.durationMs).toBe('number');
    } finally {
      await session.close();
    }
  });

  it('does not pull Vitest in: none of the matchers is a root export', () => {
    for (const name of [...MATCHER_NAMES, 'pluginTest']) {
      expect(name in root, name).toBe(false);
    }
  });
});

describe('cc-lb-plugin-conformance/vitest', () => {
  it('exports pluginTest as a function', () => {
    expect(kindOf(vitestEntry.pluginTest)).toBe('function');
  });

  it('registers every matcher on expect as a side effect', () => {
    const assertion = expect(new Uint8Array()) as unknown as Record<string, unknown>;
    for (const name of MATCHER_NAMES) expect(kindOf(assertion[name]), name).toBe('function');
  });
});

describe('cc-lb-plugin-conformance/matchers', () => {
  it.each(MATCHER_NAMES)('exports %s as a function, also inside the `matchers` object', (name) => {
    const entry = matchersEntry as unknown as Record<string, unknown>;
    expect(kindOf(entry[name])).toBe('function');
    expect(matchersEntry.matchers[name]).toBe(entry[name]);
  });

  it('the `matchers` object holds exactly the eight matchers (expect.extend takes it whole)', () => {
    expect(Object.keys(matchersEntry.matchers).sort()).toEqual([...MATCHER_NAMES].sort());
  });
});

describe('cc-lb-plugin-conformance/wat', () => {
  it.each(entryTable(watEntry, WAT))('exports $name as a $kind', ({ kind, actual }) => {
    expect(actual).toBe(kind);
  });
});

describe('cc-lb-plugin-conformance/plugin', () => {
  it('exports ccLbConformance as a named and as the default export', () => {
    expect(kindOf(pluginEntry.ccLbConformance)).toBe('function');
    expect(pluginEntry.default).toBe(pluginEntry.ccLbConformance);
  });
});

/*
 * The runtime keys of every entry, sorted. A change here is a public API change: adding a name is
 * a decision to support it, removing one breaks authors' code. Internals (schema primitives, the
 * JSON codec, the instrumenter, the wasm reader, diagnostics formatting) are imported by our own
 * tests from their `src/` modules, never through an entry.
 */
const ROOT_KEYS = [
  'AUGMENTED_METADATA_MAX_BYTES',
  'AugmentedMetadata',
  'AugmentedMetadataError',
  'BreakpointOriginWire',
  'BuildPluginError',
  'BuildSignerFn',
  'BuildSignerRequest',
  'BuildSignerRequestBuilder',
  'BuildSignerResponse',
  'CAPABILITIES_MAX_COUNT',
  'CAPABILITY_NAME_MAX_BYTES',
  'CAPABILITY_PATTERN',
  'CC_LB_PLUGIN_MAGIC',
  'CC_LB_PLUGIN_SECTION_NAME',
  'CUSTOM_SECTION_FIELD_COUNT',
  'CUSTOM_SECTION_MAX_SIZE',
  'CacheBreakpointSourceWire',
  'CacheBreakpointWire',
  'CacheScoreWire',
  'CandidateBuilder',
  'CandidateWire',
  'CandidateWireV1',
  'CanonicalOffer',
  'DEFAULT_MAX_MEMORY_PAGES',
  'DISPATCH_STAGES',
  'DialectBinding',
  'DispatchError',
  'ENVELOPE_VERSION_V1',
  'FALLBACK_POLICIES',
  'FUNCTION_VERSIONS_KEYS_MAX',
  'FUNCTION_VERSIONS_PER_FN_MAX',
  'FallbackPolicyWire',
  'FilterFn',
  'FilterRequest',
  'FilterRequestBuilder',
  'FilterResponse',
  'HANDSHAKE_EXPORT',
  'HANDSHAKE_FUEL',
  'HANDSHAKE_OUTPUT_MAX_BYTES',
  'HANDSHAKE_SCHEMA_VERSION_V1',
  'HANDSHAKE_WALL_MS',
  'HandshakeAccept',
  'HandshakeError',
  'HandshakeExecutionError',
  'HandshakeOffer',
  'HandshakeValidationError',
  'HeaderWire',
  'IMPLEMENTED_FUNCTIONS_MAX',
  'IdentityError',
  'IdentityReadError',
  'IdentityValidationError',
  'NormalizeErrorFn',
  'NormalizeErrorRequest',
  'NormalizeErrorRequestBuilder',
  'NormalizeErrorResponse',
  'ObserveEventWire',
  'ObserveFn',
  'ObserveRequest',
  'ObserveRequestBuilder',
  'ObserveResponse',
  'OnUnauthorizedFn',
  'OnUnauthorizedRequest',
  'OnUnauthorizedRequestBuilder',
  'OnUnauthorizedResponse',
  'PLUGIN_KINDS',
  'PLUGIN_NAME_MAX_BYTES',
  'PLUGIN_NAME_PATTERN',
  'PLUGIN_VERSION_MAX_BYTES',
  'PerCandidateReasonWire',
  'PluginCallError',
  'PluginIdentity',
  'PluginKind',
  'PluginRegistryRecord',
  'PluginSession',
  'Principal',
  'RANDOM_BYTES_MAX',
  'REGISTRY_ROW_COUNT_HARD_REJECT',
  'REGISTRY_ROW_COUNT_SOFT_WARN',
  'RateLimitObservationWire',
  'RawFunctionVersions',
  'RawHandshakeOffer',
  'RequestWire',
  'RunError',
  'SELF_CHECK_EXPORT',
  'SELF_CHECK_FUEL',
  'SELF_CHECK_OUTPUT_MAX_BYTES',
  'SELF_CHECK_WALL_MS',
  'SKIP_HANDSHAKE_IF_FRESH_TTL_SECS',
  'STARTUP_HANDSHAKE_PARALLEL_MAX',
  'STARTUP_HANDSHAKE_TOTAL_BUDGET_MS',
  'STATIC_CHECK_NAMES',
  'SelfCheckError',
  'SelfCheckExecutionError',
  'SelfCheckFailure',
  'SelfCheckRequest',
  'SelfCheckResponse',
  'SelfCheckStage',
  'SelfCheckStatus',
  'SelfCheckValidationError',
  'ShapeFn',
  'ShapeRequest',
  'ShapeRequestBuilder',
  'ShapeRequestV1',
  'ShapeResponse',
  'ShapedRequestWire',
  'SignFn',
  'SignRequest',
  'SignRequestBuilder',
  'SignResponse',
  'SubscriptionQuotaCandidateSnapshotWire',
  'TtlClassWire',
  'UnsupportedFeatureError',
  'UpstreamErrorCategory',
  'UpstreamErrorWire',
  'UpstreamWire',
  'VERIFY_KINDS',
  'VERSION_MAX',
  'VERSION_MIN',
  'VerifyError',
  'WarmCacheEntryWire',
  'WireDecodeError',
  'WireEncodeError',
  'allWireFunctions',
  'buildOffer',
  'buildPlugin',
  'canonicalizeOffer',
  'decodeWire',
  'dispatch',
  'dispatchWireCall',
  'dryRunSamples',
  'encodeWire',
  'executeHandshake',
  'executeSelfCheck',
  'fixtures',
  'fuzz',
  'handshake',
  'hostOfferHash',
  'identity',
  'isPluginUnderTest',
  'loadWasm',
  'offerHash',
  'plugin',
  'readIdentity',
  'requestArbitrary',
  'requestTemplate',
  'selfCheck',
  'slotSetFromHandshake',
  'toCpuProfile',
  'toFlameGraphSvg',
  'toSpeedscope',
  'validateAcceptAgainstOffer',
  'validateAugmentedMetadata',
  'validateIdentity',
  'validateOffer',
  'validateRegistryRecord',
  'validateSelfCheckRequest',
  'validateSelfCheckResponse',
  'verify',
  'verifyLayers',
  'verifyObservabilityPlugin',
  'verifyRouterPlugin',
  'verifyShapePlugin',
  'verifySignerPlugin',
  'wireFunction',
];

describe('the runtime keys of each entry (a change here is a public API change)', () => {
  it('cc-lb-plugin-conformance', () => {
    expect(Object.keys(root).sort()).toEqual(ROOT_KEYS);
  });

  it('cc-lb-plugin-conformance/vitest', () => {
    expect(Object.keys(vitestEntry).sort()).toEqual(['pluginTest']);
  });

  it('cc-lb-plugin-conformance/matchers', () => {
    expect(Object.keys(matchersEntry).sort()).toEqual(['default', 'matchers', ...[...MATCHER_NAMES].sort()]);
  });

  it('cc-lb-plugin-conformance/wat', () => {
    expect(Object.keys(watEntry).sort()).toEqual([
      'DEFAULT_IDENTITY',
      'WasmSectionError',
      'WatCompileError',
      'acceptJson',
      'body',
      'compileWat',
      'customSections',
      'emptyModule',
      'encodeCustomSection',
      'fail',
      'identityPayload',
      'output',
      'pluginModule',
      'pluginModuleWat',
      'returnCode',
      'selfCheckJson',
      'spin',
      'trap',
      'wat',
      'withCustomSection',
      'withIdentity',
      'withoutCustomSection',
    ]);
  });

  it('cc-lb-plugin-conformance/plugin', () => {
    expect(Object.keys(pluginEntry).sort()).toEqual(['ccLbConformance', 'default']);
  });

  it('every name of the API.md tables above is among the root keys', () => {
    for (const [name] of ROOT) expect(ROOT_KEYS, name).toContain(name);
  });
});

describe('type names of the contract', () => {
  // Checked by `tsc --noEmit` (part of `npm test`); at runtime expectTypeOf is inert.
  it('have the shapes API.md gives them', () => {
    expectTypeOf<FallbackPolicy>().toEqualTypeOf<
      'FailRequest' | 'SilentSkip' | 'UseDefault' | 'PassThrough'
    >();
    expectTypeOf<DispatchStage>().toEqualTypeOf<
      | 'version_lookup'
      | 'request_envelope'
      | 'serialize_request'
      | 'plugin_call'
      | 'deserialize_response'
      | 'response_envelope'
      | 'response_decode'
      | 'panic'
    >();
    // The six kinds of the contract; the engine adds `MissingExport` for a call to an absent export.
    expectTypeOf<
      'OutOfFuel' | 'Timeout' | 'NonZeroExit' | 'GuestError' | 'Trap' | 'InvalidUtf8Output'
    >().toExtend<PluginCallErrorKind>();
    // The outcome may carry more (fuel and time of the call), never less.
    expectTypeOf<Extract<DispatchOutcome<number>, { kind: 'ok' }>>().toExtend<{
      kind: 'ok';
      response: number;
    }>();
    expectTypeOf<Extract<DispatchOutcome, { kind: 'fallback' }>['policy']>().toEqualTypeOf<FallbackPolicy>();
    expectTypeOf<RequestOf<typeof root.ShapeFn>>().toEqualTypeOf<ShapeRequest>();
    expectTypeOf<ResponseOf<typeof root.ShapeFn>>().toEqualTypeOf<root.ShapeResponse>();
    expectTypeOf<typeof root.ShapeFn>().toExtend<WireFunction<ShapeRequest, root.ShapeResponse>>();
    expectTypeOf<StaticCheck>().toHaveProperty('pass').toEqualTypeOf<boolean>();
    expectTypeOf<IdentityReport['identity']>().toEqualTypeOf<PluginIdentity>();
    expectTypeOf<HandshakeReport['identity']>().toExtend<{
      name: string;
      version: string;
      abiEnvelope: number;
    }>();
    expectTypeOf<SelfCheckReport['status']>().toEqualTypeOf<'Success' | 'Failure'>();
    expectTypeOf<VerifyReport['dispatch']>().toEqualTypeOf<LayerResult[]>();
    expectTypeOf<FuelProfile>().toExtend<{
      total: number;
      functions: readonly { name: string; index: number; self: number; total: number; calls: number }[];
      root: { name: string; self: number; total: number; children: readonly unknown[] };
    }>();
    expectTypeOf<PluginUnderTest>().toHaveProperty('wasm');
    expectTypeOf<PluginUnderTest>().toHaveProperty('capabilities');
    expectTypeOf<PluginUnderTest>().toHaveProperty('limits');
    expectTypeOf<LoadedPlugin['call']>().returns.toEqualTypeOf<Promise<CallResult>>();
    expectTypeOf<CallResult>().toHaveProperty('fuelConsumed');
    expectTypeOf<CallResult>().toHaveProperty('durationMs');
    expectTypeOf<Buffer>().toExtend<WasmInput>();
    expectTypeOf<ArrayBuffer>().toExtend<WasmInput>();
    expectTypeOf<DataView>().toExtend<WasmInput>();
    // Wire types mirror the JSON: snake_case keys.
    expectTypeOf<PluginIdentity>().toHaveProperty('plugin_name');
    expectTypeOf<HandshakeAccept>().toHaveProperty('implemented_functions');
    expectTypeOf<HandshakeOffer>().toHaveProperty('host_capabilities');
    expectTypeOf<SelfCheckRequest>().toHaveProperty('functions_to_test');
    expectTypeOf<SelfCheckResponse>().toHaveProperty('completed_at');
    expectTypeOf<AugmentedMetadata>().toHaveProperty('negotiated_functions');
    expectTypeOf<HeaderWire>().toHaveProperty('value_base64');
    expectTypeOf<RequestWire>().toHaveProperty('body_base64');
    expectTypeOf<CandidateWire>().toHaveProperty('upstream_id');
    expectTypeOf<Principal>().toHaveProperty('claims');
    expectTypeOf<ObserveEventWire>().not.toBeAny();
  });
});
