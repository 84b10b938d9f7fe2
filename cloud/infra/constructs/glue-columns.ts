/**
 * Derives Glue (Hive) column types from the contract's JSON Schema, so the lake tables follow the
 * event schemas in `@croupier/contracts` instead of a second hand-written copy that drifts.
 */

/** The subset of JSON Schema that `z.toJSONSchema` emits for the contract. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly description?: string;
}

/** One Glue column: Hive type string, lower-case name (Athena lower-cases identifiers; the JSON SerDe matches case-insensitively). */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

/** Glue allows 255 characters of comment per column. */
const MAX_COMMENT = 255;

function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  const match = /^#\/\$defs\/(.+)$/.exec(schema.$ref);
  const target = match ? root.$defs?.[match[1]!] : undefined;
  if (!target) throw new Error(`unresolvable $ref ${schema.$ref}`);
  return resolve(target, root);
}

/** Variants of a union, flattened; a plain schema is its own single variant. */
function variants(schema: JsonSchema, root: JsonSchema): JsonSchema[] {
  const s = resolve(schema, root);
  const parts = s.oneOf ?? s.anyOf ?? s.allOf;
  return parts ? parts.flatMap((p) => variants(p, root)) : [s];
}

/** Properties of every variant merged; a property whose variants disagree on type becomes a string. */
function mergedProperties(schema: JsonSchema, root: JsonSchema): Map<string, { type: string; comment?: string }> {
  const merged = new Map<string, { type: string; comment?: string }>();
  for (const variant of variants(schema, root)) {
    for (const [name, prop] of Object.entries(variant.properties ?? {})) {
      const type = hiveType(prop, root);
      const existing = merged.get(name);
      const comment = resolve(prop, root).description ?? existing?.comment;
      merged.set(name, { type: existing && existing.type !== type ? 'string' : type, ...(comment ? { comment } : {}) });
    }
  }
  return merged;
}

/** Maps one JSON Schema to a Hive type string. */
export function hiveType(schema: JsonSchema, root: JsonSchema = schema): string {
  const all = variants(schema, root);
  if (all.length > 1) {
    const types = new Set(all.map((v) => hiveType(v, root)));
    if (types.size === 1) return [...types][0]!;
    if (all.every((v) => v.properties)) return structOf(mergedProperties(schema, root));
    return 'string';
  }
  const s = all[0]!;
  if (s.const !== undefined || s.enum) return 'string';
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
      return 'bigint';
    case 'number':
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `array<${s.items ? hiveType(s.items, root) : 'string'}>`;
    case 'object':
      if (s.properties && Object.keys(s.properties).length > 0) return structOf(mergedProperties(s, root));
      if (typeof s.additionalProperties === 'object') return `map<string,${hiveType(s.additionalProperties, root)}>`;
      return 'string';
    default:
      return 'string';
  }
}

function structOf(fields: Map<string, { type: string }>): string {
  return `struct<${[...fields].map(([name, f]) => `${name.toLowerCase()}:${f.type}`).join(',')}>`;
}

/** Top-level columns of a table whose rows are the events described by `schema`. */
export function glueColumns(schema: JsonSchema): GlueColumn[] {
  return [...mergedProperties(schema, schema)].map(([name, f]) => ({
    name: name.toLowerCase(),
    type: f.type,
    ...(f.comment ? { comment: f.comment.slice(0, MAX_COMMENT) } : {}),
  }));
}
