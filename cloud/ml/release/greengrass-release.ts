import {
  type ComponentDeploymentSpecification,
  CreateComponentVersionCommand,
  CreateDeploymentCommand,
  DescribeComponentCommand,
  type GreengrassV2Client,
  ListComponentVersionsCommand,
} from '@aws-sdk/client-greengrassv2';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MODEL_CARD_FILE, MODEL_FILE } from '@croupier/failure-predictor/model-contract';
import { nextComponentVersion } from './component-version.js';
import { artifactKey, FAILURE_MODEL_COMPONENT, renderFailureModelRecipe } from './failure-model-recipe.js';
import type { ModelPackage } from './model-package.js';
import type { ReleaseTarget } from './release-target.js';

/** The AWS clients a release uses, and a clock for the wait (tests pass one that does not sleep). */
export interface ReleaseDependencies {
  readonly greengrass: GreengrassV2Client;
  readonly s3: S3Client;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (message: string, fields?: Readonly<Record<string, unknown>>) => void;
}

/** What a release created. */
export interface ReleaseResult {
  readonly componentVersion: string;
  readonly componentVersionArn: string;
  readonly artifactUris: readonly string[];
  /** Where the model lands on every core; FailurePredictor notices the new version folder and switches to it. */
  readonly modelPath: string;
  readonly deploymentId: string;
  readonly iotJobArn?: string;
}

/** Raised when Greengrass refuses the new version or the release cannot be made safely; the fleet keeps its model. */
export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
}

const CONTENT_TYPES: Record<string, string> = {
  [MODEL_FILE]: 'application/octet-stream',
  [MODEL_CARD_FILE]: 'application/json',
};

/** Idempotency token of one release: a retried call with the same model and version creates nothing twice. */
function clientToken(kind: string, componentVersion: string, model: ModelPackage): string {
  return `${kind}-${componentVersion.replaceAll('.', '-')}-${model.artifacts[0].sha256Hex.slice(0, 16)}`;
}

/** Where Greengrass places a version's artifacts on a core. */
export function coreModelPath(target: Pick<ReleaseTarget, 'greengrassRoot'>, componentVersion: string): string {
  return `${target.greengrassRoot}/packages/artifacts/${FAILURE_MODEL_COMPONENT}/${componentVersion}/${MODEL_FILE}`;
}

async function existingVersions(greengrass: GreengrassV2Client, componentArn: string): Promise<string[]> {
  const versions: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await greengrass.send(
      new ListComponentVersionsCommand({ arn: componentArn, ...(nextToken ? { nextToken } : {}) }),
    );
    for (const v of page.componentVersions ?? []) if (v.componentVersion) versions.push(v.componentVersion);
    nextToken = page.nextToken;
  } while (nextToken);
  return versions;
}

async function waitUntilDeployable(
  deps: ReleaseDependencies,
  target: ReleaseTarget,
  componentVersionArn: string,
): Promise<void> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // Counted in polls rather than wall time, so the bound holds whatever the clock does.
  const polls = Math.ceil(target.deployableTimeoutMs / Math.max(target.deployablePollMs, 1));
  for (let poll = 0; ; poll += 1) {
    const described = await deps.greengrass.send(new DescribeComponentCommand({ arn: componentVersionArn }));
    const state = described.status?.componentState;
    if (state === 'DEPLOYABLE') return;
    if (state === 'FAILED' || state === 'DEPRECATED') {
      const errors = Object.entries(described.status?.errors ?? {}).map(([k, v]) => `${k}: ${v}`);
      throw new ReleaseError(
        `Greengrass refused ${componentVersionArn} (${state}): ${[described.status?.message, ...errors].filter(Boolean).join('; ')}`,
      );
    }
    if (poll >= polls) {
      throw new ReleaseError(
        `${componentVersionArn} is still ${state ?? 'unknown'} after ${target.deployableTimeoutMs} ms`,
      );
    }
    await sleep(target.deployablePollMs);
  }
}

/**
 * Ships a checked model to the fleet as a new FailureModel version:
 * 1. the next version after the newest existing one of the configured major (ListComponentVersions);
 * 2. both artifacts to the artifacts bucket under GDK's layout, with S3 checking their SHA-256;
 * 3. the repository's recipe, filled in with version, URIs and digests (CreateComponentVersion);
 * 4. DescribeComponent until Greengrass has checked the artifacts (DEPLOYABLE), else it stops here;
 * 5. a revision of the model thing group's deployment (CreateDeployment) with the new FailureModel
 *    version and nothing else: FailurePredictor belongs to the fleet deployment (CDK's), and running
 *    predictors notice the new version folder and switch models live by themselves; rolled out
 *    gradually, cancelled when too many cores fail, and rolled back on any core where it fails.
 */
export async function releaseFailureModel(
  deps: ReleaseDependencies,
  target: ReleaseTarget,
  recipeTemplate: string,
  model: ModelPackage,
): Promise<ReleaseResult> {
  const log = deps.log ?? (() => {});
  const componentVersion = nextComponentVersion(
    await existingVersions(deps.greengrass, target.componentArn),
    target.majorVersion,
  );
  const rendered = renderFailureModelRecipe(recipeTemplate, {
    componentVersion,
    bucket: target.artifactsBucket,
    model,
  });
  log('releasing model', { modelVersion: model.card.modelVersion, componentVersion });

  for (const artifact of model.artifacts) {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: target.artifactsBucket,
        Key: artifactKey(componentVersion, artifact.name),
        Body: artifact.bytes,
        ContentType: CONTENT_TYPES[artifact.name],
        ChecksumSHA256: artifact.sha256Base64,
      }),
    );
  }

  const created = await deps.greengrass.send(
    new CreateComponentVersionCommand({
      inlineRecipe: rendered.inlineRecipe,
      clientToken: clientToken('component', componentVersion, model),
    }),
  );
  const componentVersionArn = created.arn;
  if (!componentVersionArn) throw new ReleaseError('CreateComponentVersion returned no ARN');
  await waitUntilDeployable(deps, target, componentVersionArn);
  log('component version deployable', { componentVersionArn });

  const modelPath = coreModelPath(target, componentVersion);
  // FailureModel only: this deployment has one owner (the pipeline) and one component (docs/fleet-deployment-ownership.md).
  const components: Record<string, ComponentDeploymentSpecification> = {
    [FAILURE_MODEL_COMPONENT]: { componentVersion },
  };
  const deployment = await deps.greengrass.send(
    new CreateDeploymentCommand({
      targetArn: target.modelThingGroupArn,
      deploymentName: target.deploymentName,
      components,
      deploymentPolicies: {
        failureHandlingPolicy: 'ROLLBACK',
        componentUpdatePolicy: { action: 'NOTIFY_COMPONENTS', timeoutInSeconds: target.componentUpdateTimeoutSeconds },
        configurationValidationPolicy: { timeoutInSeconds: target.componentUpdateTimeoutSeconds },
      },
      iotJobConfiguration: {
        jobExecutionsRolloutConfig: {
          exponentialRate: {
            baseRatePerMinute: target.rollout.baseRatePerMinute,
            incrementFactor: target.rollout.incrementFactor,
            rateIncreaseCriteria: { numberOfSucceededThings: target.rollout.numberOfSucceededThings },
          },
          maximumPerMinute: target.rollout.maximumPerMinute,
        },
        abortConfig: {
          criteriaList: [
            {
              failureType: 'ALL',
              action: 'CANCEL',
              thresholdPercentage: target.abort.thresholdPercentage,
              minNumberOfExecutedThings: target.abort.minNumberOfExecutedThings,
            },
          ],
        },
        timeoutConfig: { inProgressTimeoutInMinutes: target.inProgressTimeoutMinutes },
      },
      clientToken: clientToken('deployment', componentVersion, model),
    }),
  );
  if (!deployment.deploymentId) throw new ReleaseError('CreateDeployment returned no deployment id');
  log('deployment created', { deploymentId: deployment.deploymentId, modelPath });
  return {
    componentVersion,
    componentVersionArn,
    artifactUris: rendered.artifactUris,
    modelPath,
    deploymentId: deployment.deploymentId,
    ...(deployment.iotJobArn ? { iotJobArn: deployment.iotJobArn } : {}),
  };
}
