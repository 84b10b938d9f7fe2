import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../config/load.js';
import { FIREHOSE_ERROR_PREFIX, LakeDelivery, RAW_PREFIX } from '../constructs/lake-delivery.js';
import { handlerEntry } from '../constructs/paths.js';
import { StreamProcessor } from '../constructs/stream-processor.js';
import { FloorApiStack } from '../stacks/floor-api-stack.js';
import { StorageStack } from '../stacks/storage-stack.js';
import { cdkJsonContext } from './reference-app.js';

/** One small stack holding the constructs under test; synthesized once for all assertions. */
let t: Template;
beforeAll(() => {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Constructs', { env: { region: 'us-east-1' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const stream = new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
  new StreamProcessor(stack, 'KpiWindow', {
    entry: handlerEntry('slot-processor.ts'),
    description: 'aggregating processor under test',
    stream,
    read: {
      batchSize: 1000,
      maxBatchingWindow: Duration.seconds(5),
      parallelizationFactor: 1,
      retryAttempts: 3,
      maxRecordAge: Duration.hours(1),
      tumblingWindow: Duration.minutes(1),
    },
    environment: {},
    logRetention: logs.RetentionDays.ONE_MONTH,
    queueKey: key,
    failureRetention: Duration.days(14),
    alarmTopic: new sns.Topic(stack, 'Alarms'),
    maxIteratorAge: Duration.minutes(5),
  });
  new LakeDelivery(stack, 'Lake', {
    source: stream,
    sourceKey: key,
    lakeBucket: s3.Bucket.fromBucketName(stack, 'LakeBucket', 'croupier-test-lake'),
    lakeKey: key,
    // The transform is referenced, not built: this test is about the delivery stream around it.
    transform: lambda.Function.fromFunctionArn(
      stack,
      'Transform',
      'arn:aws:lambda:us-east-1:111111111111:function:croupier-lake-transform',
    ),
    logRetention: logs.RetentionDays.ONE_MONTH,
  });
  t = Template.fromStack(stack);
});

describe('StreamProcessor', () => {
  it('GIVEN a tumbling window WHEN declared THEN the event source aggregates in windows of that length', () => {
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      TumblingWindowInSeconds: 60,
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 5,
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('GIVEN the function role WHEN synthesized THEN it writes only its own log group and has no managed policy', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KpiWindowHandlerLogs'), 'Arn'] },
          }),
        ]),
      },
    });
  });
});

describe('LakeDelivery', () => {
  it('GIVEN the raw zone WHEN delivered THEN Firehose partitions by stream/dt/hr from the transform, gzip, SSE-KMS', () => {
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: RAW_PREFIX,
        ErrorOutputPrefix: FIREHOSE_ERROR_PREFIX,
        CompressionFormat: 'GZIP',
        FileExtension: '.jsonl.gz',
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 128 },
        DynamicPartitioningConfiguration: { Enabled: true, RetryOptions: { DurationInSeconds: 300 } },
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: Match.anyValue() } },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            Match.objectLike({
              Type: 'Lambda',
              Parameters: Match.arrayWith([
                {
                  ParameterName: 'LambdaArn',
                  ParameterValue: 'arn:aws:lambda:us-east-1:111111111111:function:croupier-lake-transform',
                },
              ]),
            }),
          ],
        },
      }),
    });
    expect(RAW_PREFIX).toBe(
      'raw/!{partitionKeyFromLambda:stream}/dt=!{partitionKeyFromLambda:dt}/hr=!{partitionKeyFromLambda:hr}/',
    );
  });

  it('GIVEN the delivery role WHEN synthesized THEN it writes objects only under raw/ and errors/firehose/', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy'));
    const puts = policies
      .flatMap(
        (p) =>
          (p as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }).Properties
            .PolicyDocument.Statement,
      )
      .filter((s) => [s.Action].flat().includes('s3:PutObject'));
    const resources = puts.flatMap((s) => [s.Resource].flat()).sort();
    expect(resources).toEqual([
      'arn:aws:s3:::croupier-test-lake/errors/firehose/*',
      'arn:aws:s3:::croupier-test-lake/raw/*',
    ]);
  });
});

describe('StorageStack with Timestream disabled', () => {
  it('GIVEN the shipped dev configuration WHEN synthesized THEN no Timestream resource is created', () => {
    const app = new App({ context: cdkJsonContext() });
    const storage = new StorageStack(app, 'Storage', {
      config: loadEnvironmentConfig('dev'),
      env: { region: 'us-east-1' },
    });
    const template = Template.fromStack(storage);
    template.resourceCountIs('AWS::Timestream::Database', 0);
    template.resourceCountIs('AWS::Timestream::Table', 0);
  });
});

describe('FloorApiStack', () => {
  let api: Template;
  beforeAll(() => {
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    const config = loadEnvironmentConfig('dev');
    const stack = new FloorApiStack(app, 'FloorApi', {
      config,
      env: { region: 'us-east-1' },
      logRetention: logs.RetentionDays.ONE_MONTH,
      // Any existing handler file serves: bundling is skipped and the assertions are about API Gateway.
      handler: 'slot-processor.ts',
      dataKey: new kms.Key(new Stack(app, 'Keys', { env: { region: 'us-east-1' } }), 'DataKey'),
      tables: { offers: 'readWrite', sessions: 'read' },
      publishesDownlink: true,
    });
    api = Template.fromStack(stack);
  });

  it('GIVEN the API WHEN synthesized THEN every method requires IAM (SigV4) and bodies are validated', () => {
    api.allResourcesProperties('AWS::ApiGateway::Method', { AuthorizationType: 'AWS_IAM' });
    api.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  it('GIVEN the stage WHEN synthesized THEN it is throttled from configuration and writes JSON access logs', () => {
    const config = loadEnvironmentConfig('dev');
    api.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: [
        Match.objectLike({
          ThrottlingRateLimit: config.api.rateLimit,
          ThrottlingBurstLimit: config.api.burstLimit,
          LoggingLevel: 'ERROR',
        }),
      ],
    });
  });

  it('GIVEN downlink publishing WHEN synthesized THEN the handler may publish only offers and commands', () => {
    api.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'iot:Publish',
            Resource: Match.arrayWith([
              Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':topic/croupier/*/*/offers'])] }),
            ]),
          }),
        ]),
      },
    });
  });
});
