import type { ComponentHealthLine, StreamLag } from './dashboard-snapshot.js';

/** Monotonic pipeline counters (events in, relayed, delivered, processed), read at one instant. */
export type PipelineCounters = Readonly<Record<string, number>>;

/** One reading of the pipeline's health. */
export interface PipelineReading {
  /** Wall-clock time of the reading. */
  readonly at: number;
  readonly counters: PipelineCounters;
  /** The counter whose rate is the pipeline's headline events per second. */
  readonly headlineCounter: string;
  readonly streams: readonly StreamLag[];
  /** The latest CoreHealth report of every component on every core. */
  readonly components: readonly ComponentHealthLine[];
}

/**
 * Where pipeline health comes from. On the local floor: the event-source mappings, the Kinesis
 * stand-in and the CoreHealth records in the Timestream stand-in. In AWS the same figures are
 * CloudWatch metrics (IteratorAge, IncomingRecords) and Timestream; without a source the
 * dashboard says the panel is unavailable instead of showing zeros.
 */
export interface PipelineSource {
  read(): Promise<PipelineReading>;
}
