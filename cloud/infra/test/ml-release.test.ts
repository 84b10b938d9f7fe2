import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseTargetFromEnv } from '../../ml/release/release-handler.js';
import type { CroupierStacks } from '../croupier-app.js';
import { referenceApp } from './reference-app.js';

/**
 * The release step of the training pipeline: one Lambda task running `cloud/ml/release/release-handler.ts`,
 * which alone may register FailureModel versions and revise the model thing group's deployment.
 */
let stacks: CroupierStacks;
let outdir: string;
let ml: Template;
let edge: Template;

beforeAll(() => {
  ({ stacks, outdir } = referenceApp());
  ml = Template.fromStack(stacks.ml);
  edge = Template.fromStack(stacks.edge);
}, 240_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const ACCOUNT = '123456789012';
const MODEL_GROUP_ARN = `arn:aws:iot:us-east-1:${ACCOUNT}:thinggroup/croupier-dev-cores-model`;

/** A CloudFormation value as text: pseudo parameters, attributes, imports and other intrinsics as `<…>`. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['Fn::Join'])) {
    const [delimiter, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(delimiter);
  }
  if (typeof v.Ref === 'string') return `<${v.Ref}>`;
  if (Array.isArray(v['Fn::GetAtt'])) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if (typeof v['Fn::ImportValue'] === 'string') return `<import ${v['Fn::ImportValue']}>`;
  // Other intrinsics (e.g. the ECR repository's name, split from its ARN) by name only.
  return `<${Object.keys(v).join(',')}>`;
}

/** The value as the deployed function sees it, for the reference account. */
function deployed(value: unknown): string {
  return text(value)
    .replaceAll('<AWS::AccountId>', ACCOUNT)
    .replace(/^<import Croupier-dev-Edge:\w*ModelThingGroupArn\w*>$/, MODEL_GROUP_ARN);
}

type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = (t: Template) => Object.entries(t.toJSON().Resources as Record<string, Resource>);
const logicalId = (t: Template, type: string, prefix: string) => {
  const ids = resources(t)
    .filter(([id, r]) => r.Type === type && id.startsWith(prefix))
    .map(([id]) => id);
  expect(ids, `${type} ${prefix}*`).toHaveLength(1);
  return ids[0] as string;
};

/**
 * Every `action resource` pair a role's policies allow (with ` if {condition}` when conditioned), sorted:
 * independent of how CDK merges statements.
 */
function grants(t: Template, roleId: string): string[] {
  return resources(t)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
    .filter(([, r]) => (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
    .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement)
    .flatMap((s) => {
      expect(s.Effect).toBe('Allow');
      const condition = s.Condition ? ` if ${JSON.stringify(s.Condition)}` : '';
      return [s.Action]
        .flat()
        .flatMap((action) => [s.Resource].flat().map((resource) => `${action} ${text(resource)}${condition}`));
    })
    .sort();
}

/** The state machine's states, with CloudFormation values as text. */
function states(): Record<string, Record<string, unknown>> {
  const [, machine] = resources(ml).find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine') ?? [];
  const definition = text(machine?.Properties.DefinitionString);
  return (JSON.parse(definition) as { States: Record<string, Record<string, unknown>> }).States;
}

describe('MlStack release step', () => {
  it('GIVEN a model that passed the gate WHEN the pipeline continues THEN one Lambda task gets its modelUri, retried on Lambda service errors only', () => {
    const all = states();
    const functionId = logicalId(ml, 'AWS::Lambda::Function', 'ReleaseFunction');
    const gate = all['Evaluation gate'] as { Choices: { Next: string }[]; Default: string };
    expect(gate.Choices.map((c) => c.Next)).toEqual(['Release FailureModel']);
    expect(gate.Default).toBe('Keep current model');
    expect(all['Release FailureModel']).toEqual({
      Type: 'Task',
      Resource: 'arn:<AWS::Partition>:states:::lambda:invoke',
      Arguments: { FunctionName: `<${functionId}.Arn>`, Payload: { modelUri: '{% $modelUri %}' } },
      Output: '{% $states.result.Payload %}',
      Retry: [
        {
          ErrorEquals: [
            'Lambda.ClientExecutionTimeoutException',
            'Lambda.ServiceException',
            'Lambda.AWSLambdaException',
            'Lambda.SdkClientException',
          ],
          IntervalSeconds: 2,
          MaxAttempts: 6,
          BackoffRate: 2,
        },
      ],
      End: true,
    });
    // Nothing else in the pipeline speaks to Greengrass or IoT.
    const others = Object.entries(all).filter(([name]) => name !== 'Release FailureModel');
    expect(JSON.stringify(others)).not.toMatch(/greengrass|iot:|lambda:invoke/i);
  });

  it('GIVEN the state machine role WHEN synthesized THEN it may invoke the release function but not touch Greengrass, IoT or the artifacts', () => {
    const role = logicalId(ml, 'AWS::IAM::Role', 'TrainingPipelineRole');
    const functionId = logicalId(ml, 'AWS::Lambda::Function', 'ReleaseFunction');
    const pairs = grants(ml, role);
    expect(pairs.filter((p) => /^(greengrass|iot):/.test(p))).toEqual([]);
    expect(pairs.filter((p) => p.startsWith('lambda:'))).toEqual([
      `lambda:InvokeFunction <${functionId}.Arn>`,
      `lambda:InvokeFunction <${functionId}.Arn>:*`,
    ]);
    expect(pairs.filter((p) => /^s3:.*com\.croupier\.FailureModel/.test(p))).toEqual([]);
  });

  it('GIVEN the release function WHEN synthesized THEN it is the project Lambda (ESM bundle, Node 22, arm64) with a 10-minute timeout', () => {
    const functionId = logicalId(ml, 'AWS::Lambda::Function', 'ReleaseFunction');
    const fn = ml.toJSON().Resources[functionId] as Resource;
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 600,
      LoggingConfig: { LogFormat: 'JSON' },
    });
  });

  it('GIVEN the function environment WHEN the handler parses it THEN it names the FailureModel component, the artifacts bucket and the model group only', () => {
    const functionId = logicalId(ml, 'AWS::Lambda::Function', 'ReleaseFunction');
    const fn = ml.toJSON().Resources[functionId] as Resource;
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const env = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, deployed(v)]));
    expect(env).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      RELEASE_COMPONENT_ARN: `arn:aws:greengrass:us-east-1:${ACCOUNT}:components:com.croupier.FailureModel`,
      RELEASE_ARTIFACTS_BUCKET: `croupier-dev-components-us-east-1-${ACCOUNT}`,
      RELEASE_MODEL_THING_GROUP_ARN: MODEL_GROUP_ARN,
      RELEASE_DEPLOYMENT_NAME: 'croupier-dev-cores-model-failure-model',
      RELEASE_MAJOR_VERSION: '1',
    });
    // The handler's own parser accepts it; the recipe template defaults to the bundled copy.
    const { target, recipeTemplatePath } = releaseTargetFromEnv({ ...env, LAMBDA_TASK_ROOT: '/var/task' });
    expect(target).toMatchObject({
      componentArn: env.RELEASE_COMPONENT_ARN,
      artifactsBucket: env.RELEASE_ARTIFACTS_BUCKET,
      modelThingGroupArn: MODEL_GROUP_ARN,
      deploymentName: 'croupier-dev-cores-model-failure-model',
      majorVersion: 1,
    });
    expect(basename(recipeTemplatePath)).toBe('failure-model.recipe.yaml');
  });

  it('GIVEN the release function role WHEN synthesized THEN it allows exactly the release requests, on the FailureModel component, the model group and the artifacts', () => {
    const role = logicalId(ml, 'AWS::IAM::Role', 'ReleaseFunctionRole');
    const logs = logicalId(ml, 'AWS::Logs::LogGroup', 'ReleaseFunctionLogs');
    const component = 'arn:aws:greengrass:us-east-1:<AWS::AccountId>:components:com.croupier.FailureModel';
    // The Edge stack's model group, never a property group.
    const modelGroup = '<import Croupier-dev-Edge:ExportsOutputFnGetAttModelThingGroupArnD6F48257>';
    const bucket = 'arn:aws:s3:::croupier-dev-components-us-east-1-<AWS::AccountId>';
    const artifactsKey = '<import Croupier-dev-Edge:ExportsOutputFnGetAttArtifactsKeyA65E83CBArn9138855E>';
    expect(grants(ml, role)).toEqual(
      [
        `logs:CreateLogStream <${logs}.Arn>`,
        `logs:PutLogEvents <${logs}.Arn>`,
        `greengrass:ListComponentVersions ${component}`,
        `greengrass:ListComponentVersions ${component}:versions:*`,
        `greengrass:CreateComponentVersion ${component}`,
        `greengrass:CreateComponentVersion ${component}:versions:*`,
        `greengrass:DescribeComponent ${component}:versions:*`,
        `greengrass:GetComponent ${component}:versions:*`,
        'greengrass:GetDeployment arn:aws:greengrass:us-east-1:<AWS::AccountId>:deployments:*',
        'greengrass:ListDeployments *',
        `greengrass:CreateDeployment ${modelGroup}`,
        `iot:CreateJob arn:aws:iot:us-east-1:<AWS::AccountId>:job/*`,
        `iot:CreateJob ${modelGroup}`,
        `iot:DescribeJob arn:aws:iot:us-east-1:<AWS::AccountId>:job/*`,
        `iot:DescribeJob ${modelGroup}`,
        `iot:UpdateJob arn:aws:iot:us-east-1:<AWS::AccountId>:job/*`,
        `iot:UpdateJob ${modelGroup}`,
        `iot:CancelJob arn:aws:iot:us-east-1:<AWS::AccountId>:job/*`,
        `iot:CancelJob ${modelGroup}`,
        `iot:DescribeThingGroup ${modelGroup}`,
        `s3:GetObject ${bucket}/models/failure-model/*`,
        `s3:GetObject ${bucket}/com.croupier.FailureModel/*`,
        `s3:PutObject ${bucket}/com.croupier.FailureModel/*`,
        `kms:GenerateDataKey ${artifactsKey}`,
        `kms:Decrypt ${artifactsKey}`,
      ].sort(),
    );
  });

  it('GIVEN the cores token-exchange role WHEN synthesized THEN it can download the released FailureModel artifacts', () => {
    const role = logicalId(edge, 'AWS::IAM::Role', 'TokenExchangeRole');
    const bucket = logicalId(edge, 'AWS::S3::Bucket', 'ComponentArtifacts');
    const key = logicalId(edge, 'AWS::KMS::Key', 'ArtifactsKey');
    const pairs = grants(edge, role);
    // Everything under the bucket, which includes GDK's `com.croupier.FailureModel/{version}/` keys.
    expect(pairs).toContain(`s3:GetObject <${bucket}.Arn>/*`);
    expect(pairs).toContain(
      `kms:Decrypt <${key}.Arn> if ${JSON.stringify({ StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } })}`,
    );
  });
});
