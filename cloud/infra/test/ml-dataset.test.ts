import { readFileSync, rmSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import jsonata from 'jsonata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hyperparameters } from '../../ml/training/hyperparameters.js';
import { EnvironmentConfig } from '../config/schema.js';
import { repoPath } from '../constructs/paths.js';
import type { CroupierStacks } from '../croupier-app.js';
import { referenceApp } from './reference-app.js';

/**
 * The dataset step of the training pipeline: a SageMaker processing job running the dataset builder
 * (`cloud/ml/dataset/cli.ts`) in the training image on the lake's raw streams, whose channels the
 * training job then reads as CSV.
 */
let stacks: CroupierStacks;
let outdir: string;
let ml: Template;

beforeAll(() => {
  ({ stacks, outdir } = referenceApp());
  ml = Template.fromStack(stacks.ml);
}, 240_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** A CloudFormation value as text, intrinsics as `<…>` (references by logical id). */
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
  return `<${Object.keys(v).join(',')}>`;
}

type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = () => Object.entries(ml.toJSON().Resources as Record<string, Resource>);
const logicalId = (type: string, prefix: string) => {
  const ids = resources()
    .filter(([id, r]) => r.Type === type && id.startsWith(prefix))
    .map(([id]) => id);
  expect(ids, `${type} ${prefix}*`).toHaveLength(1);
  return ids[0] as string;
};

type State = { Type: string; Resource: string; Arguments: Record<string, unknown>; Assign: Record<string, string> };
/** The pipeline's states, with every intrinsic in the definition rendered as `<…>` text. */
const states = (): Record<string, State> => {
  const [, machine] = resources().find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')!;
  return (JSON.parse(text(machine.Properties.DefinitionString)) as { States: Record<string, State> }).States;
};
const evaluate = (expression: string, vars: Record<string, unknown>) =>
  jsonata(expression.replace(/^\{%(.*)%\}$/s, '$1')).evaluate({}, vars);

/** Every IAM statement attached to a role (by the role's logical id prefix). */
const statementsOf = (rolePrefix: string) => {
  const role = logicalId('AWS::IAM::Role', rolePrefix);
  return resources()
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${role}"`))
    .flatMap(
      ([, r]) =>
        (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
    )
    .map((s) => ({ ...s, Action: [s.Action].flat(), Resource: [s.Resource].flat().map(text) }));
};

const JOB = 'croupier-dev-failure-1764000000';
const LAKE = 'croupier-dev-lake-<AWS::AccountId>-';

describe('Build dataset (SageMaker processing job)', () => {
  it('GIVEN the pipeline WHEN synthesized THEN the dataset step runs the dataset builder in the training image on the raw streams', () => {
    const step = states()['Build dataset']!;
    expect(step.Resource).toBe('arn:aws:states:::sagemaker:createProcessingJob.sync');
    const args = step.Arguments;
    expect(args.ProcessingJobName).toBe('{% $jobName %}');
    expect(args.RoleArn).toBe(`<${logicalId('AWS::IAM::Role', 'ProcessingRole')}.Arn>`);
    const app = args.AppSpecification as {
      ImageUri: string;
      ContainerEntrypoint: string[];
      ContainerArguments: string[];
    };
    // The very image (and tag) the training job runs.
    const training = states()['Train model']!.Arguments.AlgorithmSpecification as { TrainingImage: string };
    expect(app.ImageUri).toBe(training.TrainingImage);
    expect(app.ImageUri).toMatch(/:1\.0\.0$/);
    expect(app.ContainerEntrypoint).toEqual(['node', '/opt/program/dataset.mjs']);
    expect(app.ContainerArguments).toEqual([
      '--lake',
      '/opt/ml/processing/input/lake',
      '--out',
      '/opt/ml/processing/output/dataset',
      '--days',
      '180',
    ]);

    const inputs = args.ProcessingInputs as { InputName: string; S3Input: Record<string, string> }[];
    expect(inputs.map((i) => i.InputName)).toEqual(['raw-shuffler', 'raw-service']);
    for (const stream of ['shuffler', 'service']) {
      const input = inputs.find((i) => i.InputName === `raw-${stream}`)!.S3Input;
      expect(input.S3Uri).toMatch(new RegExp(`^s3://${LAKE}[^/]+/raw/${stream}/$`));
      // The layout the builder globs: <lake>/raw/<stream>/dt=…/hr=…/*.jsonl.gz.
      expect(input.LocalPath).toBe(`/opt/ml/processing/input/lake/raw/${stream}`);
      expect(input).toMatchObject({ S3DataType: 'S3Prefix', S3InputMode: 'File', S3CompressionType: 'None' });
    }

    const output = args.ProcessingOutputConfig as {
      KmsKeyId: string;
      Outputs: { OutputName: string; S3Output: { S3Uri: string; LocalPath: string; S3UploadMode: string } }[];
    };
    expect(output.KmsKeyId).toMatch(/DataKey/);
    expect(output.Outputs).toHaveLength(1);
    expect(output.Outputs[0]!.S3Output.LocalPath).toBe('/opt/ml/processing/output/dataset');
    expect(output.Outputs[0]!.S3Output.S3UploadMode).toBe('EndOfJob');

    const cluster = (args.ProcessingResources as { ClusterConfig: Record<string, unknown> }).ClusterConfig;
    expect(cluster).toMatchObject({ InstanceCount: 1, InstanceType: 'ml.m5.large' });
    expect(cluster.VolumeKmsKeyId).toBe(output.KmsKeyId);
    expect(args.NetworkConfig).toEqual({ EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: true });
    expect(args.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 3600 });
  });

  it('GIVEN a run name WHEN the dataset expressions run THEN the channels land under the run in the work bucket', async () => {
    const step = states()['Build dataset']!;
    const outputs = (step.Arguments.ProcessingOutputConfig as { Outputs: { S3Output: { S3Uri: string } }[] }).Outputs;
    const written = (await evaluate(outputs[0]!.S3Output.S3Uri, { jobName: JOB })) as string;
    expect(written).toMatch(
      new RegExp(`^s3://croupier-dev-work-<AWS::AccountId>-[^/]+/datasets/failure-model/${JOB}$`),
    );
    expect(await evaluate(step.Assign.datasetUri!, { jobName: JOB })).toBe(`${written}/`);
  });

  it('GIVEN the training image WHEN built THEN it carries the dataset builder the processing job runs', () => {
    const dockerfile = readFileSync(repoPath('cloud/ml/training/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^COPY --from=build \/out\/train\.mjs \/out\/dataset\.mjs \.\/$/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/src\/node_modules\/@duckdb \.\/node_modules\/@duckdb$/m);
    expect(dockerfile).toMatch(/^WORKDIR \/opt\/program$/m);
    const bundle = readFileSync(repoPath('cloud/ml/training/bundle.ts'), 'utf8');
    expect(bundle).toContain("dataset: join(repositoryRoot, 'cloud', 'ml', 'dataset', 'cli.ts')");
  });
});

describe('Train model (channels)', () => {
  it('GIVEN the dataset step WHEN the training job is configured THEN it reads the train and validation channels as CSV', async () => {
    const args = states()['Train model']!.Arguments;
    const channels = args.InputDataConfig as {
      ChannelName: string;
      ContentType: string;
      DataSource: { S3DataSource: Record<string, string> };
    }[];
    expect(channels.map((c) => [c.ChannelName, c.ContentType])).toEqual([
      ['train', 'text/csv'],
      ['validation', 'text/csv'],
    ]);
    const datasetUri = `s3://croupier-dev-work/datasets/failure-model/${JOB}/`;
    for (const c of channels) {
      expect(c.DataSource.S3DataSource).toMatchObject({
        S3DataType: 'S3Prefix',
        S3DataDistributionType: 'FullyReplicated',
      });
      expect(await evaluate(c.DataSource.S3DataSource.S3Uri!, { datasetUri })).toBe(`${datasetUri}${c.ChannelName}/`);
    }
  });

  it('GIVEN the dev and prod configurations WHEN their hyperparameters are parsed by the training job THEN they are accepted with a 48 h horizon', () => {
    for (const name of ['dev', 'prod']) {
      const config = EnvironmentConfig.parse(
        JSON.parse(readFileSync(repoPath(`cloud/infra/config/${name}.json`), 'utf8')) as unknown,
      );
      expect(config.ml.hyperparameters['horizon-hours'], name).toBe('48');
      expect(Hyperparameters.parse(config.ml.hyperparameters)['horizon-hours'], name).toBe(48);
    }
    expect(states()['Train model']!.Arguments.HyperParameters).toEqual({ 'horizon-hours': '48' });
  });
});

describe('IAM', () => {
  it('GIVEN the processing role WHEN synthesized THEN it reads only the raw shuffler and service streams and writes only datasets', () => {
    const all = statementsOf('ProcessingRole');
    const s3 = all.filter((s) => s.Action.some((a) => a.startsWith('s3:')));
    const byAction = (action: string) => s3.filter((s) => s.Action.includes(action)).flatMap((s) => s.Resource);
    expect(byAction('s3:GetObject').sort()).toEqual([
      expect.stringMatching(new RegExp(`^arn:aws:s3:::${LAKE}[^/]+/raw/service/\\*$`)),
      expect.stringMatching(new RegExp(`^arn:aws:s3:::${LAKE}[^/]+/raw/shuffler/\\*$`)),
    ]);
    const list = s3.find((s) => s.Action.includes('s3:ListBucket')) as unknown as { Condition: unknown };
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['raw/shuffler/*', 'raw/service/*'] } });
    expect(byAction('s3:PutObject')).toEqual([
      expect.stringMatching(/^arn:aws:s3:::croupier-dev-work-<AWS::AccountId>-[^/]+\/datasets\/failure-model\/\*$/),
    ]);
    expect(s3.flatMap((s) => s.Action).sort()).toEqual([
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
    ]);
    const kms = all.filter((s) => s.Action.some((a) => a.startsWith('kms:')));
    expect(kms.flatMap((s) => s.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(kms.flatMap((s) => s.Resource).every((r) => r.includes('DataKey'))).toBe(true);
    expect(all.some((s) => s.Action.includes('ecr:BatchGetImage'))).toBe(true);
    expect(all.filter((s) => s.Action.includes('logs:PutLogEvents')).flatMap((s) => s.Resource)).toEqual([
      expect.stringMatching(/:log-group:\/aws\/sagemaker\/ProcessingJobs\*$/),
    ]);
    ml.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'sagemaker.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
      Description: 'SageMaker processing job building the failure-model dataset from the lake',
    });
  });

  it('GIVEN the pipeline role WHEN synthesized THEN it starts scoped processing jobs and passes only the two job roles', () => {
    const all = statementsOf('TrainingPipelineRole');
    const resourcesFor = (action: string) => all.filter((s) => s.Action.includes(action)).flatMap((s) => s.Resource);
    expect(resourcesFor('sagemaker:CreateProcessingJob')).toEqual([
      'arn:aws:sagemaker:us-east-1:<AWS::AccountId>:processing-job/croupier-dev-failure-*',
    ]);
    expect(resourcesFor('iam:PassRole').sort()).toEqual(
      [
        `<${logicalId('AWS::IAM::Role', 'ProcessingRole')}.Arn>`,
        `<${logicalId('AWS::IAM::Role', 'TrainingRole')}.Arn>`,
      ].sort(),
    );
    expect(resourcesFor('events:PutRule')).toContain(
      'arn:aws:events:us-east-1:<AWS::AccountId>:rule/StepFunctionsGetEventsForSageMakerProcessingJobsRule',
    );
    // The state machine itself no longer queries or reads the lake: the processing job does.
    const actions = all.flatMap((s) => s.Action);
    expect(actions.filter((a) => /^(athena|glue|s3):/.test(a))).toEqual([]);
  });
});
