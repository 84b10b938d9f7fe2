/**
 * One multi-measure time-series record: the shape Timestream LiveAnalytics stores, and the shape
 * any other time-series store (InfluxDB, Timestream for InfluxDB, a DuckDB table) can take.
 */
export interface TimeSeriesRecord {
  /** Epoch milliseconds of the measurement. */
  readonly time: number;
  /** Identifying attributes (low cardinality first), all strings. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Name of the multi-measure record, e.g. `shuffler_telemetry`. */
  readonly measureName: string;
  readonly measures: Readonly<Record<string, number | string | boolean>>;
}

/**
 * Where telemetry goes. Timestream LiveAnalytics is closed to new AWS accounts, so the processor
 * depends only on this interface; a second sink is a new implementation, not a processor change.
 * Writing the same record twice must be harmless (Kinesis delivers at least once).
 */
export interface TimeSeriesSink {
  readonly name: string;
  write(records: readonly TimeSeriesRecord[]): Promise<void>;
}

/**
 * The sink for deployments without a time-series store (Timestream is off by default because it is
 * closed to new accounts): telemetry is then queried from the lake, which Firehose fills from the
 * same stream, so this sink writes nothing.
 */
export const lakeOnlySink: TimeSeriesSink = {
  name: 'lake-only',
  write: async () => {},
};
