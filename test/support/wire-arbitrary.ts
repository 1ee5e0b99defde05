/**
 * Test support: fast-check arbitraries for values of any wire schema, derived from its serde plan.
 * `clean` values are what a well-behaved caller passes (in range, finite, well-formed strings);
 * `hostile` ones add what a hand-built value can hold: non-finite and f32-overflowing floats,
 * unsafe and out-of-range integers, lone surrogates and look-alikes, `__proto__` and astral keys,
 * absent and `undefined` omittables, wrong types and wrong fixed lengths.
 */
import type { TSchema } from '@sinclair/typebox';
import fc from 'fast-check';
import { encodeWire } from '../../src/wire/encode.js';
import { formatF64 } from '../../src/wire/float-text.js';
import { type JsonNode, parseJsonValue } from '../../src/wire/json.js';
import { compile, type Dec, type StructDec } from '../../src/wire/serde-plan.js';

export type Flavour = 'clean' | 'hostile';

const cleanText = fc.string({ unit: 'grapheme', maxLength: 6 });
const hostileText = fc.oneof(
  cleanText,
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('\ud800', 'a\udc00b', '\\ud800', 'C:\\udir', '\u{1F600}', '\uE000', '"\\\n\u0001'),
);
const cleanKey = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 4 }),
  fc.constantFrom('_v', 'kind', 'a', 'b', 'Z', '_', '\u{1F600}', '\uE000', 'é'),
);
const hostileKey = fc.oneof(cleanKey, hostileText, fc.constant('__proto__'));

/** Plain objects from entries, with `__proto__` as an own key rather than the prototype. */
function objectOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function dictionary(key: fc.Arbitrary<string>, value: fc.Arbitrary<unknown>): fc.Arbitrary<object> {
  return fc.array(fc.tuple(key, value), { maxLength: 4 }).map(objectOf);
}

const cleanNumber = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0.1, 1.5, 1e-7, 1e300, 0.30000000000000004),
);
const hostileNumber = fc.oneof(
  cleanNumber,
  fc.double(),
  fc.constantFrom(-0, 1e21, 2 ** 60, -(2 ** 63), 2 ** 64, 1.7976931348623157e308, Number.NaN),
);
const bigints = (flavour: Flavour) =>
  flavour === 'clean'
    ? fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n })
    : fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n });

/** serde_json::Value as a caller would hold it (`JsonValue`), bigints included. */
export function anyValueArbitrary(flavour: Flavour): fc.Arbitrary<unknown> {
  const key = flavour === 'clean' ? cleanKey : hostileKey;
  const leaf = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    flavour === 'clean' ? cleanNumber : hostileNumber,
    bigints(flavour),
    flavour === 'clean' ? cleanText : hostileText,
    ...(flavour === 'hostile' ? [fc.constant(undefined)] : []),
  );
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 3 }),
      dictionary(key, tie('value')),
    ),
  }));
  return value;
}

function intArbitrary(dec: Extract<Dec, { t: 'int' }>, flavour: Flavour): fc.Arbitrary<unknown> {
  const min = Math.max(dec.minN, Number.MIN_SAFE_INTEGER);
  const max = Math.min(dec.maxN, Number.MAX_SAFE_INTEGER);
  const clean: fc.Arbitrary<unknown>[] = [
    fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }),
    fc.constantFrom(min, max),
  ];
  if (dec.wide) clean.push(fc.bigInt({ min: dec.min, max: dec.max }));
  if (flavour === 'clean') return fc.oneof(...clean);
  return fc.oneof(
    ...clean,
    bigints('hostile'),
    fc.constantFrom(-0, 2 ** 60, 1e21, 1.5, Number.NaN, '1', null),
  );
}

function structArbitrary(
  dec: StructDec,
  flavour: Flavour,
  head: Record<string, unknown> = {},
): fc.Arbitrary<unknown> {
  const fields = dec.fields.map((field) => {
    const value = arbitraryOf(field.dec, flavour);
    // an omittable field may be absent as well as null or undefined
    return field.dec.t === 'opt' && field.dec.omit ? fc.option(value, { nil: ABSENT }) : value;
  });
  return fc.tuple(...fields).map((values) => {
    const out: Record<string, unknown> = { ...head };
    dec.fields.forEach((field, k) => {
      if (values[k] !== ABSENT) out[field.name] = values[k];
    });
    return out;
  });
}

const ABSENT: unique symbol = Symbol('absent');

function arbitraryOf(dec: Dec, flavour: Flavour): fc.Arbitrary<unknown> {
  const text = flavour === 'clean' ? cleanText : hostileText;
  const wrong = fc.constantFrom(42, 'text', true, [], {});
  const withWrong = (arb: fc.Arbitrary<unknown>) =>
    flavour === 'clean' ? arb : fc.oneof({ arbitrary: arb, weight: 9 }, { arbitrary: wrong, weight: 1 });
  switch (dec.t) {
    case 'str':
      return withWrong(text);
    case 'bool':
      return withWrong(fc.boolean());
    case 'int':
      return intArbitrary(dec, flavour);
    case 'float': {
      const values = dec.f32
        ? fc.oneof(
            fc.float({ noNaN: true, noDefaultInfinity: true }),
            fc.constantFrom(0.1, 0.5, 1e-7, 3.4e38, 1),
          )
        : cleanNumber;
      return flavour === 'clean'
        ? values
        : fc.oneof(
            values,
            hostileNumber,
            fc.constantFrom(1e39, -1e39, 1e-50),
            fc.bigInt({ min: 0n, max: 10n }),
          );
    }
    case 'any':
      return anyValueArbitrary(flavour);
    case 'opt': {
      const inner = arbitraryOf(dec.inner, flavour);
      return flavour === 'clean'
        ? fc.option(inner, { nil: null })
        : fc.oneof(inner, fc.constantFrom(null, undefined));
    }
    case 'struct':
      return withWrong(structArbitrary(dec, flavour));
    case 'list':
      return withWrong(fc.array(arbitraryOf(dec.item, flavour), { maxLength: 3 }));
    case 'fixed': {
      const item = arbitraryOf(dec.item, flavour);
      const exact = fc.array(item, { minLength: dec.length, maxLength: dec.length });
      return flavour === 'clean' ? exact : fc.oneof(exact, fc.array(item, { maxLength: dec.length + 1 }));
    }
    case 'set':
      return withWrong(fc.array(flavour === 'clean' ? cleanKey : hostileKey, { maxLength: 4 }));
    case 'map':
      return withWrong(
        dictionary(flavour === 'clean' ? cleanKey : hostileKey, arbitraryOf(dec.value, flavour)),
      );
    case 'enum':
      return flavour === 'clean'
        ? fc.constantFrom(...dec.values)
        : fc.oneof(fc.constantFrom(...dec.values), text);
    case 'tagged': {
      const variants = [...dec.variants.values()].map((variant) =>
        variant.struct === null
          ? fc.constant({ [dec.tag]: variant.name })
          : structArbitrary(variant.struct, flavour, { [dec.tag]: variant.name }),
      );
      return flavour === 'clean'
        ? fc.oneof(...variants)
        : fc.oneof(...variants, fc.constant({ [dec.tag]: 'nope' }));
    }
  }
}

/** Values of the schema's Rust type as a caller would hand them over. */
export function wireArbitrary(schema: TSchema, flavour: Flavour = 'clean'): fc.Arbitrary<unknown> {
  return arbitraryOf(compile(schema), flavour);
}

/** A small deterministic generator, so that one fast-check integer drives every edit of a text. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `_v` members a guest might answer with (the envelope's version is 1): right, wrong, absent, twice. */
const VERSION_MEMBERS: readonly (readonly string[])[] = [
  ['1'],
  ['1'],
  ['1'],
  ['1'],
  ['2'],
  ['0'],
  ['"1"'],
  ['1.0'],
  ['-1'],
  ['-0'],
  ['1e0'],
  ['null'],
  ['18446744073709551615'],
  ['18446744073709551616'],
  [],
  ['2', '1'],
  ['1', '2'],
  ['1', '1'],
];

const SPACES = [' ', '\n', '\t', '\r', '  '];
const NOISE = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  '0',
  '1',
  '-',
  '.',
  'e',
  'n',
  't',
  '\\',
  ' ',
  '\u00e9',
  '\ud800',
];

/**
 * Texts a guest might answer for the schema: the serde_json text of a generated response, with
 * `_v` members inserted, and — per a seeded coin — keys reordered, members duplicated or added,
 * integers written as floats, whitespace inserted, a character changed or the text cut short.
 * About half the texts are untouched apart from `_v`.
 */
export function envelopeTextArbitrary(schema: TSchema): fc.Arbitrary<string> {
  return fc.tuple(wireArbitrary(schema, 'clean'), fc.nat(), fc.boolean()).map(([value, seed, untouched]) => {
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const chance = (p: number) => !untouched && next() < p;
    const space = () => (chance(0.08) ? pick(SPACES) : '');
    const write = (node: JsonNode, top: boolean): string => {
      switch (node.type) {
        case 'null':
          return 'null';
        case 'bool':
          return String(node.value);
        case 'int':
          return chance(0.03) ? `${node.value}.0` : node.value.toString();
        case 'float':
          return Number.isFinite(node.value) ? formatF64(node.value) : 'null';
        case 'string':
          return JSON.stringify(node.value);
        case 'array':
          return `[${space()}${node.items.map((item) => write(item, false)).join(`${space()},${space()}`)}${space()}]`;
        case 'object': {
          const members = [...node.entries].map(
            ([key, child]) => `${JSON.stringify(key)}${space()}:${space()}${write(child, false)}`,
          );
          if (chance(0.1) && node.entries.size > 0) {
            const [key] = pick([...node.entries]);
            members.push(`${JSON.stringify(key)}:${pick(['null', '0', '"x"', '[]', '{}'])}`);
          }
          if (chance(0.05)) members.push(`${JSON.stringify(pick(['zz', 'kind', '_v', 'A']))}:0`);
          if (top) {
            const versions = untouched ? ['1'] : pick(VERSION_MEMBERS);
            for (const v of versions)
              members.splice(Math.floor(next() * (members.length + 1)), 0, `"_v":${v}`);
          }
          if (chance(0.5)) members.sort(() => next() - 0.5);
          return `{${space()}${members.join(`${space()},${space()}`)}${space()}}`;
        }
      }
    };
    let text = write(parseJsonValue(encodeWire(schema, value as never)), true);
    if (chance(0.15)) {
      const at = Math.floor(next() * (text.length + 1));
      const cut = next() < 0.5 ? 1 : 0;
      text = `${text.slice(0, at)}${pick(NOISE)}${text.slice(at + cut)}`;
    }
    if (chance(0.05)) text = text.slice(0, Math.floor(next() * text.length));
    if (chance(0.05)) text = `${text}${pick([' ', '\n', 'x', ',', '}'])}`;
    return text;
  });
}
