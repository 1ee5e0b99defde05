/**
 * Wire layer: schema builders that carry serde semantics on top of TypeBox.
 *
 * Every wire type is a TypeBox schema; the `wire` annotation on a schema tells the decoder
 * (`decode.ts`) and encoder (`encode.ts`) how serde_json would treat it: integer width and
 * signedness, nullable vs omittable fields, maps, sets, internally tagged enums and `any` values.
 * A schema and its static type share one name (`export const X = …; export type X = Static<typeof X>`).
 */
import {
  type Static,
  type TLiteral,
  type TObject,
  type TProperties,
  type TSchema,
  type TUnion,
  Type,
} from '@sinclair/typebox';

/** Integer widths as serde sees them. `usize` is decoded by the 64-bit host as a u64. */
export type IntKind = 'u8' | 'u16' | 'u32' | 'u64' | 'usize' | 'i64';
export type FloatKind = 'f32' | 'f64';

/** The annotation stored under `schema.wire`. Exactly one member is set per annotated schema. */
export interface WireAnnotation {
  /** an integer field: JSON integers only (no fraction, no exponent), range-checked */
  readonly int?: IntKind;
  /** a float field: any JSON number; written so it re-parses as a float (`1.0`) */
  readonly float?: FloatKind;
  /** Option<T> always emitted (`null` when absent); on input the key may be missing or null */
  readonly nullable?: true;
  /** Option<T> with skip_serializing_if: omitted when absent; on input missing or null → absent */
  readonly omittable?: true;
  /** serde_json::Value: key required, any JSON value (null included) */
  readonly any?: true;
  /** BTreeMap<String, V>: duplicate keys last-wins, serialized with keys sorted by code point */
  readonly map?: true;
  /** BTreeSet<String>: duplicates collapse, serialized sorted by code point */
  readonly set?: true;
  /** internally tagged enum: the tag key's name */
  readonly tagged?: string;
  /** the Rust type name, used in serde-style messages (`expected struct HeaderWire`) */
  readonly name?: string;
}

export function wireOf(schema: TSchema): WireAnnotation | undefined {
  return (schema as { wire?: WireAnnotation }).wire;
}

/** A generic JSON value as a wire value holds it (serde_json::Value). Integers beyond 2^53−1 are bigint. */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

const U64_MAX = 18446744073709551615n;
const I64_MIN = -9223372036854775808n;
const I64_MAX = 9223372036854775807n;

/** Inclusive integer ranges per kind, as bigint. */
export const INT_RANGES: Readonly<Record<IntKind, readonly [bigint, bigint]>> = {
  u8: [0n, 255n],
  u16: [0n, 65535n],
  u32: [0n, 4294967295n],
  u64: [0n, U64_MAX],
  usize: [0n, U64_MAX],
  i64: [I64_MIN, I64_MAX],
};

export const u8 = () => Type.Integer({ minimum: 0, maximum: 255, wire: { int: 'u8' } });
export const u16 = () => Type.Integer({ minimum: 0, maximum: 65535, wire: { int: 'u16' } });
export const u32 = () => Type.Integer({ minimum: 0, maximum: 4294967295, wire: { int: 'u32' } });
/** u64: a number while it is a safe integer, a bigint above 2^53−1 (never silently rounded). */
export const u64 = () =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.BigInt({ minimum: 0n, maximum: U64_MAX })], {
    wire: { int: 'u64' },
  });
export const usize = () =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.BigInt({ minimum: 0n, maximum: U64_MAX })], {
    wire: { int: 'usize' },
  });
export const i64 = () =>
  Type.Union([Type.Integer(), Type.BigInt({ minimum: I64_MIN, maximum: I64_MAX })], { wire: { int: 'i64' } });
export const f32 = () => Type.Number({ wire: { float: 'f32' } });
export const f64 = () => Type.Number({ wire: { float: 'f64' } });
export const str = () => Type.String();
/**
 * A String holding standard base64 (the `*_base64` fields). serde sees a plain string and the
 * host never checks the alphabet; the JSON Schema `contentEncoding` says what a valid value is,
 * for generators and readers of the schema.
 */
export const base64 = () => Type.String({ contentEncoding: 'base64' });
export const bool = () => Type.Boolean();

/** serde_json::Value: the key must be present; any value, null included. */
export const anyValue = () => Type.Unsafe<JsonValue>(Type.Unknown({ wire: { any: true } }));

/** A struct with `deny_unknown_fields`. Field order is the serialization order. */
export const struct = <P extends TProperties>(name: string, properties: P): TObject<P> =>
  Type.Object(properties, { additionalProperties: false, wire: { name } });

/** Option<T> always emitted as `null` when absent. */
export const nullable = <T extends TSchema>(schema: T) =>
  Type.Union([schema, Type.Null()], { wire: { nullable: true } });

/**
 * Option<T> skipped when absent; the property is optional in TypeScript. Built as a raw
 * one-member `anyOf` because `Type.Union` of a single member collapses to the member and would
 * drop the annotation.
 */
export const omittable = <T extends TSchema>(schema: T) =>
  Type.Optional(Type.Unsafe<Static<T>>({ anyOf: [schema], wire: { omittable: true } }));

/** BTreeMap<String, V>. */
export const map = <V extends TSchema>(value: V) =>
  Type.Record(Type.String(), value, { wire: { map: true } });

/** BTreeSet<String>, carried as a sorted, de-duplicated array. */
export const set = () => Type.Array(Type.String(), { wire: { set: true } });

/** Vec<T>. */
export const list = <T extends TSchema>(item: T) => Type.Array(item);

/** [T; n]. */
export const fixedArray = <T extends TSchema>(item: T, length: number) =>
  Type.Array(item, { minItems: length, maxItems: length });

/** A unit enum serialized as one of the given strings (exact, case-sensitive). */
export const unitEnum = <const V extends readonly string[]>(name: string, values: V) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { wire: { name } },
  ) as unknown as TUnion<{ [K in keyof V]: TLiteral<V[K] & string> }[number][]>;

/**
 * An internally tagged enum (`#[serde(tag = "kind")]`): each variant is an object holding the tag
 * next to its own fields. Unit variants have no other fields.
 */
export const tagged = <const Tag extends string, const V extends Record<string, TProperties>>(
  name: string,
  tag: Tag,
  variants: V,
) =>
  // A raw `anyOf`: `Type.Union` would collapse a one-variant enum (UpstreamWire) into its variant.
  Type.Unsafe({
    anyOf: Object.entries(variants).map(([variant, props]) =>
      Type.Object(
        { [tag]: Type.Literal(variant), ...props },
        { additionalProperties: false, wire: { name: variant } },
      ),
    ),
    wire: { tagged: tag, name },
  }) as unknown as TUnion<
    { [K in keyof V]: TObject<{ [T in Tag]: TLiteral<K & string> } & V[K]> }[keyof V][]
  >;

export type { Static, TSchema };
