import type { TimeSeriesRecord, TimeSeriesSink } from '../../src/shuffler-health/time-series-sink.js';
import { timestreamRequests } from '../../src/shuffler-health/timestream-sink.js';
import type { DuckDbTimestreamStore } from './duckdb-timestream-store.js';

/**
 * The processors' `TimeSeriesSink` on the local floor: it builds exactly the WriteRecords requests
 * the production Timestream sink sends (same `timestreamRequests`) and hands them to the DuckDB
 * Timestream stand-in, so grouping, batching, types and duplicate handling are exercised as in AWS.
 */
export class LocalTimestreamSink implements TimeSeriesSink {
  readonly name = 'timestream-local';

  constructor(
    private readonly store: DuckDbTimestreamStore,
    private readonly database: string,
    private readonly table: string,
  ) {}

  async write(records: readonly TimeSeriesRecord[]): Promise<void> {
    for (const input of timestreamRequests(this.database, this.table, records)) {
      await this.store.writeRecords(input);
    }
  }
}
