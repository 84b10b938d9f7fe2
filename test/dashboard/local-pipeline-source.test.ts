import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import type { KinesisEmulator } from '@croupier/cloud/local/kinesis-emulator';
import { createTestStream, startTestKinesis } from '@croupier/cloud/local/test/local-kinesis';
import { DuckDbTimestreamStore } from '@croupier/cloud/local/timestream/duckdb-timestream-store';
import { LocalTimestreamSink } from '@croupier/cloud/local/timestream/local-timestream-sink';
import { LocalPipelineSource } from '@croupier/cloud/src/api/dashboard/local-pipeline-source';
import { coreHealthRecord } from '@croupier/cloud/src/shuffler-health/telemetry-records';
import { encodeEnvelope, newEventId, SCHEMA_VERSION } from '@croupier/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const STREAM = 'dashboard-slot-events';
const TABLE = { databaseName: 'croupier', tableName: 'shuffler_telemetry', memoryStoreRetentionHours: 24 };

describe('the local floor pipeline source, over kinesalite and the DuckDB Timestream stand-in', () => {
  let kinesis: { emulator: KinesisEmulator; client: KinesisClient };
  let store: DuckDbTimestreamStore;
  const sequences: string[] = [];
  const createdAt: number[] = [];
  let checkpoint: string | undefined;
  let now = 0;

  beforeAll(async () => {
    kinesis = await startTestKinesis();
    await createTestStream(kinesis.client, STREAM);
    for (let seq = 0; seq < 3; seq += 1) {
      const made = Date.now() - 5_000 + seq * 1_000;
      createdAt.push(made);
      const data = encodeEnvelope(
        { stream: 'slot', property: 'prop-1', core: 'core-a', seq, createdAt: made, events: [] },
        'deflate',
      );
      const out = await kinesis.client.send(
        new PutRecordCommand({ StreamName: STREAM, PartitionKey: 'core-a', Data: data }),
      );
      sequences.push(out.SequenceNumber!);
    }
    store = await DuckDbTimestreamStore.open(':memory:', [TABLE]);
    const health = (component: string, metrics: Record<string, number>, eventTime: number) =>
      coreHealthRecord(
        {
          eventId: newEventId(),
          eventTime,
          schemaVersion: SCHEMA_VERSION,
          type: 'core_health',
          core: 'core-a',
          component,
          componentVersion: '1.0.0',
          state: 'running',
          metrics,
        },
        { property: 'prop-1', core: 'core-a' },
      );
    await new LocalTimestreamSink(store, TABLE.databaseName, TABLE.tableName).write([
      health('com.croupier.Uplink', { 'spool.depth': 3, 'spool.oldestAgeMs': 900 }, Date.now() - 60_000),
      health('com.croupier.Uplink', { 'spool.depth': 7, 'spool.oldestAgeMs': 4_000 }, Date.now() - 1_000),
      health('com.croupier.SlotGateway', { 'smib.received': 120 }, Date.now() - 2_000),
    ]);
  });

  afterAll(async () => {
    store?.close();
    kinesis?.client.destroy();
    await kinesis?.emulator.close();
  });

  const source = () =>
    new LocalPipelineSource({
      kinesis: kinesis.client,
      processors: [
        {
          processor: 'SlotProcessor',
          stream: STREAM,
          shards: () => new Map([['shardId-000000000000', { recordsProcessed: 2, lastCheckpoint: checkpoint }]]),
        },
      ],
      counters: () => ({ 'slot events': 40, telemetry: 2, 'IoT→Kinesis': 3 }),
      edgeCounters: ['slot events', 'telemetry'],
      timeSeries: (sql) => store.query(sql),
      clock: () => now,
    });

  it('GIVEN a checkpoint behind the stream THEN iterator age is the age of the first unprocessed record, latency waits for a move', async () => {
    const pipeline = source();
    checkpoint = sequences[0];
    now = Date.now();
    const first = await pipeline.read();
    const [lag] = first.streams;
    expect(lag).toMatchObject({
      processor: 'SlotProcessor',
      stream: STREAM,
      recordsProcessed: 2,
      endToEndLatencyMs: null,
    });
    expect(lag!.iteratorAgeMs).toBeGreaterThan(0);
    expect(lag!.iteratorAgeMs).toBeLessThan(120_000);
    expect(first.counters).toEqual({ 'edge events': 42, 'slot events': 40, telemetry: 2, 'IoT→Kinesis': 3 });
    expect(first.headlineCounter).toBe('edge events');

    checkpoint = sequences[2];
    now += 2_000;
    const second = await pipeline.read();
    expect(second.streams[0]).toMatchObject({ iteratorAgeMs: 0, endToEndLatencyMs: now - createdAt[2]! });
  });

  it('GIVEN CoreHealth records THEN the newest report of each component is read with its state and metrics', async () => {
    const reading = await source().read();
    expect(reading.components.map((c) => [c.component, c.state, c.metrics]).sort()).toEqual([
      ['com.croupier.SlotGateway', 'running', { 'smib.received': 120 }],
      ['com.croupier.Uplink', 'running', { 'spool.depth': 7, 'spool.oldestAgeMs': 4_000 }],
    ]);
  });
});
