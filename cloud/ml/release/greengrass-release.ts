import {
  type ComponentDeploymentSpecification,
  CreateComponentVersionCommand,
  CreateDeploymentCommand,
  type Deployment,
  DescribeComponentCommand,
  GetComponentCommand,
  GetDeploymentCommand,
  type GetDeploymentCommandOutput,
  type GreengrassV2Client,
  ListComponentVersionsCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-greengrassv2';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MODEL_CARD_FILE, MODEL_FILE } from '@croupier/failure-predictor/model-contract';
import { newestComponentVersion, nextComponentVersion } from './component-version.js';
import { currentDeployment, deploysVersion, recipeCarriesModel } from './earlier-release.js';
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

/** What a release created, or found already created by an earlier attempt at the same model. */
export interface ReleaseResult {
  readonly componentVersion: string;
  readonly componentVersionArn: string;
  readonly artifactUris: readonly string[];
  /** Where the model lands on every core; FailurePredictor notices the new version folder and switches to it. */
  readonly modelPath: string;
  readonly deploymentId: string;
  readonly iotJobArn?: string;
  /** False when an earlier attempt (a retried step) had already registered this model as `componentVersion`. */
  readonly createdComponentVersion: boolean;
  /** False when the thing group's current deployment already deployed `componentVersion`. */
  readonly createdDeployment: boolean;
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

/** The largest page Greengrass's list operations return. */
const PAGE_SIZE = 100;

/** Every version of the component (all pages; the API promises no order), with its ARN. */
async function existingVersions(greengrass: GreengrassV2Client, componentArn: string): Promise<Map<string, string>> {
  const versions = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await greengrass.send(
      new ListComponentVersionsCommand({
        arn: componentArn,
        maxResults: PAGE_SIZE,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    for (const v of page.componentVersions ?? []) {
      if (v.componentVersion)
        versions.set(v.componentVersion, v.arn ?? `${componentArn}:versions:${v.componentVersion}`);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return versions;
}

/** States in which Greengrass will never deploy a version. */
const REFUSED_STATES: ReadonlySet<string> = new Set(['FAILED', 'DEPRECATED']);

/**
 * The version an earlier attempt at this model registered, if any. Only the newest version of the
 * major can be one: a retried step runs before any later release, and an older version carrying the
 * same model would not do, because cores run the newest version they hold, so releasing an earlier
 * model again (a rollback) must make a new, higher version. A version Greengrass refused is not
 * reused either: once its cause is fixed, running the pipeline again makes a fresh one.
 */
async function releasedVersion(
  deps: ReleaseDependencies,
  versions: ReadonlyMap<string, string>,
  major: number,
  model: ModelPackage,
): Promise<{ componentVersion: string; componentVersionArn: string; deployable: boolean } | undefined> {
  const newest = newestComponentVersion(versions.keys(), major);
  if (!newest) return undefined;
  const componentVersionArn = versions.get(newest)!;
  const stored = await deps.greengrass.send(
    new GetComponentCommand({ arn: componentVersionArn, recipeOutputFormat: 'JSON' }),
  );
  if (!stored.recipe || !recipeCarriesModel(stored.recipe, model)) return undefined;
  const described = await deps.greengrass.send(new DescribeComponentCommand({ arn: componentVersionArn }));
  const state = described.status?.componentState;
  if (state && REFUSED_STATES.has(state)) {
    deps.log?.("the model's earlier version was refused; releasing it again", { componentVersionArn, state });
    return undefined;
  }
  return { componentVersion: newest, componentVersionArn, deployable: state === 'DEPLOYABLE' };
}

/** The thing group's current deployment in full (components included), if it has one. */
async function deploymentOf(
  greengrass: GreengrassV2Client,
  targetArn: string,
): Promise<GetDeploymentCommandOutput | undefined> {
  const summaries: Deployment[] = [];
  let nextToken: string | undefined;
  do {
    const page = await greengrass.send(
      new ListDeploymentsCommand({
        targetArn,
        historyFilter: 'LATEST_ONLY',
        maxResults: PAGE_SIZE,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    summaries.push(...(page.deployments ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const current = currentDeployment(summaries, targetArn);
  if (!current?.deploymentId) return undefined;
  return greengrass.send(new GetDeploymentCommand({ deploymentId: current.deploymentId }));
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
    if (state && REFUSED_STATES.has(state)) {
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

/** Steps 2 and 3: the artifacts, then the version that names them; its ARN. */
async function createComponentVersion(
  deps: ReleaseDependencies,
  target: ReleaseTarget,
  componentVersion: string,
  inlineRecipe: Uint8Array,
  model: ModelPackage,
): Promise<string> {
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
      inlineRecipe,
      clientToken: clientToken('component', componentVersion, model),
    }),
  );
  if (!created.arn) throw new ReleaseError('CreateComponentVersion returned no ARN');
  return created.arn;
}

/** Step 5: the model thing group's deployment revised to this version, FailureModel only. */
async function createDeployment(
  deps: ReleaseDependencies,
  target: ReleaseTarget,
  componentVersion: string,
  model: ModelPackage,
): Promise<{ deploymentId: string; iotJobArn?: string }> {
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
  return {
    deploymentId: deployment.deploymentId,
    ...(deployment.iotJobArn ? { iotJobArn: deployment.iotJobArn } : {}),
  };
}

/**
 * Ships a checked model to the fleet as a new FailureModel version, once per model however often the
 * step is retried:
 * 1. the newest existing version of the configured major (ListComponentVersions); if its recipe
 *    (GetComponent) carries this model's digests, an earlier attempt registered it: steps 2 and 3
 *    are skipped and that version is the release's. Otherwise the next minor after it;
 * 2. both artifacts to the artifacts bucket under GDK's layout, with S3 checking their SHA-256;
 * 3. the repository's recipe, filled in with version, URIs and digests (CreateComponentVersion);
 * 4. DescribeComponent until Greengrass has checked the artifacts (DEPLOYABLE), else it stops here;
 * 5. unless the model thing group's current deployment (ListDeployments, GetDeployment) already
 *    deploys that version, a revision of it (CreateDeployment) with the version and nothing else:
 *    FailurePredictor belongs to the fleet deployment (CDK's), and running predictors notice the new
 *    version folder and switch models live by themselves; rolled out gradually, cancelled when too
 *    many cores fail, and rolled back on any core where it fails.
 */
export async function releaseFailureModel(
  deps: ReleaseDependencies,
  target: ReleaseTarget,
  recipeTemplate: string,
  model: ModelPackage,
): Promise<ReleaseResult> {
  const log = deps.log ?? (() => {});
  const versions = await existingVersions(deps.greengrass, target.componentArn);
  const earlier = await releasedVersion(deps, versions, target.majorVersion, model);
  const componentVersion = earlier?.componentVersion ?? nextComponentVersion(versions.keys(), target.majorVersion);
  const rendered = renderFailureModelRecipe(recipeTemplate, {
    componentVersion,
    bucket: target.artifactsBucket,
    model,
  });
  let componentVersionArn: string;
  if (earlier) {
    componentVersionArn = earlier.componentVersionArn;
    log('component version already carries the model', { modelVersion: model.card.modelVersion, componentVersionArn });
  } else {
    log('releasing model', { modelVersion: model.card.modelVersion, componentVersion });
    componentVersionArn = await createComponentVersion(deps, target, componentVersion, rendered.inlineRecipe, model);
  }
  if (!earlier?.deployable) await waitUntilDeployable(deps, target, componentVersionArn);
  log('component version deployable', { componentVersionArn });

  const modelPath = coreModelPath(target, componentVersion);
  const result = { componentVersion, componentVersionArn, artifactUris: rendered.artifactUris, modelPath };
  const current = await deploymentOf(deps.greengrass, target.modelThingGroupArn);
  if (current?.deploymentId && deploysVersion(current.components, componentVersion)) {
    log('deployment already deploys the version', {
      deploymentId: current.deploymentId,
      deploymentStatus: current.deploymentStatus,
      modelPath,
    });
    return {
      ...result,
      deploymentId: current.deploymentId,
      ...(current.iotJobArn ? { iotJobArn: current.iotJobArn } : {}),
      createdComponentVersion: !earlier,
      createdDeployment: false,
    };
  }
  const deployment = await createDeployment(deps, target, componentVersion, model);
  log('deployment created', { deploymentId: deployment.deploymentId, modelPath });
  return {
    ...result,
    deploymentId: deployment.deploymentId,
    ...(deployment.iotJobArn ? { iotJobArn: deployment.iotJobArn } : {}),
    createdComponentVersion: !earlier,
    createdDeployment: true,
  };
}
