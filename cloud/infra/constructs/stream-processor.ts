import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CroupierFunction } from './croupier-function.js';
import { acknowledge } from './nag.js';

/** How a processor reads its stream. Every field is a deliberate choice per handler. */
export interface StreamReadSettings {
  readonly batchSize: number;
  readonly maxBatchingWindow: Duration;
  readonly parallelizationFactor: number;
  /** Retries of a failing batch (after bisecting) before its records go to the on-failure queue. */
  readonly retryAttempts: number;
  /** Records older than this are sent to the on-failure queue instead of processed. */
  readonly maxRecordAge: Duration;
  /** Tumbling window for aggregating handlers (the handler receives and returns window state). */
  readonly tumblingWindow?: Duration;
}

export interface StreamProcessorProps {
  readonly entry: string;
  readonly description: string;
  readonly stream: kinesis.IStream;
  readonly read: StreamReadSettings;
  readonly environment: Readonly<Record<string, string>>;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly logRetention: logs.RetentionDays;
  /** Key encrypting the on-failure queue. */
  readonly queueKey: kms.IKey;
  readonly failureRetention: Duration;
  /** Alarms notify this topic. */
  readonly alarmTopic: sns.ITopic;
  /** Iterator age above which the processor is falling behind. */
  readonly maxIteratorAge: Duration;
}

/**
 * A Kinesis consumer Lambda: bisect on error, partial batch responses, bounded retries and record
 * age, an encrypted SQS on-failure destination, and alarms on iterator age, errors, throttles and
 * failed records. Declaring a processor is one `new StreamProcessor(...)`.
 */
export class StreamProcessor extends Construct {
  readonly function: lambda.IFunction;
  readonly role: CroupierFunction['role'];
  readonly failureQueue: sqs.Queue;
  readonly eventSource: sources.KinesisEventSource;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: StreamProcessorProps) {
    super(scope, id);
    const fn = new CroupierFunction(this, 'Handler', {
      entry: props.entry,
      description: props.description,
      environment: props.environment,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(60),
      logRetention: props.logRetention,
    });
    this.function = fn.function;
    this.role = fn.role;

    // The on-failure destination receives batch metadata (shard, sequence range) for records that
    // exhausted their retries; it is the end of the line, so it has no dead-letter queue of its own.
    this.failureQueue = new sqs.Queue(this, 'OnFailure', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.queueKey,
      enforceSSL: true,
      retentionPeriod: props.failureRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.failureQueue, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the on-failure (dead-letter) destination of the event source.',
      },
    ]);

    this.eventSource = new sources.KinesisEventSource(props.stream, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.read.batchSize,
      maxBatchingWindow: props.read.maxBatchingWindow,
      parallelizationFactor: props.read.parallelizationFactor,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: props.read.retryAttempts,
      maxRecordAge: props.read.maxRecordAge,
      ...(props.read.tumblingWindow ? { tumblingWindow: props.read.tumblingWindow } : {}),
      onFailure: new sources.SqsDlq(this.failureQueue),
    });
    fn.function.addEventSource(this.eventSource);

    const alarm = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(new actions.SnsAction(props.alarmTopic));
      a.addOkAction(new actions.SnsAction(props.alarmTopic));
      return a;
    };
    const minute = Duration.minutes(1);
    this.alarms = [
      alarm(
        'IteratorAge',
        fn.function.metric('IteratorAge', { statistic: 'Maximum', period: minute }),
        props.maxIteratorAge.toMilliseconds(),
        `${id} is falling behind its stream (iterator age above ${props.maxIteratorAge.toHumanString()}).`,
      ),
      alarm('Errors', fn.function.metricErrors({ period: minute }), 0, `${id} invocations are failing.`),
      alarm('Throttles', fn.function.metricThrottles({ period: minute }), 0, `${id} is being throttled.`),
      alarm(
        'FailedRecords',
        this.failureQueue.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum' }),
        0,
        `${id} sent records to its on-failure queue: they need replay from the stream.`,
      ),
    ];
  }
}
