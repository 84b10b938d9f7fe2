import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { catalog, parseWith } from '../src/index.js';
import { renderArtifacts } from '../tooling/render-artifacts.js';

interface Fixture {
  valid: unknown[];
  invalid: { why: string; input: unknown; path: string }[];
}

const fixture = (name: string): Fixture =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', `${name}.json`), 'utf8')) as Fixture;

const artifacts = renderArtifacts();
// JSON Schema `format` is advisory here: every constrained string also carries a pattern.
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });

describe.each(catalog.map((entry) => [entry.name, entry] as const))('%s', (name, entry) => {
  const { valid, invalid } = fixture(name);
  const jsonSchema = ajv.compile(JSON.parse(artifacts.get(`generated/json-schema/${name}.schema.json`)!));

  it('has valid and invalid fixtures', () => {
    expect(valid.length).toBeGreaterThan(0);
    expect(invalid.length).toBeGreaterThan(0);
  });

  it.each(valid.map((input, i) => [i, input]))(
    'accepts valid fixture %i with zod and with the generated JSON Schema',
    (_, input) => {
      const parsed = parseWith(entry.schema, input);
      expect(parsed.ok ? 'ok' : parsed.error.message).toBe('ok');
      expect(jsonSchema(input) ? 'ok' : ajv.errorsText(jsonSchema.errors)).toBe('ok');
    },
  );

  it.each(invalid.map((f) => [f.why, f]))('refuses "%s", naming the field', (_, f) => {
    const parsed = parseWith(entry.schema, f.input);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.name).toBe('ContractError');
    expect(parsed.error.issues.map((i) => i.path)).toContain(f.path);
    expect(parsed.error.message).toContain(f.path);
  });

  it('JSON Schema refuses the invalid fixtures too (except major-version checks, which only readers make)', () => {
    for (const f of invalid.filter((f) => f.path !== 'schemaVersion')) {
      expect(jsonSchema(f.input), f.why).toBe(false);
    }
  });
});
