import type { ComponentDeploymentSpecification, Deployment } from '@aws-sdk/client-greengrassv2';
import { z } from 'zod';
import { FAILURE_MODEL_COMPONENT } from './failure-model-recipe.js';
import type { ModelPackage } from './model-package.js';

/**
 * The parts of a stored FailureModel recipe (GetComponent, JSON) that say which model it carries.
 * Keys are compared lower-cased: Greengrass reads recipe keys without regard to case (`URI`, `Uri`),
 * so the recipe it hands back need not spell them as this release wrote them.
 */
const StoredRecipe = z.object({
  componentname: z.string(),
  manifests: z
    .array(
      z.object({
        artifacts: z.array(
          z.object({ uri: z.string(), digest: z.string().optional(), algorithm: z.string().optional() }),
        ),
      }),
    )
    .min(1),
});

function lowerCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerCaseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key.toLowerCase(), lowerCaseKeys(inner)]));
}

/**
 * Whether a stored FailureModel recipe carries exactly this model: every manifest names each of the
 * package's files, and only those, with the package's SHA-256 digest. The digests are what every core
 * checks its download against, so equal digests mean the cores would receive the same bytes. A
 * recipe that cannot be read this way (not JSON, another component, no digests) carries no model.
 */
export function recipeCarriesModel(recipe: Uint8Array, model: ModelPackage): boolean {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(recipe));
  } catch {
    return false;
  }
  const parsed = StoredRecipe.safeParse(lowerCaseKeys(raw));
  if (!parsed.success || parsed.data.componentname !== FAILURE_MODEL_COMPONENT) return false;
  return parsed.data.manifests.every(
    ({ artifacts }) =>
      artifacts.length === model.artifacts.length &&
      model.artifacts.every((packaged) =>
        artifacts.some(
          (stored) =>
            stored.uri.split('/').at(-1) === packaged.name &&
            stored.digest === packaged.sha256Base64 &&
            // Greengrass's default algorithm is SHA-256.
            (stored.algorithm ?? 'SHA-256').toUpperCase() === 'SHA-256',
        ),
      ),
  );
}

/**
 * The thing group's current deployment among ListDeployments' summaries: the latest revision of a
 * deployment that targets the group itself (not a subdeployment of it). Without Greengrass's
 * `isLatestForTarget` mark, the newest one.
 */
export function currentDeployment(summaries: readonly Deployment[], targetArn: string): Deployment | undefined {
  const own = summaries.filter((d) => d.targetArn === targetArn && !d.parentTargetArn && d.deploymentId);
  const marked = own.find((d) => d.isLatestForTarget === true);
  if (marked) return marked;
  return own.reduce<Deployment | undefined>(
    (newest, d) =>
      !newest || (d.creationTimestamp?.getTime() ?? 0) > (newest.creationTimestamp?.getTime() ?? 0) ? d : newest,
    undefined,
  );
}

/** Whether a deployment's components already put this FailureModel version on the cores. */
export function deploysVersion(
  components: Readonly<Record<string, ComponentDeploymentSpecification>> | undefined,
  componentVersion: string,
): boolean {
  return components?.[FAILURE_MODEL_COMPONENT]?.componentVersion === componentVersion;
}
