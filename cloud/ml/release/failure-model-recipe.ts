import { parse } from 'yaml';
import type { ModelPackage } from './model-package.js';

/** The component every model ships as. */
export const FAILURE_MODEL_COMPONENT = 'com.croupier.FailureModel';

/** GDK's artifact layout, which the recipe's URIs name: `{component}/{version}/{file}` in the artifacts bucket. */
export function artifactKey(componentVersion: string, file: string): string {
  return `${FAILURE_MODEL_COMPONENT}/${componentVersion}/${file}`;
}

/** Raised when the recipe template is not the FailureModel recipe this release knows how to fill in. */
export class RecipeTemplateError extends Error {
  override readonly name = 'RecipeTemplateError';
}

interface ArtifactEntry {
  URI?: unknown;
  [key: string]: unknown;
}

/** The FailureModel recipe for one new version: the repository's recipe with version, URIs and digests filled in. */
export interface RenderedRecipe {
  readonly recipe: Record<string, unknown>;
  /** The recipe as JSON bytes: CreateComponentVersion's `inlineRecipe`. */
  readonly inlineRecipe: Uint8Array;
  /** `s3://…` of each artifact, in the package's order. */
  readonly artifactUris: readonly string[];
}

/**
 * Fills in `components/failure-model/recipe.yaml` for a new version, as `gdk component build` and
 * `publish` would: `ComponentVersion`, and each artifact URI's `BUCKET_NAME`, `COMPONENT_NAME` and
 * `COMPONENT_VERSION`. Each artifact also gets its SHA-256 `Digest` (base64, as Greengrass encodes it)
 * and `Algorithm`, so every core checks the bytes it downloads against the bytes that were evaluated.
 * Everything else (lifecycle, permissions, description) stays as reviewed in the repository.
 */
export function renderFailureModelRecipe(
  templateText: string,
  options: { readonly componentVersion: string; readonly bucket: string; readonly model: ModelPackage },
): RenderedRecipe {
  const template = parse(templateText) as unknown;
  if (typeof template !== 'object' || template === null || Array.isArray(template)) {
    throw new RecipeTemplateError('the recipe template is not a mapping');
  }
  const recipe = structuredClone(template) as Record<string, unknown>;
  if (recipe.ComponentName !== FAILURE_MODEL_COMPONENT) {
    throw new RecipeTemplateError(
      `the recipe template is for ${String(recipe.ComponentName)}, not ${FAILURE_MODEL_COMPONENT}`,
    );
  }
  recipe.ComponentVersion = options.componentVersion;
  const manifests = recipe.Manifests;
  if (!Array.isArray(manifests) || manifests.length === 0) throw new RecipeTemplateError('the recipe has no Manifests');
  const byName = new Map(options.model.artifacts.map((a) => [a.name, a]));
  const uris = new Map<string, string>();
  for (const manifest of manifests as { Artifacts?: unknown }[]) {
    const artifacts = manifest.Artifacts;
    if (!Array.isArray(artifacts)) throw new RecipeTemplateError('a manifest of the recipe has no Artifacts');
    const seen = new Set<string>();
    for (const entry of artifacts as ArtifactEntry[]) {
      if (typeof entry.URI !== 'string') throw new RecipeTemplateError('an artifact of the recipe has no URI');
      const uri = entry.URI.replace('BUCKET_NAME', options.bucket)
        .replace('COMPONENT_NAME', FAILURE_MODEL_COMPONENT)
        .replace('COMPONENT_VERSION', options.componentVersion);
      const file = uri.split('/').at(-1) ?? '';
      const packaged = byName.get(file as never);
      if (!packaged)
        throw new RecipeTemplateError(`the recipe names artifact ${file}, which a model package does not have`);
      if (uri !== `s3://${options.bucket}/${artifactKey(options.componentVersion, file)}`) {
        throw new RecipeTemplateError(
          `artifact URI ${entry.URI} does not follow s3://BUCKET_NAME/COMPONENT_NAME/COMPONENT_VERSION/<file>`,
        );
      }
      entry.URI = uri;
      entry.Digest = packaged.sha256Base64;
      entry.Algorithm = 'SHA-256';
      seen.add(file);
      uris.set(file, uri);
    }
    const missing = [...byName.keys()].filter((name) => !seen.has(name));
    if (missing.length > 0)
      throw new RecipeTemplateError(`a manifest of the recipe lacks artifacts ${missing.join(', ')}`);
  }
  return {
    recipe,
    inlineRecipe: new TextEncoder().encode(JSON.stringify(recipe)),
    artifactUris: options.model.artifacts.map((a) => uris.get(a.name)!),
  };
}
