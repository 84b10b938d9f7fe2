import { type LakeStream, ShufflerMaintenanceRecord, streamSchemas, UPLINK_STREAMS } from '@croupier/contracts';
import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as timestream from 'aws-cdk-lib/aws-timestream';
import type { Construct } from 'constructs';
import { z } from 'zod';
import { type TableDefinition, tables } from '../../definitions/tables.js';
import { names } from '../config/names.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { glueColumns, type JsonSchema } from '../constructs/glue-columns.js';
import { lakeTableName, namedLakeQueries } from '../constructs/lake-queries.js';
import { acknowledge } from '../constructs/nag.js';

/** Timestream tables the shuffler processor writes when Timestream is enabled. */
export const TIMESTREAM_TABLES = { shufflerTelemetry: 'shuffler_telemetry' } as const;

/** Athena stops a query after it scans this much: a runaway query costs cents, not dollars. */
const ATHENA_SCAN_CUTOFF_BYTES = 10 * 1024 ** 3;

export interface StorageStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/**
 * Everything that keeps data: the S3 lake (raw, refined, errors), the work bucket (Athena results,
 * training datasets), DynamoDB tables from `cloud/definitions/tables.ts`, Glue tables over the lake,
 * the Athena workgroup and, when enabled, Timestream. One customer-managed key encrypts all of it.
 */
export class StorageStack extends Stack {
  readonly dataKey: kms.Key;
  readonly lakeBucket: s3.Bucket;
  readonly workBucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly tables: ReadonlyMap<string, dynamodb.Table>;
  readonly glueDatabaseName: string;
  readonly workGroup: athena.CfnWorkGroup;
  readonly timestreamDatabase?: timestream.CfnDatabase;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const { config } = props;
    const stateful = config.destroyOnRemoval ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.dataKey = new kms.Key(this, 'DataKey', {
      alias: `alias/croupier/${config.name}/data`,
      description: 'Croupier data at rest: lake, work bucket, DynamoDB, Athena results, Timestream',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // S3 server access logs can only be delivered to a bucket encrypted with SSE-S3, not SSE-KMS.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire', expiration: Duration.days(config.retention.accessLogDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.accessLogsBucket, [
      { id: 'AwsSolutions-S1', reason: 'This is the access-log target; logging it into itself would loop.' },
    ]);

    const cold = config.retention.lakeColdAfterDays;
    const zoneRule = (zone: string, days: number): s3.LifecycleRule => ({
      id: `${zone}-retention`,
      prefix: `${zone}/`,
      expiration: Duration.days(days),
      // Objects are only moved to Glacier Instant Retrieval when they live long enough there to pay off.
      transitions:
        days > cold + 30
          ? [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(cold) }]
          : [],
    });
    this.lakeBucket = new s3.Bucket(this, 'Lake', {
      bucketName: names.lakeBucket(config, this),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        zoneRule('raw', config.retention.lakeRawDays),
        zoneRule('refined', config.retention.lakeRefinedDays),
        zoneRule('errors', config.retention.lakeErrorsDays),
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.workBucket = new s3.Bucket(this, 'Work', {
      bucketName: names.workBucket(config, this),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'work/',
      lifecycleRules: [
        {
          id: 'athena-results',
          prefix: 'athena-results/',
          expiration: Duration.days(config.retention.athenaResultsDays),
        },
        { id: 'datasets', prefix: 'datasets/', expiration: Duration.days(90) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.tables = new Map(tables.map((def) => [def.id, this.table(def, stateful, config)]));

    this.glueDatabaseName = names.glueDatabase(config);
    const database = new glue.CfnDatabase(this, 'GlueDatabase', {
      catalogId: this.account,
      databaseInput: { name: this.glueDatabaseName, description: 'Croupier data lake (raw and refined zones)' },
    });
    const lakeStreams: readonly LakeStream[] = [...UPLINK_STREAMS, 'service'];
    for (const zone of ['raw', 'refined'] as const) {
      for (const stream of lakeStreams) {
        this.lakeTable(zone, stream, database).node.addDependency(database);
      }
    }

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: names.athenaWorkGroup(config),
      description: 'Croupier lake queries: encrypted results, enforced settings, per-query scan limit',
      state: 'ENABLED',
      recursiveDeleteOption: config.destroyOnRemoval,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: ATHENA_SCAN_CUTOFF_BYTES,
        engineVersion: { selectedEngineVersion: 'AUTO' },
        resultConfiguration: {
          outputLocation: this.workBucket.s3UrlForObject('athena-results/'),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.dataKey.keyArn },
        },
      },
    });
    for (const query of namedLakeQueries(this.glueDatabaseName)) {
      const named = new athena.CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: query.description,
        database: this.glueDatabaseName,
        queryString: query.sql,
        workGroup: this.workGroup.ref,
      });
      named.node.addDependency(this.workGroup);
    }

    if (config.timestream.enabled) {
      const ts = config.timestream;
      this.timestreamDatabase = new timestream.CfnDatabase(this, 'TimestreamDatabase', {
        databaseName: ts.databaseName,
        kmsKeyId: this.dataKey.keyArn,
      });
      this.timestreamDatabase.applyRemovalPolicy(stateful);
      const maintenanceMode = {
        id: 'CloudFormation-Validate::W3697',
        reason:
          'Timestream is created only when configuration enables it, for accounts that already use Timestream for LiveAnalytics.',
      };
      Validations.of(this.timestreamDatabase).acknowledge(maintenanceMode);
      for (const [id, tableName] of Object.entries(TIMESTREAM_TABLES)) {
        const table = new timestream.CfnTable(this, `Timestream-${id}`, {
          databaseName: ts.databaseName,
          tableName,
          retentionProperties: {
            MemoryStoreRetentionPeriodInHours: String(ts.memoryStoreHours),
            MagneticStoreRetentionPeriodInDays: String(ts.magneticStoreDays),
          },
          magneticStoreWriteProperties: {
            EnableMagneticStoreWrites: true,
            MagneticStoreRejectedDataLocation: {
              S3Configuration: {
                BucketName: this.lakeBucket.bucketName,
                ObjectKeyPrefix: `errors/timestream/${tableName}/`,
                EncryptionOption: 'SSE_KMS',
                KmsKeyId: this.dataKey.keyArn,
              },
            },
          },
        });
        table.node.addDependency(this.timestreamDatabase);
        Validations.of(table).acknowledge(maintenanceMode);
        table.applyRemovalPolicy(stateful);
      }
    }
  }

  /** The DynamoDB table for one definition: on demand, PITR, customer-managed key, TTL when defined. */
  private table(def: TableDefinition, removalPolicy: RemovalPolicy, config: EnvironmentConfig): dynamodb.Table {
    const table = new dynamodb.Table(this, `Table-${def.id}`, {
      tableName: def.name,
      partitionKey: { name: def.partitionKey.name, type: def.partitionKey.type as dynamodb.AttributeType },
      ...(def.sortKey ? { sortKey: { name: def.sortKey.name, type: def.sortKey.type as dynamodb.AttributeType } } : {}),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      ...(def.ttlAttribute ? { timeToLiveAttribute: def.ttlAttribute } : {}),
      deletionProtection: !config.destroyOnRemoval,
      removalPolicy,
    });
    for (const gsi of def.globalSecondaryIndexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: gsi.name,
        partitionKey: { name: gsi.partitionKey.name, type: gsi.partitionKey.type as dynamodb.AttributeType },
        ...(gsi.sortKey
          ? { sortKey: { name: gsi.sortKey.name, type: gsi.sortKey.type as dynamodb.AttributeType } }
          : {}),
      });
    }
    return table;
  }

  /** A Glue table over one lake zone and stream: JSON lines, partition projection on `dt` and `hr`. */
  private lakeTable(zone: 'raw' | 'refined', stream: LakeStream, database: glue.CfnDatabase): glue.CfnTable {
    const schema = stream === 'service' ? ShufflerMaintenanceRecord : streamSchemas[stream];
    const json = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
    const location = this.lakeBucket.s3UrlForObject(`${zone}/${stream}/`);
    return new glue.CfnTable(this, `Table-${zone}-${stream}`, {
      catalogId: this.account,
      databaseName: database.ref,
      tableInput: {
        name: lakeTableName(zone, stream),
        description: `${zone === 'raw' ? 'Raw (at-least-once)' : 'Refined (de-duplicated by eventId)'} ${stream} events`,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [
          { name: 'dt', type: 'string', comment: 'UTC day of eventTime, yyyy-MM-dd' },
          { name: 'hr', type: 'string', comment: 'UTC hour of eventTime, 00-23' },
        ],
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': '2024-01-01,NOW',
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'projection.hr.type': 'integer',
          'projection.hr.range': '0,23',
          'projection.hr.digits': '2',
          'storage.location.template': `${location}dt=\${dt}/hr=\${hr}/`,
        },
        storageDescriptor: {
          location,
          columns: glueColumns(json),
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          compressed: true,
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            // A malformed line is skipped rather than failing the whole query; raw/ may hold partial writes.
            parameters: { 'ignore.malformed.json': 'true', 'case.insensitive': 'true' },
          },
        },
      },
    });
  }
}
