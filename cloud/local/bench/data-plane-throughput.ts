/**
 * Throughput of the local data plane over kinesalite, in records per second: the event source
 * mapping at two batch sizes, and the lake delivery loop. Prints figures; asserts nothing.
 *
 *   npx tsx cloud/local/bench/data-plane-throughput.ts [records]
 *
 * `benchDataPlane` returns the same figures, plus records per invocation, to `npm run bench`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '../../aws/clients.js';
import { KinesisDeliveryStream } from '../delivery/kinesis-delivery-stream.js';
import type { RecordTransform } from '../delivery/transform.js';
import { MemoryCheckpointStore } from '../event-source-mapping/checkpoint-store.js';
import { KinesisEventSourceMapping } from '../event-source-mapping/kinesis-event-source-mapping.js';
import { createStreams, startKinesisEmulator } from '../kinesis-emulator.js';

const aws = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

async function fill(kinesis: KinesisClient, stream: string, total: number): Promise<void> {
  await createStreams(kinesis, [{ name: stream, shardCount: 1, retentionHours: 24 }]);
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

/** The event source mapping draining a full stream at one batch size. */
export interface EventSourceMappingRun {
  readonly batchSize: number;
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly invocations: number;
  readonly recordsPerInvocation: number;
}

/** What the data-plane benchmark measures. */
export interface DataPlaneBenchFigures {
  readonly eventSourceMapping: readonly EventSourceMappingRun[];
  readonly lake: {
    readonly records: number;
    readonly seconds: number;
    readonly recordsPerSecond: number;
    readonly objects: number;
  };
}

/** Fills kinesalite with `records` records per run and drains it with the event source mapping and the lake delivery loop. */
export async function benchDataPlane(options: { readonly records: number }): Promise<DataPlaneBenchFigures> {
  const total = options.records;
  const emulator = await startKinesisEmulator({ host: '127.0.0.1', port: 0 });
  const kinesis = createKinesisClient({ endpoint: emulator.endpoint, ...aws });
  const dir = await mkdtemp(join(tmpdir(), 'croupier-bench-'));
  try {
    const runs: EventSourceMappingRun[] = [];
    for (const batchSize of [100, 1000]) {
      const stream = `bench-esm-${batchSize}`;
      await fill(kinesis, stream, total);
      let seen = 0;
      let invocations = 0;
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
          invocations += 1;
        },
        checkpoints: new MemoryCheckpointStore(),
        region: aws.region,
        accountId: '000000000000',
      });
      await esm.start();
      await until(() => seen >= total);
      const seconds = (performance.now() - started) / 1000;
      await esm.stop();
      runs.push({
        batchSize,
        records: total,
        seconds,
        recordsPerSecond: total / seconds,
        invocations,
        recordsPerInvocation: seen / invocations,
      });
    }

    const transform: RecordTransform = (record) => {
      const event = JSON.parse(Buffer.from(record.data).toString('utf8')) as { eventTime: number };
      return { result: 'Ok', events: [{ stream: 'slot', eventTime: event.eventTime, event }], rejected: [] };
    };
    await fill(kinesis, 'bench-delivery', total);
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
    return {
      eventSourceMapping: runs,
      lake: { records: total, seconds, recordsPerSecond: total / seconds, objects: delivery.stats.objectsWritten },
    };
  } finally {
    kinesis.destroy();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const f = await benchDataPlane({ records: Number(process.argv[2] ?? 5000) });
  for (const run of f.eventSourceMapping)
    console.log(
      `event source mapping, BatchSize ${run.batchSize}: ${run.records} records in ${run.seconds.toFixed(2)} s = ${Math.round(run.recordsPerSecond)} records/s`,
    );
  console.log(
    `lake delivery: ${f.lake.records} records in ${f.lake.seconds.toFixed(2)} s = ${Math.round(f.lake.recordsPerSecond)} records/s, ${f.lake.objects} objects`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
