import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { decodeWire } from '../../src/wire/decode.js';
import { WireDecodeError } from '../../src/wire/decode-error.js';
import { encodeWire } from '../../src/wire/encode.js';
import * as wire from '../../src/wire/index.js';
import { serdeExpectedFields, WIRE_STRUCTS, withUnknownKey } from '../support/wire-catalog.js';

/** A top-level struct schema: an object with a Rust name that denies unknown fields. */
function isStructSchema(value: unknown): value is TSchema & { properties: Record<string, TSchema> } {
  if (typeof value !== 'object' || value === null) return false;
  const schema = value as { type?: unknown; additionalProperties?: unknown; properties?: unknown };
  return (
    schema.type === 'object' &&
    schema.additionalProperties === false &&
    typeof schema.properties === 'object' &&
    wire.wireOf(value as TSchema)?.name !== undefined
  );
}

const exportedStructs = Object.entries(wire)
  .filter(([, value]) => isStructSchema(value))
  .map(([name]) => name)
  .sort();

describe('every struct the wire layer exports', () => {
  it('has a catalog sample (so the checks below cover every struct)', () => {
    expect(exportedStructs.length).toBeGreaterThan(30);
    expect(exportedStructs).toEqual(Object.keys(WIRE_STRUCTS).sort());
  });

  for (const [name, entry] of Object.entries(WIRE_STRUCTS)) {
    it(`${name}: the sample encodes to its exact JSON and decodes back equal`, () => {
      expect(wire.wireOf(entry.schema)).toBeDefined();
      expect(encodeWire(entry.schema, entry.sample() as never)).toBe(entry.json);
      expect(decodeWire(entry.schema, entry.json)).toEqual(entry.sample());
    });

    it(`${name}: an unknown key is rejected, naming the key and the fields in declaration order`, () => {
      const fields = Object.keys((entry.schema as unknown as { properties: object }).properties);
      let error: unknown;
      try {
        decodeWire(entry.schema, withUnknownKey(entry.json));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(WireDecodeError);
      const decodeError = error as WireDecodeError;
      expect(decodeError.category).toBe('Data');
      expect(decodeError.serdeText).toMatch(
        new RegExp(
          `^${escapeRegExp(`unknown field \`zz_unknown\`, ${serdeExpectedFields(fields)}`)} at line 1 column \\d+$`,
        ),
      );
      expect(decodeError.message).toContain('unknown field `zz_unknown`');
    });
  }
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
