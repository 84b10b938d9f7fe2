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
import { names } from '../config/names.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { trainingDatasetSelect } from '../constructs/lake-queries.js';
import { acknowledge, resourceFinding } from '../constructs/nag.js';

/** Names the pipeline's grants are scoped to. */
interface PipelineRefs {
  readonly arn: (service: string, resource: string) => string;
  readonly jobPrefix: string;
  readonly datasetsPrefix: string;
  readonly modelsPrefix: string;
  readonly componentArn: string;
  readonly lakeBucket: s3.IBucket;
  readonly workBucket: s3.IBucket;
  readonly artifactsBucket: s3.IBucket;
  readonly glueDatabase: string;
  readonly workGroup: string;
}

/** The component whose versions this pipeline creates and deploys (and nothing else does). */
export const FAILURE_MODEL_COMPONENT = 'com.croupier.FailureModel';

export interface MlStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly logRetention: logs.RetentionDays;
  /** Key of the lake and work buckets (both named by configuration). */
  readonly dataKey: kms.IKey;
  /** Key of the component-artifacts bucket (named by configuration). */
  readonly artifactsKey: kms.IKey;
  /** Thing group whose deployment this pipeline owns: FailureModel only. */
  readonly modelThingGroupArn: string;
  readonly modelThingGroupName: string;
}

/**
 * The failure-model pipeline as a Step Functions state machine (JSONata):
 * dataset (Athena UNLOAD of the refined lake) → SageMaker training job → evaluation gate on the
 * job's final metric → new FailureModel component version → deployment to the model thing group.
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
        componentVersion: `{% '${ml.modelMajorVersion}.' & $string($floor($toMillis($states.context.Execution.StartTime) / 1000)) & '.0' %}`,
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

    const recipe = `{% $string({
      'RecipeFormatVersion': '2020-01-25',
      'ComponentName': '${FAILURE_MODEL_COMPONENT}',
      'ComponentVersion': $componentVersion,
      'ComponentDescription': 'Shuffler failure model from training job ' & $jobName,
      'ComponentPublisher': 'Croupier',
      'ComponentConfiguration': { 'DefaultConfiguration': { 'trainingJob': $jobName, 'metric': { 'name': '${ml.evaluation.metricName}', 'value': $metric } } },
      'Manifests': [{
        'Platform': { 'os': 'linux' },
        'Artifacts': [${ml.modelArtifactFiles.map((f) => `{ 'URI': $modelUri & '${f}', 'Permission': { 'Read': 'ALL' } }`).join(', ')}]
      }]
    }) %}`;
    const componentArn = arn('greengrass', `components:${FAILURE_MODEL_COMPONENT}`);
    const createVersion = tasks.CallAwsService.jsonata(this, 'Create FailureModel version', {
      service: 'greengrassv2',
      action: 'createComponentVersion',
      iamAction: 'greengrass:CreateComponentVersion',
      iamResources: [componentArn, `${componentArn}:versions:*`],
      parameters: { InlineRecipe: recipe, ClientToken: '{% $jobName %}' },
      // Greengrass checks that the caller can read every artifact it is given.
      additionalIamStatements: [
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [artifactsBucket.arnForObjects(`${modelsPrefix}*`)],
        }),
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.artifactsKey.keyArn] }),
      ],
      assign: { componentArn: '{% $states.result.Arn %}' },
    });

    const describe = tasks.CallAwsService.jsonata(this, 'Check FailureModel version', {
      service: 'greengrassv2',
      action: 'describeComponent',
      iamAction: 'greengrass:DescribeComponent',
      iamResources: [`${componentArn}:versions:*`],
      parameters: { Arn: '{% $componentArn %}' },
      outputs: { state: '{% $states.result.Status.ComponentState %}' },
    });
    const waitForDeployable = sfn.Wait.jsonata(this, 'Wait for artifact checks', {
      time: sfn.WaitTime.duration(Duration.seconds(15)),
    });

    const deploy = tasks.CallAwsService.jsonata(this, 'Deploy to model thing group', {
      service: 'greengrassv2',
      action: 'createDeployment',
      iamAction: 'greengrass:CreateDeployment',
      iamResources: [props.modelThingGroupArn],
      parameters: {
        TargetArn: props.modelThingGroupArn,
        DeploymentName: `${props.modelThingGroupName}-failure-model`,
        Components: { [FAILURE_MODEL_COMPONENT]: { ComponentVersion: '{% $componentVersion %}' } },
        DeploymentPolicies: {
          FailureHandlingPolicy: 'ROLLBACK',
          ComponentUpdatePolicy: { Action: 'NOTIFY_COMPONENTS', TimeoutInSeconds: 60 },
        },
        ClientToken: '{% $jobName %}',
      },
      // A Greengrass deployment is carried by an IoT job on the thing group's members.
      additionalIamStatements: [
        new iam.PolicyStatement({
          actions: ['iot:CreateJob', 'iot:DescribeJob', 'iot:UpdateJob', 'iot:CancelJob'],
          resources: [arn('iot', 'job/*'), props.modelThingGroupArn],
        }),
        new iam.PolicyStatement({
          actions: ['iot:DescribeThingGroup'],
          resources: [props.modelThingGroupArn],
        }),
      ],
    });

    const rejected = new sfn.Succeed(this, 'Keep current model', {
      comment: 'The new model did not pass the evaluation gate; the fleet keeps its model.',
    });
    const failed = new sfn.Fail(this, 'FailureModel version rejected', {
      error: 'ComponentVersionFailed',
      cause: 'Greengrass rejected the new FailureModel version (artifact or recipe check failed)',
    });
    const gate = sfn.Choice.jsonata(this, 'Evaluation gate')
      .when(sfn.Condition.jsonata(`{% $exists($metric) and $metric >= ${minimumMetric} %}`), createVersion)
      .otherwise(rejected);
    const deployable = sfn.Choice.jsonata(this, 'Version deployable?')
      .when(sfn.Condition.jsonata("{% $states.input.state = 'DEPLOYABLE' %}"), deploy)
      .when(sfn.Condition.jsonata("{% $states.input.state = 'FAILED' %}"), failed)
      .otherwise(waitForDeployable);
    createVersion.next(waitForDeployable);
    waitForDeployable.next(describe);
    describe.next(deployable);

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
    this.grantPipeline(props, {
      arn,
      jobPrefix,
      datasetsPrefix,
      modelsPrefix,
      componentArn,
      lakeBucket,
      workBucket,
      artifactsBucket,
      glueDatabase,
      workGroup,
    });

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
    const {
      arn,
      jobPrefix,
      datasetsPrefix,
      modelsPrefix,
      componentArn,
      lakeBucket,
      workBucket,
      artifactsBucket,
      glueDatabase,
      workGroup,
    } = refs;
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
          "Per-run names (training jobs, dataset, result and model keys, component versions, IoT jobs of a deployment) exist only at run time and are confined to fixed prefixes; the lake database's tables are read by name at query time; X-Ray and CloudWatch Logs delivery have no resource ARNs.",
        findings: [
          workBucket.arnForObjects(`${datasetsPrefix}*`),
          workBucket.arnForObjects('athena-results/*'),
          lakeBucket.arnForObjects('refined/*'),
          artifactsBucket.arnForObjects(`${modelsPrefix}*`),
          arn('glue', `table/${glueDatabase}/*`),
          arn('sagemaker', `training-job/${jobPrefix}-*`),
          `${componentArn}:versions:*`,
          arn('iot', 'job/*'),
        ]
          .map((r) => resourceFinding(this, r))
          .concat('Resource::*'),
      },
    ]);
  }
}
