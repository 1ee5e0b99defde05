import { beforeAll, describe, expect, it } from 'vitest';
import { HandshakeError } from '../../src/conformance/errors.js';
import { handshake, identityReadToHandshakeError } from '../../src/conformance/handshake.js';
import { plugin } from '../../src/conformance/plugin-under-test.js';
import { HandshakeExecutionError, IdentityReadError, readIdentity } from '../../src/host/index.js';
import { fail, output, spin, trap, withCustomSection } from '../../src/wat/index.js';
import { fixturePlugin } from '../support/fixture-plugins.js';
import { acceptFor, guestModule } from '../support/guest-modules.js';

// Compiling a fixture from its AssemblyScript source can take seconds on a cold cache.
beforeAll(async () => {
  await Promise.all([fixturePlugin('observe'), fixturePlugin('shape')]);
}, 120_000);

async function handshakeError(
  wasm: Parameters<typeof handshake.run>[0],
  options?: Parameters<typeof handshake.run>[1],
): Promise<HandshakeError> {
  const error = await handshake.run(wasm, options).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HandshakeError);
  return error as HandshakeError;
}

/** The host error a conformance error was mapped from. */
function hostCause(error: HandshakeError): HandshakeExecutionError {
  expect(error.cause).toBeInstanceOf(HandshakeExecutionError);
  return error.cause as HandshakeExecutionError;
}

const shapeGuest = (accept = acceptFor('shape')) =>
  guestModule({ handshake: accept, handlers: { shape: output('{}') } });

describe('handshake.run with the fixture plugins', () => {
  it('T-01: the shape fixture negotiates shape 1', async () => {
    const report = await handshake.run(await fixturePlugin('shape'));
    expect(report).toEqual({
      chosenVersions: { shape: 1 },
      envelopeVersion: 1,
      identity: { name: 'conformance-shape', version: '0.0.0-test', abiEnvelope: 1 },
      negotiatedCapabilities: [],
      fuelConsumed: expect.any(Number),
    });
    expect(report.fuelConsumed).toBeGreaterThan(0);
  });

  it('the observe fixture refuses without its capability, parsed as MissingCapability (§8.2 example)', async () => {
    const error = await handshakeError(await fixturePlugin('observe'));
    expect(error.kind).toBe('MissingCapability');
    expect(error).toMatchObject({ name: 'observability:emit' });
    expect(error.message).toBe('missing host capability: observability:emit');
    expect(hostCause(error).kind).toBe('Call');
  });

  it('the observe fixture negotiates its capability when offered, via options or the descriptor', async () => {
    const wasm = await fixturePlugin('observe');
    const viaOptions = await handshake.run(wasm, { capabilities: ['observability:emit'] });
    expect(viaOptions.negotiatedCapabilities).toEqual(['observability:emit']);
    const viaDescriptor = await handshake.run(plugin(wasm, { capabilities: ['observability:emit'] }));
    expect(viaDescriptor.chosenVersions).toEqual({ observe: 1 });
    // explicit options replace the descriptor's capabilities
    const replaced = await handshakeError(plugin(wasm, { capabilities: ['observability:emit'] }), {
      capabilities: [],
    });
    expect(replaced.kind).toBe('MissingCapability');
  });
});

describe('handshake.run maps every host error (PROTOCOL.md §8.2)', () => {
  it('a valid WAT guest reports the accept', async () => {
    const report = await handshake.run(shapeGuest());
    expect(report).toMatchObject({
      chosenVersions: { shape: 1 },
      identity: { name: 'test-plugin', version: '1.0.0', abiEnvelope: 1 },
    });
  });

  it('reports chosenVersions in the reference BTreeMap order, not the order the guest wrote', async () => {
    const accept =
      '{"handshake_schema_version":1,"envelope_version":1,' +
      '"chosen_versions":{"shape":1,"observe":1,"filter":1},' +
      '"plugin_supported":{"shape":[1],"observe":[1],"filter":[1]},' +
      '"implemented_functions":["shape","observe","filter"],"required_capabilities":[]}';
    const wasm = guestModule({
      handshake: output(accept),
      handlers: { shape: output('{}'), observe: output('{}'), filter: output('{}') },
    });
    const report = await handshake.run(wasm);
    expect(Object.keys(report.chosenVersions)).toEqual(['filter', 'observe', 'shape']);
    expect(report.chosenVersions).toEqual({ filter: 1, observe: 1, shape: 1 });
  });

  it('Validation(FunctionVersionCountExceeded) → InvalidIdentity function_versions', async () => {
    const versions = Array.from({ length: 17 }, (_, i) => i + 1);
    const error = await handshakeError(shapeGuest(), { functionVersions: { shape: versions } });
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'function_versions',
      reason: "handshake validation failed: function 'shape' has 17 versions, exceeds maximum 16",
    });
    expect(error.message).toBe(
      "invalid identity field function_versions: handshake validation failed: function 'shape' has 17 versions, exceeds maximum 16",
    );
  });

  it('Validation(VersionOutOfRange) → InvalidIdentity function_versions', async () => {
    const error = await handshakeError(shapeGuest(), { functionVersions: { shape: [0] } });
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'function_versions',
      reason: 'handshake validation failed: version 0 outside valid range [1, 65535]',
    });
  });

  it('Validation(FunctionCountExceeded) → InvalidIdentity function_versions', async () => {
    const extra = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`future_fn_${i}`, [1]]));
    const error = await handshakeError(shapeGuest(), { functionVersions: extra as never });
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'function_versions',
      reason: 'handshake validation failed: function count 33 exceeds maximum 32',
    });
  });

  it('X-11: 33 capabilities → InvalidIdentity host_capabilities, before instantiation', async () => {
    const capabilities = Array.from({ length: 33 }, (_, i) => `cap_${i}`);
    // an unbuildable module proves the offer is rejected before any instance is made
    const error = await handshakeError(guestModule({ userHostImport: true }), { capabilities });
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'host_capabilities',
      reason: 'handshake validation failed: capability count 33 exceeds maximum 32',
    });
  });

  it('Validation(ChosenVersionNotOffered) → InvalidIdentity chosen_versions', async () => {
    const error = await handshakeError(
      shapeGuest({
        ...acceptFor('shape'),
        chosen_versions: { shape: 2 },
        plugin_supported: { shape: [1, 2] },
      }),
    );
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'chosen_versions',
      reason:
        "handshake validation failed: chosen version not offered: function 'shape' version 2 not in offer",
    });
  });

  it('X-02: Validation(ChosenForUnknownFunction) → InvalidIdentity chosen_versions', async () => {
    const error = await handshakeError(shapeGuest({ ...acceptFor('shape'), plugin_supported: {} }));
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'chosen_versions',
      reason: "handshake validation failed: chosen for unknown function: 'shape' not in host offer",
    });
  });

  it('Validation(DowngradeAttempt) → DowngradeAttempt with the offered max and the choice', async () => {
    const error = await handshakeError(
      shapeGuest({ ...acceptFor('shape'), plugin_supported: { shape: [1, 2, 3] } }),
      {
        functionVersions: { shape: [1, 2, 3] },
      },
    );
    expect(error).toMatchObject({
      kind: 'DowngradeAttempt',
      function: 'shape',
      hostOfferedMax: 3,
      pluginChose: 1,
    });
    expect(error.message).toBe('downgrade attempt for function shape: host offered max 3, plugin chose 1');
    expect(hostCause(error).message).toBe(
      "handshake validation failed: downgrade attempt detected: function 'shape' chosen version 1 but max intersection is 3",
    );
  });

  it('functionVersions lets a plugin negotiate a future version', async () => {
    const accept = {
      ...acceptFor('shape'),
      chosen_versions: { shape: 2 },
      plugin_supported: { shape: [1, 2] },
    };
    const report = await handshake.run(shapeGuest(accept), { functionVersions: { shape: [1, 2] } });
    expect(report.chosenVersions).toEqual({ shape: 2 });
  });

  it('Validation(RequiredCapabilityUnavailable) → MissingCapability', async () => {
    const error = await handshakeError(
      shapeGuest({ ...acceptFor('shape'), required_capabilities: ['trace'] }),
    );
    expect(error).toMatchObject({ kind: 'MissingCapability', name: 'trace' });
    expect(error.message).toBe('missing host capability: trace');
    expect(hostCause(error).kind).toBe('Validation');
  });

  it('Validation(HandshakeSchemaVersionMismatch) → InvalidIdentity handshake_schema_version', async () => {
    const error = await handshakeError(shapeGuest({ ...acceptFor('shape'), handshake_schema_version: 2 }));
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'handshake_schema_version',
      reason: 'handshake validation failed: handshake schema version mismatch: got 2, expected 1',
    });
  });

  it('Instantiate → Instantiate with the inner reason', async () => {
    const error = await handshakeError(guestModule({ userHostImport: true }));
    const host = hostCause(error);
    expect(host.kind).toBe('Instantiate');
    expect(error).toMatchObject({ kind: 'Instantiate', reason: host.reason });
    expect(error.message).toBe(`plugin instantiation failed: ${host.reason}`);
    expect(error.message).toMatch(/cc_lb_log/);
  });

  it('MissingHandshakeExport → MissingExport', async () => {
    const error = await handshakeError(guestModule({ handshake: false }));
    expect(error.kind).toBe('MissingExport');
    expect(error.message).toBe('plugin does not export cc_lb_handshake');
  });

  it('DecodeAccept → Serialization with the inner (serde) reason', async () => {
    const error = await handshakeError(guestModule({ handshake: output('not json') }));
    expect(hostCause(error).kind).toBe('DecodeAccept');
    expect(error).toMatchObject({ kind: 'Serialization', reason: 'expected ident at line 1 column 2' });
    expect(error.message).toBe('handshake serialization failed: expected ident at line 1 column 2');
  });

  it('Call with the capability-refusal text → MissingCapability', async () => {
    const error = await handshakeError(
      guestModule({ handshake: fail("required capability 'storage' not available in host capabilities") }),
    );
    expect(error).toMatchObject({ kind: 'MissingCapability', name: 'storage' });
  });

  it('Call with any other text → WasmTrap with the inner reason', async () => {
    const error = await handshakeError(guestModule({ handshake: fail('guest refused the offer') }));
    expect(hostCause(error)).toMatchObject({ kind: 'Call', reason: 'guest refused the offer' });
    expect(error).toMatchObject({ kind: 'WasmTrap', reason: 'guest refused the offer' });
    expect(error.message).toBe('wasm execution failed: guest refused the offer');
  });

  it('Call from a trap → WasmTrap with the trap text', async () => {
    const error = await handshakeError(guestModule({ handshake: trap() }));
    const host = hostCause(error);
    expect(host.kind).toBe('Call');
    expect(error).toMatchObject({ kind: 'WasmTrap', reason: host.reason });
  });

  it('X-10: a guest error mentioning fuel → Timeout → WasmTrap with the fixed reason', async () => {
    const error = await handshakeError(guestModule({ handshake: fail('Out Of Fuel') }));
    expect(hostCause(error).kind).toBe('Timeout');
    expect(error).toMatchObject({ kind: 'WasmTrap', reason: 'handshake call exceeded timeout/fuel budget' });
    expect(error.message).toBe('wasm execution failed: handshake call exceeded timeout/fuel budget');
  });

  it('a fuel-exhausting handshake → WasmTrap with the fixed reason', async () => {
    const error = await handshakeError(guestModule({ handshake: spin() }));
    expect(hostCause(error).kind).toBe('Timeout');
    expect(error).toMatchObject({ kind: 'WasmTrap', reason: 'handshake call exceeded timeout/fuel budget' });
  });

  it('the descriptor fuel limit reaches the handshake call', async () => {
    const wasm = await fixturePlugin('shape');
    const error = await handshakeError(plugin(wasm, { fuel: 500 }));
    expect(error).toMatchObject({ kind: 'WasmTrap', reason: 'handshake call exceeded timeout/fuel budget' });
  });

  it('OutputTooLarge → Serialization with the whole host message', async () => {
    const error = await handshakeError(guestModule({ handshake: output('x'.repeat(32_769)) }));
    expect(error).toMatchObject({
      kind: 'Serialization',
      reason: 'handshake output size 32769 exceeds maximum 32768',
    });
  });

  it('ImplementedFunctionCountExceeded → InvalidIdentity implemented_functions', async () => {
    const implemented = Array.from({ length: 17 }, (_, i) => `fn_${String(i).padStart(2, '0')}`);
    const error = await handshakeError(guestModule({ handshake: { implemented_functions: implemented } }));
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'implemented_functions',
      reason: 'implemented function count 17 exceeds maximum 16',
    });
  });

  it('ImplementedUnknownFunction → InvalidIdentity implemented_functions', async () => {
    const error = await handshakeError(guestModule({ handshake: { implemented_functions: ['route'] } }));
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'implemented_functions',
      reason: 'implemented unknown function: route',
    });
  });

  it('X-03: UndeclaredExport → InvalidIdentity implemented_functions', async () => {
    const error = await handshakeError(guestModule({ handlers: { sign: output('{}') } }));
    expect(hostCause(error).kind).toBe('UndeclaredExport');
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'implemented_functions',
      reason: 'undeclared wire function export present: sign',
    });
    expect(error.message).toBe(
      'invalid identity field implemented_functions: undeclared wire function export present: sign',
    );
  });

  it('SupportedUnknownFunction → InvalidIdentity plugin_supported', async () => {
    const error = await handshakeError(guestModule({ handshake: { plugin_supported: { route: [1] } } }));
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'plugin_supported',
      reason: 'supported unknown function: route',
    });
  });

  it('SupportedVersionOutOfRange → InvalidIdentity plugin_supported', async () => {
    const error = await handshakeError(guestModule({ handshake: { plugin_supported: { shape: [0] } } }));
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'plugin_supported',
      reason: 'supported version 0 for function shape outside valid range [1, 65535]',
    });
  });

  it('ChosenFunctionNotImplemented → FunctionMissing', async () => {
    const error = await handshakeError(shapeGuest({ ...acceptFor('shape'), implemented_functions: [] }));
    expect(hostCause(error).kind).toBe('ChosenFunctionNotImplemented');
    expect(error).toMatchObject({ kind: 'FunctionMissing', name: 'shape' });
    expect(error.message).toBe('declared function missing wasm export: shape');
  });

  it('X-01: ChosenVersionNotSupported → InvalidIdentity chosen_versions', async () => {
    const error = await handshakeError(
      shapeGuest({ ...acceptFor('shape'), plugin_supported: { shape: [2] } }),
    );
    expect(hostCause(error).kind).toBe('ChosenVersionNotSupported');
    expect(error).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'chosen_versions',
      reason: 'chosen version 1 for function shape not listed as plugin-supported',
    });
  });

  it('H-13: DeclaredFunctionMissing → FunctionMissing', async () => {
    const error = await handshakeError(guestModule({ handshake: acceptFor('shape') }));
    expect(hostCause(error).kind).toBe('DeclaredFunctionMissing');
    expect(error).toMatchObject({ kind: 'FunctionMissing', name: 'shape' });
  });
});

describe('handshake.run maps identity read errors by field (after a successful handshake)', () => {
  it.each([
    [{ identity: false } as const, 'custom_section', 'missing cc_lb.plugin.v1 custom section'],
    [
      { identity: { magic: [0, 0, 0, 0, 0, 0, 0, 0] } },
      'magic',
      'magic mismatch in cc_lb.plugin.v1 custom section',
    ],
    [
      { identity: '{' },
      'payload',
      'malformed cc_lb.plugin.v1 payload: EOF while parsing an object at line 1 column 1',
    ],
    [
      { identity: { plugin_name: 'Bad' } },
      'name',
      'invalid plugin identity: plugin name does not match pattern ^[a-z][a-z0-9_-]*$ (max 64 bytes)',
    ],
    [{ identity: { plugin_name: '' } }, 'name', 'invalid plugin identity: plugin name is empty'],
    [{ identity: { plugin_version: '' } }, 'version', 'invalid plugin identity: plugin version is empty'],
    [
      { identity: { plugin_version: 'v'.repeat(33) } },
      'version',
      'invalid plugin identity: plugin version exceeds max length of 32 bytes',
    ],
  ])('%o → InvalidIdentity %s', async (spec, field, reason) => {
    const error = await handshakeError(guestModule(spec));
    expect(error).toMatchObject({ kind: 'InvalidIdentity', field, reason });
    expect(error.cause).toBeInstanceOf(IdentityReadError);
  });

  it('a duplicate or oversized section → custom_section', async () => {
    const twice = withCustomSection(guestModule(), 'cc_lb.plugin.v1', '{}');
    expect(await handshakeError(twice)).toMatchObject({
      field: 'custom_section',
      reason: 'duplicate cc_lb.plugin.v1 custom section',
    });
    const big = guestModule({ identity: ' '.repeat(65_537) });
    expect(await handshakeError(big)).toMatchObject({
      field: 'custom_section',
      reason: 'cc_lb.plugin.v1 custom section is 65537 bytes, max 65536',
    });
  });

  it('a wasm parse error maps to field wasm (checked on the mapping: such a module cannot handshake)', () => {
    let readError: unknown;
    try {
      readIdentity(new TextEncoder().encode('not wasm'));
    } catch (error) {
      readError = error;
    }
    expect(readError).toBeInstanceOf(IdentityReadError);
    const mapped = identityReadToHandshakeError(readError as IdentityReadError);
    expect(mapped).toMatchObject({
      kind: 'InvalidIdentity',
      field: 'wasm',
      reason: (readError as Error).message,
    });
    expect(mapped.message).toMatch(/^invalid identity field wasm: invalid wasm: /);
  });

  it('a handshake error hides an identity error (the handshake runs first)', async () => {
    const error = await handshakeError(guestModule({ identity: false, handshake: false }));
    expect(error.kind).toBe('MissingExport');
  });
});
