type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Merges `update` into `base` the way a Greengrass deployment's `merge` does: objects merge key by
 * key, everything else (arrays included) is replaced. Neither input is modified.
 */
export function deepMerge(base: unknown, update: unknown): unknown {
  if (!isObject(base) || !isObject(update)) return update === undefined ? base : update;
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(update)) out[key] = deepMerge(base[key], value);
  return out;
}
