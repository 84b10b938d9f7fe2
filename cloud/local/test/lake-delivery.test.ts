import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { encodeEnvelope, newEventId } from '@croupier/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryBuffer } from '../delivery/delivery-buffer.js';
import { envelopeTransform } from '../delivery/envelope-transform.js';
import { KinesisDeliveryStream } from '../delivery/kinesis-delivery-stream.js';
import type { RecordTransform } from '../delivery/transform.js';
import { MemoryCheckpointStore } from '../event-source-mapping/checkpoint-store.js';
import type { KinesisEmulator } from '../kinesis-emulator.js';
import { LakeQueryEngine } from '../lake/lake-query-engine.js';
import { createTestStream, eventually, startTestKinesis } from './local-kinesis.js';

let emulator: KinesisEmulator;
let client: KinesisClient;
let dir: string;

beforeAll(async () => {
  ({ emulator, client } = await startTestKinesis());
  dir = await mkdtemp(join(tmpdir(), 'croupier-lake-'));
});

afterAll(async () => {
  client.destroy();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** Every object under `root`, relative, sorted. */
async function objects(root: string): Promise<string[]> {
  return ((await readdir(root, { recursive: true })) as string[]).filter((f) => f.endsWith('.jsonl.gz')).sort();
}

const H22 = Date.parse('2026-11-21T22:15:00.000Z');
const H23 = Date.parse('2026-11-21T23:45:00.000Z');
const D22 = Date.parse('2026-11-22T00:05:00.000Z');

/** A plain JSON transform: each record is `{stream, events: [...]}`; `"bad"` records fail. */
const jsonTransform: RecordTransform = (record) => {
  const text = Buffer.from(record.data).toString('utf8');
  if (text === 'bad') return { result: 'ProcessingFailed', reason: 'not JSON' };
  if (text === 'skip') return { result: 'Dropped' };
  const body = JSON.parse(text) as { events: { eventId: string; eventTime: number; v: number }[] };
  return {
    result: 'Ok',
    events: body.events.map((event) => ({ stream: 'slot', eventTime: event.eventTime, event })),
    rejected: [],
  };
};

describe('DeliveryBuffer (buffer hints)', () => {
  it('GIVEN size and interval hints THEN it is due at whichever comes first, and drains per partition', () => {
    const buffer = new DeliveryBuffer({ sizeBytes: 100, intervalMs: 1000 });
    expect(buffer.isDue(0)).toBe(false);
    buffer.add('raw', { stream: 'slot', eventTime: H22, event: { a: 1 } }, 0);
    expect(buffer.isDue(999)).toBe(false);
    expect(buffer.isDue(1000)).toBe(true);
    buffer.add('raw', { stream: 'slot', eventTime: H23, event: { pad: 'x'.repeat(100) } }, 10);
    expect(buffer.isDue(11)).toBe(true);
    const batches = buffer.drain();
    expect(batches.map((b) => b.partition)).toEqual(['raw/slot/dt=2026-11-21/hr=22', 'raw/slot/dt=2026-11-21/hr=23']);
    expect(buffer.isEmpty).toBe(true);
    expect(buffer.isDue(5000)).toBe(false);
  });
});

describe('KinesisDeliveryStream into the lake, read back with DuckDB', () => {
  it('GIVEN records spanning hours and days THEN it writes gzip JSON lines into the production partitions and DuckDB reads them', async () => {
    await createTestStream(client, 'lake-json', 2);
    const lake = join(dir, 'lake-json');
    const events = [H22, H22 + 1, H23, D22].map((eventTime, v) => ({ eventId: newEventId(), eventTime, v }));
    await client.send(
      new PutRecordsCommand({
        StreamName: 'lake-json',
        Records: [
          { PartitionKey: 'core-a', Data: Buffer.from(JSON.stringify({ events: events.slice(0, 2) })) },
          { PartitionKey: 'core-b', Data: Buffer.from(JSON.stringify({ events: events.slice(2) })) },
          { PartitionKey: 'core-c', Data: Buffer.from('bad') },
          { PartitionKey: 'core-d', Data: Buffer.from('skip') },
        ],
      }),
    );
    const delivery = new KinesisDeliveryStream({
      name: 'lake-json',
      kinesis: client,
      streamName: 'lake-json',
      lakeRoot: lake,
      transform: jsonTransform,
      hints: { sizeBytes: 1024 * 1024, intervalMs: 300 },
      checkpoints: new MemoryCheckpointStore(),
      pollIntervalMs: 20,
    });
    await delivery.start();
    await eventually(() => delivery.stats.objectsWritten >= 4);
    await delivery.stop();

    const written = await objects(lake);
    const partitions = written.map((f) => f.split('/').slice(0, -1).join('/'));
    expect(partitions.filter((p) => p.startsWith('raw/'))).toEqual([
      'raw/slot/dt=2026-11-21/hr=22',
      'raw/slot/dt=2026-11-21/hr=23',
      'raw/slot/dt=2026-11-22/hr=00',
    ]);
    // Undecodable records are partitioned by arrival time, which is now.
    expect(partitions.filter((p) => p.startsWith('errors/'))).toEqual([
      expect.stringMatching(/^errors\/firehose\/processing-failed\/dt=\d{4}-\d\d-\d\d\/hr=\d\d$/),
    ]);
    for (const name of written)
      expect(name.split('/').at(-1)).toMatch(/^lake-json-[0-9a-f]{8}-\d{13}-\d{6}\.jsonl\.gz$/);
    const hour22 = written.find((f) => f.includes('hr=22'))!;
    const lines = gunzipSync(await readFile(join(lake, hour22)))
      .toString('utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(events.slice(0, 2));
    expect(delivery.stats).toMatchObject({ recordsRead: 4, eventsDelivered: 4, recordsFailed: 1, recordsDropped: 1 });

    const failed = written.find((f) => f.startsWith('errors/'))!;
    const failure = JSON.parse(gunzipSync(await readFile(join(lake, failed))).toString('utf8'));
    expect(failure).toMatchObject({
      errorCode: 'Lambda.ProcessingFailed',
      errorMessage: 'not JSON',
      rawData: Buffer.from('bad').toString('base64'),
    });

    const engine = await LakeQueryEngine.open(lake);
    try {
      expect((await engine.refresh()).sort()).toEqual(['errors_firehose_processing_failed', 'raw_slot']);
      const rows = await engine.query('SELECT eventId, eventTime, v, dt, hr FROM raw_slot ORDER BY eventTime');
      expect(rows).toEqual(
        events.map((e) => ({
          eventId: e.eventId,
          eventTime: String(e.eventTime),
          v: String(e.v),
          dt: new Date(e.eventTime).toISOString().slice(0, 10),
          hr: new Date(e.eventTime).getUTCHours(),
        })),
      );
      const pruned = await engine.query("SELECT count(*) AS n FROM raw_slot WHERE dt = DATE '2026-11-21' AND hr = 23");
      expect(pruned).toEqual([{ n: '1' }]);
    } finally {
      engine.close();
    }
  });

  it('GIVEN a size hint smaller than the data THEN it delivers several objects before the interval elapses', async () => {
    await createTestStream(client, 'lake-size');
    const lake = join(dir, 'lake-size');
    const records = Array.from({ length: 30 }, (_, i) => ({
      PartitionKey: 'core-a',
      Data: Buffer.from(
        JSON.stringify({ events: [{ eventId: newEventId(), eventTime: H22, v: i, pad: 'x'.repeat(200) }] }),
      ),
    }));
    await client.send(new PutRecordsCommand({ StreamName: 'lake-size', Records: records }));
    const delivery = new KinesisDeliveryStream({
      name: 'lake-size',
      kinesis: client,
      streamName: 'lake-size',
      lakeRoot: lake,
      transform: jsonTransform,
      hints: { sizeBytes: 1000, intervalMs: 60_000 },
      checkpoints: new MemoryCheckpointStore(),
      pollIntervalMs: 20,
    });
    await delivery.start();
    await eventually(() => delivery.stats.eventsDelivered === 30 && delivery.stats.objectsWritten >= 1);
    const beforeStop = delivery.stats.objectsWritten;
    await delivery.stop();
    // 30 lines of ~250 bytes against a 1000-byte hint: several deliveries, none waiting for the interval.
    expect(beforeStop).toBeGreaterThanOrEqual(5);
    const engine = await LakeQueryEngine.open(lake);
    try {
      expect(await engine.query('SELECT count(*) AS n, count(DISTINCT v) AS d FROM raw_slot')).toEqual([
        { n: '30', d: '30' },
      ]);
    } finally {
      engine.close();
    }
  });

  it('GIVEN uplink envelopes THEN the envelope transform lands valid events under their stream and refused ones under errors/', async () => {
    await createTestStream(client, 'lake-envelopes');
    const lake = join(dir, 'lake-envelopes');
    const health = (eventTime: number, component = 'com.croupier.Uplink') => ({
      eventId: newEventId(),
      eventTime,
      schemaVersion: '1.0',
      type: 'core_health' as const,
      core: 'floor-core-01',
      component,
      componentVersion: '1.0.0',
      state: 'running' as const,
      metrics: { 'spool.depth': 3 },
    });
    // The second event is in the next day: the envelope still lands whole in its first event's hour.
    const good = [health(H23), health(D22)];
    const envelope = encodeEnvelope(
      {
        stream: 'health',
        property: 'demo',
        core: 'floor-core-01',
        seq: 7,
        createdAt: H23,
        events: [...good, health(H23, 'evil')] as never,
      },
      'deflate',
    );
    await client.send(
      new PutRecordsCommand({
        StreamName: 'lake-envelopes',
        Records: [
          { PartitionKey: 'floor-core-01', Data: envelope },
          { PartitionKey: 'floor-core-01', Data: Buffer.from('not an envelope') },
        ],
      }),
    );
    const delivery = new KinesisDeliveryStream({
      name: 'lake-envelopes',
      kinesis: client,
      streamName: 'lake-envelopes',
      lakeRoot: lake,
      transform: envelopeTransform,
      hints: { sizeBytes: 1024 * 1024, intervalMs: 200 },
      checkpoints: new MemoryCheckpointStore(),
      pollIntervalMs: 20,
    });
    await delivery.start();
    await eventually(() => delivery.stats.recordsRead === 2);
    await delivery.stop();
    expect(delivery.stats).toMatchObject({ eventsDelivered: 2, eventsRejected: 1, recordsFailed: 1 });
    const written = await objects(lake);
    expect(written.filter((f) => f.startsWith('raw/'))).toEqual([
      expect.stringMatching(/^raw\/health\/dt=2026-11-21\/hr=23\//),
    ]);
    expect(written.some((f) => f.startsWith('errors/health/'))).toBe(true);
    const engine = await LakeQueryEngine.open(lake);
    try {
      const rows = await engine.query('SELECT eventId FROM raw_health ORDER BY eventTime');
      expect(rows.map((r) => r.eventId)).toEqual(good.map((e) => e.eventId));
      const errors = await engine.query('SELECT reason FROM errors_health');
      expect(String(errors[0]!.reason)).toContain('component');
      const failed = await engine.query('SELECT errorMessage, rawData FROM errors_firehose_processing_failed');
      expect(failed).toEqual([
        { errorMessage: expect.stringContaining('magic'), rawData: Buffer.from('not an envelope').toString('base64') },
      ]);
    } finally {
      engine.close();
    }
  });
});
