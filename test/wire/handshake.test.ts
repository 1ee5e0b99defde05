import { describe, expect, it } from 'vitest';
import { decodeWire } from '../../src/wire/decode.js';
import { encodeWire } from '../../src/wire/encode.js';
import { HandshakeValidationError } from '../../src/wire/errors.js';
import {
  HandshakeAccept,
  HandshakeOffer,
  validateAcceptAgainstOffer,
  validateOffer,
} from '../../src/wire/handshake.js';

function offer(functionVersions: Record<string, number[]> = {}, capabilities: string[] = []): HandshakeOffer {
  return {
    handshake_schema_version: 1,
    envelope_version: 1,
    function_versions: functionVersions,
    host_capabilities: capabilities,
  };
}

function accept(parts: Partial<HandshakeAccept> = {}): HandshakeAccept {
  return {
    handshake_schema_version: 1,
    envelope_version: 1,
    chosen_versions: {},
    plugin_supported: {},
    implemented_functions: [],
    required_capabilities: [],
    ...parts,
  };
}

function thrown(run: () => void): HandshakeValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HandshakeValidationError);
    return error as HandshakeValidationError;
  }
  throw new Error('expected a HandshakeValidationError');
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('validateOffer (REFERENCE-CASES §1.3)', () => {
  it('W-27 schema 1, envelope 1, no functions, no capabilities is valid', () => {
    expect(() => validateOffer(offer())).not.toThrow();
  });

  it('W-28 FunctionCountExceeded { count: 33, max: 32 } for 33 function keys', () => {
    const functions = Object.fromEntries(range(0, 32).map((i) => [`fn${i}`, [1]]));
    const error = thrown(() => validateOffer(offer(functions)));
    expect(error).toMatchObject({
      kind: 'FunctionCountExceeded',
      count: 33,
      max: 32,
      message: 'function count 33 exceeds maximum 32',
    });
    expect(error.name).toBe('HandshakeValidationError');
  });

  it('32 function keys are allowed', () => {
    expect(() =>
      validateOffer(offer(Object.fromEntries(range(1, 32).map((i) => [`fn${i}`, [1]])))),
    ).not.toThrow();
  });

  it('W-29 FunctionVersionCountExceeded { function: "route", count: 17, max: 16 } for versions 1..=17', () => {
    expect(thrown(() => validateOffer(offer({ route: range(1, 17) })))).toMatchObject({
      kind: 'FunctionVersionCountExceeded',
      function: 'route',
      count: 17,
      max: 16,
      message: "function 'route' has 17 versions, exceeds maximum 16",
    });
    expect(() => validateOffer(offer({ route: range(1, 16) }))).not.toThrow();
  });

  it('W-30 VersionOutOfRange { version: 0, min: 1, max: 65535 } for a version 0', () => {
    expect(thrown(() => validateOffer(offer({ route: [0] })))).toMatchObject({
      kind: 'VersionOutOfRange',
      version: 0,
      min: 1,
      max: 65535,
      message: 'version 0 outside valid range [1, 65535]',
    });
  });

  it('VersionOutOfRange above 65535, and the first bad version in array order is reported', () => {
    expect(thrown(() => validateOffer(offer({ shape: [1, 65536, 0] })))).toMatchObject({
      kind: 'VersionOutOfRange',
      version: 65536,
    });
    expect(() => validateOffer(offer({ shape: [1, 65535] }))).not.toThrow();
  });

  it('W-31 CapabilityCountExceeded { count: 33, max: 32 } for 33 distinct capabilities', () => {
    const capabilities = range(0, 32).map((i) => `cap${i}`);
    expect(thrown(() => validateOffer(offer({}, capabilities)))).toMatchObject({
      kind: 'CapabilityCountExceeded',
      count: 33,
      max: 32,
      message: 'capability count 33 exceeds maximum 32',
    });
  });

  it('counts capabilities after set de-duplication', () => {
    const capabilities = [...range(1, 32).map((i) => `cap${i}`), 'cap1', 'cap2'];
    expect(() => validateOffer(offer({}, capabilities))).not.toThrow();
  });

  it('walks functions in code-point order, whatever order the object lists them in', () => {
    const functions: Record<string, number[]> = {};
    functions.zeta = range(1, 17);
    functions.alpha = [0];
    expect(thrown(() => validateOffer(offer(functions))).kind).toBe('VersionOutOfRange');
    const astralFirst: Record<string, number[]> = {};
    astralFirst['\u{1f600}'] = range(1, 17);
    astralFirst['\ue000'] = [0];
    // UTF-16 order would visit U+1F600 first and report the version count.
    expect(thrown(() => validateOffer(offer(astralFirst))).kind).toBe('VersionOutOfRange');
  });

  it('checks the key count before any function, and functions before capabilities', () => {
    const functions = Object.fromEntries(range(0, 32).map((i) => [`fn${i}`, [0]]));
    expect(thrown(() => validateOffer(offer(functions))).kind).toBe('FunctionCountExceeded');
    const tooManyCaps = range(0, 40).map((i) => `cap${i}`);
    expect(thrown(() => validateOffer(offer({ shape: [0] }, tooManyCaps))).kind).toBe('VersionOutOfRange');
  });

  it('does not check schema or envelope numbers, empty or duplicate version lists, or names', () => {
    const odd: HandshakeOffer = {
      handshake_schema_version: 0,
      envelope_version: 99,
      function_versions: { '': [], 'Not A Name': [1, 1, 1] },
      host_capabilities: ['UPPER', 'x'.repeat(200)],
    };
    expect(() => validateOffer(odd)).not.toThrow();
  });
});

describe('validateAcceptAgainstOffer (REFERENCE-CASES §1.3)', () => {
  it('W-32 DowngradeAttempt when the plugin chooses below the intersection max', () => {
    const error = thrown(() =>
      validateAcceptAgainstOffer(
        accept({ chosen_versions: { route: 1 }, plugin_supported: { route: [1, 2, 3] } }),
        offer({ route: [1, 2, 3] }),
      ),
    );
    expect(error).toMatchObject({
      kind: 'DowngradeAttempt',
      function: 'route',
      chosen: 1,
      maxIntersection: 3,
      message: "downgrade attempt detected: function 'route' chosen version 1 but max intersection is 3",
    });
  });

  it('DowngradeAttempt uses the intersection, not the offer max nor the plugin max', () => {
    const error = thrown(() =>
      validateAcceptAgainstOffer(
        accept({ chosen_versions: { shape: 1 }, plugin_supported: { shape: [1, 2, 9] } }),
        offer({ shape: [3, 1, 2, 5] }),
      ),
    );
    expect(error).toMatchObject({
      kind: 'DowngradeAttempt',
      function: 'shape',
      chosen: 1,
      maxIntersection: 2,
    });
    expect(() =>
      validateAcceptAgainstOffer(
        accept({ chosen_versions: { shape: 2 }, plugin_supported: { shape: [1, 2, 9] } }),
        offer({ shape: [3, 1, 2, 5] }),
      ),
    ).not.toThrow();
  });

  it('an empty intersection raises nothing, even with a chosen version the plugin does not support', () => {
    expect(() =>
      validateAcceptAgainstOffer(
        accept({ chosen_versions: { shape: 1 }, plugin_supported: { shape: [7] } }),
        offer({ shape: [1, 2] }),
      ),
    ).not.toThrow();
    expect(() =>
      validateAcceptAgainstOffer(
        accept({ chosen_versions: { shape: 1 }, plugin_supported: { shape: [] } }),
        offer({ shape: [1, 2] }),
      ),
    ).not.toThrow();
  });

  it('W-33 ChosenVersionNotOffered { function: "route", version: 99 }', () => {
    expect(
      thrown(() =>
        validateAcceptAgainstOffer(
          accept({ chosen_versions: { route: 99 }, plugin_supported: { route: [1, 2, 3] } }),
          offer({ route: [1, 2] }),
        ),
      ),
    ).toMatchObject({
      kind: 'ChosenVersionNotOffered',
      function: 'route',
      version: 99,
      message: "chosen version not offered: function 'route' version 99 not in offer",
    });
  });

  it('W-34 RequiredCapabilityUnavailable { capability: "trace" }', () => {
    expect(
      thrown(() =>
        validateAcceptAgainstOffer(accept({ required_capabilities: ['trace'] }), offer({}, ['log'])),
      ),
    ).toMatchObject({
      kind: 'RequiredCapabilityUnavailable',
      capability: 'trace',
      message: "required capability 'trace' not available in host capabilities",
    });
  });

  it('capabilities are compared exactly (case-sensitive) and in code-point order', () => {
    expect(
      thrown(() =>
        validateAcceptAgainstOffer(accept({ required_capabilities: ['Log'] }), offer({}, ['log'])),
      ),
    ).toMatchObject({ capability: 'Log' });
    expect(
      thrown(() =>
        validateAcceptAgainstOffer(accept({ required_capabilities: ['zz', 'aa'] }), offer({}, ['log'])),
      ),
    ).toMatchObject({ capability: 'aa' });
    expect(() =>
      validateAcceptAgainstOffer(accept({ required_capabilities: ['log'] }), offer({}, ['log', 'trace'])),
    ).not.toThrow();
  });

  it('W-35 HandshakeSchemaVersionMismatch { got: 2, expected: 1 }', () => {
    expect(
      thrown(() => validateAcceptAgainstOffer(accept({ handshake_schema_version: 2 }), offer())),
    ).toMatchObject({
      kind: 'HandshakeSchemaVersionMismatch',
      got: 2,
      expected: 1,
      message: 'handshake schema version mismatch: got 2, expected 1',
    });
  });

  it('W-36 route:[1,2], shape:[1] with streaming; choosing route 2 and shape 1 is valid', () => {
    const theOffer = offer({ route: [1, 2], shape: [1] }, ['streaming']);
    expect(() => validateOffer(theOffer)).not.toThrow();
    const theAccept = accept({
      chosen_versions: { route: 2, shape: 1 },
      plugin_supported: { route: [1, 2], shape: [1] },
      implemented_functions: ['route', 'shape'],
      required_capabilities: ['streaming'],
    });
    expect(() => validateAcceptAgainstOffer(theAccept, theOffer)).not.toThrow();
  });

  it('ChosenForUnknownFunction when the function is missing from plugin_supported, then from the offer', () => {
    const notSupported = thrown(() =>
      validateAcceptAgainstOffer(accept({ chosen_versions: { shape: 1 } }), offer({ shape: [1] })),
    );
    expect(notSupported).toMatchObject({
      kind: 'ChosenForUnknownFunction',
      function: 'shape',
      message: "chosen for unknown function: 'shape' not in host offer",
    });
    const notOffered = thrown(() =>
      validateAcceptAgainstOffer(
        accept({ chosen_versions: { route: 1 }, plugin_supported: { route: [1] } }),
        offer({ shape: [1] }),
      ),
    );
    expect(notOffered).toMatchObject({ kind: 'ChosenForUnknownFunction', function: 'route' });
  });

  it('an inherited object property never counts as an offered or supported function', () => {
    expect(
      thrown(() =>
        validateAcceptAgainstOffer(
          accept({ chosen_versions: { toString: 1 }, plugin_supported: { toString: [1] } }),
          offer({ shape: [1] }),
        ),
      ),
    ).toMatchObject({ kind: 'ChosenForUnknownFunction', function: 'toString' });
    expect(
      thrown(() =>
        validateAcceptAgainstOffer(accept({ chosen_versions: { constructor: 1 } }), offer({ shape: [1] })),
      ),
    ).toMatchObject({ kind: 'ChosenForUnknownFunction', function: 'constructor' });
  });

  it('walks chosen functions in code-point order, whatever order the object lists them in', () => {
    const chosen: Record<string, number> = {};
    chosen.zeta = 1;
    chosen['\u{1f600}'] = 1;
    chosen['\ue000'] = 1;
    chosen.beta = 99;
    const error = thrown(() =>
      validateAcceptAgainstOffer(
        accept({ chosen_versions: chosen, plugin_supported: { beta: [1], zeta: [1] } }),
        offer({ beta: [1], zeta: [1] }),
      ),
    );
    expect(error).toMatchObject({ kind: 'ChosenVersionNotOffered', function: 'beta' });
    delete chosen.beta;
    expect(
      thrown(() =>
        validateAcceptAgainstOffer(
          accept({ chosen_versions: chosen, plugin_supported: { zeta: [1] } }),
          offer({ zeta: [1] }),
        ),
      ),
    ).toMatchObject({ function: '\ue000' });
  });

  it('the schema check comes first, functions before capabilities, and envelope_version is never compared', () => {
    const broken = accept({
      handshake_schema_version: 3,
      chosen_versions: { shape: 9 },
      required_capabilities: ['x'],
    });
    expect(thrown(() => validateAcceptAgainstOffer(broken, offer({ shape: [1] }))).kind).toBe(
      'HandshakeSchemaVersionMismatch',
    );
    broken.handshake_schema_version = 1;
    expect(thrown(() => validateAcceptAgainstOffer(broken, offer({ shape: [1] }))).kind).toBe(
      'ChosenForUnknownFunction',
    );
    expect(() => validateAcceptAgainstOffer(accept({ envelope_version: 42 }), offer())).not.toThrow();
  });

  it('functions only supported or implemented, without a chosen version, are not examined here', () => {
    const theAccept = accept({
      plugin_supported: { unknown_fn: [0, 70000] },
      implemented_functions: ['not_offered'],
    });
    expect(() => validateAcceptAgainstOffer(theAccept, offer({ shape: [1] }))).not.toThrow();
  });
});

describe('HandshakeOffer and HandshakeAccept JSON', () => {
  it('W-37 a valid offer round-trips; function keys and capabilities serialize sorted', () => {
    const functions: Record<string, number[]> = {};
    functions.shape = [1];
    functions.route = [2, 1];
    const value = offer(functions, ['streaming', 'batching']);
    const text = encodeWire(HandshakeOffer, value);
    expect(text).toBe(
      '{"handshake_schema_version":1,"envelope_version":1,"function_versions":{"route":[2,1],"shape":[1]},"host_capabilities":["batching","streaming"]}',
    );
    expect(decodeWire(HandshakeOffer, text)).toEqual(
      offer({ route: [2, 1], shape: [1] }, ['batching', 'streaming']),
    );
  });

  it('W-38 a valid accept round-trips (the reference shape fixture accept)', () => {
    const text =
      '{"handshake_schema_version":1,"envelope_version":1,"chosen_versions":{"shape":1},"plugin_supported":{"shape":[1]},"implemented_functions":["shape"],"required_capabilities":[]}';
    const value = accept({
      chosen_versions: { shape: 1 },
      plugin_supported: { shape: [1] },
      implemented_functions: ['shape'],
    });
    expect(encodeWire(HandshakeAccept, value)).toBe(text);
    expect(decodeWire(HandshakeAccept, text)).toEqual(value);
  });

  it('duplicate keys inside the maps are last-wins and duplicate set entries collapse', () => {
    const text =
      '{"handshake_schema_version":1,"envelope_version":1,"chosen_versions":{"shape":2,"shape":1},"plugin_supported":{"shape":[2],"shape":[1]},"implemented_functions":["shape","shape"],"required_capabilities":["b","a","b"]}';
    expect(decodeWire(HandshakeAccept, text)).toEqual(
      accept({
        chosen_versions: { shape: 1 },
        plugin_supported: { shape: [1] },
        implemented_functions: ['shape'],
        required_capabilities: ['a', 'b'],
      }),
    );
  });
});
