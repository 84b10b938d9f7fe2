import {
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListShardsCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import type { CheckpointStore } from './checkpoint-store.js';
import { type KinesisEventSourceMappingInput, kinesisEventSourceMappingSchema } from './config.js';
import type { MappedKinesisHandler } from './lambda-context.js';
import type { OnFailureDestination } from './on-failure-destination.js';
import { ShardPoller, type ShardStats } from './shard-poller.js';

export interface KinesisEventSourceMappingOptions {
  readonly kinesis: KinesisClient;
  readonly mapping: KinesisEventSourceMappingInput;
  readonly handler: MappedKinesisHandler['handle'];
  readonly checkpoints: CheckpointStore;
  /** Absent: discarded batches are only logged, as in a mapping without a destination. */
  readonly onFailure?: OnFailureDestination;
  readonly region: string;
  readonly accountId: string;
  readonly memoryLimitInMB?: number;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * A Lambda event source mapping for a Kinesis stream, run locally: one poller per open shard,
 * each invoking the handler with Lambda's event shape and error handling. Shards are listed once
 * at start; resharding while running is not followed (the local streams are never resharded).
 */
export class KinesisEventSourceMapping {
  private readonly controller = new AbortController();
  private readonly pollers = new Map<string, ShardPoller>();
  private running: Promise<void>[] = [];

  constructor(private readonly options: KinesisEventSourceMappingOptions) {}

  /** Starts polling every shard; resolves once each shard's starting position is fixed and the pollers run. */
  async start(): Promise<void> {
    const { kinesis, checkpoints, region, accountId, handler } = this.options;
    const config = kinesisEventSourceMappingSchema.parse(this.options.mapping);
    const log = this.options.log ?? (() => {});
    const { StreamDescriptionSummary: summary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: config.StreamName }),
    );
    const streamArn = summary?.StreamARN;
    if (!streamArn) throw new Error(`stream ${config.StreamName} has no ARN`);
    const functionArn = `arn:aws:lambda:${region}:${accountId}:function:${config.FunctionName}`;
    const saved = await checkpoints.load();
    for (const shard of await listShards(kinesis, config.StreamName)) {
      {
        const shardId = shard.ShardId!;
        const poller = new ShardPoller({
          kinesis,
          config,
          shardId,
          streamArn,
          source: {
            awsRegion: region,
            eventSourceARN: streamArn,
            invokeIdentityArn: `arn:aws:iam::${accountId}:role/${config.FunctionName}-role`,
          },
          fn: {
            functionName: config.FunctionName,
            functionArn,
            timeoutSeconds: config.FunctionTimeoutSeconds,
            memoryLimitInMB: this.options.memoryLimitInMB ?? 512,
          },
          handler,
          checkpoints,
          startAfter: saved.get(shardId),
          discard: async (record) => {
            log('batch discarded', {
              shardId,
              condition: record.requestContext.condition,
              batch: record.KinesisBatchInfo,
            });
            await this.options.onFailure?.send(record);
          },
          signal: this.controller.signal,
          log: (message, fields) => log(message, { function: config.FunctionName, ...fields }),
        });
        this.pollers.set(shardId, poller);
      }
    }
    await Promise.all([...this.pollers.values()].map((poller) => poller.position()));
    this.running = [...this.pollers.values()].map((poller) =>
      poller.run().catch((error: unknown) => log('shard poller stopped on an error', { error: String(error) })),
    );
  }

  /** Per-shard counters. */
  stats(): ReadonlyMap<string, Readonly<ShardStats>> {
    return new Map([...this.pollers].map(([id, poller]) => [id, { ...poller.stats }]));
  }

  /**
   * Stops polling. An invocation in flight finishes (its checkpoint is kept); records read but not
   * yet done are read again on the next start, as after a Lambda poller restart.
   */
  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.all(this.running);
  }
}

async function listShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    const page = await kinesis.send(
      new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }),
    );
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  // A closed parent shard (after a reshard) has an ending sequence number; its records are still readable.
  return shards;
}
