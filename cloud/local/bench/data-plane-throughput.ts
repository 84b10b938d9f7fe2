/**
 * Throughput of the local data plane over kinesalite, in records per second: the event source
 * mapping at two batch sizes, and the lake delivery loop. Prints figures; asserts nothing.
 *
 *   npx tsx cloud/local/bench/data-plane-throughput.ts [records]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '../../aws/clients.js';
import { KinesisDeliveryStream } from '../delivery/kinesis-delivery-stream.js';
import type { RecordTransform } from '../delivery/transform.js';
import { MemoryCheckpointStore } from '../event-source-mapping/checkpoint-store.js';
import { KinesisEventSourceMapping } from '../event-source-mapping/kinesis-event-source-mapping.js';
import { createStreams, startKinesisEmulator } from '../kinesis-emulator.js';

const total = Number(process.argv[2] ?? 5000);
const aws = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

const emulator = await startKinesisEmulator({ host: '127.0.0.1', port: 0 });
const kinesis = createKinesisClient({ endpoint: emulator.endpoint, ...aws });
const dir = await mkdtemp(join(tmpdir(), 'croupier-bench-'));

async function fill(stream: string): Promise<void> {
  await createStreams(kinesis, [{ id: 'slotEvents', name: stream, shardCount: 1, retentionHours: 24 }]);
  for (let i = 0; i < total; i += 500) {
    const Records = Array.from({ length: Math.min(500, total - i) }, (_, j) => ({
      PartitionKey: 'core-1',
      Data: Buffer.from(JSON.stringify({ eventId: `e-${i + j}`, eventTime: Date.now(), pad: 'x'.repeat(300) })),
    }));
    await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records }));
  }
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

for (const batchSize of [100, 1000]) {
  const stream = `bench-esm-${batchSize}`;
  await fill(stream);
  let seen = 0;
  const started = performance.now();
  const esm = new KinesisEventSourceMapping({
    kinesis,
    mapping: {
      FunctionName: 'bench',
      StreamName: stream,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: batchSize,
      pollIntervalMs: 5,
    },
    handler: async (event) => {
      seen += event.Records.length;
    },
    checkpoints: new MemoryCheckpointStore(),
    region: aws.region,
    accountId: '000000000000',
  });
  await esm.start();
  await until(() => seen >= total);
  const seconds = (performance.now() - started) / 1000;
  await esm.stop();
  console.log(
    `event source mapping, BatchSize ${batchSize}: ${total} records in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} records/s`,
  );
}

const transform: RecordTransform = (record) => {
  const event = JSON.parse(Buffer.from(record.data).toString('utf8')) as { eventTime: number };
  return { result: 'Ok', events: [{ stream: 'slot', eventTime: event.eventTime, event }], rejected: [] };
};
await fill('bench-delivery');
const delivery = new KinesisDeliveryStream({
  name: 'bench',
  kinesis,
  streamName: 'bench-delivery',
  lakeRoot: join(dir, 'lake'),
  transform,
  hints: { sizeBytes: 1024 * 1024, intervalMs: 60_000 },
  checkpoints: new MemoryCheckpointStore(),
  pollIntervalMs: 5,
});
const started = performance.now();
await delivery.start();
await until(() => delivery.stats.recordsRead >= total);
await delivery.stop();
const seconds = (performance.now() - started) / 1000;
console.log(
  `lake delivery: ${total} records in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} records/s, ${delivery.stats.objectsWritten} objects`,
);

kinesis.destroy();
await emulator.close();
await rm(dir, { recursive: true, force: true });
