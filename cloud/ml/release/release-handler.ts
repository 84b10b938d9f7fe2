import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MODEL_CARD_FILE, MODEL_FILE } from '@croupier/failure-predictor/model-contract';
import { z } from 'zod';
import { ConfigurationError, parseEnv } from '../../src/config/env.js';
import { type ReleaseDependencies, type ReleaseResult, releaseFailureModel } from './greengrass-release.js';
import { packageModel } from './model-package.js';
import { ReleaseTarget } from './release-target.js';

/** What the training state machine passes: where the training job wrote the model (its `modelUri`). */
export const ReleaseEvent = z.object({
  modelUri: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([^\s]*\/)?$/, 's3://bucket/prefix/ (a folder)'),
});
export type ReleaseEvent = z.infer<typeof ReleaseEvent>;

/** The function's environment; rollout settings keep their defaults. */
const ReleaseEnv = z.object({
  RELEASE_COMPONENT_ARN: z.string(),
  RELEASE_ARTIFACTS_BUCKET: z.string(),
  RELEASE_MODEL_THING_GROUP_ARN: z.string(),
  RELEASE_DEPLOYMENT_NAME: z.string(),
  RELEASE_MAJOR_VERSION: z.coerce.number().int(),
  /** The FailureModel recipe template, bundled beside the handler. */
  RELEASE_RECIPE_TEMPLATE: z.string().default(join(process.env.LAMBDA_TASK_ROOT ?? '.', 'failure-model.recipe.yaml')),
});

/** The release target from the environment; a bad value refuses to start, naming it. */
export function releaseTargetFromEnv(env: NodeJS.ProcessEnv): { target: ReleaseTarget; recipeTemplatePath: string } {
  const vars = parseEnv(ReleaseEnv, env);
  const parsed = ReleaseTarget.safeParse({
    componentArn: vars.RELEASE_COMPONENT_ARN,
    artifactsBucket: vars.RELEASE_ARTIFACTS_BUCKET,
    modelThingGroupArn: vars.RELEASE_MODEL_THING_GROUP_ARN,
    deploymentName: vars.RELEASE_DEPLOYMENT_NAME,
    majorVersion: vars.RELEASE_MAJOR_VERSION,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`invalid release configuration: ${problems.join('; ')}`);
  }
  return { target: parsed.data, recipeTemplatePath: vars.RELEASE_RECIPE_TEMPLATE };
}

async function readS3(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return object.Body.transformToByteArray();
}

/**
 * Builds the release step: read the evaluated model from `modelUri`, check it against the
 * FailureModel contract, and release it ({@link releaseFailureModel}). A model that breaks the
 * contract or a version Greengrass refuses fails the step; the fleet keeps its model.
 */
export function createReleaseHandler(
  deps: ReleaseDependencies,
  target: ReleaseTarget,
  recipeTemplate: string,
): (event: unknown) => Promise<ReleaseResult> {
  return async (event) => {
    const { modelUri } = ReleaseEvent.parse(event);
    const [, , bucket = '', ...prefix] = modelUri.split('/');
    const folder = prefix.join('/');
    const [model, card] = await Promise.all([
      readS3(deps.s3, bucket, `${folder}${MODEL_FILE}`),
      readS3(deps.s3, bucket, `${folder}${MODEL_CARD_FILE}`),
    ]);
    return releaseFailureModel(deps, target, recipeTemplate, packageModel({ model, card }));
  };
}

let built: ((event: unknown) => Promise<ReleaseResult>) | undefined;

/** Lambda entry point (a Step Functions task); configuration from the environment, parsed once. */
export const handler = async (event: unknown): Promise<ReleaseResult> => {
  if (!built) {
    const { target, recipeTemplatePath } = releaseTargetFromEnv(process.env);
    const logger = new Logger({ serviceName: 'failure-model-release' });
    built = createReleaseHandler(
      {
        greengrass: new GreengrassV2Client({}),
        s3: new S3Client({}),
        log: (message, fields) => logger.info(message, { ...fields }),
      },
      target,
      await readFile(recipeTemplatePath, 'utf8'),
    );
  }
  return built(event);
};
