/**
 * Wire layer: what a `schema.ts` schema means to serde. Each schema is compiled once (cached per
 * schema object) into a plan that mirrors what `#[derive(Serialize, Deserialize)]` with
 * `deny_unknown_fields` generates for the Rust type: field order and names, which fields are
 * `Option`s and whether they are skipped when absent, integer widths, the `expecting` texts serde
 * puts into its errors. `decode.ts` and `encode.ts` both walk these plans. Internal to the wire layer.
 */

import { Kind, type TSchema } from '@sinclair/typebox';
import { compareCodePoints } from './ordered.js';
import { INT_RANGES, type IntKind, wireOf } from './schema.js';

export interface StrDec {
  readonly t: 'str';
  /** the string holds base64 (`contentEncoding`); serde treats it as any other string */
  readonly base64?: true;
}
export interface BoolDec {
  readonly t: 'bool';
}
export interface IntDec {
  readonly t: 'int';
  readonly kind: IntKind;
  readonly min: bigint;
  readonly max: bigint;
  readonly minN: number;
  readonly maxN: number;
  /** u8/u16/u32 always decode to numbers; 64-bit kinds to bigint beyond 2^53−1 */
  readonly wide: boolean;
}
export interface FloatDec {
  readonly t: 'float';
  readonly f32: boolean;
}
export interface AnyDec {
  readonly t: 'any';
}
export interface OptDec {
  readonly t: 'opt';
  readonly inner: Dec;
  /** omittable (`#[serde(default, skip_serializing_if)]`) rather than nullable */
  readonly omit: boolean;
}
export interface FieldDec {
  readonly name: string;
  readonly dec: Dec;
  /** The name as a JSON string literal (`JSON.stringify`), written once per plan. */
  readonly json: string;
}
export interface StructDec {
  readonly t: 'struct';
  readonly fields: readonly FieldDec[];
  readonly index: ReadonlyMap<string, number>;
  readonly names: readonly string[];
  /** `struct Name` */
  readonly expecting: string;
  /** `struct Name with N elements` (the sequence form) */
  readonly seqExpecting: string;
  /** The fields in the order a serde_json::Value (a BTreeMap) writes them: by code point. */
  readonly valueOrder: readonly FieldDec[];
}
export interface ListDec {
  readonly t: 'list';
  readonly item: Dec;
}
export interface SetDec {
  readonly t: 'set';
}
export interface MapDec {
  readonly t: 'map';
  readonly value: Dec;
}
export interface FixedDec {
  readonly t: 'fixed';
  readonly item: Dec;
  readonly length: number;
  readonly expecting: string;
}
export interface EnumDec {
  readonly t: 'enum';
  readonly values: readonly string[];
  readonly set: ReadonlySet<string>;
}
export interface VariantDec {
  readonly name: string;
  /** null for a unit variant */
  readonly struct: StructDec | null;
}
export interface TaggedDec {
  readonly t: 'tagged';
  readonly tag: string;
  readonly variants: ReadonlyMap<string, VariantDec>;
  readonly names: readonly string[];
  readonly expecting: string;
}

export type Dec =
  | StrDec
  | BoolDec
  | IntDec
  | FloatDec
  | AnyDec
  | OptDec
  | StructDec
  | ListDec
  | SetDec
  | MapDec
  | FixedDec
  | EnumDec
  | TaggedDec;

export const STR: StrDec = { t: 'str' };
const BASE64: StrDec = { t: 'str', base64: true };
const BOOL: BoolDec = { t: 'bool' };
const ANY: AnyDec = { t: 'any' };
const SET: SetDec = { t: 'set' };

const cache = new WeakMap<TSchema, Dec>();

export function compile(schema: TSchema): Dec {
  let dec = cache.get(schema);
  if (dec === undefined) {
    dec = build(schema);
    cache.set(schema, dec);
  }
  return dec;
}

function kindOf(schema: TSchema): string {
  return (schema as { [Kind]?: string })[Kind] ?? '';
}

function build(schema: TSchema): Dec {
  const wire = wireOf(schema);
  const s = schema as TSchema & {
    anyOf?: TSchema[];
    items?: TSchema;
    properties?: Record<string, TSchema>;
    patternProperties?: Record<string, TSchema>;
    minItems?: number;
    maxItems?: number;
    const?: unknown;
    contentEncoding?: string;
  };
  if (wire?.int !== undefined) {
    const [min, max] = INT_RANGES[wire.int];
    return {
      t: 'int',
      kind: wire.int,
      min,
      max,
      minN: Number(min),
      maxN: Number(max),
      wide: max > 4294967295n || min < 0n,
    };
  }
  if (wire?.float !== undefined) return { t: 'float', f32: wire.float === 'f32' };
  if (wire?.any) return ANY;
  if (wire?.nullable || wire?.omittable) {
    const inner = s.anyOf?.[0];
    if (inner === undefined) throw new TypeError('wire schema: an optional schema needs its inner schema');
    return { t: 'opt', inner: compile(inner), omit: wire.omittable === true };
  }
  if (wire?.map) {
    const value = Object.values(s.patternProperties ?? {})[0];
    if (value === undefined) throw new TypeError('wire schema: a map schema needs its value schema');
    return { t: 'map', value: compile(value) };
  }
  if (wire?.set) return SET;
  if (wire?.tagged !== undefined) return buildTagged(wire.tagged, wire.name ?? '', s.anyOf ?? []);
  switch (kindOf(schema)) {
    case 'String':
      return s.contentEncoding === 'base64' ? BASE64 : STR;
    case 'Boolean':
      return BOOL;
    case 'Object':
      return buildStruct(wire?.name ?? '', s.properties ?? {}, null);
    case 'Array': {
      if (s.items === undefined) throw new TypeError('wire schema: an array schema needs its item schema');
      const item = compile(s.items);
      if (s.minItems !== undefined && s.minItems === s.maxItems) {
        return { t: 'fixed', item, length: s.minItems, expecting: `an array of length ${s.minItems}` };
      }
      return { t: 'list', item };
    }
    case 'Union': {
      const values = (s.anyOf ?? []).map((v) => (v as { const?: unknown }).const);
      if (values.length > 0 && values.every((v) => typeof v === 'string')) {
        return { t: 'enum', values: values as string[], set: new Set(values as string[]) };
      }
      break;
    }
    case 'Literal':
      if (typeof s.const === 'string') return { t: 'enum', values: [s.const], set: new Set([s.const]) };
      break;
  }
  throw new TypeError(`wire schema: no serde mapping for a ${kindOf(schema) || 'unknown'} schema`);
}

function buildStruct(name: string, properties: Record<string, TSchema>, skip: string | null): StructDec {
  const fields: FieldDec[] = [];
  for (const [field, schema] of Object.entries(properties)) {
    if (field !== skip) fields.push({ name: field, dec: compile(schema), json: JSON.stringify(field) });
  }
  const names = fields.map((f) => f.name);
  return {
    t: 'struct',
    fields,
    index: new Map(names.map((n, i) => [n, i])),
    names,
    expecting: `struct ${name}`,
    seqExpecting: `struct ${name} with ${fields.length} element${fields.length === 1 ? '' : 's'}`,
    valueOrder: [...fields].sort((a, b) => compareCodePoints(a.name, b.name)),
  };
}

function buildTagged(tag: string, name: string, variants: readonly TSchema[]): TaggedDec {
  const byName = new Map<string, VariantDec>();
  for (const variant of variants) {
    const v = variant as TSchema & { properties?: Record<string, TSchema> };
    const properties = v.properties ?? {};
    const tagSchema = properties[tag] as { const?: unknown } | undefined;
    const variantName =
      typeof tagSchema?.const === 'string' ? tagSchema.const : (wireOf(variant)?.name ?? '');
    const struct = Object.keys(properties).length > 1 ? buildStruct(variantName, properties, tag) : null;
    byName.set(variantName, { name: variantName, struct });
  }
  return {
    t: 'tagged',
    tag,
    variants: byName,
    names: [...byName.keys()],
    expecting: `internally tagged enum ${name}`,
  };
}
