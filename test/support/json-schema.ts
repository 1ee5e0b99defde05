/**
 * Test support: a JSON Schema (draft-07) checker for the keywords the published speedscope file
 * schema uses — `$ref` to `#/definitions/…`, `type` (one or a list), `enum`, `properties`,
 * `required`, `items`, `anyOf`, `const` (primitives), plus the annotations `title` and `$schema`. A schema using any
 * other keyword is refused, so the check can never pass by ignoring a rule it does not know.
 * Returns the violations, each with its JSON pointer; empty means valid.
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['title', '$schema', 'definitions', 'description']);
const RULES = new Set(['$ref', 'type', 'const', 'enum', 'properties', 'required', 'items', 'anyOf']);

export function schemaViolations(root: Schema, value: unknown): string[] {
  const violations: string[] = [];
  check(root, root, value, '', violations);
  return violations;
}

function check(root: Schema, schema: Schema, value: unknown, path: string, out: string[]): void {
  for (const key of Object.keys(schema)) {
    if (!RULES.has(key) && !ANNOTATIONS.has(key))
      throw new Error(`unsupported schema keyword ${key} at ${path || '/'}`);
  }
  if (typeof schema.$ref === 'string') {
    const match = /^#\/definitions\/(.+)$/.exec(schema.$ref);
    const target =
      match === null ? undefined : (root.definitions as Record<string, Schema>)[match[1] as string];
    if (target === undefined) throw new Error(`unresolvable $ref ${schema.$ref}`);
    check(root, target, value, path, out);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => hasType(value, t))) out.push(`${path || '/'}: expected ${types.join(' or ')}`);
  }
  if ('const' in schema && value !== schema.const)
    out.push(`${path || '/'}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value as never)) {
    out.push(`${path || '/'}: expected one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (!(key in object)) out.push(`${path}/${key}: required`);
    }
    const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, sub] of Object.entries(properties)) {
      if (key in object) check(root, sub, object[key], `${path}/${key}`, out);
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    for (const [i, item] of value.entries()) check(root, schema.items as Schema, item, `${path}/${i}`, out);
  }
  if (Array.isArray(schema.anyOf)) {
    const matched = (schema.anyOf as Schema[]).some((sub) => {
      const inner: string[] = [];
      check(root, sub, value, path, inner);
      return inner.length === 0;
    });
    if (!matched) out.push(`${path || '/'}: matches none of anyOf`);
  }
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      throw new Error(`unsupported schema type ${type}`);
  }
}
