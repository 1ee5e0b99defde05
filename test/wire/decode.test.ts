import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeWire, decodeWireValue } from '../../src/wire/decode.js';
import { WireDecodeError } from '../../src/wire/decode-error.js';
import { parseJsonValue } from '../../src/wire/json.js';
import {
  anyValue,
  bool,
  f32,
  f64,
  fixedArray,
  i64,
  list,
  map,
  nullable,
  omittable,
  set,
  str,
  struct,
  type TSchema,
  tagged,
  u8,
  u16,
  u32,
  u64,
  unitEnum,
  usize,
} from '../../src/wire/schema.js';

// Small local schemas shaped like the protocol's (W2 owns the real ones).
const Header = struct('HeaderWire', { name: str(), value_base64: str() });
const Empty = struct('Empty', {});
const Trio = struct('Trio', { a: str(), b: str(), c: str() });
const Optionals = struct('Optionals', { n: nullable(u16()), o: omittable(u16()), r: str() });
const Principal = struct('Principal', { id: str(), claims: anyValue() });
const Identity = struct('PluginIdentity', { magic: fixedArray(u8(), 8) });
const Policy = unitEnum('FallbackPolicyWire', ['fail_request', 'silent_skip', 'use_default', 'pass_through']);
const Category = unitEnum('UpstreamErrorCategory', ['unauthorized', 'retryable']);
const Upstream = tagged('UpstreamWire', 'kind', { anthropic_direct: {} });
const Event = tagged('ObserveEventWire', 'kind', {
  request_started: { request_id: str(), downstream_user_agent: nullable(str()) },
  chunk: { batch_index: u64(), event_count: usize(), total_bytes: usize() },
});
const Observe = struct('ObserveRequest', { event: Event, n: u16() });
const one = (schema: TSchema) => struct('One', { v: schema });

/** The WireDecodeError a decode throws. */
function failure(run: () => unknown): WireDecodeError {
  try {
    run();
  } catch (error) {
    if (error instanceof WireDecodeError) return error;
    throw error;
  }
  throw new Error('decoded without error');
}

const textFailure = (schema: TSchema, input: string | Uint8Array) => failure(() => decodeWire(schema, input));
const valueFailure = (schema: TSchema, input: string) =>
  failure(() => decodeWireValue(schema, parseJsonValue(input)));

describe('decodeWire: integers', () => {
  it.each([
    [u16(), '{"v":1.0}', 'invalid type: floating point `1.0`, expected u16 at line 1 column 8'],
    [u16(), '{"v":1e0}', 'invalid type: floating point `1.0`, expected u16 at line 1 column 8'],
    [u16(), '{"v":1E2}', 'invalid type: floating point `100.0`, expected u16 at line 1 column 8'],
    [u16(), '{"v":-0}', 'invalid type: floating point `-0.0`, expected u16 at line 1 column 7'],
    [u16(), '{"v":70000}', 'invalid value: integer `70000`, expected u16 at line 1 column 10'],
    [u16(), '{"v":-1}', 'invalid value: integer `-1`, expected u16 at line 1 column 7'],
    [u8(), '{"v":256}', 'invalid value: integer `256`, expected u8 at line 1 column 8'],
    [u32(), '{"v":4294967296}', 'invalid value: integer `4294967296`, expected u32 at line 1 column 15'],
    [u64(), '{"v":-5}', 'invalid value: integer `-5`, expected u64 at line 1 column 7'],
    [
      u64(),
      '{"v":18446744073709551616}',
      'invalid type: floating point `1.8446744073709552e19`, expected u64 at line 1 column 25',
    ],
    [
      i64(),
      '{"v":9223372036854775808}',
      'invalid value: integer `9223372036854775808`, expected i64 at line 1 column 24',
    ],
    [
      i64(),
      '{"v":-9223372036854775809}',
      'invalid type: floating point `-9.223372036854776e18`, expected i64 at line 1 column 25',
    ],
    [usize(), '{"v":0.5}', 'invalid type: floating point `0.5`, expected usize at line 1 column 8'],
    [u16(), '{"v":"1"}', 'invalid type: string "1", expected u16 at line 1 column 8'],
    [u16(), '{"v":"a\\"b\\n"}', 'invalid type: string "a\\"b\\n", expected u16 at line 1 column 13'],
    [u16(), '{"v":null}', 'invalid type: null, expected u16 at line 1 column 9'],
    [u16(), '{"v":true}', 'invalid type: boolean `true`, expected u16 at line 1 column 9'],
    [u16(), '{"v":[1]}', 'invalid type: sequence, expected u16 at line 1 column 5'],
    [u16(), '{"v":{}}', 'invalid type: map, expected u16 at line 1 column 5'],
    [u16(), '{"v":01}', 'invalid number at line 1 column 7'],
    [u16(), '{"v":}', 'expected value at line 1 column 6'],
  ])('%#: %s → %s', (schema, input, text) => {
    const error = textFailure(one(schema), input);
    expect(error.serdeText).toBe(text);
    expect(error.path).toBe('/v');
  });

  it('decodes every value serde accepts, exactly, bigint beyond 2^53−1', () => {
    expect(decodeWire(one(u16()), '{"v":65535}')).toEqual({ v: 65535 });
    expect(decodeWire(one(u32()), '{"v":4294967295}')).toEqual({ v: 4294967295 });
    expect(decodeWire(one(u64()), '{"v":9007199254740991}')).toEqual({ v: 9007199254740991 });
    expect(decodeWire(one(u64()), '{"v":9007199254740993}')).toEqual({ v: 9007199254740993n });
    expect(decodeWire(one(u64()), '{"v":18446744073709551615}')).toEqual({ v: 18446744073709551615n });
    expect(decodeWire(one(usize()), '{"v":18446744073709551615}')).toEqual({ v: 18446744073709551615n });
    expect(decodeWire(one(i64()), '{"v":-9223372036854775808}')).toEqual({ v: -9223372036854775808n });
    expect(decodeWire(one(i64()), '{"v":-42}')).toEqual({ v: -42 });
  });
});

describe('decodeWire: floats, strings, booleans', () => {
  it('accepts integers in float fields and narrows f32', () => {
    expect(decodeWire(one(f64()), '{"v":1}')).toEqual({ v: 1 });
    expect(decodeWire(one(f64()), '{"v":18446744073709551615}')).toEqual({ v: 2 ** 64 });
    expect(decodeWire(one(f64()), '{"v":-9223372036854775808}')).toEqual({ v: -(2 ** 63) });
    expect(decodeWire(one(f64()), '{"v":2.5e-3}')).toEqual({ v: 0.0025 });
    expect(decodeWire(one(f32()), '{"v":0.1}')).toEqual({ v: Math.fround(0.1) });
    expect(decodeWire(one(f32()), '{"v":1e39}')).toEqual({ v: Number.POSITIVE_INFINITY });
    expect(Object.is(decodeWire(one(f64()), '{"v":-0}').v, -0)).toBe(true);
    expect(textFailure(one(f64()), '{"v":"x"}').serdeText).toBe(
      'invalid type: string "x", expected f64 at line 1 column 8',
    );
    expect(textFailure(one(f32()), '{"v":null}').serdeText).toBe(
      'invalid type: null, expected f32 at line 1 column 9',
    );
  });

  it('names the wrong value for strings and booleans', () => {
    expect(textFailure(one(str()), '{"v":5}').serdeText).toBe(
      'invalid type: integer `5`, expected a string at line 1 column 6',
    );
    expect(textFailure(one(str()), '{"v":null}').serdeText).toBe(
      'invalid type: null, expected a string at line 1 column 9',
    );
    expect(textFailure(one(str()), '{"v":-1.5}').serdeText).toBe(
      'invalid type: floating point `-1.5`, expected a string at line 1 column 9',
    );
    expect(textFailure(one(bool()), '{"v":"true"}').serdeText).toBe(
      'invalid type: string "true", expected a boolean at line 1 column 11',
    );
    expect(textFailure(one(bool()), '{"v":1}').serdeText).toBe(
      'invalid type: integer `1`, expected a boolean at line 1 column 6',
    );
    expect(decodeWire(one(bool()), '{"v":false}')).toEqual({ v: false });
  });
});

describe('decodeWire: structs with deny_unknown_fields', () => {
  it('rejects an unknown key when it is read, with serde`s list of the expected fields', () => {
    const two = textFailure(Header, '{"name":"n","x":1}');
    expect(two.serdeText).toBe('unknown field `x`, expected `name` or `value_base64` at line 1 column 15');
    expect(two.path).toBe('/x');
    expect(two.category).toBe('Data');
    expect(textFailure(Trio, '{"zz":1}').serdeText).toBe(
      'unknown field `zz`, expected one of `a`, `b`, `c` at line 1 column 5',
    );
    expect(textFailure(one(u16()), '{"w":1}').serdeText).toBe(
      'unknown field `w`, expected `v` at line 1 column 4',
    );
    expect(textFailure(Empty, '{"x":1}').serdeText).toBe(
      'unknown field `x`, there are no fields at line 1 column 4',
    );
    // serde_json positions the error after the whitespace its end_map skipped.
    expect(textFailure(Empty, '{"x"  :1}').serdeText).toBe(
      'unknown field `x`, there are no fields at line 1 column 6',
    );
    expect(decodeWire(Empty, ' { } ')).toEqual({});
  });

  it('stops at the first error in document order', () => {
    expect(textFailure(Header, '{"x":1,').serdeText).toBe(
      'unknown field `x`, expected `name` or `value_base64` at line 1 column 4',
    );
    expect(textFailure(Header, '{"name":1,"x":2}').serdeText).toBe(
      'invalid type: integer `1`, expected a string at line 1 column 9',
    );
    expect(textFailure(Header, '{"name":"a"').serdeText).toBe(
      'EOF while parsing an object at line 1 column 11',
    );
    expect(textFailure(Header, '{"name":"a","value_base64":""} x').serdeText).toBe(
      'trailing characters at line 1 column 32',
    );
  });

  it('reports a duplicate field when its key is read', () => {
    const error = textFailure(Header, '{"name":"a","name":"b","value_base64":""}');
    expect(error.serdeText).toBe('duplicate field `name` at line 1 column 18');
    expect(error.path).toBe('/name');
    expect(textFailure(Optionals, '{"n":null,"n":1,"r":""}').serdeText).toBe(
      'duplicate field `n` at line 1 column 13',
    );
  });

  it('reports the first missing field in declaration order once the object has closed', () => {
    const error = textFailure(Header, '{"name":"a"}');
    expect(error.serdeText).toBe('missing field `value_base64` at line 1 column 12');
    expect(error.path).toBe('/value_base64');
    expect(textFailure(Header, '{}').serdeText).toBe('missing field `name` at line 1 column 2');
    const nested = textFailure(struct('Outer', { h: Header, z: u16() }), '{"h":{"name":"a"},"z":1}');
    expect(nested.serdeText).toBe('missing field `value_base64` at line 1 column 17');
    expect(nested.path).toBe('/h/value_base64');
  });

  it('treats nullable and omittable fields as optional, null or missing', () => {
    expect(decodeWire(Optionals, '{"r":""}')).toEqual({ n: null, r: '' });
    expect('o' in decodeWire(Optionals, '{"r":""}')).toBe(false);
    expect(decodeWire(Optionals, '{"o":null,"n":null,"r":""}')).toEqual({ n: null, r: '' });
    expect('o' in decodeWire(Optionals, '{"o":null,"r":""}')).toBe(false);
    expect(decodeWire(Optionals, '{"n":1,"o":2,"r":""}')).toEqual({ n: 1, o: 2, r: '' });
    expect(textFailure(Optionals, '{"n":null,"o":null}').serdeText).toBe(
      'missing field `r` at line 1 column 19',
    );
    expect(textFailure(Optionals, '{"n":"x","r":""}').serdeText).toBe(
      'invalid type: string "x", expected u16 at line 1 column 8',
    );
  });

  it('requires an any-typed field to be present, and accepts null in it', () => {
    const error = textFailure(Principal, '{"id":"x"}');
    expect(error.serdeText).toBe('missing field `claims` at line 1 column 10');
    expect(decodeWire(Principal, '{"id":"x","claims":null}')).toEqual({ id: 'x', claims: null });
    expect(
      decodeWire(Principal, '{"claims":{"b":[1,2.5,{"c":18446744073709551615}],"a":"s","a":"t"},"id":"x"}'),
    ).toEqual({ id: 'x', claims: { b: [1, 2.5, { c: 18446744073709551615n }], a: 't' } });
  });

  it('accepts serde`s sequence form of a struct', () => {
    expect(decodeWire(Header, '["a","b"]')).toEqual({ name: 'a', value_base64: 'b' });
    expect(textFailure(Header, '["a"]').serdeText).toBe(
      'invalid length 1, expected struct HeaderWire with 2 elements at line 1 column 5',
    );
    expect(textFailure(Header, '["a","b","c"]').serdeText).toBe('trailing characters at line 1 column 10');
    expect(decodeWire(Optionals, '[1,2,"r"]')).toEqual({ n: 1, o: 2, r: 'r' });
    expect(textFailure(Optionals, '[1]').serdeText).toBe(
      'invalid length 2, expected struct Optionals with 3 elements at line 1 column 3',
    );
  });

  it('names the struct when the value is not an object', () => {
    expect(textFailure(Header, 'null').serdeText).toBe(
      'invalid type: null, expected struct HeaderWire at line 1 column 4',
    );
    expect(textFailure(Header, '"x"').serdeText).toBe(
      'invalid type: string "x", expected struct HeaderWire at line 1 column 3',
    );
    expect(textFailure(Header, '').serdeText).toBe('EOF while parsing a value at line 1 column 0');
  });
});

describe('decodeWire: maps, sets, lists, fixed arrays', () => {
  const Maps = struct('Maps', { m: map(u32()) });
  const Sets = struct('Sets', { s: set() });
  const Lists = struct('Lists', { l: list(Header) });

  it('keeps the last value of a duplicated map key and stores __proto__ safely', () => {
    expect(decodeWire(Maps, '{"m":{"b":1,"a":2,"b":3}}')).toEqual({ m: { a: 2, b: 3 } });
    const value = decodeWire(Maps, '{"m":{"__proto__":1}}');
    expect(Object.keys(value.m)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value.m)).toBe(Object.prototype);
    const error = textFailure(Maps, '{"m":{"a":-1}}');
    expect(error.serdeText).toBe('invalid value: integer `-1`, expected u32 at line 1 column 12');
    expect(error.path).toBe('/m/a');
    expect(textFailure(Maps, '{"m":[]}').serdeText).toBe(
      'invalid type: sequence, expected a map at line 1 column 5',
    );
  });

  it('collapses duplicate set members and sorts them by code point', () => {
    expect(decodeWire(Sets, '{"s":["b","a","b","\\ud800\\udc00","\\ue000"]}')).toEqual({
      s: ['a', 'b', '\ue000', '\u{10000}'],
    });
    const error = textFailure(Sets, '{"s":["a",1]}');
    expect(error.serdeText).toBe('invalid type: integer `1`, expected a string at line 1 column 11');
    expect(error.path).toBe('/s/1');
  });

  it('names the sequence when a list is something else', () => {
    expect(textFailure(Lists, '{"l":{}}').serdeText).toBe(
      'invalid type: map, expected a sequence at line 1 column 5',
    );
    const error = textFailure(Lists, '{"l":[{"name":"a","value_base64":""},{"name":"b"}]}');
    expect(error.serdeText).toBe('missing field `value_base64` at line 1 column 49');
    expect(error.path).toBe('/l/1/value_base64');
  });

  it('requires exactly the fixed length, with serde`s [T; N] texts', () => {
    expect(decodeWire(Identity, '{"magic":[204,27,112,16,0,1,0,0]}')).toEqual({
      magic: [204, 27, 112, 16, 0, 1, 0, 0],
    });
    expect(textFailure(Identity, '{"magic":[1,2,3,4]}').serdeText).toBe(
      'invalid length 4, expected an array of length 8 at line 1 column 18',
    );
    expect(textFailure(Identity, '{"magic":[]}').serdeText).toBe(
      'invalid length 0, expected an array of length 8 at line 1 column 11',
    );
    expect(textFailure(Identity, '{"magic":[1,2,3,4,5,6,7,8,9]}').serdeText).toBe(
      'trailing characters at line 1 column 27',
    );
    const range = textFailure(Identity, '{"magic":[256,0,0,0,0,0,0,0]}');
    expect(range.serdeText).toBe('invalid value: integer `256`, expected u8 at line 1 column 13');
    expect(range.path).toBe('/magic/0');
    expect(textFailure(Identity, '{"magic":"x"}').serdeText).toBe(
      'invalid type: string "x", expected an array of length 8 at line 1 column 12',
    );
  });
});

describe('decodeWire: enums', () => {
  const P = struct('P', { p: Policy });

  it('matches unit variants exactly and lists the variants otherwise', () => {
    expect(decodeWire(P, '{"p":"silent_skip"}')).toEqual({ p: 'silent_skip' });
    expect(textFailure(P, '{"p":"FailRequest"}').serdeText).toBe(
      'unknown variant `FailRequest`, expected one of `fail_request`, `silent_skip`, `use_default`, `pass_through` at line 1 column 18',
    );
    expect(textFailure(one(Category), '{"v":"Unauthorized"}').serdeText).toBe(
      'unknown variant `Unauthorized`, expected `unauthorized` or `retryable` at line 1 column 19',
    );
  });

  it('answers a non-string with serde_json`s `expected value`', () => {
    expect(textFailure(P, '{"p":1}').serdeText).toBe('expected value at line 1 column 6');
    expect(textFailure(P, '{"p":null}').serdeText).toBe('expected value at line 1 column 6');
  });

  it('accepts the externally tagged unit form serde_json allows for any enum', () => {
    expect(decodeWire(P, '{"p":{"silent_skip":null}}')).toEqual({ p: 'silent_skip' });
    expect(textFailure(P, '{"p":{"silent_skip":1}}').serdeText).toBe(
      'invalid type: integer `1`, expected unit at line 1 column 21',
    );
    expect(textFailure(P, '{"p":{"silent_skip":null,"x":1}}').serdeText).toBe(
      'expected value at line 1 column 24',
    );
  });
});

describe('decodeWire: internally tagged enums', () => {
  it('finds the tag at any position', () => {
    expect(decodeWire(Upstream, '{"kind":"anthropic_direct"}')).toEqual({ kind: 'anthropic_direct' });
    expect(decodeWire(Event, '{"request_id":"r","kind":"request_started"}')).toEqual({
      kind: 'request_started',
      request_id: 'r',
      downstream_user_agent: null,
    });
  });

  it('lets a unit variant ignore extra keys (serde-rs/serde#2123) while struct variants reject them', () => {
    expect(decodeWire(Upstream, '{"x":[1,{"y":2}],"kind":"anthropic_direct"}')).toEqual({
      kind: 'anthropic_direct',
    });
    // The variant is decoded from serde's buffer, so a top-level error has no position at all.
    const error = textFailure(
      Event,
      '{"kind":"chunk","batch_index":1,"event_count":2,"total_bytes":3,"x":1}',
    );
    expect(error.serdeText).toBe(
      'unknown field `x`, expected one of `batch_index`, `event_count`, `total_bytes`',
    );
    expect(error.line).toBe(0);
    expect(error.path).toBe('/x');
  });

  it('reports a missing tag at the closing brace and an unknown tag after its value', () => {
    expect(textFailure(Upstream, '{"x":1}').serdeText).toBe('missing field `kind` at line 1 column 7');
    expect(textFailure(Upstream, '{"kind":"custom"}').serdeText).toBe(
      'unknown variant `custom`, expected `anthropic_direct` at line 1 column 16',
    );
    expect(textFailure(Upstream, '{"kind":"anthropic_direct","kind":"anthropic_direct"}').serdeText).toBe(
      'duplicate field `kind` at line 1 column 33',
    );
    expect(textFailure(Upstream, '{"kind":1}').serdeText).toBe(
      'invalid type: integer `1`, expected variant identifier at line 1 column 9',
    );
  });

  it('names the enum when the value is not an object', () => {
    expect(textFailure(Upstream, '"anthropic_direct"').serdeText).toBe(
      'invalid type: string "anthropic_direct", expected internally tagged enum UpstreamWire at line 1 column 18',
    );
    expect(textFailure(Upstream, 'null').serdeText).toBe(
      'invalid type: null, expected internally tagged enum UpstreamWire at line 1 column 4',
    );
  });

  it('positions a variant error at the enclosing frame, as serde`s content buffering does', () => {
    const middle = textFailure(Observe, '{"event":{"kind":"chunk","batch_index":1},"n":1}');
    expect(middle.serdeText).toBe('missing field `event_count` at line 1 column 41');
    expect(middle.path).toBe('/event/event_count');
    const last = textFailure(Observe, '{"n":1,"event":{"kind":"chunk","batch_index":1.5}}');
    expect(last.serdeText).toBe('invalid type: floating point `1.5`, expected u64 at line 1 column 50');
    expect(last.path).toBe('/event/batch_index');
  });
});

describe('decodeWire: text level', () => {
  it('accepts UTF-8 bytes and rejects invalid UTF-8 like from_slice', () => {
    const encoder = new TextEncoder();
    expect(decodeWire(Header, encoder.encode('{"name":"é","value_base64":""}'))).toEqual({
      name: 'é',
      value_base64: '',
    });
    const bytes = Uint8Array.from([
      ...encoder.encode('{"name":"'),
      0xff,
      ...encoder.encode('","value_base64":""}'),
    ]);
    expect(textFailure(Header, bytes).serdeText).toBe('invalid unicode code point at line 1 column 11');
  });

  it('counts nesting across typed and any-typed levels against the limit of 128', () => {
    const ok = `{"id":"x","claims":${'['.repeat(126)}${']'.repeat(126)}}`;
    expect(() => decodeWire(Principal, ok)).not.toThrow();
    const deep = `{"id":"x","claims":${'['.repeat(127)}${']'.repeat(127)}}`;
    expect(textFailure(Principal, deep).serdeText).toBe('recursion limit exceeded at line 1 column 146');
  });
});

describe('decodeWireValue (serde_json::from_value)', () => {
  const Two = struct('Two', { z: u16(), a: u16() });

  it('uses the same rules with no position in the text', () => {
    const error = valueFailure(Header, '{"name":"n","x":1}');
    expect(error.serdeText).toBe('unknown field `x`, expected `name` or `value_base64`');
    expect(error.line).toBe(0);
    expect(error.column).toBe(0);
    expect(error.message).toBe('unknown field `x`, expected `name` or `value_base64` (at /x)');
    expect(valueFailure(one(u16()), '{"v":1.0}').serdeText).toBe(
      'invalid type: floating point `1.0`, expected u16',
    );
    expect(valueFailure(Header, '{"name":"a"}').serdeText).toBe('missing field `value_base64`');
  });

  it('walks object keys in BTreeMap order and sees duplicates already collapsed', () => {
    expect(textFailure(Two, '{"z":"bad","a":"bad"}').path).toBe('/z');
    const error = valueFailure(Two, '{"z":"bad","a":"bad"}');
    expect(error.path).toBe('/a');
    expect(error.message).toBe('invalid type: string "bad", expected u16 (at /a)');
    expect(decodeWireValue(Two, parseJsonValue('{"z":1,"a":2,"z":3}'))).toEqual({ z: 3, a: 2 });
    expect(textFailure(Two, '{"z":1,"a":2,"z":3}').serdeText).toBe('duplicate field `z` at line 1 column 16');
  });

  it('decodes enums, tagged enums and sequence forms with Value`s texts', () => {
    expect(
      decodeWireValue(
        Event,
        parseJsonValue('{"kind":"request_started","request_id":"r","downstream_user_agent":"ua"}'),
      ),
    ).toEqual({
      kind: 'request_started',
      request_id: 'r',
      downstream_user_agent: 'ua',
    });
    expect(valueFailure(Event, '{"request_id":"r"}').serdeText).toBe('missing field `kind`');
    expect(valueFailure(Upstream, '{"kind":"x"}').serdeText).toBe(
      'unknown variant `x`, expected `anthropic_direct`',
    );
    expect(valueFailure(one(Policy), '{"v":5}').serdeText).toBe(
      'invalid type: integer `5`, expected string or map',
    );
    expect(valueFailure(one(Policy), '{"v":{"use_default":null,"silent_skip":null}}').serdeText).toBe(
      'invalid value: map, expected map with a single key',
    );
    expect(decodeWireValue(one(Policy), parseJsonValue('{"v":{"use_default":null}}'))).toEqual({
      v: 'use_default',
    });
    expect(valueFailure(Header, '["a","b","c"]').serdeText).toBe(
      'invalid length 3, expected fewer elements in array',
    );
    expect(valueFailure(Identity, '{"magic":[0,0,0,0,0,0,0,0,0]}').serdeText).toBe(
      'invalid length 9, expected fewer elements in array',
    );
    expect(valueFailure(Header, '"x"').serdeText).toBe(
      'invalid type: string "x", expected struct HeaderWire',
    );
  });
});

describe('decode properties', () => {
  const schemas = [Header, Optionals, Principal, Identity, Observe, struct('P', { p: Policy, u: Upstream })];

  it('never throws anything but WireDecodeError on arbitrary input', () => {
    const noise = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.json(),
      fc.stringMatching(/^[[\]{}",:0-9eE.+\-ntrufals\\ ]{0,30}$/),
      fc.constantFrom('{"kind":', '{"event":{"kind":"chunk"', '{"magic":[1,2', '{"n":1,"o":'),
    );
    fc.assert(
      fc.property(noise, fc.constantFrom(...schemas), (text, schema) => {
        for (const run of [
          () => decodeWire(schema, text),
          () => decodeWireValue(schema, parseJsonValue(text)),
        ]) {
          try {
            run();
          } catch (error) {
            expect(error).toBeInstanceOf(WireDecodeError);
          }
        }
      }),
      { numRuns: 600 },
    );
  });
});
