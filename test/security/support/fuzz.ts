import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

/**
 * Runs per property. CI runs the suite at scale 1; `CROUPIER_FUZZ_SCALE=20 npx vitest run test/security`
 * runs every property twenty times longer, with a fresh seed each run (fast-check prints the seed
 * and path of any counterexample, so a failure found at scale can be replayed).
 */
export function runs(base: number): number {
  const scale = Number(process.env.CROUPIER_FUZZ_SCALE ?? '1');
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

const fixturesDir = fileURLToPath(new URL('../../../contracts/test/fixtures/', import.meta.url));

/** The valid examples of a contract schema, from the contracts' own fixtures. */
export function validExamples(schemaName: string): Record<string, unknown>[] {
  const parsed = JSON.parse(readFileSync(`${fixturesDir}${schemaName}.json`, 'utf8')) as { valid: unknown[] };
  return parsed.valid as Record<string, unknown>[];
}

/** Any JSON value, including deep nesting, huge numbers, odd strings and prototype-looking keys. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(
    null,
    '',
    -0,
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    -1e308,
    '\u0000',
    '\ud800',
    '9'.repeat(400),
    { __proto__: { polluted: true } },
    { constructor: { prototype: { polluted: true } } },
    JSON.parse('{"__proto__":{"polluted":true}}'),
  ),
);

type Json = Record<string, unknown>;

/**
 * A valid example changed in one to three places: a field set to any JSON value, a field removed,
 * an unknown field added, or a string field stretched past any sane length.
 */
export function mutated(examples: readonly Json[]): fc.Arbitrary<Json> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), pick: fc.nat(), value: anyJson }),
    fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('add' as const), key: fc.string({ maxLength: 12 }), value: anyJson }),
    fc.record({ kind: fc.constant('stretch' as const), pick: fc.nat(), times: fc.integer({ min: 2, max: 300 }) }),
  );
  return fc
    .tuple(fc.constantFrom(...examples), fc.array(edit, { minLength: 1, maxLength: 3 }))
    .map(([example, edits]) => {
      const copy = structuredClone(example);
      for (const e of edits) {
        const keys = Object.keys(copy);
        if (e.kind === 'add') {
          copy[e.key] = e.value;
          continue;
        }
        const key = keys[e.pick % Math.max(keys.length, 1)];
        if (key === undefined) continue;
        if (e.kind === 'set') copy[key] = e.value;
        else if (e.kind === 'delete') delete copy[key];
        else if (typeof copy[key] === 'string') copy[key] = (copy[key] as string).repeat(e.times);
      }
      return copy;
    });
}
