import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  CreateComponentVersionCommand,
  CreateDeploymentCommand,
  DescribeComponentCommand,
  GetComponentCommand,
  GetDeploymentCommand,
  GreengrassV2Client,
  ListComponentVersionsCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-greengrassv2';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderFailureModelRecipe } from '../failure-model-recipe.js';
import { releaseFailureModel } from '../greengrass-release.js';
import { packageModel } from '../model-package.js';
import { createReleaseHandler, releaseTargetFromEnv } from '../release-handler.js';
import { ReleaseTarget } from '../release-target.js';
import { modelFiles } from './model-files.js';

const recipePath = fileURLToPath(new URL('../../../../components/failure-model/recipe.yaml', import.meta.url));
const COMPONENT_ARN = 'arn:aws:greengrass:eu-west-1:123456789012:components:com.croupier.FailureModel';
const MODEL_GROUP = 'arn:aws:iot:eu-west-1:123456789012:thinggroup/croupier-prod-cores-model';
const BUCKET = 'croupier-prod-components-eu-west-1-123456789012';

const greengrass = mockClient(GreengrassV2Client);
const s3 = mockClient(S3Client);
const target = ReleaseTarget.parse({
  componentArn: COMPONENT_ARN,
  artifactsBucket: BUCKET,
  modelThingGroupArn: MODEL_GROUP,
  deploymentName: 'croupier-prod-cores-model-failure-model',
  majorVersion: 1,
  deployablePollMs: 5_000,
  deployableTimeoutMs: 20_000,
});

/** Every request to either service, in the order it was sent, as [command, input]. */
const sent = () =>
  [...greengrass.calls(), ...s3.calls()]
    .sort((a, b) => (a.calledBefore(b as never) ? -1 : 1))
    .map((call) => [call.args[0].constructor.name, call.args[0].input] as [string, Record<string, unknown>]);

const decoded = (bytes: unknown) => JSON.parse(new TextDecoder().decode(bytes as Uint8Array));

/** What Greengrass holds for 1.10.0: the previous model's recipe, deployed to the model thing group. */
async function previousRelease() {
  const text = await readFile(recipePath, 'utf8');
  const previous = packageModel(modelFiles('2026.11.01'));
  return renderFailureModelRecipe(text, { componentVersion: '1.10.0', bucket: BUCKET, model: previous }).inlineRecipe;
}

function greengrassHappyPath(describeStates: string[], previousRecipe: Uint8Array) {
  greengrass
    .on(GetComponentCommand, { arn: `${COMPONENT_ARN}:versions:1.10.0` })
    .resolves({ recipeOutputFormat: 'JSON', recipe: previousRecipe });
  greengrass.on(ListDeploymentsCommand, { targetArn: MODEL_GROUP }).resolves({
    deployments: [
      {
        targetArn: MODEL_GROUP,
        deploymentId: 'model-deployment-0',
        deploymentName: 'croupier-prod-cores-model-failure-model',
        deploymentStatus: 'ACTIVE',
        isLatestForTarget: true,
      },
    ],
  });
  greengrass.on(GetDeploymentCommand, { deploymentId: 'model-deployment-0' }).resolves({
    targetArn: MODEL_GROUP,
    deploymentId: 'model-deployment-0',
    deploymentStatus: 'ACTIVE',
    components: { 'com.croupier.FailureModel': { componentVersion: '1.10.0' } },
  });
  greengrass
    .on(ListComponentVersionsCommand, { arn: COMPONENT_ARN })
    .resolvesOnce({
      componentVersions: [
        { componentName: 'com.croupier.FailureModel', componentVersion: '1.9.0' },
        { componentName: 'com.croupier.FailureModel', componentVersion: '2.0.0' },
      ],
      nextToken: 'page-2',
    })
    .resolvesOnce({ componentVersions: [{ componentName: 'com.croupier.FailureModel', componentVersion: '1.10.0' }] });
  greengrass
    .on(CreateComponentVersionCommand)
    .resolves({ arn: `${COMPONENT_ARN}:versions:1.11.0`, componentVersion: '1.11.0' });
  const describe = greengrass.on(DescribeComponentCommand);
  for (const state of describeStates) describe.resolvesOnce({ status: { componentState: state as never } });
  greengrass
    .on(CreateDeploymentCommand)
    .resolves({ deploymentId: 'model-deployment-1', iotJobArn: 'arn:aws:iot:eu-west-1:123456789012:job/abc' });
}

describe('releasing a model to the fleet as a FailureModel version', () => {
  let template: string;
  let previousRecipe: Uint8Array;
  const files = modelFiles('2026.11.22');
  const model = packageModel(files);
  const [onnx, card] = model.artifacts;
  const sleeps: number[] = [];
  const deps = () => ({
    greengrass: new GreengrassV2Client({ region: 'eu-west-1' }),
    s3: new S3Client({ region: 'eu-west-1' }),
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  });

  beforeAll(async () => {
    template = await readFile(recipePath, 'utf8');
    previousRecipe = await previousRelease();
  });
  afterEach(() => {
    greengrass.reset();
    s3.reset();
    sleeps.length = 0;
  });

  it('GIVEN existing versions up to 1.10.0 WHEN a checked model is released THEN exactly these requests are sent, in order, and the deployment carries FailureModel only', async () => {
    greengrassHappyPath(['REQUESTED', 'INITIATED', 'DEPLOYABLE'], previousRecipe);
    s3.on(PutObjectCommand).resolves({});

    const result = await releaseFailureModel(deps(), target, template, model);

    const modelPath = '/greengrass/v2/packages/artifacts/com.croupier.FailureModel/1.11.0/failure-model.onnx';
    const requests = sent();
    expect(requests.map(([name]) => name)).toEqual([
      'ListComponentVersionsCommand',
      'ListComponentVersionsCommand',
      'GetComponentCommand',
      'PutObjectCommand',
      'PutObjectCommand',
      'CreateComponentVersionCommand',
      'DescribeComponentCommand',
      'DescribeComponentCommand',
      'DescribeComponentCommand',
      'ListDeploymentsCommand',
      'GetDeploymentCommand',
      'CreateDeploymentCommand',
    ]);
    expect(requests[0]![1]).toEqual({ arn: COMPONENT_ARN, maxResults: 100 });
    expect(requests[1]![1]).toEqual({ arn: COMPONENT_ARN, maxResults: 100, nextToken: 'page-2' });
    // The newest version of the major carries another model, so this one is new.
    expect(requests.splice(2, 1).map(([, input]) => input)).toEqual([
      { arn: `${COMPONENT_ARN}:versions:1.10.0`, recipeOutputFormat: 'JSON' },
    ]);
    expect(requests[2]![1]).toEqual({
      Bucket: BUCKET,
      Key: 'com.croupier.FailureModel/1.11.0/failure-model.onnx',
      Body: files.model,
      ContentType: 'application/octet-stream',
      ChecksumSHA256: onnx.sha256Base64,
    });
    expect(requests[3]![1]).toEqual({
      Bucket: BUCKET,
      Key: 'com.croupier.FailureModel/1.11.0/model-card.json',
      Body: files.card,
      ContentType: 'application/json',
      ChecksumSHA256: card.sha256Base64,
    });
    const create = requests[4]![1];
    expect(Object.keys(create).sort()).toEqual(['clientToken', 'inlineRecipe']);
    expect(create.clientToken).toBe(`component-1-11-0-${onnx.sha256Hex.slice(0, 16)}`);
    expect(decoded(create.inlineRecipe)).toEqual({
      RecipeFormatVersion: '2020-01-25',
      ComponentName: 'com.croupier.FailureModel',
      ComponentVersion: '1.11.0',
      ComponentDescription:
        'Artifact-only: the ONNX shuffler-failure model and its model card, run by com.croupier.FailurePredictor. Each trained model is a new version of this component; see README.md for the contract.',
      ComponentPublisher: 'Croupier',
      ComponentConfiguration: { DefaultConfiguration: {} },
      Manifests: [
        {
          Platform: { os: 'linux' },
          Lifecycle: {
            Install: {
              RequiresPrivilege: false,
              Script: 'test -r {artifacts:path}/failure-model.onnx && test -r {artifacts:path}/model-card.json',
            },
          },
          Artifacts: [
            {
              URI: `s3://${BUCKET}/com.croupier.FailureModel/1.11.0/failure-model.onnx`,
              Permission: { Read: 'OWNER', Execute: 'NONE' },
              Digest: onnx.sha256Base64,
              Algorithm: 'SHA-256',
            },
            {
              URI: `s3://${BUCKET}/com.croupier.FailureModel/1.11.0/model-card.json`,
              Permission: { Read: 'OWNER', Execute: 'NONE' },
              Digest: card.sha256Base64,
              Algorithm: 'SHA-256',
            },
          ],
        },
      ],
    });
    for (const [, input] of requests.slice(5, 8)) expect(input).toEqual({ arn: `${COMPONENT_ARN}:versions:1.11.0` });
    expect(sleeps).toEqual([5_000, 5_000]);
    // The thing group's current deployment still deploys 1.10.0, so it is revised.
    expect(requests.splice(8, 2).map(([, input]) => input)).toEqual([
      { targetArn: MODEL_GROUP, historyFilter: 'LATEST_ONLY', maxResults: 100 },
      { deploymentId: 'model-deployment-0' },
    ]);
    // One owner per deployment: FailurePredictor (and its configuration) is the fleet deployment's, CDK's.
    expect(requests[8]![1]).toEqual({
      targetArn: MODEL_GROUP,
      deploymentName: 'croupier-prod-cores-model-failure-model',
      components: { 'com.croupier.FailureModel': { componentVersion: '1.11.0' } },
      deploymentPolicies: {
        failureHandlingPolicy: 'ROLLBACK',
        componentUpdatePolicy: { action: 'NOTIFY_COMPONENTS', timeoutInSeconds: 60 },
        configurationValidationPolicy: { timeoutInSeconds: 60 },
      },
      iotJobConfiguration: {
        jobExecutionsRolloutConfig: {
          exponentialRate: {
            baseRatePerMinute: 5,
            incrementFactor: 2,
            rateIncreaseCriteria: { numberOfSucceededThings: 5 },
          },
          maximumPerMinute: 50,
        },
        abortConfig: {
          criteriaList: [
            { failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 10, minNumberOfExecutedThings: 5 },
          ],
        },
        timeoutConfig: { inProgressTimeoutInMinutes: 60 },
      },
      clientToken: `deployment-1-11-0-${onnx.sha256Hex.slice(0, 16)}`,
    });
    expect(result).toEqual({
      componentVersion: '1.11.0',
      componentVersionArn: `${COMPONENT_ARN}:versions:1.11.0`,
      artifactUris: [
        `s3://${BUCKET}/com.croupier.FailureModel/1.11.0/failure-model.onnx`,
        `s3://${BUCKET}/com.croupier.FailureModel/1.11.0/model-card.json`,
      ],
      modelPath,
      deploymentId: 'model-deployment-1',
      iotJobArn: 'arn:aws:iot:eu-west-1:123456789012:job/abc',
      createdComponentVersion: true,
      createdDeployment: true,
    });
  });

  it('GIVEN Greengrass fails the artifact checks WHEN released THEN no deployment is created and the reason is given', async () => {
    greengrassHappyPath([], previousRecipe);
    greengrass.on(DescribeComponentCommand).resolves({
      status: {
        componentState: 'FAILED',
        message: 'artifact check failed',
        errors: { 'failure-model.onnx': 'digest mismatch' },
      },
    });
    s3.on(PutObjectCommand).resolves({});
    await expect(releaseFailureModel(deps(), target, template, model)).rejects.toThrow(
      /refused .*versions:1\.11\.0 \(FAILED\): artifact check failed; failure-model\.onnx: digest mismatch/,
    );
    expect(greengrass.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('GIVEN the version never becomes deployable WHEN released THEN it gives up after the bounded wait without deploying', async () => {
    greengrassHappyPath([], previousRecipe);
    greengrass.on(DescribeComponentCommand).resolves({ status: { componentState: 'INITIATED' } });
    s3.on(PutObjectCommand).resolves({});
    await expect(releaseFailureModel(deps(), target, template, model)).rejects.toThrow(
      /still INITIATED after 20000 ms/,
    );
    expect(greengrass.commandCalls(DescribeComponentCommand)).toHaveLength(5);
    expect(greengrass.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('GIVEN the Step Functions event WHEN the handler runs THEN it reads the model from the training output and releases it', async () => {
    greengrassHappyPath(['DEPLOYABLE'], previousRecipe);
    s3.on(PutObjectCommand).resolves({});
    // The one method of the SDK's streaming body the handler uses.
    const body = (bytes: Uint8Array) => ({ transformToByteArray: async () => bytes }) as never;
    s3.on(GetObjectCommand, { Key: 'models/failure-model/job-1/output/model/failure-model.onnx' }).callsFake(() => ({
      Body: body(files.model),
    }));
    s3.on(GetObjectCommand, { Key: 'models/failure-model/job-1/output/model/model-card.json' }).callsFake(() => ({
      Body: body(files.card),
    }));
    const handler = createReleaseHandler(deps(), target, template);
    const result = await handler({ modelUri: `s3://${BUCKET}/models/failure-model/job-1/output/model/` });
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: 'models/failure-model/job-1/output/model/failure-model.onnx' },
      { Bucket: BUCKET, Key: 'models/failure-model/job-1/output/model/model-card.json' },
    ]);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Body)).toEqual([files.model, files.card]);
    expect(result.componentVersion).toBe('1.11.0');
    await expect(handler({ modelUri: 'https://example.com/model' })).rejects.toThrow(/s3:\/\/bucket\/prefix/);
  });

  it('GIVEN the environment WHEN parsed THEN a bad ARN is named and nothing starts', () => {
    const env = {
      RELEASE_COMPONENT_ARN: COMPONENT_ARN,
      RELEASE_ARTIFACTS_BUCKET: BUCKET,
      RELEASE_MODEL_THING_GROUP_ARN: MODEL_GROUP,
      RELEASE_DEPLOYMENT_NAME: 'd',
      RELEASE_MAJOR_VERSION: '1',
      RELEASE_RECIPE_TEMPLATE: recipePath,
    };
    expect(releaseTargetFromEnv(env).target.modelThingGroupArn).toBe(MODEL_GROUP);
    expect(() => releaseTargetFromEnv({ ...env, RELEASE_MODEL_THING_GROUP_ARN: 'croupier-prod-cores-model' })).toThrow(
      /modelThingGroupArn: a thing group ARN/,
    );
  });
});
