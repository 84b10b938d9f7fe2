import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { encodeEnvelope, newEventId } from '@croupier/contracts';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient, createDynamoDbDocumentClient, createSnsClient } from '../../aws/clients.js';
import { tables } from '../../definitions/tables.js';
import { createTableInput } from '../dynamodb-emulator.js';
import { DynamoDbTtlSweeper } from '../dynamodb-ttl-sweeper.js';
import { LOCAL_CREDENTIALS, type LocalCloud, startLocalCloud } from '../local-cloud.js';
import { parseLocalCloudConfig } from '../local-cloud-config.js';
import { eventually } from './local-kinesis.js';

const health = (eventTime: number) => ({
  eventId: newEventId(),
  eventTime,
  schemaVersion: '1.0',
  type: 'core_health' as const,
  core: 'floor-core-01',
  component: 'com.croupier.Uplink',
  componentVersion: '1.0.0',
  state: 'running' as const,
  metrics: { 'spool.depth': 1 },
});

describe('startLocalCloud (GIVEN a temporary state folder and ephemeral ports)', () => {
  let dir: string;
  let cloud: LocalCloud;
  const config = () =>
    parseLocalCloudConfig({
      CROUPIER_STATE_DIR: join(dir, '.croupier'),
      CROUPIER_KINESIS_PORT: '0',
      CROUPIER_DYNAMODB_PORT: '0',
      CROUPIER_SNS_PORT: '0',
      CROUPIER_LOCAL_IOT: 'false',
      CROUPIER_LAKE_BUFFER_SECONDS: '1',
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'croupier-cloud-'));
    cloud = await startLocalCloud({ config: config(), log: () => {} });
  });

  afterAll(async () => {
    await cloud?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('THEN streams and tables exist as the shared definitions declare them, reachable by endpoint configuration only', async () => {
    const aws = { region: cloud.endpoints.env.AWS_REGION!, credentials: LOCAL_CREDENTIALS };
    const { StreamNames } = await cloud.kinesis.send(new ListStreamsCommand({}));
    expect(StreamNames?.sort()).toEqual(['shuffler-telemetry', 'slot-events']);
    const dynamodb = createDynamoDbClient({ endpoint: cloud.endpoints.env.AWS_ENDPOINT_URL_DYNAMODB!, ...aws });
    try {
      const { TableNames } = await dynamodb.send(new ListTablesCommand({}));
      expect(TableNames?.sort()).toEqual(tables.map((t) => t.name).sort());
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: 'croupier-sessions' }));
      expect(Table?.KeySchema).toEqual(createTableInput(tables.find((t) => t.id === 'sessions')!).KeySchema);
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['byMachine']);
      // dynalite reports TTL as disabled: expiry is the sweeper's job (next test).
      const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'croupier-offers' }));
      expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
    } finally {
      dynamodb.destroy();
    }
    const endpoints = JSON.parse(await readFile(join(cloud.state.root, 'cloud', 'endpoints.json'), 'utf8'));
    expect(endpoints.env.AWS_ENDPOINT_URL_KINESIS).toBe(cloud.endpoints.kinesis);
  });

  it('GIVEN items past their TTL THEN the sweeper deletes them and keeps live and TTL-less items', async () => {
    const aws = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS, endpoint: cloud.endpoints.dynamodb };
    const docs = createDynamoDbDocumentClient(aws);
    const low = createDynamoDbClient(aws);
    try {
      const now = Date.now();
      const offer = (offerId: string, expiresAt?: number) => ({
        TableName: 'croupier-offers',
        Item: { playerToken: 'p1', offerId, ...(expiresAt === undefined ? {} : { expiresAt }) },
      });
      await docs.send(new PutCommand(offer('expired', Math.floor(now / 1000) - 10)));
      await docs.send(new PutCommand(offer('live', Math.floor(now / 1000) + 3600)));
      await docs.send(new PutCommand(offer('forever')));
      const sweeper = new DynamoDbTtlSweeper(low, tables, 60_000, () => {});
      expect(await sweeper.sweep(now)).toBe(1);
      const get = (offerId: string) =>
        docs.send(new GetCommand({ TableName: 'croupier-offers', Key: { playerToken: 'p1', offerId } }));
      expect((await get('expired')).Item).toBeUndefined();
      expect((await get('live')).Item).toBeDefined();
      expect((await get('forever')).Item).toBeDefined();
    } finally {
      docs.destroy();
      low.destroy();
    }
  });

  it('GIVEN an envelope on shuffler-telemetry THEN an attached function receives it and the lake gets its events', async () => {
    const events: KinesisStreamEvent[] = [];
    await cloud.attachFunction(
      { FunctionName: 'probe', StreamName: 'shuffler-telemetry', StartingPosition: 'TRIM_HORIZON', pollIntervalMs: 50 },
      async (event) => {
        events.push(event as KinesisStreamEvent);
        return { batchItemFailures: [] };
      },
    );
    const sent = [health(Date.now()), health(Date.now() + 1)];
    const envelope = encodeEnvelope(
      { stream: 'health', property: 'demo', core: 'floor-core-01', seq: 1, createdAt: Date.now(), events: sent },
      'brotli',
    );
    await cloud.kinesis.send(
      new PutRecordCommand({ StreamName: 'shuffler-telemetry', PartitionKey: 'floor-core-01', Data: envelope }),
    );
    await eventually(() => events.length > 0);
    expect(Buffer.from(events[0]!.Records[0]!.kinesis.data, 'base64')).toEqual(Buffer.from(envelope));
    await eventually(
      () => cloud.deliveries.some((d) => d.stats.eventsDelivered === 2 && d.stats.objectsWritten > 0),
      20_000,
    );
    await cloud.lake.refresh();
    const rows = await cloud.lake.query('SELECT eventId FROM raw_health ORDER BY eventTime');
    expect(rows.map((r) => r.eventId)).toEqual(sent.map((e) => e.eventId));
  });

  it('GIVEN an alert published with the SNS client THEN the stand-in records it', async () => {
    const sns = createSnsClient({ endpoint: cloud.endpoints.sns, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
    try {
      await sns.send(
        new PublishCommand({
          TopicArn: cloud.endpoints.env.CROUPIER_MAINTENANCE_TOPIC_ARN!,
          Message: '{"deviceId":"SH-01"}',
        }),
      );
    } finally {
      sns.destroy();
    }
    expect(cloud.sns.messages().map((m) => m.message)).toEqual(['{"deviceId":"SH-01"}']);
  });

  it('WHEN stopped and started again on the same folder THEN records, tables and checkpoints survive', async () => {
    await cloud.kinesis.send(
      new PutRecordCommand({ StreamName: 'slot-events', PartitionKey: 'k', Data: Buffer.from('kept across restarts') }),
    );
    await cloud.stop();
    cloud = await startLocalCloud({ config: config(), log: () => {} });
    const seen: string[] = [];
    const esm = await cloud.attachFunction(
      {
        FunctionName: 'after-restart',
        StreamName: 'slot-events',
        StartingPosition: 'TRIM_HORIZON',
        pollIntervalMs: 50,
      },
      async (event) => {
        for (const r of (event as KinesisStreamEvent).Records)
          seen.push(Buffer.from(r.kinesis.data, 'base64').toString());
      },
    );
    await eventually(() => seen.includes('kept across restarts'));
    expect(esm.stats().size).toBe(2);
    // The probe's checkpoint from before the restart was saved to the state folder.
    const checkpoints = await readdir(cloud.state.checkpoints);
    expect(checkpoints).toEqual(
      expect.arrayContaining(['esm-probe-shuffler-telemetry.json', 'delivery-shuffler-telemetry.json']),
    );
    const probe = JSON.parse(
      await readFile(join(cloud.state.checkpoints, 'esm-probe-shuffler-telemetry.json'), 'utf8'),
    );
    expect(Object.values(probe)).toEqual([expect.stringMatching(/^\d{56}$/)]);
  });
});
