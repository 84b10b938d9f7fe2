import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderArtifacts } from '../tooling/render-artifacts.js';

const root = join(import.meta.dirname, '..');

describe('generated JSON Schema and reference docs', () => {
  const artifacts = renderArtifacts();

  it.each([...artifacts.keys()])('%s is up to date (run `npm run generate -w contracts`)', (path) => {
    expect(readFileSync(join(root, path), 'utf8')).toBe(artifacts.get(path));
  });

  it('has no stale schema files left behind', () => {
    const onDisk = readdirSync(join(root, 'generated/json-schema')).map((f) => `generated/json-schema/${f}`);
    expect(onDisk.sort()).toEqual([...artifacts.keys()].filter((p) => p.startsWith('generated/')).sort());
  });
});
