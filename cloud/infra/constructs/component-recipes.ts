import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { repoPath } from './paths.js';

const RecipeIdentity = z.object({
  ComponentName: z.string().regex(/^com\.croupier\.[A-Za-z0-9]+$/),
  ComponentVersion: z.string().regex(/^\d+\.\d+\.\d+$/, 'semantic version MAJOR.MINOR.PATCH'),
});

/**
 * Component name → version from every `components/<dir>/recipe.yaml`: the one place a Croupier
 * component's version is written, which GDK publishes and the fleet deployment pins.
 */
export function readRecipeVersions(componentsDir: string = repoPath('components')): Map<string, string> {
  const versions = new Map<string, string>();
  for (const entry of readdirSync(componentsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = join(componentsDir, entry.name, 'recipe.yaml');
    // Directories without a recipe are libraries (edge-kit), not components.
    if (!existsSync(file)) continue;
    const parsed = RecipeIdentity.safeParse(parseYaml(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
    const { ComponentName: name, ComponentVersion: version } = parsed.data;
    if (versions.has(name)) throw new Error(`${name} is declared by two recipes (second: ${file})`);
    versions.set(name, version);
  }
  return versions;
}
