import type { TSchema } from '@sinclair/typebox';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, decodeWireValue } from '../../src/wire/decode.js';
import { WireDecodeError } from '../../src/wire/decode-error.js';
import {
  encodeEnvelope,
  encodeEnvelopeUtf8,
  encodeJsonNode,
  WireEncodeError,
} from '../../src/wire/encode.js';
import { requestValue } from '../../src/wire/envelope.js';
import { allWireFunctions } from '../../src/wire/functions/index.js';
import { ShapeRequestV1 } from '../../src/wire/functions/shape.js';
import { parseJsonValue } from '../../src/wire/json.js';
import {
  anyValue,
  f32,
  f64,
  fixedArray,
  list,
  map,
  nullable,
  omittable,
  set,
  str,
  struct,
  tagged,
  u8,
  u64,
  unitEnum,
} from '../../src/wire/schema.js';
import { valueForm } from '../support/value-form.js';
import { envelopeTextArbitrary, wireArbitrary } from '../support/wire-arbitrary.js';
import { WIRE_STRUCTS } from '../support/wire-catalog.js';

/** Every serde shape the plans know, in one request, beside the real ones. */
const Everything = struct('Everything', {
  text: str(),
  small: u8(),
  big: u64(),
  single: f32(),
  double: f64(),
  maybe: nullable(f32()),
  skipped: omittable(u64()),
  any: anyValue(),
  items: list(struct('Item', { single: f32(), name: str() })),
  fixed: fixedArray(u8(), 3),
  names: set(),
  scores: map(f32()),
  colour: unitEnum('Colour', ['red', 'green']),
  shape: tagged('Shape', 'kind', {
    dot: {},
    circle: { radius: f32(), label: omittable(str()) },
    box: { width: f64(), zeta: str(), Alpha: u8() },
  }),
});

const REQUEST_SCHEMAS: readonly [string, TSchema][] = [
  ...allWireFunctions.map((fn): [string, TSchema] => [`${fn.name} request`, fn.request]),
  ['shape request v1', ShapeRequestV1],
  ['Everything', Everything],
  ...Object.entries(WIRE_STRUCTS).map(([name, entry]): [string, TSchema] => [name, entry.schema]),
];

const { shape: _shape, ...untagged } = Everything.properties;
/** Everything a response can hold that the fast reader reads itself (it leaves tagged enums alone). */
const EverythingUntagged = struct('EverythingUntagged', untagged);

/** Response schemas, and how many of 300 generated texts the fast path must answer itself. */
const RESPONSE_SCHEMAS: readonly [string, TSchema, number][] = [
  ...allWireFunctions.map((fn): [string, TSchema, number] => [`${fn.name} response`, fn.response, 60]),
  ['EverythingUntagged', EverythingUntagged, 60],
  ['Everything', Everything, 0],
];

/** The one-pass request as dispatch uses it: a value of the wrong type is left to the general path. */
function writeRequestEnvelope(schema: TSchema, value: unknown, version: number): string | undefined {
  try {
    return encodeEnvelope(schema, value, version);
  } catch (error) {
    if (error instanceof WireEncodeError) return undefined;
    throw error;
  }
}

const NOT_FAST: unique symbol = Symbol('not fast');

/** The one-pass response as dispatch uses it: any text it does not read is left to the general path. */
function readResponseEnvelope(schema: TSchema, text: string, version: number): unknown {
  try {
    return decodeEnvelope(schema, text, version);
  } catch (error) {
    if (error instanceof WireDecodeError) return NOT_FAST;
    throw error;
  }
}

/** Steps 2–5 as the reference takes them: to_value, `_v` set, to_string. Throws as they throw. */
function stepwiseEnvelope(schema: TSchema, value: unknown, version: number): string {
  const node = requestValue(schema, value);
  if (node.type !== 'object') throw new Error('request serialized to non-object JSON');
  const entries = new Map(node.entries);
  entries.set('_v', { type: 'int', value: BigInt(version) });
  return encodeJsonNode({ type: 'object', entries });
}

/** Steps 7–12 as the reference takes them: the typed response, or why not. */
function stepwiseResponse(
  schema: TSchema,
  text: string,
  version: number,
): { ok: true; value: unknown } | { ok: false; error: string } {
  let node: ReturnType<typeof parseJsonValue>;
  try {
    node = parseJsonValue(text);
  } catch (error) {
    return { ok: false, error: (error as WireDecodeError).serdeText };
  }
  if (node.type !== 'object') return { ok: false, error: 'not an object' };
  const rest = new Map(node.entries);
  const v = rest.get('_v');
  rest.delete('_v');
  if (v === undefined || v.type !== 'int' || v.value < 0n || v.value !== BigInt(version)) {
    return { ok: false, error: 'bad _v' };
  }
  try {
    return { ok: true, value: decodeWireValue(schema, { type: 'object', entries: rest }) };
  } catch (error) {
    if (!(error instanceof WireDecodeError)) throw error;
    return { ok: false, error: error.serdeText };
  }
}

/** The bytes as text, failing on anything that is not UTF-8. */
function utf8Text(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

describe('encodeEnvelope: the one-pass envelope equals the step-by-step one', () => {
  it.each(allWireFunctions.map((fn) => [fn.name, fn] as const))('%s dry-run request', (_, fn) => {
    const fast = writeRequestEnvelope(fn.request, fn.dryRunRequest(), 1);
    expect(fast).toBeDefined();
    expect(fast).toBe(stepwiseEnvelope(fn.request, fn.dryRunRequest(), 1));
  });

  it.each(REQUEST_SCHEMAS)(
    '%s: generated ordinary values are written by the fast path, identically',
    (_, schema) => {
      fc.assert(
        fc.property(
          wireArbitrary(schema, 'clean'),
          fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          (value, version) => {
            const expected = stepwiseEnvelope(schema, value, version);
            const fast = writeRequestEnvelope(schema, value, version);
            // a text that only looks like a lone surrogate escape is left to the general path
            if (fast === undefined) expect(expected).toContain('\\ud');
            else expect(fast).toBe(expected);
          },
        ),
        { numRuns: 150 },
      );
    },
  );

  it.each(REQUEST_SCHEMAS)(
    '%s: generated hostile values are either declined or written identically, as text and as bytes',
    (_, schema) => {
      fc.assert(
        fc.property(wireArbitrary(schema, 'hostile'), (value) => {
          let fast: string | undefined;
          try {
            fast = encodeEnvelope(schema, value, 1);
          } catch (error) {
            // a value of the wrong type: the general path fails on it too
            expect(error).toBeInstanceOf(WireEncodeError);
            expect(() => stepwiseEnvelope(schema, value, 1)).toThrow();
            expect(() => encodeEnvelopeUtf8(schema, value, 1)).toThrow(error as Error);
            return;
          }
          // encodeEnvelopeUtf8 is the UTF-8 of exactly that text
          expect(utf8Text(encodeEnvelopeUtf8(schema, value, 1))).toBe(fast);
          if (fast !== undefined) expect(fast).toBe(stepwiseEnvelope(schema, value, 1));
        }),
        { numRuns: 150 },
      );
    },
  );

  it('f32s are widened, through serde_json number parsing, as to_value does', () => {
    const value = {
      ...(fc.sample(wireArbitrary(Everything, 'clean'), { numRuns: 1, seed: 7 })[0] as object),
      single: 0.1,
      maybe: 3.4e38,
      scores: { b: 1, a: 1e-7 },
    };
    const fast = writeRequestEnvelope(Everything, value, 1);
    expect(fast).toBe(stepwiseEnvelope(Everything, value, 1));
    expect(fast).toContain('"single":0.10000000149011612');
    expect(fast).toContain('"maybe":3.3999999521443642e38');
    expect(fast).toContain('"scores":{"a":1.0000000116860974e-7,"b":1.0}');
  });

  it('declines what only the general path can settle, which then gives its own answer', () => {
    const base = {
      ...(fc.sample(wireArbitrary(Everything, 'clean'), { numRuns: 1, seed: 3 })[0] as object),
    } as Record<string, unknown>;
    // a lone surrogate is written as U+FFFD, after which keys may collide or sort differently
    const surrogateKey = { ...base, scores: { '\ud800': 1 } };
    expect(encodeEnvelope(Everything, surrogateKey, 1)).toBeUndefined();
    expect(stepwiseEnvelope(Everything, surrogateKey, 1)).toContain('"scores":{"\ufffd":1.0}');
    // numbers whose text is not a plain safe integer go through the one number parser, as there
    const numbers: [string, Record<string, unknown>, string][] = [
      // String(2 ** 60) is its shortest digits, not its exact value
      ['u64 beyond 2^53 as a number', { ...base, big: 2 ** 60 }, '"big":1152921504606847000'],
      // beyond u64: serde_json reads it as a float
      ['bigint beyond u64', { ...base, any: 2n ** 70n }, '"any":1.1805916207174113e21'],
    ];
    for (const [label, value, part] of numbers) {
      expect(encodeEnvelope(Everything, value, 1), label).toContain(part);
      expect(encodeEnvelope(Everything, value, 1), label).toBe(stepwiseEnvelope(Everything, value, 1));
    }
    // String(1e21) is "1e+21", a float once read back: the fast path reads it back too
    expect(writeRequestEnvelope(Everything, { ...base, any: 1e21 }, 1)).toContain('"any":1e21');
    // an f32 beyond its range has no f32 text: the general path fails on what the encoder wrote
    expect(writeRequestEnvelope(Everything, { ...base, single: 1e39 }, 1)).toBeUndefined();
    expect(() => stepwiseEnvelope(Everything, { ...base, single: 1e39 }, 1)).toThrow(WireDecodeError);
  });

  it('nesting near the recursion limit is left to the general path, which fails at the 128th level', () => {
    const nest = (depth: number): unknown => (depth === 0 ? 0 : [nest(depth - 1)]);
    const fn = allWireFunctions.find((f) => f.name === 'sign')!;
    const at = (depth: number) => ({ ...(fn.dryRunRequest() as object), signer_state: nest(depth) });
    // the envelope is one level, signer_state's arrays the rest
    expect(writeRequestEnvelope(fn.request, at(90), 1)).toBe(stepwiseEnvelope(fn.request, at(90), 1));
    expect(writeRequestEnvelope(fn.request, at(126), 1)).toBeUndefined();
    expect(stepwiseEnvelope(fn.request, at(126), 1)).toContain('[[[0]]]');
    expect(writeRequestEnvelope(fn.request, at(127), 1)).toBeUndefined();
    expect(() => stepwiseEnvelope(fn.request, at(127), 1)).toThrow(
      expect.objectContaining({
        serdeText: expect.stringMatching(/^recursion limit exceeded at line 1 column \d+$/),
      }),
    );
  });

  it('an error the encoder did not throw is not taken for a decline: it reaches the caller', () => {
    const sign = allWireFunctions.find((f) => f.name === 'sign')!;
    const request = {
      ...(sign.dryRunRequest() as object),
      get shaped(): unknown {
        throw new RangeError('a getter of the request failed');
      },
    };
    expect(() => encodeEnvelope(sign.request, request, 1)).toThrow(
      new RangeError('a getter of the request failed'),
    );
  });

  it('a non-object request, a field named _v and an unsafe version are left to the general path', () => {
    expect(writeRequestEnvelope(str(), 'text', 1)).toBeUndefined();
    expect(writeRequestEnvelope(struct('V', { _v: u8() }), { _v: 3 }, 1)).toBeUndefined();
    expect(stepwiseEnvelope(struct('V', { _v: u8() }), { _v: 3 }, 1)).toBe('{"_v":1}');
    expect(writeRequestEnvelope(Everything, {}, 2 ** 60)).toBeUndefined();
  });
});

/** Long strings of what changes length in UTF-8 or JSON: one, two and four bytes, escapes, NUL. */
const longText = fc
  .tuple(
    fc.integer({ min: 900, max: 1200 }),
    fc.constantFrom('a', 'é', '\u{1F600}', '"\\', '\u0000', 'Zé\u{1F600}'),
  )
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

describe('encodeEnvelopeUtf8: the one-pass envelope as bytes (hostile values: above)', () => {
  it('long strings anywhere in the request are written in place, whatever their characters', () => {
    fc.assert(
      fc.property(
        wireArbitrary(Everything, 'clean'),
        longText,
        longText,
        longText,
        (base, first, second, third) => {
          const value = {
            ...(base as Record<string, unknown>),
            text: first,
            items: [
              { single: 1, name: second },
              { single: 2, name: 'é' },
            ],
            shape: { kind: 'box', width: 1, zeta: third, Alpha: 1 },
          };
          const text = encodeEnvelope(Everything, value, 1);
          expect(text).toBeDefined();
          expect(utf8Text(encodeEnvelopeUtf8(Everything, value, 1))).toBe(text);
        },
      ),
      { numRuns: 100, seed: 12 },
    );
  });

  it('an envelope without long strings is the plain UTF-8 of its text', () => {
    const fn = allWireFunctions.find((f) => f.name === 'filter')!;
    const text = encodeEnvelope(fn.request, fn.dryRunRequest(), 1)!;
    expect(encodeEnvelopeUtf8(fn.request, fn.dryRunRequest(), 1)).toEqual(new TextEncoder().encode(text));
  });

  it('an envelope encoded while another is being encoded (from a getter) leaves both intact', () => {
    const inner = {
      ...(fc.sample(wireArbitrary(Everything, 'clean'), { numRuns: 1, seed: 4 })[0] as object),
      text: 'x'.repeat(2000),
    };
    let innerBytes: Uint8Array | undefined;
    const outer = {
      ...(inner as Record<string, unknown>),
      text: 'y'.repeat(3000),
      get any(): unknown {
        innerBytes = encodeEnvelopeUtf8(Everything, inner, 2);
        return null;
      },
    };
    const outerText = utf8Text(encodeEnvelopeUtf8(Everything, outer, 1));
    expect(outerText).toBe(encodeEnvelope(Everything, outer, 1));
    expect(outerText).toContain(`"text":"${'y'.repeat(3000)}"`);
    expect(utf8Text(innerBytes)).toBe(encodeEnvelope(Everything, inner, 2));
  });
});

describe('decodeEnvelope: answers only with what parseJsonValue + decodeWireValue return', () => {
  it.each(allWireFunctions.map((fn) => [fn.name, fn] as const))('%s dry-run response', (_, fn) => {
    const text = `{"_v":1,${encodeJsonNode(requestValue(fn.response, fn.dryRunResponse())).slice(1)}`.replace(
      '{"_v":1,}',
      '{"_v":1}',
    );
    const fast = readResponseEnvelope(fn.response, text, 1);
    expect(fast).not.toBe(NOT_FAST);
    expect(valueForm(fast)).toStrictEqual(valueForm(fn.dryRunResponse()));
  });

  it.each(RESPONSE_SCHEMAS)('%s: generated and malformed texts', (_, schema, least) => {
    let answered = 0;
    fc.assert(
      fc.property(envelopeTextArbitrary(schema), (text) => {
        const expected = stepwiseResponse(schema, text, 1);
        const fast = readResponseEnvelope(schema, text, 1);
        if (!expected.ok) {
          expect(fast).toBe(NOT_FAST);
        } else if (fast !== NOT_FAST) {
          answered++;
          expect(valueForm(fast)).toStrictEqual(valueForm(expected.value));
        }
      }),
      { numRuns: 300 },
    );
    // the untouched half of the texts is ordinary: the fast path must be what answers them
    expect(answered).toBeGreaterThanOrEqual(least);
  });

  it('keys of maps and any values come out sorted, as a BTreeMap hands them over', () => {
    const schema = struct('R', { m: map(u8()), a: anyValue() });
    const text = '{"a":{"z":1,"b":[{"y":0,"x":1}],"\ue000":2,"\u{1F600}":3},"m":{"q":1,"c":2},"_v":1}';
    const fast = readResponseEnvelope(schema, text, 1);
    expect(JSON.stringify(fast)).toBe(
      '{"m":{"c":2,"q":1},"a":{"b":[{"x":1,"y":0}],"z":1,"\ue000":2,"\u{1F600}":3}}',
    );
    const expected = stepwiseResponse(schema, text, 1);
    expect(expected.ok && valueForm(expected.value)).toStrictEqual(valueForm(fast));
  });

  it('duplicates, wrong versions and every malformed text are declined', () => {
    const sign = allWireFunctions.find((f) => f.name === 'sign')!;
    for (const text of [
      '{"_v":1,"_v":1}',
      '{"_v":2,"_v":1}',
      '{"_v":1,"url":"a","url":null}',
      '{"_v":1.0}',
      '{"_v":"1"}',
      '{"_v":-1}',
      '{"_v":2}',
      '{}',
      '[]',
      '{"_v":1,"url":5}',
      '{"_v":1,"extra":null}',
      '{"_v":1} x',
      '{"_v":1',
      '\ufeff{"_v":1}',
      '{"_v":1,"url":"\\ud800"}',
    ]) {
      expect(readResponseEnvelope(sign.response, text, 1), text).toBe(NOT_FAST);
    }
    // the general path still accepts the first and third (the last value wins)
    expect(stepwiseResponse(sign.response, '{"_v":1,"_v":1}', 1).ok).toBe(true);
    expect(stepwiseResponse(sign.response, '{"_v":1,"url":"a","url":null}', 1)).toMatchObject({
      ok: true,
      value: { url: null },
    });
  });
});
