import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CanonicalOffer,
  canonicalizeOffer,
  canonicalOfferJson,
  hostOfferHash,
  offerHash,
  type RawHandshakeOffer,
  rawOfferOf,
} from '../../src/wire/canonical.js';
import { decodeWire } from '../../src/wire/decode.js';
import { allWireFunctions } from '../../src/wire/functions/index.js';
import type { HandshakeOffer } from '../../src/wire/handshake.js';

function raw(
  schema: number,
  envelope: number,
  entries: [string, number[]][],
  capabilities: string[],
): RawHandshakeOffer {
  return {
    handshake_schema_version: schema,
    envelope_version: envelope,
    function_versions: entries.map(([fn, versions]) => ({ function: fn, versions })),
    host_capabilities: capabilities,
  };
}

const VECTORS: { id: string; input: RawHandshakeOffer; json: string; hash: string }[] = [
  {
    id: 'W-43',
    input: raw(1, 1, [], []),
    json: '{"handshake_schema_version":1,"envelope_version":1,"function_versions":{},"host_capabilities":[]}',
    hash: '13097368d9099cff63c6bbd7ebee48436f2fe29d1a3d4012cebfa2e73a83b168',
  },
  {
    id: 'W-44',
    input: raw(
      1,
      1,
      [
        ['route', [2, 1, 2]],
        ['shape', [1]],
      ],
      ['Streaming', 'streaming'],
    ),
    json: '{"handshake_schema_version":1,"envelope_version":1,"function_versions":{"route":[1,2],"shape":[1]},"host_capabilities":["streaming"]}',
    hash: '96daf92ee1b32bb1acf0845e4036f6fdd663ff637f1f1ee2f8f2c728bb8e073e',
  },
  {
    id: 'W-45',
    input: raw(
      1,
      2,
      [
        ['sign', [3, 1]],
        ['build_signer', [1, 1, 2]],
        ['sign', [2]],
      ],
      ['TRACE-CONTEXT', 'batching', 'trace-context'],
    ),
    json: '{"handshake_schema_version":1,"envelope_version":2,"function_versions":{"build_signer":[1,2],"sign":[1,2,3]},"host_capabilities":["batching","trace-context"]}',
    hash: '67b050f22577dd9d72f890d25e55b7551ea62c9c4ca4d9f18126d8d20b2980b9',
  },
  {
    id: 'W-46',
    input: raw(
      2,
      1,
      [
        ['observe', [5, 4, 5, 1]],
        ['normalize_error', [1]],
        ['on_unauthorized', [2, 1]],
      ],
      ['Canary', 'CANARY', 'audit-log'],
    ),
    json: '{"handshake_schema_version":2,"envelope_version":1,"function_versions":{"normalize_error":[1],"observe":[1,4,5],"on_unauthorized":[1,2]},"host_capabilities":["audit-log","canary"]}',
    hash: '4ce77c14cf3b212290ccb6e3d46882289c43f4db280b7a0dcd28d4e59c573617',
  },
  {
    id: 'W-47',
    input: raw(
      1,
      3,
      ['route', 'shape', 'normalize_error', 'build_signer', 'sign', 'on_unauthorized', 'observe'].map(
        (fn) => [fn, [1]],
      ),
      ['streaming', 'trace-context', 'batching'],
    ),
    json: '{"handshake_schema_version":1,"envelope_version":3,"function_versions":{"build_signer":[1],"normalize_error":[1],"observe":[1],"on_unauthorized":[1],"route":[1],"shape":[1],"sign":[1]},"host_capabilities":["batching","streaming","trace-context"]}',
    hash: '769a843b892afa269db9facd0620b670f50fead7146c85bc8fbff7e7dc88a41c',
  },
];

describe('hash vectors (REFERENCE-CASES §1.4)', () => {
  for (const vector of VECTORS) {
    it(`${vector.id} vector ${VECTORS.indexOf(vector) + 1}: canonical JSON and SHA-256`, () => {
      expect(canonicalOfferJson(vector.input)).toBe(vector.json);
      expect(hostOfferHash(vector.input)).toBe(vector.hash);
      // The hash is over exactly those UTF-8 bytes.
      expect(createHash('sha256').update(Buffer.from(vector.json, 'utf8')).digest('hex')).toBe(vector.hash);
    });
  }

  it('the default offer (every wire function at [1], no capabilities) canonicalizes to itself; derived hash 771e8580…', () => {
    const functionVersions: Record<string, number[]> = {};
    for (const fn of allWireFunctions) functionVersions[fn.name] = [...fn.supportedVersions];
    const defaultOffer: HandshakeOffer = {
      handshake_schema_version: 1,
      envelope_version: 1,
      function_versions: functionVersions,
      host_capabilities: [],
    };
    const json =
      '{"handshake_schema_version":1,"envelope_version":1,"function_versions":{"build_signer":[1],"filter":[1],"normalize_error":[1],"observe":[1],"on_unauthorized":[1],"shape":[1],"sign":[1]},"host_capabilities":[]}';
    expect(canonicalOfferJson(rawOfferOf(defaultOffer))).toBe(json);
    expect(offerHash(defaultOffer)).toBe('771e8580232de17aefe0af04fe5e49b3e8d45f3709d087a3ff4dfbdff6b584b5');
  });

  it('offerHash turns the typed offer into one raw entry per function and the capability set as a list', () => {
    const typed: HandshakeOffer = {
      handshake_schema_version: 1,
      envelope_version: 1,
      function_versions: { shape: [1], route: [2, 1, 2] },
      host_capabilities: ['streaming', 'Streaming'],
    };
    expect(rawOfferOf(typed)).toEqual(
      raw(
        1,
        1,
        [
          ['route', [2, 1, 2]],
          ['shape', [1]],
        ],
        ['Streaming', 'streaming'],
      ),
    );
    expect(offerHash(typed)).toBe(VECTORS[1]!.hash);
  });
});

describe('canonicalizeOffer', () => {
  it('W-40 merges route:[3,1,3] and route:[2,1] into [1,2,3]; Streaming and streaming collapse to streaming', () => {
    const canonical = canonicalizeOffer(
      raw(
        1,
        2,
        [
          ['route', [3, 1, 3]],
          ['route', [2, 1]],
        ],
        ['Streaming', 'streaming'],
      ),
    );
    expect(canonical).toEqual({
      handshake_schema_version: 1,
      envelope_version: 2,
      function_versions: { route: [1, 2, 3] },
      host_capabilities: ['streaming'],
    });
  });

  it('keeps function names exactly (no case folding), lower-cases capabilities in ASCII only', () => {
    const canonical = canonicalizeOffer(
      raw(
        1,
        1,
        [
          ['Shape', [1]],
          ['shape', [2]],
        ],
        ['ÉCLAIR', 'éclair', 'MIXed'],
      ),
    );
    expect(canonical.function_versions).toEqual({ Shape: [1], shape: [2] });
    // Rust to_ascii_lowercase leaves É alone, so the two capabilities stay distinct.
    expect(canonical.host_capabilities).toEqual(['mixed', 'Éclair', 'éclair']);
  });

  it('orders function names and capabilities by code point, not UTF-16', () => {
    const canonical = canonicalizeOffer(
      raw(
        1,
        1,
        [
          ['\u{1f600}', [1]],
          ['\ue000', [1]],
        ],
        ['\u{1f600}', '\ue000'],
      ),
    );
    expect(Object.keys(canonical.function_versions)).toEqual(['\ue000', '\u{1f600}']);
    expect(canonical.host_capabilities).toEqual(['\ue000', '\u{1f600}']);
  });

  it('does not validate: version 0, empty lists and a __proto__ function name are kept', () => {
    const canonical = canonicalizeOffer(
      raw(
        0,
        0,
        [
          ['__proto__', [0, 0]],
          ['empty', []],
        ],
        [],
      ),
    );
    expect(Object.hasOwn(canonical.function_versions, '__proto__')).toBe(true);
    expect(Object.keys(canonical.function_versions)).toEqual(['__proto__', 'empty']);
    expect(canonical.function_versions.empty).toEqual([]);
    expect(
      canonicalOfferJson(
        raw(
          0,
          0,
          [
            ['__proto__', [0, 0]],
            ['empty', []],
          ],
          [],
        ),
      ),
    ).toBe(
      '{"handshake_schema_version":0,"envelope_version":0,"function_versions":{"__proto__":[0],"empty":[]},"host_capabilities":[]}',
    );
  });

  it('does not mutate its input', () => {
    const input = raw(
      1,
      1,
      [
        ['route', [3, 1]],
        ['route', [2]],
      ],
      ['B', 'a'],
    );
    const before = structuredClone(input);
    canonicalizeOffer(input);
    expect(input).toEqual(before);
  });

  it('the canonical JSON decodes back as a CanonicalOffer equal to the canonical value', () => {
    const input = VECTORS[2]!.input;
    expect(decodeWire(CanonicalOffer, canonicalOfferJson(input))).toEqual(canonicalizeOffer(input));
  });
});

/** Reorders items by sort keys, as the reference's keyed permutation does (stable on ties). */
function permute<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items
    .map((item, index) => ({ item, index, key: keys[index] ?? index }))
    .sort((a, b) => a.key - b.key || a.index - b.index)
    .map(({ item }) => item);
}

function shuffled(
  offer: RawHandshakeOffer,
  functionKeys: number[],
  capabilityKeys: number[],
  versionKeys: number[][],
) {
  return {
    ...offer,
    function_versions: permute(offer.function_versions, functionKeys).map((entry, i) => ({
      function: entry.function,
      versions: permute(entry.versions, versionKeys[i] ?? []),
    })),
    host_capabilities: permute(offer.host_capabilities, capabilityKeys),
  };
}

const shuffleKeys = {
  functionKeys: fc.array(fc.nat(), { maxLength: 32 }),
  capabilityKeys: fc.array(fc.nat(), { maxLength: 32 }),
  versionKeys: fc.array(fc.array(fc.nat(), { maxLength: 16 }), { maxLength: 32 }),
};

const REFERENCE_FUNCTIONS = [
  'shape',
  'normalize_error',
  'build_signer',
  'sign',
  'on_unauthorized',
  'observe',
];
const REFERENCE_CAPABILITIES = [
  'Streaming',
  'streaming',
  'BATCHING',
  'batching',
  'Trace-Context',
  'trace-context',
  'CANARY',
  'audit-log',
];

/** The W-41 generator: schema and envelope 0..8, names and capabilities from the reference pools. */
function referenceOffer(functionNames: string[]) {
  return fc.record({
    handshake_schema_version: fc.integer({ min: 0, max: 7 }),
    envelope_version: fc.integer({ min: 0, max: 7 }),
    function_versions: fc.array(
      fc.record({
        function: fc.constantFrom(...functionNames),
        versions: fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 7 }),
      }),
      { maxLength: 23 },
    ),
    host_capabilities: fc.array(fc.constantFrom(...REFERENCE_CAPABILITIES), { maxLength: 23 }),
  });
}

/** Any raw offer: arbitrary names (astral characters included), the whole u32 range. */
const anyOffer = fc.record({
  handshake_schema_version: fc.nat({ max: 4_294_967_295 }),
  envelope_version: fc.nat({ max: 4_294_967_295 }),
  function_versions: fc.array(
    fc.record({
      function: fc.oneof(
        fc.constantFrom('shape', 'Shape', '\ue000', '\u{1f600}'),
        fc.string({ unit: 'binary' }),
      ),
      versions: fc.array(fc.nat({ max: 4_294_967_295 }), { maxLength: 8 }),
    }),
    { maxLength: 24 },
  ),
  host_capabilities: fc.array(
    fc.oneof(
      fc.constantFrom(...REFERENCE_CAPABILITIES, '\ue000', '\u{1f600}'),
      fc.string({ unit: 'binary' }),
    ),
    { maxLength: 24 },
  ),
});

describe('shuffle invariance (properties)', () => {
  it('W-39 any raw offer: permuting entries, version lists and capabilities changes neither the canonical offer nor the hash', () => {
    fc.assert(
      fc.property(
        anyOffer,
        shuffleKeys.functionKeys,
        shuffleKeys.capabilityKeys,
        shuffleKeys.versionKeys,
        (o, f, c, v) => {
          const other = shuffled(o, f, c, v);
          expect(canonicalizeOffer(other)).toEqual(canonicalizeOffer(o));
          expect(canonicalOfferJson(other)).toBe(canonicalOfferJson(o));
          expect(hostOfferHash(other)).toBe(hostOfferHash(o));
        },
      ),
      { numRuns: 300 },
    );
  });

  for (const [label, names] of [
    ['the six v1 names', REFERENCE_FUNCTIONS],
    ['the six v1 names and route', [...REFERENCE_FUNCTIONS, 'route']],
  ] as const) {
    it(`W-41 1 000 reference-shaped offers over ${label}: the hash is shuffle-invariant`, () => {
      fc.assert(
        fc.property(
          referenceOffer([...names]),
          shuffleKeys.functionKeys,
          shuffleKeys.capabilityKeys,
          shuffleKeys.versionKeys,
          (o, f, c, v) => {
            expect(hostOfferHash(shuffled(o, f, c, v))).toBe(hostOfferHash(o));
          },
        ),
        { numRuns: 1000 },
      );
    });
  }

  it('the property can fail: a hash over the raw (non-canonical) order is not shuffle-invariant', () => {
    const naive = (o: RawHandshakeOffer) => createHash('sha256').update(JSON.stringify(o)).digest('hex');
    const o = raw(
      1,
      1,
      [
        ['shape', [1]],
        ['sign', [2]],
      ],
      ['a', 'b'],
    );
    expect(naive(shuffled(o, [1, 0], [], []))).not.toBe(naive(o));
    expect(hostOfferHash(shuffled(o, [1, 0], [], []))).toBe(hostOfferHash(o));
  });
});

describe('W-42 mutations change both the canonical JSON and the hash', () => {
  const mutations: [string, (o: RawHandshakeOffer) => RawHandshakeOffer][] = [
    ['schema + 1', (o) => ({ ...o, handshake_schema_version: o.handshake_schema_version + 1 })],
    ['envelope + 1', (o) => ({ ...o, envelope_version: o.envelope_version + 1 })],
    [
      'append function collision_check_function [1]',
      (o) => ({
        ...o,
        function_versions: [...o.function_versions, { function: 'collision_check_function', versions: [1] }],
      }),
    ],
    [
      'append capability collision-check-capability',
      (o) => ({ ...o, host_capabilities: [...o.host_capabilities, 'collision-check-capability'] }),
    ],
  ];

  for (const [label, mutate] of mutations) {
    it(`W-42 ${label}`, () => {
      fc.assert(
        fc.property(referenceOffer([...REFERENCE_FUNCTIONS, 'route']), (base) => {
          const mutated = mutate(base);
          expect(canonicalOfferJson(mutated)).not.toBe(canonicalOfferJson(base));
          expect(hostOfferHash(mutated)).not.toBe(hostOfferHash(base));
        }),
        { numRuns: 200 },
      );
    });
  }
});

/**
 * W-48: the reference forbids hash-based collections in its handshake and canonical modules so no
 * iteration order can depend on hashing. Our equivalent hazard is insertion order: a Map, a Set
 * or a plain object's key order follows the JSON text. So the two modules must not build Maps or
 * Sets, must not enumerate object keys themselves, and every sort must name its comparator; they
 * iterate through ordered.ts instead.
 */
const ORDER_HAZARDS: [RegExp, string][] = [
  [/\bnew\s+(Weak)?Map\b/, 'builds a Map (insertion-ordered)'],
  [/\bnew\s+(Weak)?Set\b/, 'builds a Set (insertion-ordered)'],
  [
    /\bObject\s*\.\s*(keys|values|entries|getOwnPropertyNames)\s*\(/,
    'enumerates object keys without sorting them',
  ],
  [/\bReflect\s*\.\s*ownKeys\s*\(/, 'enumerates object keys without sorting them'],
  [/\bfor\s*\(\s*(const|let|var)\s+\w+\s+in\b/, 'uses for…in (insertion order)'],
  [/\.sort\(\s*\)/, 'sorts without a comparator (UTF-16 order)'],
  [/\.toSorted\(\s*\)/, 'sorts without a comparator (UTF-16 order)'],
  [/\blocaleCompare\b/, 'compares with locale rules'],
  [/\bJSON\s*\.\s*stringify\b/, 'serializes in insertion order instead of through the wire encoder'],
];

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

function orderHazards(source: string): string[] {
  const found: string[] = [];
  withoutComments(source)
    .split('\n')
    .forEach((line, index) => {
      for (const [pattern, why] of ORDER_HAZARDS)
        if (pattern.test(line)) found.push(`${index + 1}: ${why}: ${line.trim()}`);
    });
  return found;
}

describe('W-48 structural rule', () => {
  const files = ['handshake.ts', 'canonical.ts'].map((name) => ({
    name,
    source: readFileSync(new URL(`../../src/wire/${name}`, import.meta.url), 'utf8'),
  }));

  it('W-48 handshake.ts and canonical.ts (exactly two files) contain no insertion-ordered iteration and go through ordered.ts', () => {
    expect(files).toHaveLength(2);
    for (const { name, source } of files) {
      expect({ name, hazards: orderHazards(source) }).toEqual({ name, hazards: [] });
      expect(source).toMatch(/from '\.\/ordered\.js'/);
      expect(source).toMatch(/\bsorted(Keys|Unique)\(/);
    }
  });

  it('W-48 the scanner catches each hazard it names (so the rule cannot pass vacuously)', () => {
    const offending = [
      'const m = new Map<string, number>();',
      'const s = new Set(xs);',
      'for (const k of Object.keys(record)) {}',
      'for (const k in record) {}',
      'names.sort();',
      'a.localeCompare(b);',
      'const text = JSON.stringify(offer);',
    ];
    for (const line of offending) expect(orderHazards(line), line).toHaveLength(1);
    expect(orderHazards('// new Map() in a comment is fine\nnames.sort(compareCodePoints);')).toEqual([]);
  });
});
