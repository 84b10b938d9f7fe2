import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createDynamoDbClient, createKinesisClient } from '../aws/clients.js';
import { streams } from '../definitions/streams.js';
import { tables } from '../definitions/tables.js';
import type { TimeSeriesSink } from '../src/shuffler-health/time-series-sink.js';
import { envelopeTransform } from './delivery/envelope-transform.js';
import { KinesisDeliveryStream } from './delivery/kinesis-delivery-stream.js';
import { createTables, type DynamoDbEmulator, startDynamoDbEmulator } from './dynamodb-emulator.js';
import { DynamoDbTtlSweeper } from './dynamodb-ttl-sweeper.js';
import { FileCheckpointStore } from './event-source-mapping/checkpoint-store.js';
import type { KinesisEventSourceMappingInput } from './event-source-mapping/config.js';
import { KinesisEventSourceMapping } from './event-source-mapping/kinesis-event-source-mapping.js';
import type { MappedKinesisHandler } from './event-source-mapping/lambda-context.js';
import { FileOnFailureDestination } from './event-source-mapping/on-failure-destination.js';
import { type LocalIotCore, startLocalIotCore } from './iot/index.js';
import { createStreams, type KinesisEmulator, startKinesisEmulator } from './kinesis-emulator.js';
import { LakeQueryEngine } from './lake/lake-query-engine.js';
import { type LocalCloudConfig, SNS_TOPIC_NAMES, TIMESTREAM_TABLE_NAMES } from './local-cloud-config.js';
import { SnsEmulator } from './sns/sns-emulator.js';
import { ensureStateFolder, type StateFolder, stateFolder } from './state-folder.js';
import { DuckDbTimestreamStore } from './timestream/duckdb-timestream-store.js';
import { LocalTimestreamSink } from './timestream/local-timestream-sink.js';

/** The stand-ins accept any signature; the SDK still needs some credentials to sign with. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export type Log = (message: string, fields?: Record<string, unknown>) => void;

/** Where everything listens, and the environment that points AWS SDK clients at it. */
export interface LocalCloudEndpoints {
  readonly kinesis: string;
  readonly dynamodb: string;
  readonly sns: string;
  /** MQTT over TLS, when the local IoT Core runs. */
  readonly iot?: string;
  readonly deviceBroker?: string;
  /** HTTP, IoT data-plane Publish API, when the local IoT Core runs. */
  readonly iotDataPlane?: string;
  readonly stateDir: string;
  readonly lakeDir: string;
  /** Variables for any process that should use the local cloud: standard SDK settings only. */
  readonly env: Readonly<Record<string, string>>;
}

/** Certificate files the local IoT Core needs, as `certs-tooling` writes them. */
export interface IotCertificates {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly crlPem?: string;
}

/** A running local cloud. */
export interface LocalCloud {
  readonly endpoints: LocalCloudEndpoints;
  readonly state: StateFolder;
  readonly kinesis: KinesisClient;
  readonly sns: SnsEmulator;
  /** The Timestream stand-in (WriteRecords API, record model, queries). */
  readonly timestream: DuckDbTimestreamStore;
  /** A processor-facing `TimeSeriesSink` writing one Timestream table of the stand-in. */
  timeSeriesSink(table: (typeof TIMESTREAM_TABLE_NAMES)[number]): TimeSeriesSink;
  readonly lake: LakeQueryEngine;
  readonly deliveries: readonly KinesisDeliveryStream[];
  readonly iot: LocalIotCore | undefined;
  /**
   * Runs a Lambda handler behind a Kinesis event source mapping, with checkpoints and an on-failure
   * folder in the state folder. This is where the local floor plugs in the stream processors.
   */
  attachFunction(
    mapping: KinesisEventSourceMappingInput,
    handler: MappedKinesisHandler['handle'],
  ): Promise<KinesisEventSourceMapping>;
  /** Stops everything, in reverse order of start, delivering buffered lake data first. */
  stop(): Promise<void>;
}

export interface StartLocalCloudOptions {
  readonly config: LocalCloudConfig;
  /** Certificates for the local IoT Core; it is not started without them. */
  readonly iotCertificates?: IotCertificates;
  /**
   * Certificate CNs that play the core's side of the device broker (the MQTT bridge to local
   * pub/sub), normally the core's thing name. Without any, no client may read `smib/+/events`.
   * They are also the cores registered with the IoT endpoint: no other core certificate may connect.
   */
  readonly deviceBrokerGatewayPrincipals?: readonly string[];
  readonly log: Log;
}

/**
 * Starts the local cloud: kinesalite and dynalite with streams and tables from the shared
 * definitions, the DynamoDB TTL sweeper, the SNS stand-in, the Timestream stand-in, Firehose-like
 * delivery of both streams into the lake, DuckDB over the lake, and the local IoT Core with the
 * same topic rules as the CDK app. Everything keeps its state under one folder.
 */
export async function startLocalCloud(options: StartLocalCloudOptions): Promise<LocalCloud> {
  const { config, log } = options;
  const state = stateFolder(config.CROUPIER_STATE_DIR);
  await ensureStateFolder(state);
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) {
      try {
        await step();
      } catch (error) {
        log('stop step failed', { error: String(error) });
      }
    }
  };
  try {
    const host = config.CROUPIER_HOST;
    const aws = { region: config.AWS_REGION, credentials: LOCAL_CREDENTIALS };

    const kinesisEmulator: KinesisEmulator = await startKinesisEmulator({
      host,
      port: config.CROUPIER_KINESIS_PORT,
      path: state.kinesis,
    });
    stops.push(() => kinesisEmulator.close());
    const kinesis = createKinesisClient({ endpoint: kinesisEmulator.endpoint, ...aws });
    stops.push(() => kinesis.destroy());
    await createStreams(kinesis, streams);

    const dynamoEmulator: DynamoDbEmulator = await startDynamoDbEmulator({
      host,
      port: config.CROUPIER_DYNAMODB_PORT,
      path: state.dynamodb,
    });
    stops.push(() => dynamoEmulator.close());
    const dynamodb = createDynamoDbClient({ endpoint: dynamoEmulator.endpoint, ...aws });
    stops.push(() => dynamodb.destroy());
    await createTables(dynamodb, tables);
    const sweeper = new DynamoDbTtlSweeper(dynamodb, tables, config.CROUPIER_TTL_SWEEP_SECONDS * 1000, (error) =>
      log('TTL sweep failed', { error: String(error) }),
    );
    sweeper.start();
    stops.push(() => sweeper.stop());

    const sns = new SnsEmulator({
      host,
      port: config.CROUPIER_SNS_PORT,
      region: config.AWS_REGION,
      accountId: config.CROUPIER_ACCOUNT_ID,
      topics: Object.values(SNS_TOPIC_NAMES),
      logFile: state.snsLog,
      log,
    });
    await sns.start();
    stops.push(() => sns.stop());

    const timestream = await DuckDbTimestreamStore.open(
      state.timestreamDb,
      TIMESTREAM_TABLE_NAMES.map((tableName) => ({
        databaseName: config.CROUPIER_TIMESTREAM_DATABASE,
        tableName,
        memoryStoreRetentionHours: config.CROUPIER_TIMESTREAM_MEMORY_STORE_HOURS,
      })),
    );
    stops.push(() => timestream.close());

    const deliveries = streams.map(
      (stream) =>
        new KinesisDeliveryStream({
          name: `lake-${stream.name}`,
          kinesis,
          streamName: stream.name,
          lakeRoot: state.lake,
          transform: envelopeTransform,
          hints: {
            sizeBytes: config.CROUPIER_LAKE_BUFFER_MB * 1024 * 1024,
            intervalMs: config.CROUPIER_LAKE_BUFFER_SECONDS * 1000,
          },
          checkpoints: new FileCheckpointStore(join(state.checkpoints, `delivery-${stream.name}.json`)),
          pollIntervalMs: 1000,
          log,
        }),
    );
    for (const delivery of deliveries) {
      await delivery.start();
      stops.push(() => delivery.stop());
    }

    const lake = await LakeQueryEngine.open(state.lake);
    stops.push(() => lake.close());

    let iot: LocalIotCore | undefined;
    if (options.iotCertificates) {
      iot = await startLocalIotCore({
        host,
        tls: options.iotCertificates,
        iot: { port: config.CROUPIER_IOT_PORT },
        deviceBroker: {
          port: config.CROUPIER_DEVICE_BROKER_PORT,
          gatewayPrincipals: [...(options.deviceBrokerGatewayPrincipals ?? [])],
        },
        dataPlane: { port: config.CROUPIER_IOT_DATA_PLANE_PORT },
        kinesis: { endpoint: kinesisEmulator.endpoint, region: config.AWS_REGION, credentials: LOCAL_CREDENTIALS },
        lakeDir: state.lake,
      });
      const running = iot;
      stops.push(() => running.close());
      // Every refusal is a security event an operator must be able to find, with who and why.
      running.events.on('denied', (denial) => log('iot denied', { ...denial }));
    }

    const mappings: KinesisEventSourceMapping[] = [];
    stops.push(async () => {
      await Promise.all(mappings.map((m) => m.stop()));
    });

    const snsArn = (name: string) => `arn:aws:sns:${config.AWS_REGION}:${config.CROUPIER_ACCOUNT_ID}:${name}`;
    const endpoints: LocalCloudEndpoints = {
      kinesis: kinesisEmulator.endpoint,
      dynamodb: dynamoEmulator.endpoint,
      sns: sns.endpoint,
      ...(iot
        ? { iot: iot.iotEndpoint.url, deviceBroker: iot.deviceBrokerEndpoint.url, iotDataPlane: iot.dataPlaneEndpoint }
        : {}),
      stateDir: state.root,
      lakeDir: state.lake,
      env: {
        AWS_REGION: config.AWS_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_KINESIS: kinesisEmulator.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEmulator.endpoint,
        AWS_ENDPOINT_URL_SNS: sns.endpoint,
        CROUPIER_MAINTENANCE_TOPIC_ARN: snsArn(SNS_TOPIC_NAMES.maintenance),
        CROUPIER_TIMESTREAM_DATABASE: config.CROUPIER_TIMESTREAM_DATABASE,
        ...(iot ? { AWS_ENDPOINT_URL_IOT_DATA_PLANE: iot.dataPlaneEndpoint } : {}),
      },
    };
    await writeEndpointFiles(state, endpoints);

    return {
      endpoints,
      state,
      kinesis,
      sns,
      timestream,
      timeSeriesSink: (table) => new LocalTimestreamSink(timestream, config.CROUPIER_TIMESTREAM_DATABASE, table),
      lake,
      deliveries,
      iot,
      attachFunction: async (mapping, handler) => {
        const esm = new KinesisEventSourceMapping({
          kinesis,
          mapping,
          handler,
          checkpoints: new FileCheckpointStore(
            join(state.checkpoints, `esm-${mapping.FunctionName}-${mapping.StreamName}.json`),
          ),
          onFailure: new FileOnFailureDestination(join(state.onFailure, mapping.FunctionName)),
          region: config.AWS_REGION,
          accountId: config.CROUPIER_ACCOUNT_ID,
          log,
        });
        await esm.start();
        mappings.push(esm);
        return esm;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Writes `endpoints.json` and `endpoints.env` into the state folder, so other processes (the local
 * floor, a shell with `set -a; . .croupier/cloud/endpoints.env`) find the running stand-ins.
 */
async function writeEndpointFiles(state: StateFolder, endpoints: LocalCloudEndpoints): Promise<void> {
  const dir = join(state.root, 'cloud');
  await writeFile(join(dir, 'endpoints.json'), `${JSON.stringify(endpoints, null, 2)}\n`);
  const lines = Object.entries(endpoints.env).map(([key, value]) => `${key}=${value}`);
  await writeFile(join(dir, 'endpoints.env'), `${lines.join('\n')}\n`);
}

/** Reads the local IoT Core's certificates from a `certs-tooling` folder, or undefined when absent. */
export async function readIotCertificates(
  certsDir: string,
  serverName = 'local-iot',
): Promise<IotCertificates | undefined> {
  const path = (name: string) => join(certsDir, name);
  const present = async (name: string) =>
    access(path(name)).then(
      () => true,
      () => false,
    );
  const required = ['ca.cert.pem', `${serverName}.cert.pem`, `${serverName}.key.pem`];
  for (const name of required) if (!(await present(name))) return undefined;
  const [caPem, certPem, keyPem] = await Promise.all(required.map((name) => readFile(path(name), 'utf8')));
  const crlPem = (await present('ca.crl.pem')) ? await readFile(path('ca.crl.pem'), 'utf8') : undefined;
  return { caPem: caPem!, certPem: certPem!, keyPem: keyPem!, ...(crlPem ? { crlPem } : {}) };
}
