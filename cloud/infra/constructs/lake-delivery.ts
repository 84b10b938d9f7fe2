import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, resourceFinding } from './nag.js';

/**
 * Firehose key prefix for the raw zone: the transform Lambda decodes each uplink envelope into
 * events and returns `stream`, `dt` and `hr` (UTC, from eventTime) as partition keys, so objects
 * land exactly where `lakePartition('raw', stream, eventTime)` says.
 */
export const RAW_PREFIX =
  'raw/!{partitionKeyFromLambda:stream}/dt=!{partitionKeyFromLambda:dt}/hr=!{partitionKeyFromLambda:hr}/';
/** Records Firehose could not transform or deliver, by error type and arrival hour. */
export const FIREHOSE_ERROR_PREFIX =
  'errors/firehose/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/hr=!{timestamp:HH}/';

export interface LakeDeliveryProps {
  readonly source: kinesis.IStream;
  readonly sourceKey: kms.IKey;
  readonly lakeBucket: s3.IBucket;
  readonly lakeKey: kms.IKey;
  /** Decodes compressed uplink envelopes into newline-delimited events with partition keys. */
  readonly transform: lambda.IFunction;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Contract of the transform: one output record per input record (Firehose requires it), whose data
 * is the envelope's events as newline-terminated JSON lines and whose `metadata.partitionKeys` are
 * `stream`, `dt` and `hr`. An envelope is partitioned as a whole by its first event's time, so an
 * envelope that straddles an hour lands in one hour; the refined zone is partitioned per event.
 *
 * Firehose from one Kinesis stream into the lake's raw zone: envelope decoding by Lambda, dynamic
 * partitioning by stream/day/hour, GZIP, SSE-KMS, error records under `errors/firehose/`.
 * Dynamic partitioning needs a buffer of at least 64 MiB; 128 MiB or 5 minutes keeps objects large
 * enough for Athena while the lake lags real time by at most about five minutes.
 */
export class LakeDelivery extends Construct {
  readonly deliveryStream: firehose.CfnDeliveryStream;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: LakeDeliveryProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logStream = new logs.LogStream(this, 'DeliveryErrors', { logGroup, removalPolicy: RemovalPolicy.DESTROY });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `Firehose ${id}: read its Kinesis stream, invoke the lake transform, write raw/ and errors/`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kinesis:DescribeStream', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'],
        resources: [props.source.streamArn],
      }),
    );
    props.sourceKey.grantDecrypt(this.role);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [props.lakeBucket.bucketArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [props.lakeBucket.arnForObjects('raw/*'), props.lakeBucket.arnForObjects('errors/firehose/*')],
      }),
    );
    props.lakeKey.grant(this.role, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
        resources: [props.transform.functionArn, `${props.transform.functionArn}:*`],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    acknowledge(this.role, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "Firehose writes objects whose keys it generates under raw/ and errors/firehose/ only; the function wildcard covers the transform's versions and aliases.",
        findings: [
          props.lakeBucket.arnForObjects('raw/*'),
          props.lakeBucket.arnForObjects('errors/firehose/*'),
          `${props.transform.functionArn}:*`,
        ].map((r) => resourceFinding(this, r)),
      },
    ]);

    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamType: 'KinesisStreamAsSource',
      kinesisStreamSourceConfiguration: { kinesisStreamArn: props.source.streamArn, roleArn: this.role.roleArn },
      extendedS3DestinationConfiguration: {
        bucketArn: props.lakeBucket.bucketArn,
        roleArn: this.role.roleArn,
        prefix: RAW_PREFIX,
        errorOutputPrefix: FIREHOSE_ERROR_PREFIX,
        fileExtension: '.jsonl.gz',
        compressionFormat: 'GZIP',
        bufferingHints: { intervalInSeconds: Duration.minutes(5).toSeconds(), sizeInMBs: 128 },
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: props.lakeKey.keyArn } },
        dynamicPartitioningConfiguration: { enabled: true, retryOptions: { durationInSeconds: 300 } },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'Lambda',
              parameters: [
                { parameterName: 'LambdaArn', parameterValue: props.transform.functionArn },
                { parameterName: 'NumberOfRetries', parameterValue: '3' },
                { parameterName: 'BufferSizeInMBs', parameterValue: '1' },
                { parameterName: 'BufferIntervalInSeconds', parameterValue: '60' },
              ],
            },
          ],
        },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: logGroup.logGroupName,
          logStreamName: logStream.logStreamName,
        },
      },
    });
    this.deliveryStream.node.addDependency(this.role);
    acknowledge(this.deliveryStream, [
      {
        id: 'AwsSolutions-KDF1',
        reason:
          "Firehose server-side encryption applies to Direct PUT only; with a Kinesis source the data is protected by the stream's customer-managed key and by SSE-KMS in the lake.",
      },
    ]);
  }
}
