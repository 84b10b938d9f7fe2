import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { decodeEnvelopeHeader } from '@croupier/contracts';
import type { ComponentHealthLine, StreamLag } from './dashboard-snapshot.js';
import type { PipelineCounters, PipelineReading, PipelineSource } from './pipeline-source.js';

/** A stream processor behind an event-source mapping, as far as its health shows. */
export interface MappedProcessor {
  readonly processor: string;
  readonly stream: string;
  /** Per shard: records processed and the sequence number checkpointed last. */
  shards(): ReadonlyMap<string, { readonly recordsProcessed: number; readonly lastCheckpoint: string | undefined }>;
}

/** Runs SQL over the Timestream stand-in (rows JSON-safe). */
export type TimeSeriesQuery = (sql: string) => Promise<Record<string, unknown>[]>;

export interface LocalPipelineSourceOptions {
  readonly kinesis: KinesisClient;
  readonly processors: readonly MappedProcessor[];
  readonly counters: () => PipelineCounters;
  /** Counters of events leaving the edge; their sum is the headline events per second. */
  readonly edgeCounters: readonly string[];
  readonly timeSeries: TimeSeriesQuery;
  readonly clock?: () => number;
}

/** The headline counter: every event the edge components sent on. */
const EDGE_EVENTS = 'edge events';

/** The newest CoreHealth of every component on every core, as the shuffler processor stored it. */
const LATEST_CORE_HEALTH = `
  SELECT dimensions->>'core' AS core, dimensions->>'component' AS component,
         CAST(time_ns // 1000000 AS DOUBLE) AS at_ms, CAST(measure_values AS VARCHAR) AS measure_values
  FROM timestream_records
  WHERE measure_name = 'core_health'
  QUALIFY row_number() OVER (PARTITION BY series_key ORDER BY time_ns DESC) = 1`;

/**
 * Pipeline health of the local floor, measured where Lambda's own metrics come from:
 *
 * - iterator age: the arrival age of the oldest record after a shard's checkpoint (none: 0), which
 *   is Lambda's IteratorAge;
 * - end-to-end latency: from the envelope's `createdAt` on the core to the first reading that saw
 *   the processor's checkpoint move past it — an upper bound, late by at most one refresh;
 * - component health (spool depth and age, sent and dropped events): the latest CoreHealth each
 *   component sent on the `health` stream, read from the Timestream stand-in;
 * - event rates: the floor's monotonic counters.
 */
export class LocalPipelineSource implements PipelineSource {
  /** Per shard: the checkpoint last seen and when it was first seen. */
  private readonly checkpoints = new Map<string, { sequence: string; seenAt: number; latencyMs: number | null }>();
  private readonly clock: () => number;

  constructor(private readonly options: LocalPipelineSourceOptions) {
    this.clock = options.clock ?? Date.now;
  }

  async read(): Promise<PipelineReading> {
    const at = this.clock();
    const [streams, components] = await Promise.all([
      Promise.all(this.options.processors.map((p) => this.lag(p, at))),
      this.componentHealth(),
    ]);
    const counters = this.options.counters();
    const edgeEvents = this.options.edgeCounters.reduce((sum, name) => sum + (counters[name] ?? 0), 0);
    return {
      at,
      counters: { [EDGE_EVENTS]: edgeEvents, ...counters },
      headlineCounter: EDGE_EVENTS,
      streams,
      components,
    };
  }

  private async lag(processor: MappedProcessor, at: number): Promise<StreamLag> {
    let iteratorAgeMs = 0;
    let latency: number | null = null;
    let recordsProcessed = 0;
    for (const [shardId, stats] of processor.shards()) {
      recordsProcessed += stats.recordsProcessed;
      if (!stats.lastCheckpoint) continue;
      const key = `${processor.processor}/${shardId}`;
      const known = this.checkpoints.get(key);
      let latencyMs = known?.latencyMs ?? null;
      if (known?.sequence !== stats.lastCheckpoint) {
        const processed = await this.recordAt(processor.stream, shardId, 'AT_SEQUENCE_NUMBER', stats.lastCheckpoint);
        const header = processed ? decodeEnvelopeHeader(processed.data) : undefined;
        // The first sighting after a start says nothing about when it was processed.
        latencyMs = known && header?.ok ? Math.max(0, at - header.value.header.createdAt) : latencyMs;
        this.checkpoints.set(key, { sequence: stats.lastCheckpoint, seenAt: at, latencyMs });
      }
      if (latencyMs !== null) latency = Math.max(latency ?? 0, latencyMs);
      const next = await this.recordAt(processor.stream, shardId, 'AFTER_SEQUENCE_NUMBER', stats.lastCheckpoint);
      if (next) iteratorAgeMs = Math.max(iteratorAgeMs, at - next.arrivedAt);
    }
    return {
      processor: processor.processor,
      stream: processor.stream,
      iteratorAgeMs,
      endToEndLatencyMs: latency,
      recordsProcessed,
    };
  }

  private async recordAt(
    stream: string,
    shardId: string,
    type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER',
    sequence: string,
  ): Promise<{ data: Uint8Array; arrivedAt: number } | undefined> {
    const { kinesis } = this.options;
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: shardId,
        ShardIteratorType: type,
        StartingSequenceNumber: sequence,
      }),
    );
    if (!ShardIterator) return undefined;
    const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 1 }));
    const record = Records[0];
    if (!record?.Data) return undefined;
    return { data: record.Data, arrivedAt: record.ApproximateArrivalTimestamp?.getTime() ?? this.clock() };
  }

  private async componentHealth(): Promise<ComponentHealthLine[]> {
    const rows = await this.options.timeSeries(LATEST_CORE_HEALTH);
    return rows.map((row) => {
      const measures = JSON.parse(String(row.measure_values)) as Record<string, [string, string]>;
      const metrics: Record<string, number> = {};
      let state = 'unknown';
      for (const [name, [type, value]] of Object.entries(measures)) {
        if (name === 'state') state = value;
        else if (type === 'DOUBLE' || type === 'BIGINT') metrics[name] = Number(value);
      }
      return {
        core: String(row.core),
        component: String(row.component),
        state,
        reportedAt: Number(row.at_ms),
        metrics,
      };
    });
  }
}
