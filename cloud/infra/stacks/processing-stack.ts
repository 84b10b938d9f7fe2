import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { StreamDefinition } from '../../definitions/streams.js';
import { names } from '../config/names.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { CroupierFunction } from '../constructs/croupier-function.js';
import { LakeDelivery } from '../constructs/lake-delivery.js';
import { acknowledge } from '../constructs/nag.js';
import { handlerEntry } from '../constructs/paths.js';
import { StreamProcessor, type StreamReadSettings } from '../constructs/stream-processor.js';
import { grantTableAccess, type TableMode } from '../constructs/table-access.js';
import { TIMESTREAM_TABLES } from './storage-stack.js';

/** What a handler may touch; the stack turns it into exact grants and environment variables. */
export interface HandlerAccess {
  readonly tables?: Readonly<Record<string, TableMode>>;
  readonly maintenanceAlerts?: boolean;
  readonly timestream?: boolean;
}

/** One stream processor: wiring a new handler is adding one of these to `PROCESSORS`. */
export interface ProcessorDeclaration {
  readonly id: string;
  /** File under `cloud/src/handlers/`. */
  readonly handler: string;
  readonly description: string;
  readonly stream: StreamDefinition['id'];
  readonly read: StreamReadSettings;
  readonly access: HandlerAccess;
  readonly memorySize?: number;
  /** Handler settings beyond resource names, from the environment's configuration. */
  readonly environment?: (config: EnvironmentConfig) => Record<string, string>;
}

/** KPI functions aggregate one-minute tumbling windows; stale windows are worthless, so records expire fast. */
const kpiWindow = (source: 'slot' | 'shuffler', stream: StreamDefinition['id']): ProcessorDeclaration => ({
  id: source === 'slot' ? 'SlotKpiWindow' : 'ShufflerKpiWindow',
  handler: 'kpi-window.ts',
  description: `Real-time KPIs over one-minute tumbling windows of the ${source} stream`,
  stream,
  read: {
    batchSize: 1000,
    maxBatchingWindow: Duration.seconds(5),
    parallelizationFactor: 1,
    retryAttempts: 3,
    maxRecordAge: Duration.hours(1),
    tumblingWindow: Duration.minutes(1),
  },
  access: { tables: { kpis: 'readWrite', alerts: 'read' } },
  environment: () => ({ KPI_SOURCE: source }),
});

/** The stream processors deployed. Only handlers that exist in `cloud/src/handlers/` are declared. */
export const PROCESSORS: readonly ProcessorDeclaration[] = [
  {
    id: 'SlotProcessor',
    handler: 'slot-processor.ts',
    description: 'Slot events: sessions, player ratings, offer responses; de-duplicates and tracks sequence gaps',
    stream: 'slotEvents',
    // Partition key is the core, and parallelization keeps per-key order, so each core's envelopes
    // stay in sequence while two batches per shard run at once.
    read: {
      batchSize: 200,
      maxBatchingWindow: Duration.seconds(1),
      parallelizationFactor: 2,
      retryAttempts: 5,
      maxRecordAge: Duration.hours(24),
    },
    access: {
      tables: {
        players: 'readWrite',
        sessions: 'readWrite',
        offers: 'readWrite',
        responsibleGaming: 'read',
        ingest: 'readWrite',
      },
    },
    memorySize: 1024,
    environment: (config) => ({
      PROPERTY_TIME_ZONE: config.floor.timeZone,
      GAMING_DAY_START_HOUR: String(config.floor.gamingDayStartHour),
    }),
  },
  {
    id: 'ShufflerProcessor',
    handler: 'shuffler-processor.ts',
    description: 'Shuffler telemetry, predictions and core health: device health, maintenance alerts, time series',
    stream: 'shufflerTelemetry',
    read: {
      batchSize: 200,
      maxBatchingWindow: Duration.seconds(1),
      parallelizationFactor: 2,
      retryAttempts: 5,
      maxRecordAge: Duration.hours(24),
    },
    access: {
      tables: { devices: 'readWrite', alerts: 'readWrite', ingest: 'readWrite' },
      maintenanceAlerts: true,
      timestream: true,
    },
  },
  kpiWindow('slot', 'slotEvents'),
  kpiWindow('shuffler', 'shufflerTelemetry'),
];

/** Firehose transform handler under `cloud/src/handlers/`. */
export const LAKE_TRANSFORM_HANDLER = 'lake-transform.ts';

export interface ProcessingStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly logRetention: logs.RetentionDays;
  readonly streams: ReadonlyMap<StreamDefinition['id'], kinesis.IStream>;
  readonly streamKey: kms.IKey;
  /** Key of the storage stack: DynamoDB tables and the lake (both named by definitions and configuration). */
  readonly dataKey: kms.IKey;
  readonly maintenanceTopic: sns.ITopic;
  readonly operationsTopic: sns.ITopic;
  readonly alertsKey: kms.IKey;
  readonly processors?: readonly ProcessorDeclaration[];
  readonly lakeTransformHandler?: string;
}

/**
 * Everything that consumes the Kinesis streams: the Lambda stream processors and the Firehose
 * deliveries into the lake. Firehose sits here rather than with storage because it is a stream
 * consumer; this keeps the stack graph acyclic (ingest needs the lake bucket for rule errors).
 */
export class ProcessingStack extends Stack {
  readonly processors: ReadonlyMap<string, StreamProcessor>;
  readonly lakeDeliveries: readonly LakeDelivery[];
  readonly lakeTransform?: CroupierFunction;

  constructor(scope: Construct, id: string, props: ProcessingStackProps) {
    super(scope, id, props);
    const { config } = props;
    const declarations = props.processors ?? PROCESSORS;

    this.processors = new Map(
      declarations.map((d) => {
        const stream = props.streams.get(d.stream);
        if (!stream) throw new Error(`processor ${d.id} reads unknown stream ${d.stream}`);
        const processor = new StreamProcessor(this, d.id, {
          entry: handlerEntry(d.handler),
          description: d.description,
          stream,
          read: d.read,
          environment: { ...this.environmentFor(d.access, props), ...d.environment?.(config) },
          ...(d.memorySize ? { memorySize: d.memorySize } : {}),
          logRetention: props.logRetention,
          queueKey: props.alertsKey,
          failureRetention: Duration.days(config.retention.dlqDays),
          alarmTopic: props.operationsTopic,
          maxIteratorAge: Duration.minutes(5),
        });
        // The event source mapping reads with the function's role; the stream is KMS-encrypted.
        props.streamKey.grantDecrypt(processor.role);
        acknowledge(processor.role, [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              "CDK's grant to send to the KMS-encrypted on-failure queue uses the kms:GenerateDataKey* and kms:ReEncrypt* action families on that queue's one key.",
            findings: ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'],
          },
        ]);
        this.grant(processor.role, d.access, props, config);
        return [d.id, processor];
      }),
    );

    const transformHandler = props.lakeTransformHandler ?? LAKE_TRANSFORM_HANDLER;
    this.lakeTransform = new CroupierFunction(this, 'LakeTransform', {
      entry: handlerEntry(transformHandler),
      description: 'Firehose transform: uplink envelopes to newline-delimited events with lake partition keys',
      memorySize: 1024,
      timeout: Duration.minutes(1),
      logRetention: props.logRetention,
    });
    const transform: lambda.IFunction = this.lakeTransform.function;
    this.lakeDeliveries = [...props.streams].map(
      ([streamId, stream]) =>
        new LakeDelivery(this, `Lake-${streamId}`, {
          source: stream,
          sourceKey: props.streamKey,
          lakeBucket: s3.Bucket.fromBucketName(this, `LakeBucket-${streamId}`, names.lakeBucket(config, this)),
          lakeKey: props.dataKey,
          transform,
          logRetention: props.logRetention,
        }),
    );
  }

  /**
   * Environment variables naming the resources a handler was granted, under the names the handlers
   * parse (their `*-env.ts` schemas). Table names are not passed: handlers and the CDK app both take
   * them from `cloud/definitions/tables.ts`.
   */
  private environmentFor(access: HandlerAccess, props: ProcessingStackProps): Record<string, string> {
    const { config } = props;
    const env: Record<string, string> = {};
    if (access.maintenanceAlerts) env.ALERT_TOPIC_ARN = props.maintenanceTopic.topicArn;
    if (access.timestream && config.timestream.enabled) {
      env.TIMESTREAM_DATABASE = config.timestream.databaseName;
      env.TIMESTREAM_TABLE = TIMESTREAM_TABLES.shufflerTelemetry;
    }
    return env;
  }

  private grant(role: iam.IRole, access: HandlerAccess, props: ProcessingStackProps, config: EnvironmentConfig): void {
    for (const [tableId, mode] of Object.entries(access.tables ?? {})) {
      grantTableAccess(this, role, tableId, mode, props.dataKey);
    }
    if (access.maintenanceAlerts) props.maintenanceTopic.grantPublish(role);
    if (access.timestream && config.timestream.enabled) {
      const db = config.timestream.databaseName;
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['timestream:WriteRecords'],
          resources: Object.values(TIMESTREAM_TABLES).map(
            (t) => `arn:${this.partition}:timestream:${this.region}:${this.account}:database/${db}/table/${t}`,
          ),
        }),
      );
      // Timestream's endpoint discovery has no resource-level permissions.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['timestream:DescribeEndpoints'], resources: ['*'] }),
      );
      acknowledge(role, [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'timestream:DescribeEndpoints supports no resource-level permissions.',
          findings: ['Resource::*'],
        },
      ]);
    }
  }
}
