import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { lakePartition } from '@croupier/contracts';
import type { CheckpointStore } from '../event-source-mapping/checkpoint-store.js';
import { pause } from '../event-source-mapping/shard-poller.js';
import { type BufferHints, DeliveryBuffer } from './delivery-buffer.js';
import { LakeWriter } from './lake-writer.js';
import type { RecordTransform, SourceRecord, TransformResult } from './transform.js';

export interface KinesisDeliveryStreamOptions {
  /** Delivery stream name; names the lake objects and the error records. */
  readonly name: string;
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly lakeRoot: string;
  readonly transform: RecordTransform;
  readonly hints: BufferHints;
  readonly checkpoints: CheckpointStore;
  /** How often an idle shard is read. */
  readonly pollIntervalMs: number;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

/** Counters for logs, the dashboard and tests. */
export interface DeliveryStats {
  recordsRead: number;
  eventsDelivered: number;
  eventsRejected: number;
  recordsFailed: number;
  recordsDropped: number;
  objectsWritten: number;
}

/**
 * Firehose with a Kinesis source, delivering into the lake folder: reads every shard, transforms
 * each record into lake events (the data-transformation Lambda), buffers them per partition by
 * size and time (buffering hints), and writes gzip JSON-lines objects with the production layout.
 *
 * Shard checkpoints move only after the objects holding their records are written, so a crash
 * re-delivers rather than loses: the raw zone is at-least-once, as it is with Firehose, and the
 * refined zone removes duplicates by eventId. Records that fail the transform, and events refused
 * inside a record, are written to `errors/` with the reason.
 */
export class KinesisDeliveryStream {
  readonly stats: DeliveryStats = {
    recordsRead: 0,
    eventsDelivered: 0,
    eventsRejected: 0,
    recordsFailed: 0,
    recordsDropped: 0,
    objectsWritten: 0,
  };
  private readonly controller = new AbortController();
  private readonly buffer: DeliveryBuffer;
  private readonly writer: LakeWriter;
  /** Last sequence number read per shard and not yet covered by a saved checkpoint. */
  private readonly pending = new Map<string, string>();
  private flushing: Promise<void> = Promise.resolve();
  private loops: Promise<void>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: KinesisDeliveryStreamOptions) {
    this.buffer = new DeliveryBuffer(options.hints);
    this.writer = new LakeWriter(options.lakeRoot, options.name);
  }

  async start(): Promise<void> {
    const { kinesis, streamName, checkpoints } = this.options;
    const saved = await checkpoints.load();
    const shardIds: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await kinesis.send(
        new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }),
      );
      shardIds.push(...(page.Shards ?? []).map((s) => s.ShardId!));
      nextToken = page.NextToken;
    } while (nextToken);
    this.loops = shardIds.map((shardId) =>
      this.readShard(shardId, saved.get(shardId)).catch((error: unknown) =>
        this.log('shard reader stopped on an error', { shardId, error: String(error) }),
      ),
    );
    // The interval hint must fire even when no new records arrive to trigger a check.
    this.timer = setInterval(
      () => {
        if (this.buffer.isDue(Date.now())) void this.flush();
      },
      Math.max(10, Math.min(1000, this.options.hints.intervalMs / 4)),
    );
  }

  /** Stops reading and delivers whatever is buffered, so nothing waits for the next start. */
  async stop(): Promise<void> {
    this.controller.abort();
    clearInterval(this.timer);
    await Promise.all(this.loops);
    await this.flush();
  }

  /** Delivers the buffer now, then checkpoints the shards it covered. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.buffer.isEmpty && this.pending.size === 0) return;
      const batches = this.buffer.drain();
      const covered = new Map(this.pending);
      this.pending.clear();
      try {
        const keys = await this.writer.write(batches);
        this.stats.objectsWritten += keys.length;
        this.log('delivered', { objects: keys.length, lines: batches.reduce((n, b) => n + b.lines.length, 0) });
      } catch (error) {
        // Put the lines back: the next flush retries them, and no checkpoint moves past them.
        const now = Date.now();
        for (const batch of batches)
          for (const line of batch.lines) this.buffer.addLine(batch.partition, line, batch.firstEventTime, now);
        for (const [shard, seq] of covered) if (!this.pending.has(shard)) this.pending.set(shard, seq);
        this.log('delivery failed; will retry', { error: String(error) });
        return;
      }
      for (const [shardId, seq] of covered) await this.options.checkpoints.save(shardId, seq);
    });
    return this.flushing;
  }

  private log(message: string, fields: Record<string, unknown>): void {
    this.options.log?.(message, { deliveryStream: this.options.name, ...fields });
  }

  private async readShard(shardId: string, after: string | undefined): Promise<void> {
    const { kinesis, streamName, pollIntervalMs } = this.options;
    const { signal } = this.controller;
    let lastRead = after;
    let iterator: string | undefined;
    while (!signal.aborted) {
      try {
        iterator ??= (
          await kinesis.send(
            new GetShardIteratorCommand(
              lastRead
                ? {
                    StreamName: streamName,
                    ShardId: shardId,
                    ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
                    StartingSequenceNumber: lastRead,
                  }
                : { StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' },
            ),
          )
        ).ShardIterator;
        const result = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        iterator = result.NextShardIterator;
        for (const r of result.Records ?? []) {
          await this.accept({
            data: r.Data ?? new Uint8Array(),
            partitionKey: r.PartitionKey!,
            sequenceNumber: r.SequenceNumber!,
            shardId,
            approximateArrivalTimestamp: r.ApproximateArrivalTimestamp ?? new Date(),
          });
          lastRead = r.SequenceNumber!;
          this.pending.set(shardId, lastRead);
          // Checked per record so the size hint holds however many records one read returns.
          if (this.buffer.isDue(Date.now())) await this.flush();
        }
        if (!iterator) return;
        if ((result.Records ?? []).length === 0 && !(await pause(pollIntervalMs, signal))) return;
      } catch (error) {
        if (error instanceof ExpiredIteratorException) iterator = undefined;
        this.log('read failed; retrying', { shardId, error: String(error) });
        if (!(await pause(pollIntervalMs, signal))) return;
      }
    }
  }

  private async accept(record: SourceRecord): Promise<void> {
    this.stats.recordsRead += 1;
    const now = Date.now();
    let result: TransformResult;
    try {
      result = await this.options.transform(record);
    } catch (error) {
      result = { result: 'ProcessingFailed', reason: error instanceof Error ? error.message : String(error) };
    }
    switch (result.result) {
      case 'Dropped':
        this.stats.recordsDropped += 1;
        return;
      case 'ProcessingFailed': {
        this.stats.recordsFailed += 1;
        const arrival = record.approximateArrivalTimestamp.getTime();
        // Firehose's processing-failed record, plus where the record sits in the source stream.
        const line = JSON.stringify({
          attemptsMade: 1,
          arrivalTimestamp: arrival,
          errorCode: 'Lambda.ProcessingFailed',
          errorMessage: result.reason,
          attemptEndingTimestamp: now,
          rawData: Buffer.from(record.data).toString('base64'),
          deliveryStream: this.options.name,
          source: { stream: this.options.streamName, shardId: record.shardId, sequenceNumber: record.sequenceNumber },
        });
        this.buffer.addLine(processingFailedPartition(arrival), line, arrival, now);
        return;
      }
      case 'Ok':
        for (const event of result.events) this.buffer.add('raw', event, now);
        for (const rejected of result.rejected) {
          const arrival = record.approximateArrivalTimestamp.getTime();
          const line = JSON.stringify({
            reason: rejected.reason,
            raw: rejected.raw,
            rejectedAt: now,
            source: { stream: this.options.streamName, shardId: record.shardId, sequenceNumber: record.sequenceNumber },
          });
          const partition = rejected.stream
            ? lakePartition('errors', rejected.stream, arrival)
            : processingFailedPartition(arrival);
          this.buffer.addLine(partition, line, arrival, now);
        }
        this.stats.eventsDelivered += result.events.length;
        this.stats.eventsRejected += result.rejected.length;
    }
  }
}

/**
 * `errors/firehose/processing-failed/dt=…/hr=…` by arrival time: records the transform could not
 * decode at all, under the same error prefix the production delivery stream uses.
 */
function processingFailedPartition(arrivalMs: number): string {
  const iso = new Date(arrivalMs).toISOString();
  return `errors/firehose/processing-failed/dt=${iso.slice(0, 10)}/hr=${iso.slice(11, 13)}`;
}
