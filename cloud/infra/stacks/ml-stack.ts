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
import { acknowledge, resourceFinding } from '../constructs/nag.js';
import { repoPath } from '../constructs/paths.js';

/** Names the pipeline's grants are scoped to. */
interface PipelineRefs {
  readonly arn: (service: string, resource: string) => string;
  readonly jobPrefix: string;
}

/** What the dataset processing job may read and write. */
interface ProcessingRefs {
  readonly arn: (service: string, resource: string) => string;
  readonly lakeBucket: s3.IBucket;
  readonly workBucket: s3.IBucket;
  readonly datasetsPrefix: string;
}

/**
 * The lake's raw streams the dataset builder reads (`cloud/ml/dataset/lake-history.ts`): shuffler
 * telemetry and service (maintenance) records, as Firehose writes them (`raw/<stream>/dt=…/hr=…/`).
 */
const RAW_STREAMS = ['shuffler', 'service'] as const;
/** Where the processing container finds the lake (the builder's `--lake`) and writes its channels (`--out`). */
const PROCESSING_LAKE_DIR = '/opt/ml/processing/input/lake';
const PROCESSING_OUTPUT_DIR = '/opt/ml/processing/output/dataset';
/** The dataset builder's entrypoint in the training image (`cloud/ml/training/Dockerfile`). */
const DATASET_ENTRYPOINT = ['node', '/opt/program/dataset.mjs'];

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
 * dataset (SageMaker processing job: the dataset builder, `cloud/ml/dataset/`, run in the training
 * image on the lake's raw shuffler and service streams, writing the train/validation/test channels to
 * the work bucket) → SageMaker training job on the train and validation channels (CSV) → evaluation gate on the
 * job's final metric → release function (`cloud/ml/release/release-handler.ts`): checks the model
 * against the FailureModel contract, registers it as the next FailureModel version and revises the
 * model thing group's deployment.
 *
 * The features are computed by FailurePredictor's own feature code, inside the same image that trains
 * on them, so the dataset, the model and the edge agree bit for bit.
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
  readonly processingRole: iam.Role;
  readonly releaseFunction: CroupierFunction;
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: MlStackProps) {
    super(scope, id, props);
    const { config } = props;
    const ml = config.ml;
    const lakeBucket = s3.Bucket.fromBucketName(this, 'Lake', names.lakeBucket(config, this));
    const workBucket = s3.Bucket.fromBucketName(this, 'Work', names.workBucket(config, this));
    const artifactsBucket = s3.Bucket.fromBucketName(this, 'Artifacts', names.artifactsBucket(config, this));
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

    this.processingRole = this.processingRoleFor(props, { arn, lakeBucket, workBucket, datasetsPrefix });

    const imageUri = this.repository.repositoryUriForTag(ml.trainingImageTag);
    const minimumMetric = ml.evaluation.minimum;
    const datasetsUrl = workBucket.s3UrlForObject(datasetsPrefix);

    // Names shared by the states; JSONata variables are set once, at the start.
    const start = sfn.Pass.jsonata(this, 'Name the run', {
      assign: {
        jobName: `{% '${jobPrefix}-' & $string($floor($toMillis($states.context.Execution.StartTime) / 1000)) %}`,
      },
    });

    // The dataset builder in the training image, as a processing job: raw streams in, one folder
    // holding the train/validation/test channels out (under the run's name in the work bucket).
    const dataset = new sfn.CustomState(this, 'Build dataset', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${this.partition}:states:::sagemaker:createProcessingJob.sync`,
        Arguments: {
          ProcessingJobName: '{% $jobName %}',
          RoleArn: this.processingRole.roleArn,
          AppSpecification: {
            ImageUri: imageUri,
            ContainerEntrypoint: DATASET_ENTRYPOINT,
            ContainerArguments: [
              '--lake',
              PROCESSING_LAKE_DIR,
              '--out',
              PROCESSING_OUTPUT_DIR,
              '--days',
              String(ml.datasetDays),
            ],
          },
          ProcessingInputs: RAW_STREAMS.map((stream) => ({
            InputName: `raw-${stream}`,
            S3Input: {
              S3Uri: lakeBucket.s3UrlForObject(`raw/${stream}/`),
              LocalPath: `${PROCESSING_LAKE_DIR}/raw/${stream}`,
              S3DataType: 'S3Prefix',
              S3InputMode: 'File',
              S3DataDistributionType: 'FullyReplicated',
              S3CompressionType: 'None',
            },
          })),
          ProcessingOutputConfig: {
            KmsKeyId: props.dataKey.keyArn,
            Outputs: [
              {
                OutputName: 'dataset',
                S3Output: {
                  S3Uri: `{% '${datasetsUrl}' & $jobName %}`,
                  LocalPath: PROCESSING_OUTPUT_DIR,
                  S3UploadMode: 'EndOfJob',
                },
              },
            ],
          },
          ProcessingResources: {
            ClusterConfig: {
              InstanceCount: 1,
              InstanceType: ml.instanceType,
              VolumeSizeInGB: 50,
              VolumeKmsKeyId: props.dataKey.keyArn,
            },
          },
          StoppingCondition: { MaxRuntimeInSeconds: ml.maxRuntimeMinutes * 60 },
          NetworkConfig: { EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: true },
          Tags: [{ Key: 'croupier:environment', Value: config.name }],
        },
        Assign: {
          datasetUri: `{% '${datasetsUrl}' & $jobName & '/' %}`,
        },
      },
    });

    const channel = (name: 'train' | 'validation') => ({
      ChannelName: name,
      ContentType: 'text/csv',
      DataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix',
          S3Uri: `{% $datasetUri & '${name}/' %}`,
          S3DataDistributionType: 'FullyReplicated',
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
          // The test channel stays in the work bucket for the evaluation; training never reads it.
          InputDataConfig: [channel('train'), channel('validation')],
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
      // Two jobs (dataset, training) of at most maxRuntimeMinutes each, plus queueing and the release.
      timeout: Duration.minutes(2 * ml.maxRuntimeMinutes + 120),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.grantPipeline(props, { arn, jobPrefix });

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

  /**
   * What the dataset processing job may do: read the lake's raw shuffler and service streams, write
   * the channels under the work bucket's datasets prefix, pull its image, log.
   */
  private processingRoleFor(props: MlStackProps, refs: ProcessingRefs): iam.Role {
    const { arn, lakeBucket, workBucket, datasetsPrefix } = refs;
    const role = new iam.Role(this, 'ProcessingRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'SageMaker processing job building the failure-model dataset from the lake',
    });
    const rawObjects = RAW_STREAMS.map((stream) => lakeBucket.arnForObjects(`raw/${stream}/*`));
    const datasetObjects = workBucket.arnForObjects(`${datasetsPrefix}*`);
    const logGroups = arn('logs', 'log-group:/aws/sagemaker/ProcessingJobs*');
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: rawObjects }));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [lakeBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': RAW_STREAMS.map((stream) => `raw/${stream}/*`) } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [datasetObjects] }),
    );
    // One key encrypts both buckets: decrypt the raw objects, encrypt the channels.
    props.dataKey.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
    this.repository.grantPull(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [logGroups],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': '/aws/sagemaker/ProcessingJobs' } },
      }),
    );
    acknowledge(role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "The lake's raw objects are keyed by day and hour under each stream's fixed prefix (read only, the two streams the builder uses); dataset keys are per run under the datasets prefix (write only); SageMaker creates its log streams per job; ecr:GetAuthorizationToken and PutMetricData (namespace-conditioned) have no resource ARNs.",
        findings: [...rawObjects, datasetObjects, logGroups].map((r) => resourceFinding(this, r)).concat('Resource::*'),
      },
    ]);
    return role;
  }

  /** Grants for the states written as raw ASL (the SageMaker `.sync` integrations). */
  private grantPipeline(props: MlStackProps, refs: PipelineRefs): void {
    const { arn, jobPrefix } = refs;
    const role = this.stateMachine.role;
    const add = (statement: iam.PolicyStatement) => this.stateMachine.addToRolePolicy(statement);
    const processingJobs = arn('sagemaker', `processing-job/${jobPrefix}-*`);
    const trainingJobs = arn('sagemaker', `training-job/${jobPrefix}-*`);
    add(
      new iam.PolicyStatement({
        actions: [
          'sagemaker:CreateProcessingJob',
          'sagemaker:DescribeProcessingJob',
          'sagemaker:StopProcessingJob',
          'sagemaker:AddTags',
        ],
        resources: [processingJobs],
      }),
    );
    add(
      new iam.PolicyStatement({
        actions: [
          'sagemaker:CreateTrainingJob',
          'sagemaker:DescribeTrainingJob',
          'sagemaker:StopTrainingJob',
          'sagemaker:AddTags',
        ],
        resources: [trainingJobs],
      }),
    );
    add(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.processingRole.roleArn, this.trainingRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    // The `.sync` SageMaker integrations watch the jobs through these Step Functions-managed rules.
    add(
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          arn('events', 'rule/StepFunctionsGetEventsForSageMakerProcessingJobsRule'),
          arn('events', 'rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule'),
        ],
      }),
    );
    // SageMaker encrypts each job's volume and output with the caller's grants on the keys.
    props.dataKey.grant(role, 'kms:CreateGrant', 'kms:DescribeKey');
    props.artifactsKey.grant(role, 'kms:CreateGrant', 'kms:DescribeKey');
    acknowledge(role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "Per-run job names (processing and training jobs) exist only at run time and are confined to the pipeline's fixed prefix; the release function's ARN with `:*` covers its versions and aliases (Step Functions' standard Lambda invoke grant); X-Ray and CloudWatch Logs delivery have no resource ARNs.",
        findings: [processingJobs, trainingJobs, `${this.releaseFunction.function.functionArn}:*`]
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
    const deployments = arn('greengrass', 'deployments:*');
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
    // A retried release finds the version and deployment its earlier attempt made instead of making twins.
    allow(['greengrass:DescribeComponent', 'greengrass:GetComponent'], [componentVersions]);
    allow(['greengrass:GetDeployment'], [deployments]);
    allow(['greengrass:ListDeployments'], ['*']);
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
          'Component versions are created per release under the FailureModel component only; IoT job and Greengrass deployment ids are chosen by Greengrass per deployment; ListDeployments takes no resource (read-only, filtered by the model group in code); model keys are per training job under the models prefix, artifact keys per version under the component prefix (GDK layout).',
        findings: [componentVersions, iotJobs, deployments, modelObjects, artifactObjects]
          .map((r) => resourceFinding(this, r))
          .concat('Resource::*'),
      },
    ]);
    return fn;
  }
}
