import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireDecodeError } from '../../src/wire/decode-error.js';
import { type JsonNode, jsonNodeToValue, jsonValueToNode, parseJsonValue } from '../../src/wire/json.js';

/** The WireDecodeError parseJsonValue throws for `input`. */
function failure(input: string | Uint8Array): WireDecodeError {
  try {
    parseJsonValue(input);
  } catch (error) {
    if (error instanceof WireDecodeError) return error;
    throw error;
  }
  throw new Error(`parsed without error: ${String(input)}`);
}

const bytes = (...values: number[]) => Uint8Array.from(values);
const utf8 = (text: string) => new TextEncoder().encode(text);

describe('parseJsonValue: syntax errors carry serde_json texts and positions', () => {
  it.each([
    // [input, serde_json Display text, category]
    ['{', 'EOF while parsing an object at line 1 column 1', 'Eof'],
    ['', 'EOF while parsing a value at line 1 column 0', 'Eof'],
    ['   ', 'EOF while parsing a value at line 1 column 3', 'Eof'],
    ['[1', 'EOF while parsing a list at line 1 column 2', 'Eof'],
    ['"abc', 'EOF while parsing a string at line 1 column 4', 'Eof'],
    ['{"a"', 'EOF while parsing an object at line 1 column 4', 'Eof'],
    ['{"a":', 'EOF while parsing a value at line 1 column 5', 'Eof'],
    ['[1,]', 'trailing comma at line 1 column 4', 'Syntax'],
    ['{"a":1,}', 'trailing comma at line 1 column 8', 'Syntax'],
    ['[1 2]', 'expected `,` or `]` at line 1 column 4', 'Syntax'],
    ['{"a":1 "b":2}', 'expected `,` or `}` at line 1 column 8', 'Syntax'],
    ['{"a" 1}', 'expected `:` at line 1 column 6', 'Syntax'],
    ['{1:2}', 'key must be a string at line 1 column 2', 'Syntax'],
    ["{'a':1}", 'key must be a string at line 1 column 2', 'Syntax'],
    ['nul', 'EOF while parsing a value at line 1 column 3', 'Eof'],
    ['nulx', 'expected ident at line 1 column 4', 'Syntax'],
    ['True', 'expected value at line 1 column 1', 'Syntax'],
    ['01', 'invalid number at line 1 column 2', 'Syntax'],
    ['-01', 'invalid number at line 1 column 3', 'Syntax'],
    ['+1', 'expected value at line 1 column 1', 'Syntax'],
    ['-', 'EOF while parsing a value at line 1 column 1', 'Eof'],
    ['-a', 'invalid number at line 1 column 2', 'Syntax'],
    ['1.', 'EOF while parsing a value at line 1 column 2', 'Eof'],
    ['1.e5', 'invalid number at line 1 column 3', 'Syntax'],
    ['1e', 'EOF while parsing a value at line 1 column 2', 'Eof'],
    ['1e+', 'EOF while parsing a value at line 1 column 3', 'Eof'],
    ['1ex', 'invalid number at line 1 column 3', 'Syntax'],
    ['.5', 'expected value at line 1 column 1', 'Syntax'],
    ['NaN', 'expected value at line 1 column 1', 'Syntax'],
    ['Infinity', 'expected value at line 1 column 1', 'Syntax'],
    ['1e400', 'number out of range at line 1 column 5', 'Syntax'],
    ['-1e400', 'number out of range at line 1 column 6', 'Syntax'],
    ['"\\x"', 'invalid escape at line 1 column 3', 'Syntax'],
    ['"\\u00"', 'EOF while parsing a string at line 1 column 6', 'Eof'],
    ['"\\u00zz"', 'invalid escape at line 1 column 7', 'Syntax'],
    ['"\\udc00"', 'lone leading surrogate in hex escape at line 1 column 7', 'Syntax'],
    ['"\\ud800"', 'unexpected end of hex escape at line 1 column 8', 'Syntax'],
    ['"\\ud800\\n"', 'unexpected end of hex escape at line 1 column 9', 'Syntax'],
    ['"\\ud800\\u0041"', 'lone leading surrogate in hex escape at line 1 column 13', 'Syntax'],
    [
      '"a\u0001"',
      'control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3',
      'Syntax',
    ],
    [
      '"a\nb"',
      'control character (\\u0000-\\u001F) found while parsing a string at line 2 column 0',
      'Syntax',
    ],
    ['{"a":1} x', 'trailing characters at line 1 column 9', 'Syntax'],
    ['1 2', 'trailing characters at line 1 column 3', 'Syntax'],
    ['[1] // c', 'trailing characters at line 1 column 5', 'Syntax'],
    ['\ufeff{}', 'expected value at line 1 column 1', 'Syntax'],
    ['\u00a0{}', 'expected value at line 1 column 1', 'Syntax'],
    ['{\n  "a": x}', 'expected value at line 2 column 8', 'Syntax'],
    ['["é", x]', 'expected value at line 1 column 8', 'Syntax'],
    ['["😀",\r\n x]', 'expected value at line 2 column 2', 'Syntax'],
  ] as const)('%j → %s', (input, text, category) => {
    const error = failure(input);
    expect(error.serdeText).toBe(text);
    expect(error.category).toBe(category);
    expect(error.kind).toBe('WireDecodeError');
  });

  it('reports line, column and path separately, and the path in the message', () => {
    const error = failure('{"a":[1,{"b":tru}]}');
    expect(error.serdeText).toBe('expected ident at line 1 column 17');
    expect(error.line).toBe(1);
    expect(error.column).toBe(17);
    expect(error.path).toBe('/a/1/b');
    expect(error.message).toBe('expected ident at line 1 column 17 (at /a/1/b)');
    expect(failure('x').message).toBe('expected value at line 1 column 1 (at /)');
  });

  it('escapes JSON pointer segments', () => {
    expect(failure('{"a/b":{"c~d":x}}').path).toBe('/a~1b/c~0d');
  });

  it('rejects a lone surrogate that a JS string holds outside any escape, as from_slice would', () => {
    expect(failure('"\ud800"').serdeText).toBe('invalid unicode code point at line 1 column 5');
    expect(failure('["\udc00x"]').serdeText).toBe('invalid unicode code point at line 1 column 7');
  });
});

describe('parseJsonValue over bytes (serde_json::from_slice)', () => {
  it('decodes valid UTF-8 bytes like the text', () => {
    expect(parseJsonValue(utf8('{"k":"é😀"}'))).toEqual(parseJsonValue('{"k":"é😀"}'));
  });

  it('rejects invalid UTF-8 inside a string when the string closes', () => {
    expect(failure(bytes(0x22, 0xff, 0x22)).serdeText).toBe('invalid unicode code point at line 1 column 3');
    expect(failure(bytes(0x5b, 0x22, 0xc3, 0x22, 0x5d)).serdeText).toBe(
      'invalid unicode code point at line 1 column 4',
    );
  });

  it('rejects a UTF-8 byte-order mark as serde_json does (TextDecoder would strip it)', () => {
    expect(failure(bytes(0xef, 0xbb, 0xbf, 0x7b, 0x7d)).serdeText).toBe('expected value at line 1 column 1');
    expect(parseJsonValue(bytes(0x22, 0xef, 0xbb, 0xbf, 0x22))).toEqual({ type: 'string', value: '\ufeff' });
  });

  it('meets an invalid byte outside a string as an unexpected character', () => {
    expect(failure(bytes(0x5b, 0xff, 0x5d)).serdeText).toBe('expected value at line 1 column 2');
    expect(failure(bytes(0x31, 0x20, 0xfe)).serdeText).toBe('trailing characters at line 1 column 3');
  });

  it('reports an earlier syntax error before the invalid byte, and a control character first', () => {
    expect(failure(bytes(0x22, 0xff, 0x01, 0x22)).serdeText).toBe(
      'control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3',
    );
    expect(failure(bytes(0x22, 0xff)).serdeText).toBe('EOF while parsing a string at line 1 column 2');
  });
});

describe('parseJsonValue: values', () => {
  it('tells integers from floats as serde_json::Number does', () => {
    const node = parseJsonValue(
      '[1,1.0,1e0,-0,-1,0,18446744073709551615,18446744073709551616,-9223372036854775808,-9223372036854775809,1E2,1e-400]',
    );
    expect(node).toEqual({
      type: 'array',
      items: [
        { type: 'int', value: 1n },
        { type: 'float', value: 1 },
        { type: 'float', value: 1 },
        { type: 'float', value: -0 },
        { type: 'int', value: -1n },
        { type: 'int', value: 0n },
        { type: 'int', value: 18446744073709551615n },
        { type: 'float', value: 2 ** 64 },
        { type: 'int', value: -9223372036854775808n },
        { type: 'float', value: -(2 ** 63) },
        { type: 'float', value: 100 },
        { type: 'float', value: 0 },
      ],
    });
    const negativeZero = (node as { items: JsonNode[] }).items[3] as { value: number };
    expect(Object.is(negativeZero.value, -0)).toBe(true);
  });

  it('keeps the last value of a duplicated key and iterates keys in code-point order', () => {
    const node = parseJsonValue('{"b":1,"a":2,"b":3,"\ue000":4,"\u{10000}":5}');
    expect(node.type).toBe('object');
    const entries = (node as Extract<JsonNode, { type: 'object' }>).entries;
    expect([...entries.keys()]).toEqual(['a', 'b', '\ue000', '\u{10000}']);
    expect(entries.get('b')).toEqual({ type: 'int', value: 3n });
  });

  it('decodes escapes, including surrogate pairs, and keeps `/` and non-ASCII', () => {
    expect(parseJsonValue('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\ud83d\\ude00é/"')).toEqual({
      type: 'string',
      value: '"\\/\b\f\n\r\t\u0041😀é/',
    });
  });

  it('accepts 127 nested levels and fails on the 128th with serde_json`s recursion limit', () => {
    const ok = `${'['.repeat(127)}${']'.repeat(127)}`;
    expect(() => parseJsonValue(ok)).not.toThrow();
    const deepObject = `${'{"a":'.repeat(127)}1${'}'.repeat(127)}`;
    expect(() => parseJsonValue(deepObject)).not.toThrow();
    const error = failure(`${'['.repeat(128)}${']'.repeat(128)}`);
    expect(error.serdeText).toBe('recursion limit exceeded at line 1 column 128');
    expect(error.category).toBe('Syntax');
    expect(failure(`${'{"a":'.repeat(128)}1${'}'.repeat(128)}`).serdeText).toBe(
      'recursion limit exceeded at line 1 column 636',
    );
  });

  it('accepts only space, tab, LF and CR as whitespace', () => {
    expect(parseJsonValue(' \t\r\n[ 1 ,\t2 ] \n')).toEqual(jsonValueToNode([1, 2]));
    expect(failure('[1,\u000b2]').serdeText).toBe('expected value at line 1 column 4');
  });
});

describe('jsonNodeToValue and jsonValueToNode', () => {
  it('turns safe integers into numbers and larger ones into bigints', () => {
    expect(
      jsonNodeToValue(parseJsonValue('[9007199254740991,9007199254740992,-9223372036854775808,1.5]')),
    ).toEqual([9007199254740991, 9007199254740992n, -9223372036854775808n, 1.5]);
  });

  it('keeps a __proto__ key as an own property without touching the prototype', () => {
    const value = jsonNodeToValue(parseJsonValue('{"__proto__":{"polluted":true}}')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('builds integer and float nodes the way serde_json::to_value does, keys sorted', () => {
    expect(jsonValueToNode({ b: 1, a: [1.5, -0, 2n, null, true, 's'] })).toEqual({
      type: 'object',
      entries: new Map<string, JsonNode>([
        [
          'a',
          {
            type: 'array',
            items: [
              { type: 'float', value: 1.5 },
              { type: 'float', value: -0 },
              { type: 'int', value: 2n },
              { type: 'null' },
              { type: 'bool', value: true },
              { type: 'string', value: 's' },
            ],
          },
        ],
        ['b', { type: 'int', value: 1n }],
      ]),
    });
  });
});

/** JSON.parse's view of a parsed tree: integers and floats both as doubles. */
function asDoubles(node: JsonNode): unknown {
  switch (node.type) {
    case 'int':
      return Number(node.value);
    case 'array':
      return node.items.map(asDoubles);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, value] of node.entries) {
        Object.defineProperty(out, key, {
          value: asDoubles(value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'null':
      return null;
    default:
      return node.value;
  }
}

/** Deep equality where numbers may differ in the last bits (serde_json's default float parsing is not correctly rounded). */
function closeTo(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b || Math.abs(a - b) <= Math.abs(b) * 4 * Number.EPSILON;
  }
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => closeTo(x, b[i]));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      ka.length === kb.length &&
      ka.every(
        (k, i) =>
          k === kb[i] && closeTo((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
      )
    );
  }
  return Object.is(a, b);
}

describe('parseJsonValue properties', () => {
  it('agrees with JSON.parse on generated JSON (modulo number kinds)', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(closeTo(asDoubles(parseJsonValue(text)), JSON.parse(text))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with JSON.parse on the same JSON given as bytes', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(parseJsonValue(utf8(text))).toEqual(parseJsonValue(text));
      }),
      { numRuns: 100 },
    );
  });

  it('throws nothing but WireDecodeError on arbitrary text and bytes', () => {
    const noise = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.json().map((t) => t.slice(0, Math.max(0, t.length - 1))),
      fc.stringMatching(/^[[\]{}",:0-9eE.+\-ntrufals\\ ]{0,24}$/),
    );
    fc.assert(
      fc.property(noise, (text) => {
        try {
          parseJsonValue(text);
        } catch (error) {
          expect(error).toBeInstanceOf(WireDecodeError);
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (input) => {
        try {
          parseJsonValue(input);
        } catch (error) {
          expect(error).toBeInstanceOf(WireDecodeError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
