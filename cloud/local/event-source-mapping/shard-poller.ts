import {
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { type BatchProcessorDeps, processBatch } from './batch-processor.js';
import { interpretResponse } from './batch-response.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { type KinesisEventSourceMappingConfig, MAX_PAYLOAD_BYTES, MAX_WINDOW_STATE_BYTES } from './config.js';
import type { KinesisInvocationRecord } from './invocation-record.js';
import {
  buildEvent,
  type EventSourceIdentity,
  estimatedEventRecordBytes,
  type KinesisInvocationEvent,
  type ShardRecord,
  type TumblingWindowFields,
  windowBoundary,
  windowOf,
} from './kinesis-event.js';
import {
  createLambdaContext,
  type FunctionIdentity,
  invokeWithTimeout,
  type KinesisHandler,
} from './lambda-context.js';

/** Counters a shard poller keeps, for logs, the dashboard and tests. */
export interface ShardStats {
  invocations: number;
  recordsProcessed: number;
  recordsDiscarded: number;
  lastCheckpoint: string | undefined;
}

export interface ShardPollerOptions {
  readonly kinesis: KinesisClient;
  readonly config: KinesisEventSourceMappingConfig;
  readonly shardId: string;
  readonly streamArn: string;
  readonly source: EventSourceIdentity;
  readonly fn: FunctionIdentity;
  readonly handler: KinesisHandler<KinesisInvocationEvent>;
  readonly checkpoints: CheckpointStore;
  readonly startAfter: string | undefined;
  readonly discard: (record: KinesisInvocationRecord) => Promise<void>;
  readonly signal: AbortSignal;
  readonly log: (message: string, fields: Record<string, unknown>) => void;
}

interface OpenWindow {
  readonly startMs: number;
  readonly endMs: number;
  state: Record<string, unknown>;
  /** Last sequence number done inside the window; checkpointed when the window closes. */
  pendingCheckpoint: string | undefined;
}

/** Resolves after `ms`, or early with false when the signal aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polls one shard the way Lambda's standard-iterator poller does: read, gather a batch (batch size,
 * batching window, 6 MB payload, tumbling-window boundary), invoke, checkpoint, repeat; one batch
 * in flight per shard, so records are handled in shard order.
 */
export class ShardPoller {
  readonly stats: ShardStats = { invocations: 0, recordsProcessed: 0, recordsDiscarded: 0, lastCheckpoint: undefined };
  private iterator: string | undefined;
  private lastRead: string | undefined;
  private buffer: ShardRecord[] = [];
  private bufferSince = 0;
  private window: OpenWindow | undefined;

  constructor(private readonly options: ShardPollerOptions) {
    this.lastRead = options.startAfter;
    this.stats.lastCheckpoint = options.startAfter;
  }

  /** Runs until the signal aborts or the shard is closed and drained. */
  async run(): Promise<void> {
    const { signal, config } = this.options;
    let shardOpen = true;
    while (!signal.aborted) {
      let fetchedAt = Date.now();
      let fetched = 0;
      if (shardOpen && this.buffer.length < config.BatchSize) {
        try {
          fetchedAt = Date.now();
          const result = await this.fetch(config.BatchSize - this.buffer.length);
          fetched = result.count;
          shardOpen = result.open;
        } catch (error) {
          this.options.log('GetRecords failed; retrying', { shardId: this.options.shardId, error: String(error) });
          if (!(await pause(config.pollIntervalMs, signal))) break;
          continue;
        }
      }
      if (signal.aborted) break;

      if (this.readyToInvoke(shardOpen)) {
        if (!(await this.invokeNextBatch())) break;
        continue;
      }
      if (
        config.TumblingWindowInSeconds > 0 &&
        this.buffer.length === 0 &&
        this.window &&
        fetchedAt >= this.window.endMs
      ) {
        if (!(await this.closeWindow(false))) break;
        continue;
      }
      if (!shardOpen && this.buffer.length === 0) {
        if (this.window && !(await this.closeWindow(false))) break;
        this.options.log('shard closed and drained', { shardId: this.options.shardId });
        return;
      }
      // More records may be waiting: read again at once, as Lambda does until it catches up.
      if (fetched > 0 && this.buffer.length < config.BatchSize) continue;
      const untilWindow = this.bufferSince + config.MaximumBatchingWindowInSeconds * 1000 - Date.now();
      const wait =
        this.buffer.length > 0 ? Math.max(1, Math.min(config.pollIntervalMs, untilWindow)) : config.pollIntervalMs;
      if (!(await pause(wait, signal))) break;
    }
  }

  private readyToInvoke(shardOpen: boolean): boolean {
    const { config } = this.options;
    if (this.buffer.length === 0) return false;
    if (!shardOpen || this.buffer.length >= config.BatchSize) return true;
    if (config.TumblingWindowInSeconds > 0) {
      const first = windowOf(this.buffer[0]!.approximateArrivalTimestamp.getTime(), config.TumblingWindowInSeconds);
      const last = this.buffer.at(-1)!.approximateArrivalTimestamp.getTime();
      if (last >= first.endMs) return true;
    }
    if (this.batchPayloadBytes(this.buffer) >= MAX_PAYLOAD_BYTES) return true;
    return Date.now() - this.bufferSince >= config.MaximumBatchingWindowInSeconds * 1000;
  }

  private batchPayloadBytes(records: readonly ShardRecord[]): number {
    return records.reduce((sum, r) => sum + estimatedEventRecordBytes(r, this.options.shardId), 0);
  }

  /**
   * Fixes where reading begins (the shard iterator) before the first poll, as Lambda does when a
   * mapping is enabled: a LATEST mapping then reads every record put after its start resolved.
   */
  async position(): Promise<void> {
    this.iterator ??= await this.newIterator();
  }

  private async fetch(limit: number): Promise<{ count: number; open: boolean }> {
    const { kinesis, shardId } = this.options;
    if (!this.iterator) this.iterator = await this.newIterator();
    let result: GetRecordsCommandOutput;
    try {
      result = await kinesis.send(
        new GetRecordsCommand({ ShardIterator: this.iterator, Limit: Math.min(10_000, limit) }),
      );
    } catch (error) {
      if (error instanceof ExpiredIteratorException) this.iterator = undefined;
      throw error;
    }
    const records: ShardRecord[] = (result.Records ?? []).map((r) => ({
      sequenceNumber: r.SequenceNumber!,
      partitionKey: r.PartitionKey!,
      data: r.Data ?? new Uint8Array(),
      approximateArrivalTimestamp: r.ApproximateArrivalTimestamp ?? new Date(),
    }));
    if (records.length > 0) {
      if (this.buffer.length === 0) this.bufferSince = Date.now();
      this.buffer.push(...records);
      this.lastRead = records.at(-1)!.sequenceNumber;
    }
    this.iterator = result.NextShardIterator;
    if (!this.iterator) this.options.log('shard closed', { shardId });
    return { count: records.length, open: this.iterator !== undefined };
  }

  private async newIterator(): Promise<string> {
    const { kinesis, config, shardId } = this.options;
    const input: GetShardIteratorCommandInput = {
      StreamName: config.StreamName,
      ShardId: shardId,
      ShardIteratorType: 'TRIM_HORIZON',
    };
    if (this.lastRead) {
      input.ShardIteratorType = 'AFTER_SEQUENCE_NUMBER';
      input.StartingSequenceNumber = this.lastRead;
    } else if (config.StartingPosition === 'AT_TIMESTAMP') {
      input.ShardIteratorType = 'AT_TIMESTAMP';
      input.Timestamp = new Date(config.StartingPositionTimestamp! * 1000);
    } else {
      input.ShardIteratorType = config.StartingPosition;
    }
    const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand(input));
    if (!ShardIterator) throw new Error(`no shard iterator for ${shardId}`);
    return ShardIterator;
  }

  /** Takes the next batch off the buffer and runs it to completion; false when stopping. */
  private async invokeNextBatch(): Promise<boolean> {
    const { config } = this.options;
    let count = Math.min(this.buffer.length, config.BatchSize);
    if (config.TumblingWindowInSeconds > 0) {
      const { endMs, startMs } = windowOf(
        this.buffer[0]!.approximateArrivalTimestamp.getTime(),
        config.TumblingWindowInSeconds,
      );
      if (this.window && this.window.startMs !== startMs && !(await this.closeWindow(false))) return false;
      this.window ??= { startMs, endMs, state: {}, pendingCheckpoint: undefined };
      const boundary = this.buffer.findIndex((r) => r.approximateArrivalTimestamp.getTime() >= endMs);
      if (boundary !== -1) count = Math.min(count, boundary);
    }
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      bytes += estimatedEventRecordBytes(this.buffer[i]!, this.options.shardId);
      if (bytes > MAX_PAYLOAD_BYTES && i > 0) {
        count = i;
        break;
      }
    }
    const batch = this.buffer.splice(0, count);
    this.bufferSince = Date.now();
    const result = await processBatch(
      batch,
      config,
      { shardId: this.options.shardId, streamArn: this.options.streamArn, functionArn: this.options.fn.functionArn },
      this.batchDeps(),
    );
    this.stats.invocations += result.invocations;
    this.stats.recordsDiscarded += result.discarded;
    this.stats.recordsProcessed += batch.length - result.discarded;
    if (result.completed && this.window) await this.terminateWindowIfStateTooLarge();
    return result.completed;
  }

  private batchDeps(): BatchProcessorDeps {
    const { signal, log, discard } = this.options;
    return {
      buildEvent: (records) => this.buildEvent(records, false, false),
      invoke: (event) => this.invoke(event),
      checkpoint: async (sequenceNumber) => {
        if (this.window) this.window.pendingCheckpoint = sequenceNumber;
        else await this.saveCheckpoint(sequenceNumber);
      },
      discard,
      pause: (ms) => pause(ms, signal),
      now: () => Date.now(),
      onState: (state) => {
        if (this.window) this.window.state = state;
      },
      log,
    };
  }

  private buildEvent(
    records: readonly ShardRecord[],
    isFinalInvokeForWindow: boolean,
    isWindowTerminatedEarly: boolean,
  ): KinesisInvocationEvent {
    const { shardId, source } = this.options;
    const windowFields: TumblingWindowFields | undefined = this.window
      ? {
          window: { start: windowBoundary(this.window.startMs), end: windowBoundary(this.window.endMs) },
          state: this.window.state,
          shardId,
          eventSourceARN: source.eventSourceARN,
          isFinalInvokeForWindow,
          isWindowTerminatedEarly,
        }
      : undefined;
    return buildEvent(records, shardId, source, windowFields);
  }

  private invoke(event: KinesisInvocationEvent): Promise<unknown> {
    const { fn, handler } = this.options;
    return invokeWithTimeout(handler, event, createLambdaContext(fn), fn.timeoutSeconds);
  }

  private async terminateWindowIfStateTooLarge(): Promise<void> {
    const size = Buffer.byteLength(JSON.stringify(this.window!.state));
    if (size > MAX_WINDOW_STATE_BYTES) {
      this.options.log('window state over 1 MB; terminating window early', { shardId: this.options.shardId, size });
      const { startMs, endMs } = this.window!;
      if (await this.closeWindow(true)) this.window = { startMs, endMs, state: {}, pendingCheckpoint: undefined };
    }
  }

  /**
   * The final invocation of a window: no records, the aggregated state, `isFinalInvokeForWindow`.
   * Lambda retries it until it succeeds, holding the shard, and checkpoints only afterwards.
   */
  private async closeWindow(terminatedEarly: boolean): Promise<boolean> {
    const { config, signal, log, shardId } = this.options;
    for (;;) {
      try {
        this.stats.invocations += 1;
        const response = await this.invoke(this.buildEvent([], true, terminatedEarly));
        const outcome = interpretResponse(response, [], { reportBatchItemFailures: false, tumblingWindow: true });
        if (outcome.kind !== 'error') break;
        log('final window invocation rejected; retrying', { shardId, error: outcome.message });
      } catch (error) {
        log('final window invocation failed; retrying', { shardId, error: String(error) });
      }
      if (!(await pause(config.retryDelayMs, signal))) return false;
    }
    const checkpoint = this.window!.pendingCheckpoint;
    this.window = undefined;
    if (checkpoint) await this.saveCheckpoint(checkpoint);
    return true;
  }

  private async saveCheckpoint(sequenceNumber: string): Promise<void> {
    await this.options.checkpoints.save(this.options.shardId, sequenceNumber);
    this.stats.lastCheckpoint = sequenceNumber;
  }
}
