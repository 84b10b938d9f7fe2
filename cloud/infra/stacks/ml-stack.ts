import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { FAILURE_MODEL_COMPONENT } from '../../ml/release/failure-model-recipe.js';
import { names } from '../config/names.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { CroupierFunction } from '../constructs/croupier-function.js';
import { trainingDatasetSelect } from '../constructs/lake-queries.js';
import { acknowledge, resourceFinding } from '../constructs/nag.js';
import { repoPath } from '../constructs/paths.js';

/** Names the pipeline's grants are scoped to. */
interface PipelineRefs {
  readonly arn: (service: string, resource: string) => string;
  readonly jobPrefix: string;
  readonly datasetsPrefix: string;
  readonly lakeBucket: s3.IBucket;
  readonly workBucket: s3.IBucket;
  readonly glueDatabase: string;
  readonly workGroup: string;
}

/** What the release function may touch: the FailureModel component, its artifacts and the trained models. */
interface ReleaseRefs {
  readonly arn: (service: string, resource: string) => string;
  readonly modelsPrefix: string;
  readonly componentArn: string;
  readonly artifactsBucket: s3.IBucket;
}

/** The release handler, bundled from `cloud/ml/release/`. */
const RELEASE_HANDLER = 'cloud/ml/release/release-handler.ts';
/** Where the handler reads the FailureModel recipe template (its default `RELEASE_RECIPE_TEMPLATE`). */
const RELEASE_RECIPE_FILE = 'failure-model.recipe.yaml';

export interface MlStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly logRetention: logs.RetentionDays;
  /** Key of the lake and work buckets (both named by configuration). */
  readonly dataKey: kms.IKey;
  /** Key of the component-artifacts bucket (named by configuration). */
  readonly artifactsKey: kms.IKey;
  /** Thing group whose deployment this pipeline's release function owns: FailureModel only. */
  readonly modelThingGroupArn: string;
  readonly modelThingGroupName: string;
}

/**
 * The failure-model pipeline as a Step Functions state machine (JSONata):
 * dataset (Athena UNLOAD of the refined lake) → SageMaker training job → evaluation gate on the
 * job's final metric → release function (`cloud/ml/release/release-handler.ts`): checks the model
 * against the FailureModel contract, registers it as the next FailureModel version and revises the
 * model thing group's deployment.
 *
 * The training image is not built at synth or deploy time (that would need Docker): CI builds it
 * from the training code and pushes it to the ECR repository created here, under the tag named in
 * configuration. Image, instance type, hyperparameters, metric and threshold are all parameters
 * from configuration, so the training code (a later issue) plugs in without changing this stack.
 *
 * Runs on the configured schedule and on demand: `aws stepfunctions start-execution
 * --state-machine-arn <TrainingPipelineArn output>`.
 */
export class MlStack extends Stack {
  readonly repository: ecr.Repository;
  readonly trainingRole: iam.Role;
  readonly releaseFunction: CroupierFunction;
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: MlStackProps) {
    super(scope, id, props);
    const { config } = props;
    const ml = config.ml;
    const lakeBucket = s3.Bucket.fromBucketName(this, 'Lake', names.lakeBucket(config, this));
    const workBucket = s3.Bucket.fromBucketName(this, 'Work', names.workBucket(config, this));
    const artifactsBucket = s3.Bucket.fromBucketName(this, 'Artifacts', names.artifactsBucket(config, this));
    const glueDatabase = names.glueDatabase(config);
    const workGroup = names.athenaWorkGroup(config);
    const arn = (service: string, resource: string) =>
      `arn:${this.partition}:${service}:${this.region}:${this.account}:${resource}`;

    this.repository = new ecr.Repository(this, 'TrainingImages', {
      repositoryName: ml.trainingImageRepository,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.KMS,
      lifecycleRules: [{ description: 'keep the last 20 images', maxImageCount: 20 }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const jobPrefix = `croupier-${config.name}-failure`;
    const datasetsPrefix = 'datasets/failure-model/';
    const modelsPrefix = 'models/failure-model/';

    // What the training container may do: read its dataset, write its model, pull its image, log.
    this.trainingRole = new iam.Role(this, 'TrainingRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'SageMaker training job of the failure model',
    });
    this.trainingRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [workBucket.arnForObjects(`${datasetsPrefix}*`)],
      }),
    );
    this.trainingRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [workBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${datasetsPrefix}*`] } },
      }),
    );
    props.dataKey.grantDecrypt(this.trainingRole);
    this.trainingRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [artifactsBucket.arnForObjects(`${modelsPrefix}*`)],
      }),
    );
    props.artifactsKey.grant(this.trainingRole, 'kms:GenerateDataKey', 'kms:Decrypt', 'kms:CreateGrant');
    this.repository.grantPull(this.trainingRole);
    this.trainingRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [arn('logs', 'log-group:/aws/sagemaker/TrainingJobs*')],
      }),
    );
    this.trainingRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': '/aws/sagemaker/TrainingJobs' } },
      }),
    );
    acknowledge(this.trainingRole, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Dataset and model object keys are per training job under fixed prefixes; SageMaker creates its log streams per job; ecr:GetAuthorizationToken and PutMetricData (namespace-conditioned) have no resource ARNs.',
        findings: [
          workBucket.arnForObjects(`${datasetsPrefix}*`),
          artifactsBucket.arnForObjects(`${modelsPrefix}*`),
          arn('logs', 'log-group:/aws/sagemaker/TrainingJobs*'),
        ]
          .map((r) => resourceFinding(this, r))
          .concat('Resource::*'),
      },
    ]);

    const imageUri = this.repository.repositoryUriForTag(ml.trainingImageTag);
    const minimumMetric = ml.evaluation.minimum;
    // Embedded in a double-quoted JSONata string literal: the SQL may use single quotes only.
    const datasetSelect = trainingDatasetSelect(glueDatabase, ml.datasetDays).replaceAll('\n', ' ');
    if (/["\\]/.test(datasetSelect)) throw new Error('the training dataset SQL must not contain " or \\');

    // Names shared by the states; JSONata variables are set once, at the start.
    const start = sfn.Pass.jsonata(this, 'Name the run', {
      assign: {
        jobName: `{% '${jobPrefix}-' & $string($floor($toMillis($states.context.Execution.StartTime) / 1000)) %}`,
      },
    });

    const dataset = new sfn.CustomState(this, 'Build dataset', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${this.partition}:states:::athena:startQueryExecution.sync`,
        Arguments: {
          QueryString: `{% "UNLOAD (${datasetSelect}) TO '${workBucket.s3UrlForObject(datasetsPrefix)}" & $jobName & "/' WITH (format = 'PARQUET', compression = 'SNAPPY')" %}`,
          WorkGroup: workGroup,
          QueryExecutionContext: { Database: glueDatabase },
        },
        Assign: {
          datasetUri: `{% '${workBucket.s3UrlForObject(datasetsPrefix)}' & $jobName & '/' %}`,
        },
      },
    });

    const train = new sfn.CustomState(this, 'Train model', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${this.partition}:states:::sagemaker:createTrainingJob.sync`,
        Arguments: {
          TrainingJobName: '{% $jobName %}',
          RoleArn: this.trainingRole.roleArn,
          AlgorithmSpecification: {
            TrainingImage: imageUri,
            TrainingInputMode: 'File',
            MetricDefinitions: [{ Name: ml.evaluation.metricName, Regex: ml.evaluation.metricRegex }],
          },
          HyperParameters: ml.hyperparameters,
          InputDataConfig: [
            {
              ChannelName: 'train',
              ContentType: 'application/x-parquet',
              DataSource: {
                S3DataSource: {
                  S3DataType: 'S3Prefix',
                  S3Uri: '{% $datasetUri %}',
                  S3DataDistributionType: 'FullyReplicated',
                },
              },
            },
          ],
          // Uncompressed output: the model files become FailureModel artifacts as they are,
          // because Greengrass can unarchive ZIP but not the default model.tar.gz.
          OutputDataConfig: {
            S3OutputPath: artifactsBucket.s3UrlForObject(modelsPrefix),
            KmsKeyId: props.artifactsKey.keyArn,
            CompressionType: 'NONE',
          },
          ResourceConfig: {
            InstanceCount: 1,
            InstanceType: ml.instanceType,
            VolumeSizeInGB: 30,
            VolumeKmsKeyId: props.artifactsKey.keyArn,
          },
          StoppingCondition: { MaxRuntimeInSeconds: ml.maxRuntimeMinutes * 60 },
          EnableNetworkIsolation: true,
          EnableInterContainerTrafficEncryption: true,
          Tags: [{ Key: 'croupier:environment', Value: config.name }],
        },
        Assign: {
          metric: `{% $states.result.FinalMetricDataList[MetricName = '${ml.evaluation.metricName}'].Value %}`,
          modelUri: `{% '${artifactsBucket.s3UrlForObject(modelsPrefix)}' & $jobName & '/output/model/' %}`,
        },
      },
    });

    const componentArn = arn('greengrass', `components:${FAILURE_MODEL_COMPONENT}`);
    this.releaseFunction = this.releaseFunctionFor(props, { arn, modelsPrefix, componentArn, artifactsBucket });
    // Versioning, upload, registration and deployment live in the release handler (tested on the
    // exact Greengrass and S3 requests); the state machine only hands it the evaluated model.
    const release = tasks.LambdaInvoke.jsonata(this, 'Release FailureModel', {
      lambdaFunction: this.releaseFunction.function,
      payload: sfn.TaskInput.fromObject({ modelUri: '{% $modelUri %}' }),
      // Only Lambda's own transient errors: a refused model or version must stop the run.
      retryOnServiceExceptions: true,
      outputs: '{% $states.result.Payload %}',
    });

    const rejected = new sfn.Succeed(this, 'Keep current model', {
      comment: 'The new model did not pass the evaluation gate; the fleet keeps its model.',
    });
    const gate = sfn.Choice.jsonata(this, 'Evaluation gate')
      .when(sfn.Condition.jsonata(`{% $exists($metric) and $metric >= ${minimumMetric} %}`), release)
      .otherwise(rejected);

    const logGroup = new logs.LogGroup(this, 'PipelineLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'TrainingPipeline', {
      stateMachineName: `croupier-${config.name}-failure-model`,
      queryLanguage: sfn.QueryLanguage.JSONATA,
      definitionBody: sfn.DefinitionBody.fromChainable(start.next(dataset).next(train).next(gate)),
      timeout: Duration.minutes(ml.maxRuntimeMinutes + 120),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.grantPipeline(props, { arn, jobPrefix, datasetsPrefix, lakeBucket, workBucket, glueDatabase, workGroup });

    new events.Rule(this, 'Schedule', {
      description: 'Retrain the shuffler failure model on schedule',
      schedule: events.Schedule.expression(ml.schedule),
      targets: [
        new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({ trigger: 'schedule' }),
        }),
      ],
    });
    new CfnOutput(this, 'TrainingPipelineArn', {
      value: this.stateMachine.stateMachineArn,
      description: 'Start on demand: aws stepfunctions start-execution --state-machine-arn <this>',
    });
    new CfnOutput(this, 'TrainingImageRepositoryUri', {
      value: this.repository.repositoryUri,
      description: `CI pushes the training image here, tagged ${ml.trainingImageTag}`,
    });
  }

  /** Grants for the states written as raw ASL (Athena and SageMaker `.sync` integrations). */
  private grantPipeline(props: MlStackProps, refs: PipelineRefs): void {
    const { arn, jobPrefix, datasetsPrefix, lakeBucket, workBucket, glueDatabase, workGroup } = refs;
    const role = this.stateMachine.role;
    const add = (statement: iam.PolicyStatement) => this.stateMachine.addToRolePolicy(statement);
    add(
      new iam.PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution'],
        resources: [arn('athena', `workgroup/${workGroup}`)],
      }),
    );
    add(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        resources: [
          arn('glue', 'catalog'),
          arn('glue', `database/${glueDatabase}`),
          arn('glue', `table/${glueDatabase}/*`),
        ],
      }),
    );
    add(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation'],
        resources: [lakeBucket.bucketArn, lakeBucket.arnForObjects('refined/*')],
      }),
    );
    add(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListBucket', 's3:GetBucketLocation', 's3:AbortMultipartUpload'],
        resources: [
          workBucket.bucketArn,
          workBucket.arnForObjects(`${datasetsPrefix}*`),
          workBucket.arnForObjects('athena-results/*'),
        ],
      }),
    );
    props.dataKey.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
    add(
      new iam.PolicyStatement({
        actions: [
          'sagemaker:CreateTrainingJob',
          'sagemaker:DescribeTrainingJob',
          'sagemaker:StopTrainingJob',
          'sagemaker:AddTags',
        ],
        resources: [arn('sagemaker', `training-job/${jobPrefix}-*`)],
      }),
    );
    add(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.trainingRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    // The `.sync` SageMaker integration watches the job through this Step Functions-managed rule.
    add(
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [arn('events', 'rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule')],
      }),
    );
    props.artifactsKey.grant(role, 'kms:CreateGrant', 'kms:DescribeKey');
    acknowledge(role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "Per-run names (training jobs, dataset and result keys) exist only at run time and are confined to fixed prefixes; the lake database's tables are read by name at query time; the release function's ARN with `:*` covers its versions and aliases (Step Functions' standard Lambda invoke grant); X-Ray and CloudWatch Logs delivery have no resource ARNs.",
        findings: [
          workBucket.arnForObjects(`${datasetsPrefix}*`),
          workBucket.arnForObjects('athena-results/*'),
          lakeBucket.arnForObjects('refined/*'),
          arn('glue', `table/${glueDatabase}/*`),
          arn('sagemaker', `training-job/${jobPrefix}-*`),
          `${this.releaseFunction.function.functionArn}:*`,
        ]
          .map((r) => resourceFinding(this, r))
          .concat('Resource::*'),
      },
    ]);
  }

  /**
   * The release step as a Lambda function: `cloud/ml/release/release-handler.ts` with the
   * repository's FailureModel recipe bundled beside it, configured through its `RELEASE_*`
   * environment, and allowed exactly the requests the release makes.
   */
  private releaseFunctionFor(props: MlStackProps, refs: ReleaseRefs): CroupierFunction {
    const { arn, modelsPrefix, componentArn, artifactsBucket } = refs;
    const componentVersions = `${componentArn}:versions:*`;
    const artifactObjects = artifactsBucket.arnForObjects(`${FAILURE_MODEL_COMPONENT}/*`);
    const modelObjects = artifactsBucket.arnForObjects(`${modelsPrefix}*`);
    const iotJobs = arn('iot', 'job/*');
    const fn = new CroupierFunction(this, 'ReleaseFunction', {
      entry: repoPath(RELEASE_HANDLER),
      description: 'Releases an evaluated failure model as the next FailureModel version to the model thing group',
      // Two uploads, registration, up to five minutes for Greengrass to check the artifacts, deployment.
      timeout: Duration.minutes(10),
      logRetention: props.logRetention,
      environment: {
        RELEASE_COMPONENT_ARN: componentArn,
        RELEASE_ARTIFACTS_BUCKET: artifactsBucket.bucketName,
        RELEASE_MODEL_THING_GROUP_ARN: props.modelThingGroupArn,
        RELEASE_DEPLOYMENT_NAME: `${props.modelThingGroupName}-failure-model`,
        RELEASE_MAJOR_VERSION: String(props.config.ml.modelMajorVersion),
      },
      afterBundling: (inputDir, outputDir) => [
        `cp "${inputDir}/components/failure-model/recipe.yaml" "${outputDir}/${RELEASE_RECIPE_FILE}"`,
      ],
    });
    const allow = (actions: string[], resources: string[]) =>
      fn.role.addToPolicy(new iam.PolicyStatement({ actions, resources }));
    allow(['greengrass:ListComponentVersions', 'greengrass:CreateComponentVersion'], [componentArn, componentVersions]);
    allow(['greengrass:DescribeComponent'], [componentVersions]);
    // The model thing group only: the property groups' deployments belong to CDK.
    allow(['greengrass:CreateDeployment'], [props.modelThingGroupArn]);
    // A Greengrass deployment is carried by an IoT job on the thing group's members.
    allow(['iot:CreateJob', 'iot:DescribeJob', 'iot:UpdateJob', 'iot:CancelJob'], [iotJobs, props.modelThingGroupArn]);
    allow(['iot:DescribeThingGroup'], [props.modelThingGroupArn]);
    // The trained model as SageMaker wrote it, and the version's artifacts (which Greengrass
    // checks the caller can read when the version is registered).
    allow(['s3:GetObject'], [modelObjects]);
    allow(['s3:PutObject', 's3:GetObject'], [artifactObjects]);
    props.artifactsKey.grant(fn.role, 'kms:GenerateDataKey', 'kms:Decrypt');
    acknowledge(fn.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Component versions are created per release under the FailureModel component only; IoT job ids are chosen by Greengrass per deployment; model keys are per training job under the models prefix, artifact keys per version under the component prefix (GDK layout).',
        findings: [componentVersions, iotJobs, modelObjects, artifactObjects].map((r) => resourceFinding(this, r)),
      },
    ]);
    return fn;
  }
}
