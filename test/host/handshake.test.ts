import { describe, expect, it } from 'vitest';
import { buildPlugin, PluginCallError } from '../../src/engine/index.js';
import { executeHandshake, HandshakeExecutionError } from '../../src/host/handshake.js';
import { buildOffer } from '../../src/host/offer.js';
import { type AcceptParts, acceptJson } from '../../src/wat/json-builders.js';
import {
  body,
  type ExportBehaviour,
  fail,
  output,
  pluginModule,
  returnCode,
  spin,
  trap,
} from '../../src/wat/plugin-module.js';
import { HandshakeValidationError } from '../../src/wire/errors.js';
import type { HandshakeOffer } from '../../src/wire/handshake.js';
import { fixturePlugin } from '../support/fixture-plugins.js';
import { loggingGuestModule, logWat, setOutputWat } from '../support/guest-modules.js';
import { expectInput } from '../support/input-check-guest.js';

/** the first use compiles the AssemblyScript fixtures (cached afterwards) */
const FIXTURE_COMPILE_MS = 120_000;

const noop = returnCode(0);

/** REFERENCE-CASES.md §0.4 handshake module: `cc_lb_handshake` answers, plus extra exports */
function handshakeModule(answer: ExportBehaviour | AcceptParts, extra: Record<string, ExportBehaviour> = {}) {
  const handshake =
    'kind' in answer && typeof answer.kind === 'string'
      ? (answer as ExportBehaviour)
      : output(acceptJson(answer as AcceptParts));
  return pluginModule({ exports: { cc_lb_handshake: handshake, ...extra } });
}

async function handshakeError(
  wasm: Uint8Array,
  offer: HandshakeOffer = buildOffer(),
  options = {},
): Promise<HandshakeExecutionError> {
  try {
    await executeHandshake(wasm, offer, options);
  } catch (error) {
    expect(error).toBeInstanceOf(HandshakeExecutionError);
    return error as HandshakeExecutionError;
  }
  throw new Error('executeHandshake unexpectedly succeeded');
}

const SHAPE_ACCEPT: AcceptParts = {
  chosen_versions: { shape: 1 },
  plugin_supported: { shape: [1] },
  implemented_functions: ['shape'],
};

describe('executeHandshake: reference cases', () => {
  it('H-11 a valid plugin whose declared function is exported', async () => {
    const wasm = handshakeModule({ ...SHAPE_ACCEPT, required_capabilities: ['streaming'] }, { shape: noop });
    const { accept, fuelConsumed } = await executeHandshake(wasm, buildOffer(['streaming']));
    expect(accept.implemented_functions).toContain('shape');
    expect(accept.chosen_versions.shape).toBe(1);
    expect(accept.required_capabilities).toEqual(['streaming']);
    expect(fuelConsumed).toBeGreaterThan(0);
  });

  it('H-12 choosing 1 when both sides support 3 is a downgrade', async () => {
    const offer = buildOffer();
    offer.function_versions.shape = [1, 2, 3];
    const wasm = handshakeModule(
      {
        chosen_versions: { shape: 1 },
        plugin_supported: { shape: [1, 2, 3] },
        implemented_functions: ['shape'],
      },
      { shape: noop },
    );
    const error = await handshakeError(wasm, offer);
    expect(error.kind).toBe('Validation');
    expect(error.message).toBe(
      "handshake validation failed: downgrade attempt detected: function 'shape' chosen version 1 but max intersection is 3",
    );
    expect(error.cause).toBeInstanceOf(HandshakeValidationError);
    expect(error.cause).toMatchObject({
      kind: 'DowngradeAttempt',
      function: 'shape',
      chosen: 1,
      maxIntersection: 3,
    });
  });

  it('H-13 a declared function that is not exported', async () => {
    const error = await handshakeError(handshakeModule(SHAPE_ACCEPT));
    expect(error.kind).toBe('DeclaredFunctionMissing');
    expect(error.function).toBe('shape');
    expect(error.message).toBe('declared function missing wasm export: shape');
  });

  it('H-14 a module that imports a host function the host does not register', async () => {
    const wasm = pluginModule({ exports: { cc_lb_handshake: output(acceptJson()) }, userHostImport: true });
    const error = await handshakeError(wasm);
    // the reference accepts Instantiate or Call; our engine refuses the import at build time
    expect(['Instantiate', 'Call']).toContain(error.kind);
    expect(error.reason).toMatch(/cc_lb_log/);
    expect(error.message).toBe(
      `${error.kind === 'Instantiate' ? 'handshake plugin instantiation failed' : 'handshake call failed'}: ${error.reason}`,
    );
  });
});

describe('executeHandshake: derived cases', () => {
  it('X-01 an empty intersection is no downgrade; the shape check then rejects the choice', async () => {
    const wasm = handshakeModule(
      { chosen_versions: { shape: 1 }, plugin_supported: { shape: [2] }, implemented_functions: ['shape'] },
      { shape: noop },
    );
    const error = await handshakeError(wasm);
    expect(error.kind).toBe('ChosenVersionNotSupported');
    expect(error).toMatchObject({ function: 'shape', version: 1 });
    expect(error.message).toBe('chosen version 1 for function shape not listed as plugin-supported');
  });

  it('X-02 a chosen function the plugin does not list as supported', async () => {
    const wasm = handshakeModule(
      { chosen_versions: { shape: 1 }, implemented_functions: ['shape'] },
      { shape: noop },
    );
    const error = await handshakeError(wasm);
    expect(error.kind).toBe('Validation');
    expect(error.message).toBe(
      "handshake validation failed: chosen for unknown function: 'shape' not in host offer",
    );
  });

  it('X-03 a wire-function export the accept does not declare', async () => {
    const error = await handshakeError(handshakeModule({}, { sign: noop }));
    expect(error.kind).toBe('UndeclaredExport');
    expect(error.function).toBe('sign');
    expect(error.message).toBe('undeclared wire function export present: sign');
  });

  it('X-04 the legacy `route` export is never flagged', async () => {
    const { accept } = await executeHandshake(handshakeModule({}, { route: noop }), buildOffer());
    expect(accept.implemented_functions).toEqual([]);
  });

  it('X-05 envelope_version is never checked', async () => {
    const { accept } = await executeHandshake(handshakeModule({ envelope_version: 7 }), buildOffer());
    expect(accept.envelope_version).toBe(7);
  });

  it('X-06 a duplicate top-level key is a decode error', async () => {
    const text =
      '{"handshake_schema_version":1,"handshake_schema_version":1,"envelope_version":1,"chosen_versions":{},"plugin_supported":{},"implemented_functions":[],"required_capabilities":[]}';
    const error = await handshakeError(handshakeModule(output(text)));
    expect(error.kind).toBe('DecodeAccept');
    expect(error.reason).toBe('duplicate field `handshake_schema_version` at line 1 column 56');
    expect(error.message).toBe(
      'handshake accept decode failed: duplicate field `handshake_schema_version` at line 1 column 56',
    );
    // what the guest wrote, its first bytes escaped (non-enumerable: not part of the error's identity)
    expect(error.output).toEqual({
      length: text.length,
      head: text.slice(0, 120).replaceAll('"', '\\"'),
      truncated: true,
    });
    expect(Object.keys(error)).not.toContain('output');
  });

  it('a failure after the call returned keeps the call’s log lines; the execution record hides its timing', async () => {
    const wasm = loggingGuestModule({
      identity: false,
      selfCheck: false,
      handshake: body(
        ['    (local $o i64)', logWat('warn', 'choosing nothing'), setOutputWat('{}')].join('\n'),
      ),
    });
    const error = await handshakeError(wasm);
    expect(error.kind).toBe('DecodeAccept');
    expect(error.logs).toEqual([{ level: 'warn', message: 'choosing nothing' }]);
    expect(error.output).toEqual({ length: 2, head: '{}', truncated: false });
    const execution = await executeHandshake(handshakeModule({}), buildOffer());
    expect(execution.durationMs).toBeGreaterThan(0);
    expect(Object.keys(execution)).toEqual(['accept', 'fuelConsumed']);
  });

  it('X-06 duplicates inside the maps are not an error: the last value wins', async () => {
    const text =
      '{"handshake_schema_version":1,"envelope_version":1,"chosen_versions":{"shape":7,"shape":1},"plugin_supported":{"shape":[1]},"implemented_functions":["shape"],"required_capabilities":[]}';
    const { accept } = await executeHandshake(handshakeModule(output(text), { shape: noop }), buildOffer());
    expect(accept.chosen_versions.shape).toBe(1);
  });

  it('X-07 a duplicated implemented function collapses', async () => {
    const wasm = handshakeModule(
      { ...SHAPE_ACCEPT, implemented_functions: ['shape', 'shape'] },
      { shape: noop },
    );
    expect((await executeHandshake(wasm, buildOffer())).accept.implemented_functions).toEqual(['shape']);
  });

  it('X-08 output of exactly 32 768 bytes is not too large: it reaches the decoder', async () => {
    const error = await handshakeError(handshakeModule(output('x'.repeat(32_768))));
    expect(error.kind).toBe('DecodeAccept');
    expect(error.message).toBe('handshake accept decode failed: expected value at line 1 column 1');
  });

  it('X-09 output of 32 769 bytes is too large', async () => {
    const error = await handshakeError(handshakeModule(output('x'.repeat(32_769))));
    expect(error.kind).toBe('OutputTooLarge');
    expect(error).toMatchObject({ bytes: 32_769, max: 32_768 });
    expect(error.message).toBe('handshake output size 32769 exceeds maximum 32768');
  });

  it('X-09 the cap counts bytes, not characters', async () => {
    // 10 923 three-byte characters: 32 769 bytes but only 10 923 UTF-16 units
    const error = await handshakeError(handshakeModule(output('€'.repeat(10_923))));
    expect(error.kind).toBe('OutputTooLarge');
    expect(error.bytes).toBe(32_769);
  });

  it.each(['out of fuel', 'Deadline exceeded', 'request TIMED OUT', 'Timeout while waiting'])(
    'X-10 a guest error mentioning a budget word (%s) is classed as Timeout',
    async (text) => {
      const error = await handshakeError(handshakeModule(fail(text)));
      expect(error.kind).toBe('Timeout');
      expect(error.message).toBe('handshake call exceeded timeout/fuel budget');
      expect(error.cause).toBeInstanceOf(PluginCallError);
      expect((error.cause as PluginCallError).message).toBe(text);
    },
  );

  it('X-10 any other guest error is a Call failure carrying the original text', async () => {
    const error = await handshakeError(handshakeModule(fail('Boom: bad input')));
    expect(error.kind).toBe('Call');
    expect(error.reason).toBe('Boom: bad input');
    expect(error.message).toBe('handshake call failed: Boom: bad input');
  });

  it('X-10 only ASCII letters are lower-cased: a dotless-İ spelling is no marker', async () => {
    const error = await handshakeError(handshakeModule(fail('TİMEOUT')));
    expect(error.kind).toBe('Call');
    expect(error.message).toBe('handshake call failed: TİMEOUT');
  });

  it('X-11 33 host capabilities fail offer validation before anything is instantiated', async () => {
    const capabilities = Array.from({ length: 33 }, (_, i) => `cap_${i}`);
    const error = await handshakeError(new TextEncoder().encode('not wasm'), buildOffer(capabilities));
    expect(error.kind).toBe('Validation');
    expect(error.cause).toMatchObject({ kind: 'CapabilityCountExceeded', count: 33, max: 32 });
    expect(error.message).toBe('handshake validation failed: capability count 33 exceeds maximum 32');
  });
});

describe('executeHandshake: every step in order', () => {
  it('sends the offer JSON exactly (the default offer of PROTOCOL.md §4.3)', async () => {
    const offerJson =
      '{"handshake_schema_version":1,"envelope_version":1,"function_versions":{"build_signer":[1],"filter":[1],"normalize_error":[1],"observe":[1],"on_unauthorized":[1],"shape":[1],"sign":[1]},"host_capabilities":[]}';
    const wasm = handshakeModule(expectInput(offerJson, acceptJson()));
    const { accept } = await executeHandshake(wasm, buildOffer());
    expect(accept.implemented_functions).toEqual([]);
  });

  it('a module that does not build is Instantiate with the engine reason', async () => {
    const error = await handshakeError(new Uint8Array(16));
    expect(error.kind).toBe('Instantiate');
    expect(error.message).toBe(`handshake plugin instantiation failed: ${error.reason}`);
  });

  it('a module without cc_lb_handshake', async () => {
    const error = await handshakeError(pluginModule({ exports: { shape: noop } }));
    expect(error.kind).toBe('MissingHandshakeExport');
    expect(error.message).toBe('plugin does not export cc_lb_handshake');
  });

  it('a spinning guest runs out of fuel and is classed as Timeout', async () => {
    const error = await handshakeError(handshakeModule(spin()), buildOffer(), { fuel: 100_000 });
    expect(error.kind).toBe('Timeout');
    expect((error.cause as PluginCallError).message).toBe('plugin ran out of fuel');
  });

  it('with the default budget (HANDSHAKE_FUEL) a spinning guest is stopped too', async () => {
    const error = await handshakeError(handshakeModule(spin()));
    expect(error.kind).toBe('Timeout');
    expect(error.message).toBe('handshake call exceeded timeout/fuel budget');
  });

  it('output that is not UTF-8 fails inside the call step, with the Rust Utf8Error text', async () => {
    const error = await handshakeError(handshakeModule(output(new Uint8Array([0x7b, 0xff, 0x7d]))));
    expect(error.kind).toBe('Call');
    expect(error.message).toBe('handshake call failed: invalid utf-8 sequence of 1 bytes from index 1');
  });

  it('a non-zero return code without an error text is a Call failure', async () => {
    const error = await handshakeError(handshakeModule(returnCode(7)));
    expect(error.kind).toBe('Call');
    expect(error.message).toBe('handshake call failed: Returned non-zero exit code: 7');
  });

  it('a trap is a Call failure with the engine trap text', async () => {
    const wasm = handshakeModule(trap());
    const plugin = await buildPlugin(wasm, { wallMs: 200, fuel: 10_000_000 });
    const direct = await plugin.call('cc_lb_handshake', '').then(
      () => undefined,
      (e: unknown) => e as PluginCallError,
    );
    await plugin.close();
    expect(direct).toBeInstanceOf(PluginCallError);
    const error = await handshakeError(wasm);
    expect(error.kind).toBe('Call');
    expect(error.message).toBe(`handshake call failed: ${direct?.message}`);
  });

  it('an export that returns 0 without output yields the empty string, which fails to decode', async () => {
    const error = await handshakeError(handshakeModule(noop));
    expect(error.kind).toBe('DecodeAccept');
    expect(error.message).toBe(
      'handshake accept decode failed: EOF while parsing a value at line 1 column 0',
    );
  });

  it('a missing accept key is a decode error', async () => {
    const error = await handshakeError(handshakeModule({ required_capabilities: undefined }));
    expect(error.kind).toBe('DecodeAccept');
    expect(error.reason).toMatch(/^missing field `required_capabilities` at line 1 column \d+$/);
  });

  it('a schema version other than the offer’s', async () => {
    const error = await handshakeError(handshakeModule({ handshake_schema_version: 2 }));
    expect(error.message).toBe(
      'handshake validation failed: handshake schema version mismatch: got 2, expected 1',
    );
  });

  it('a capability the host does not offer (exact, case-sensitive)', async () => {
    const error = await handshakeError(
      handshakeModule({ required_capabilities: ['Streaming'] }),
      buildOffer(['streaming']),
    );
    expect(error.message).toBe(
      "handshake validation failed: required capability 'Streaming' not available in host capabilities",
    );
  });

  it('a plugin may choose a future version the offer includes through functionVersions', async () => {
    const wasm = handshakeModule(
      {
        chosen_versions: { shape: 2 },
        plugin_supported: { shape: [1, 2] },
        implemented_functions: ['shape'],
      },
      { shape: noop },
    );
    const { accept } = await executeHandshake(wasm, buildOffer([], { shape: [1, 2] }));
    expect(accept.chosen_versions.shape).toBe(2);
  });
});

describe('executeHandshake: real plugins', () => {
  it(
    'the shape fixture answers the accept of PROTOCOL.md §4.4',
    async () => {
      const { accept } = await executeHandshake(await fixturePlugin('shape'), buildOffer());
      expect(accept).toEqual({
        handshake_schema_version: 1,
        envelope_version: 1,
        chosen_versions: { shape: 1 },
        plugin_supported: { shape: [1] },
        implemented_functions: ['shape'],
        required_capabilities: [],
      });
    },
    FIXTURE_COMPILE_MS,
  );

  it(
    'options.fuel reaches the instance: the same handshake fails on a 50-unit budget',
    async () => {
      const error = await handshakeError(await fixturePlugin('shape'), buildOffer(), { fuel: 50 });
      expect(error.kind).toBe('Timeout');
    },
    FIXTURE_COMPILE_MS,
  );
});

describe('executeHandshake: shape checks in their order', () => {
  it('more than 16 implemented functions', async () => {
    const names = Array.from({ length: 17 }, (_, i) => `f${String(i).padStart(2, '0')}`);
    const error = await handshakeError(handshakeModule({ implemented_functions: names }));
    expect(error).toMatchObject({ kind: 'ImplementedFunctionCountExceeded', count: 17, max: 16 });
    expect(error.message).toBe('implemented function count 17 exceeds maximum 16');
  });

  it('implemented functions the offer lacks are reported in sorted order', async () => {
    const error = await handshakeError(handshakeModule({ implemented_functions: ['zeta', 'route'] }));
    expect(error).toMatchObject({ kind: 'ImplementedUnknownFunction', function: 'route' });
    expect(error.message).toBe('implemented unknown function: route');
  });

  it('a supported function the offer lacks', async () => {
    const error = await handshakeError(handshakeModule({ plugin_supported: { zzz: [1] } }));
    expect(error.message).toBe('supported unknown function: zzz');
  });

  it('a supported version outside 1..=65535', async () => {
    const error = await handshakeError(handshakeModule({ plugin_supported: { shape: [1, 65_536] } }));
    expect(error).toMatchObject({
      kind: 'SupportedVersionOutOfRange',
      function: 'shape',
      version: 65_536,
      min: 1,
      max: 65_535,
    });
    expect(error.message).toBe('supported version 65536 for function shape outside valid range [1, 65535]');
  });

  it('a chosen function that is not listed as implemented', async () => {
    const error = await handshakeError(
      handshakeModule({ chosen_versions: { shape: 1 }, plugin_supported: { shape: [1] } }, { shape: noop }),
    );
    expect(error.message).toBe('chosen function not listed as implemented: shape');
  });
});
