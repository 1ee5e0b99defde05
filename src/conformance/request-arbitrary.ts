/**
 * Conformance layer: `requestArbitrary(fn)` — a fast-check `Arbitrary` of every valid request of a
 * wire function, derived from its TypeBox request schema through the wire layer's serde plan (the
 * same plan the host's encoder walks), never written by hand per function.
 *
 * Valid means: the host's own request path encodes it, and the guest-side decode of that text
 * gives the value back. So integers stay inside their Rust width (u64/i64 beyond 2^53−1 as
 * `bigint`, which is how the decoder hands them back), floats are finite (the encoder writes a
 * non-finite one as `null`), strings are well-formed (no lone surrogates), an omittable field is
 * either absent or present and a nullable one `null` or present, `*_base64` fields hold standard
 * base64, and `serde_json::Value`s hold only what a Value holds.
 *
 * Biased toward what breaks parsers: empty strings and lists, non-ASCII, astral, control and
 * escape characters, integer maxima, long strings and large bodies (bounded by `maxBodyBytes`).
 * Every choice shrinks toward the smallest value (empty, zero, absent, null, the first variant),
 * so a failing request shrinks to a minimal one.
 */

import type { TSchema } from '@sinclair/typebox';
import fc from 'fast-check';
import { decodeWire } from '../wire/decode.js';
import { encodeJsonValue } from '../wire/encode.js';
import { formatF64 } from '../wire/float-text.js';
import type { AnyWireFunction, RequestOf } from '../wire/index.js';
import { sortedUnique } from '../wire/ordered.js';
import { f32, f64, INT_RANGES, type JsonValue } from '../wire/schema.js';
import { compile, type Dec, type IntDec, type StructDec } from '../wire/serde-plan.js';
import { textArbitrary } from './text-arbitrary.js';

export interface RequestArbitraryOptions {
  /**
   * How long generated lists and strings get (default `'small'`: lists of up to 4 items, each
   * level of nesting half as long; texts up to fast-check's length for the size, 10 for `'small'`).
   * Long strings and large bodies are generated at every size, bounded separately.
   */
  readonly size?: fc.Size;
  /** upper bound of a generated body (a `*_base64` field), in decoded bytes; default 64 KiB */
  readonly maxBodyBytes?: number;
  /** upper bound of a generated long string, in code points; default 1024 */
  readonly maxTextLength?: number;
}

interface Bounds {
  readonly size: fc.Size;
  readonly maxBodyBytes: number;
  readonly maxTextLength: number;
}

/** As large as the reference verify's `large_body` case. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_MAX_TEXT_LENGTH = 1024;

/**
 * The longest top-level list per size. Kept short: every element of a filter request's candidate
 * list is a few dozen generated values, and generating must not be slower than dispatching.
 */
const LIST_LENGTHS: Readonly<Record<fc.Size, number>> = {
  xsmall: 2,
  small: 4,
  medium: 8,
  large: 16,
  xlarge: 32,
};

/**
 * Texts a hand-written test rarely tries. The empty string comes first: a `constantFrom` shrinks
 * toward its first value.
 */
const EDGE_TEXTS: readonly string[] = [
  '',
  ' ',
  'é',
  'ß\u0301',
  '日本語',
  '\u{1F600}',
  '\u{10FFFF}',
  '\uFEFF',
  '\u2028\u2029',
  '"',
  '\\',
  '\\u0000',
  '\n\r\t',
  '\u0000',
  '\u001f\u007f',
  '{"_v":1}',
  'null',
  '__proto__',
  '../../etc/passwd',
  '%00%ff',
];

/** Repeated to make a long string: one byte, two bytes, a surrogate pair, escapes. */
const LONG_TEXT_UNITS: readonly string[] = ['a', 'é', '\u{1F600}', '"\\', '\u0000'];

/** Valid requests of `fn`, edge-biased; see the module header. The same object for the same bounds. */
export function requestArbitrary<F extends AnyWireFunction>(
  fn: F,
  options: RequestArbitraryOptions = {},
): fc.Arbitrary<RequestOf<F>> {
  const bounds: Bounds = {
    size: options.size ?? 'small',
    maxBodyBytes: nonNegative('maxBodyBytes', options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
    maxTextLength: nonNegative('maxTextLength', options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH),
  };
  return requestArbitraryCache.arbitrary(fn, bounds) as fc.Arbitrary<RequestOf<F>>;
}

/** Arbitraries kept before the cache starts over. */
export const REQUEST_ARBITRARY_CACHE_CAPACITY = 64;

/**
 * The arbitraries built so far, per wire function and bounds. Building one walks the serde plan
 * and makes a few hundred objects (milliseconds), and `fuzz.run`, the matcher and the generated
 * verify layer ask for one on every call; an arbitrary holds no state between generations, so
 * one object serves every caller. Bounded: past `capacity` entries it starts over.
 */
export class RequestArbitraryCache {
  readonly #entries = new Map<AnyWireFunction, Map<string, fc.Arbitrary<unknown>>>();
  #size = 0;

  constructor(readonly capacity: number = REQUEST_ARBITRARY_CACHE_CAPACITY) {}

  get size(): number {
    return this.#size;
  }

  arbitrary(fn: AnyWireFunction, bounds: Bounds): fc.Arbitrary<unknown> {
    const key = `${bounds.size} ${bounds.maxBodyBytes} ${bounds.maxTextLength}`;
    const cached = this.#entries.get(fn)?.get(key);
    if (cached !== undefined) return cached;
    if (this.#size >= this.capacity) this.clear();
    const built = new Generator(bounds).of(compile(fn.request));
    let byBounds = this.#entries.get(fn);
    if (byBounds === undefined) {
      byBounds = new Map();
      this.#entries.set(fn, byBounds);
    }
    byBounds.set(key, built);
    this.#size++;
    return built;
  }

  /** Forgets every arbitrary built. */
  clear(): void {
    this.#entries.clear();
    this.#size = 0;
  }
}

/** The conformance layer's one cache of request arbitraries. */
export const requestArbitraryCache = new RequestArbitraryCache();

function nonNegative(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `requestArbitrary: ${name} must be a non-negative integer, received ${String(value)}`,
    );
  }
  return value;
}

/** One generator per bounds: the leaf arbitraries are shared by every field of that kind. */
class Generator {
  readonly #text: fc.Arbitrary<string>;
  readonly #base64: fc.Arbitrary<string>;
  readonly #value: fc.Arbitrary<unknown>;

  constructor(readonly bounds: Bounds) {
    this.#text = this.#textArbitrary();
    this.#value = this.#jsonValueArbitrary();
    this.#base64 = this.#base64Arbitrary();
  }

  /**
   * `depth` counts the lists and maps around `dec`: nested collections are kept short, or a filter
   * request (candidates of quota lists of …) would grow multiplicatively.
   */
  of(dec: Dec, depth = 0): fc.Arbitrary<unknown> {
    switch (dec.t) {
      case 'str':
        return dec.base64 ? this.#base64 : this.#text;
      case 'bool':
        return fc.boolean();
      case 'int':
        return integerArbitrary(dec);
      case 'float':
        return dec.f32 ? F32 : F64;
      case 'any':
        return this.#value;
      case 'opt':
        // absent (omittable) or null (nullable) first, so shrinking removes optional data
        return fc.option(this.of(dec.inner, depth), dec.omit ? { nil: undefined } : { nil: null });
      case 'struct':
        return this.#struct(dec, undefined, depth);
      case 'list':
        return fc.array(this.of(dec.item, depth + 1), this.#length(depth));
      case 'fixed':
        return fc.array(this.of(dec.item, depth + 1), { minLength: dec.length, maxLength: dec.length });
      case 'set':
        // a BTreeSet decodes sorted and de-duplicated; generate it in that form
        return fc.array(this.#text, this.#length(depth)).map(sortedUnique);
      case 'map':
        return this.#dictionary(this.of(dec.value, depth + 1), depth);
      case 'enum':
        return fc.constantFrom(...dec.values);
      case 'tagged':
        return fc.oneof(
          ...[...dec.variants.values()].map((variant) =>
            variant.struct === null
              ? fc.constant({ [dec.tag]: variant.name })
              : this.#struct(variant.struct, [dec.tag, variant.name], depth),
          ),
        );
    }
  }

  /**
   * A struct in field order. An absent omittable field is left out of the object (as the
   * decoder leaves it out), not set to `undefined`.
   */
  #struct(dec: StructDec, tag: readonly [string, string] | undefined, depth: number): fc.Arbitrary<unknown> {
    const fields = dec.fields.map((field) => this.of(field.dec, depth));
    return fc.tuple(...fields).map((values) => {
      const out: Record<string, unknown> = {};
      if (tag !== undefined) out[tag[0]] = tag[1];
      for (let k = 0; k < values.length; k++) {
        if (values[k] !== undefined) out[dec.fields[k]!.name] = values[k];
      }
      return out;
    });
  }

  /** A BTreeMap<String, V> / JSON object: keys are texts, `__proto__` an own key like any other. */
  #dictionary(value: fc.Arbitrary<unknown>, depth: number): fc.Arbitrary<Record<string, unknown>> {
    return fc
      .uniqueArray(fc.tuple(this.#text, value), { ...this.#length(depth), selector: ([key]) => key })
      .map(objectOf);
  }

  /** Top-level collections hold up to the size's length; each level of nesting halves it. */
  #length(depth: number): { maxLength: number } {
    return { maxLength: Math.max(1, LIST_LENGTHS[this.bounds.size] >> depth) };
  }

  #textArbitrary(): fc.Arbitrary<string> {
    const { size, maxTextLength } = this.bounds;
    // Weighted so that about one filter request in three (some thirty texts) holds a long one:
    // long inputs are what make a dispatch slow, and most edges are short.
    return fc.oneof(
      { arbitrary: textArbitrary('ascii', size), weight: 48 },
      { arbitrary: fc.constantFrom(...EDGE_TEXTS), weight: 24 },
      { arbitrary: textArbitrary('unicode', size), weight: 24 },
      {
        arbitrary: fc
          .tuple(lengthUpTo(maxTextLength), fc.constantFrom(...LONG_TEXT_UNITS))
          .map(([length, unit]) => unit.repeat(length)),
        weight: 1,
      },
    );
  }

  /** Standard base64 of a body: raw bytes, a JSON document, text, or a large patterned body. */
  #base64Arbitrary(): fc.Arbitrary<string> {
    const { size, maxBodyBytes } = this.bounds;
    const small = Math.min(maxBodyBytes, 256);
    // Each branch maps to base64 itself (the same values and shrinks as mapping their union), so
    // the large patterned body is written as base64 without ever materializing its bytes.
    const bodies: fc.WeightedArbitrary<string>[] = [
      { arbitrary: fc.uint8Array({ size, maxLength: small }).map(toBase64), weight: 8 },
      { arbitrary: this.#value.map(jsonBody).filter(fits(maxBodyBytes)).map(toBase64), weight: 7 },
      { arbitrary: this.#text.map(utf8).filter(fits(maxBodyBytes)).map(toBase64), weight: 4 },
      {
        arbitrary: fc
          .tuple(lengthUpTo(maxBodyBytes), fc.nat({ max: 255 }))
          .map(([length, seed]) => patternedBase64(length, seed)),
        weight: 1,
      },
    ];
    // cross-shrink: a JSON or text body shrinks on to the empty body, not to `{}` or `null`
    return fc.oneof({ withCrossShrink: true }, ...bodies);
  }

  /**
   * serde_json::Value as the decoder returns it: safe integers and non-integral floats as numbers,
   * integers beyond 2^53−1 (within i64/u64, where serde_json keeps them exact) as bigint.
   */
  #jsonValueArbitrary(): fc.Arbitrary<unknown> {
    const leaf = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
      fc.oneof(fc.bigInt({ min: 2n ** 53n, max: U64_MAX }), fc.bigInt({ min: I64_MIN, max: -(2n ** 53n) })),
      F64.filter((x) => !Number.isInteger(x) || Number.isSafeInteger(x)),
      this.#text,
    );
    const { value } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { maxDepth: 3, depthSize: 'xsmall' },
        leaf,
        fc.array(tie('value'), { maxLength: 3 }),
        this.#dictionary(tie('value'), 1),
      ),
    }));
    return value;
  }
}

const [, U64_MAX] = INT_RANGES.u64;
const [I64_MIN] = INT_RANGES.i64;

/**
 * An integer of the field's width. Values beyond 2^53−1 are bigint (as the decoder returns them);
 * below, numbers. Zero shrinks first; the extremes of the width are weighted in.
 */
function integerArbitrary(dec: IntDec): fc.Arbitrary<number | bigint> {
  const safeMin = Math.max(dec.minN, Number.MIN_SAFE_INTEGER);
  const safeMax = Math.min(dec.maxN, Number.MAX_SAFE_INTEGER);
  const choices: fc.WeightedArbitrary<number | bigint>[] = [
    {
      arbitrary: fc.integer({ min: Math.max(safeMin, -(2 ** 31)), max: Math.min(safeMax, 2 ** 31 - 1) }),
      weight: 4,
    },
    { arbitrary: fc.constantFrom(0, 1, safeMax, safeMin), weight: 2 },
  ];
  if (dec.wide) {
    choices.push({ arbitrary: fc.integer({ min: safeMin, max: safeMax }), weight: 1 });
    if (dec.max > BigInt(Number.MAX_SAFE_INTEGER)) {
      choices.push({
        arbitrary: fc.oneof(
          fc.constantFrom(dec.max, BigInt(Number.MAX_SAFE_INTEGER) + 1n),
          fc.bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n, max: dec.max }),
        ),
        weight: 2,
      });
    }
    if (dec.min < BigInt(Number.MIN_SAFE_INTEGER)) {
      choices.push({
        arbitrary: fc.oneof(
          fc.constant(dec.min),
          fc.bigInt({ min: dec.min, max: BigInt(Number.MIN_SAFE_INTEGER) - 1n }),
        ),
        weight: 1,
      });
    }
  }
  return fc.oneof(...choices);
}

/**
 * Finite floats (the encoder writes NaN and ±Infinity as `null`, which no float field decodes),
 * each taken as the value a serde_json guest reads back: serde_json parses floats without
 * `float_roundtrip`, which can land one ulp away, and the wire decoder mirrors that. A value that
 * moves again on a second trip is dropped, so every generated float is a fixed point of the trip.
 */
const F64_SCHEMA = f64();
const F32_SCHEMA = f32();
const F64: fc.Arbitrary<number> = fc
  .oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0, 0.1, 1.5, -1, 1e-7, 1e21, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON),
  )
  .map((x) => asGuestReads(F64_SCHEMA, x))
  .filter((x) => asGuestReads(F64_SCHEMA, x) === x);
const F32: fc.Arbitrary<number> = fc
  .oneof(
    fc.float({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0, Math.fround(0.1), 0.5, Math.fround(3.4028234663852886e38), Math.fround(1e-45)),
  )
  .map((x) => asGuestReads(F32_SCHEMA, x))
  .filter((x) => asGuestReads(F32_SCHEMA, x) === x);

/** The float a guest decodes from what the host writes (an f32 is sent widened, as `to_value` does). */
function asGuestReads(schema: TSchema, x: number): number {
  return decodeWire(schema, formatF64(x)) as number;
}

const encoder = new TextEncoder();
function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** A JSON document: a generated `serde_json::Value` as the wire layer writes one. */
function jsonBody(value: unknown): Uint8Array {
  return utf8(encodeJsonValue(value as JsonValue));
}

function fits(max: number): (bytes: Uint8Array) => boolean {
  return (bytes) => bytes.length <= max;
}

/**
 * A length up to `max`, spread evenly over orders of magnitude (as many of 1–10 as of 1000–10000),
 * with `max` itself as an edge: large values are reached without making the average request
 * large, since a dispatch costs in proportion to its input. Shrinks toward 0.
 */
function lengthUpTo(max: number): fc.Arbitrary<number> {
  if (max === 0) return fc.constant(0);
  const steps = Math.ceil(Math.log2(max + 1) * 4);
  return fc.oneof(
    {
      arbitrary: fc.integer({ min: 0, max: steps }).map((k) => Math.min(max, Math.round(2 ** (k / 4)) - 1)),
      weight: 9,
    },
    { arbitrary: fc.constant(max), weight: 1 },
  );
}

/**
 * Base64 of a large body made cheaply: byte k is `(seed + 31k) mod 256`. Generating it byte by
 * byte, or even encoding it, would make generation the bottleneck: the bytes repeat every 256,
 * so their base64 repeats every 768 bytes (1024 characters), and only one period is encoded.
 */
function patternedBase64(length: number, seed: number): string {
  const period = new Uint8Array(PATTERN_PERIOD);
  for (let k = 0; k < PATTERN_PERIOD; k++) period[k] = (seed + k * 31) & 0xff;
  const whole = Math.floor(length / PATTERN_PERIOD);
  const tail = toBase64(period.subarray(0, length - whole * PATTERN_PERIOD));
  return whole === 0 ? tail : toBase64(period).repeat(whole) + tail;
}

/** The pattern's period (256 bytes) times 3, so that whole periods end on a base64 group. */
const PATTERN_PERIOD = 768;

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** `fromEntries` defines each key as an own property: `__proto__` too, never the prototype. */
function objectOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  return Object.fromEntries(entries);
}
