import {
  type _Record,
  type MeasureValueType,
  type RejectedRecord,
  RejectedRecordsException,
  ResourceNotFoundException,
  type TimeUnit,
  ValidationException,
  type WriteRecordsRequest,
  type WriteRecordsResponse,
} from '@aws-sdk/client-timestream-write';
import { type DuckDBConnection, DuckDBInstance, type Json } from '@duckdb/node-api';

/** A Timestream table the stand-in accepts writes for. */
export interface TimeSeriesTable {
  readonly databaseName: string;
  readonly tableName: string;
  /** Records older than this are refused, as Timestream's memory store refuses them. */
  readonly memoryStoreRetentionHours: number;
}

/** A record after CommonAttributes are merged and every field is checked. */
interface NormalisedRecord {
  readonly dimensions: Record<string, string>;
  readonly seriesKey: string;
  readonly measureName: string;
  readonly valueType: MeasureValueType;
  /** Measure name → [type, value as written]. A single-measure record has one entry, under its measure name. */
  readonly values: Record<string, [MeasureValueType, string]>;
  readonly timeNs: bigint;
  readonly version: bigint;
}

const MAX_RECORDS = 100;
/** Timestream refuses timestamps more than 15 minutes in the future. */
const FUTURE_TOLERANCE_MS = 15 * 60 * 1000;
const NS_PER_UNIT: Record<TimeUnit, bigint> = {
  NANOSECONDS: 1n,
  MICROSECONDS: 1_000n,
  MILLISECONDS: 1_000_000n,
  SECONDS: 1_000_000_000n,
};
const SCALAR_TYPES = new Set(['DOUBLE', 'BIGINT', 'VARCHAR', 'BOOLEAN', 'TIMESTAMP']);

class RecordError extends Error {}

/**
 * Timestream's WriteRecords API and record model in DuckDB: the local floor's time-series store.
 * It takes the same WriteRecords request as Timestream and applies the same rules: at most 100 records, CommonAttributes
 * merged into each record, dimensions + measure name + time identify a record, a rewrite with a
 * different value needs a higher Version (else the record is rejected with the existing version),
 * an identical rewrite is accepted, timestamps outside the memory-store window are rejected. Valid
 * records are written even when others in the request are rejected, as Timestream does.
 *
 * Storage: table `timestream_records` (one row per record, measures as JSON) and view
 * `timestream_measures` (one row per measure value, with a DOUBLE column for numeric measures) for
 * queries and the dashboard.
 */
export class DuckDbTimestreamStore {
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly tables: readonly TimeSeriesTable[],
    private readonly now: () => number,
  ) {}

  /** Opens (or creates) the database file, or `:memory:`. */
  static async open(
    path: string,
    tables: readonly TimeSeriesTable[],
    now: () => number = Date.now,
  ): Promise<DuckDbTimestreamStore> {
    const instance = await DuckDBInstance.create(path, { autoinstall_known_extensions: 'false' });
    const connection = await instance.connect();
    await connection.run(`
      CREATE TABLE IF NOT EXISTS timestream_records (
        database_name VARCHAR NOT NULL,
        table_name VARCHAR NOT NULL,
        series_key VARCHAR NOT NULL,
        measure_name VARCHAR NOT NULL,
        time_ns BIGINT NOT NULL,
        dimensions JSON NOT NULL,
        measure_value_type VARCHAR NOT NULL,
        measure_values JSON NOT NULL,
        version BIGINT NOT NULL,
        PRIMARY KEY (database_name, table_name, series_key, measure_name, time_ns)
      )`);
    await connection.run(`
      CREATE OR REPLACE VIEW timestream_measures AS
      SELECT database_name, table_name, make_timestamp(time_ns // 1000) AS time, dimensions, measure_name,
             m.key AS measure, m.value->>0 AS type, m.value->>1 AS value,
             CASE WHEN m.value->>0 IN ('DOUBLE', 'BIGINT') THEN TRY_CAST(m.value->>1 AS DOUBLE) END AS value_double,
             version
      FROM timestream_records, json_each(measure_values) AS m`);
    return new DuckDbTimestreamStore(instance, connection, tables, now);
  }

  /** WriteRecords, with Timestream's request, response and exceptions. */
  async writeRecords(request: WriteRecordsRequest): Promise<WriteRecordsResponse> {
    const run = this.writing.then(() => this.write(request));
    this.writing = run.catch(() => undefined);
    return run;
  }

  /** Runs a query over the stand-in's tables; rows are JSON-safe (BIGINT as string). */
  async query(sql: string, params?: Record<string, string | number | boolean | null>): Promise<Record<string, Json>[]> {
    return (await this.connection.runAndReadAll(sql, params)).getRowObjectsJson();
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async write(request: WriteRecordsRequest): Promise<WriteRecordsResponse> {
    const { DatabaseName: database, TableName: table, CommonAttributes: common = {}, Records: records } = request;
    if (!database || !table) throw validation('DatabaseName and TableName are required');
    const definition = this.tables.find((t) => t.databaseName === database && t.tableName === table);
    if (!definition) {
      throw new ResourceNotFoundException({
        $metadata: {},
        message: `The table ${table} does not exist in database ${database}.`,
        Message: `The table ${table} does not exist in database ${database}.`,
      });
    }
    if (!records || records.length === 0 || records.length > MAX_RECORDS) {
      throw validation(`Records must hold 1 to ${MAX_RECORDS} records`);
    }

    const rejected: RejectedRecord[] = [];
    let ingested = 0;
    for (const [index, record] of records.entries()) {
      let normalised: NormalisedRecord;
      try {
        normalised = normalise(common, record, definition, this.now());
      } catch (error) {
        if (!(error instanceof RecordError)) throw error;
        rejected.push({ RecordIndex: index, Reason: error.message });
        continue;
      }
      const outcome = await this.upsert(database, table, normalised);
      if (outcome.ok) ingested += 1;
      else rejected.push({ RecordIndex: index, Reason: outcome.reason, ExistingVersion: outcome.existingVersion });
    }
    if (rejected.length > 0) {
      throw new RejectedRecordsException({
        $metadata: {},
        message: 'One or more records have been rejected. See RejectedRecords for details.',
        Message: 'One or more records have been rejected. See RejectedRecords for details.',
        RejectedRecords: rejected,
      });
    }
    return { RecordsIngested: { Total: ingested, MemoryStore: ingested, MagneticStore: 0 } };
  }

  private async upsert(
    database: string,
    table: string,
    record: NormalisedRecord,
  ): Promise<{ ok: true } | { ok: false; reason: string; existingVersion: number }> {
    const key = {
      database,
      table,
      series: record.seriesKey,
      measure: record.measureName,
      time: String(record.timeNs),
    };
    const existing = (
      await this.connection.runAndReadAll(
        `SELECT measure_values, version FROM timestream_records
         WHERE database_name = $database AND table_name = $table AND series_key = $series
           AND measure_name = $measure AND time_ns = CAST($time AS BIGINT)`,
        key,
      )
    ).getRowObjectsJson()[0];
    const values = JSON.stringify(record.values);
    if (existing) {
      const existingVersion = BigInt(String(existing.version));
      const sameValues = JSON.stringify(JSON.parse(String(existing.measure_values))) === values;
      if (sameValues && record.version <= existingVersion) return { ok: true };
      if (record.version <= existingVersion) {
        return {
          ok: false,
          existingVersion: Number(existingVersion),
          reason:
            'A record with the same dimensions, timestamp, and measure name already exists with a different measure value and the same or a higher version. Set a higher Version to update it.',
        };
      }
    }
    await this.connection.run(
      `INSERT OR REPLACE INTO timestream_records VALUES
       ($database, $table, $series, $measure, CAST($time AS BIGINT), $dimensions, $type, $values, CAST($version AS BIGINT))`,
      {
        ...key,
        dimensions: JSON.stringify(record.dimensions),
        type: record.valueType,
        values,
        version: String(record.version),
      },
    );
    return { ok: true };
  }
}

const validation = (message: string) => new ValidationException({ $metadata: {}, message, Message: message });

/** Merges CommonAttributes into a record and checks it as Timestream does; throws RecordError. */
function normalise(common: _Record, record: _Record, table: TimeSeriesTable, nowMs: number): NormalisedRecord {
  const dimensions: Record<string, string> = {};
  for (const dimension of [...(common.Dimensions ?? []), ...(record.Dimensions ?? [])]) {
    if (!dimension.Name || dimension.Value === undefined || dimension.Value === '') {
      throw new RecordError('Dimensions need a Name and a non-empty Value.');
    }
    if (dimension.Name in dimensions) throw new RecordError(`Dimension ${dimension.Name} appears more than once.`);
    dimensions[dimension.Name] = dimension.Value;
  }
  const measureName = record.MeasureName ?? common.MeasureName;
  if (!measureName) throw new RecordError('MeasureName is required.');
  const valueType = record.MeasureValueType ?? common.MeasureValueType ?? 'DOUBLE';
  const values: Record<string, [MeasureValueType, string]> = {};
  if (valueType === 'MULTI') {
    const measures = record.MeasureValues ?? common.MeasureValues ?? [];
    if (measures.length === 0) throw new RecordError('A MULTI record needs MeasureValues.');
    if (record.MeasureValue !== undefined) throw new RecordError('A MULTI record cannot have a MeasureValue.');
    for (const measure of measures) {
      if (!measure.Name || measure.Value === undefined || !measure.Type || !SCALAR_TYPES.has(measure.Type)) {
        throw new RecordError('Each MeasureValue needs a Name, a Value and a scalar Type.');
      }
      checkValue(measure.Type, measure.Value);
      values[measure.Name] = [measure.Type, measure.Value];
    }
  } else {
    const value = record.MeasureValue ?? common.MeasureValue;
    if (value === undefined) throw new RecordError('MeasureValue is required unless MeasureValueType is MULTI.');
    if (!SCALAR_TYPES.has(valueType)) throw new RecordError(`Unknown MeasureValueType ${valueType}.`);
    checkValue(valueType, value);
    values[measureName] = [valueType, value];
  }

  const time = record.Time ?? common.Time;
  const unit = record.TimeUnit ?? common.TimeUnit ?? 'MILLISECONDS';
  if (!time || !/^\d+$/.test(time)) throw new RecordError('Time must be a whole number in TimeUnit.');
  if (!(unit in NS_PER_UNIT)) throw new RecordError(`Unknown TimeUnit ${unit}.`);
  const timeNs = BigInt(time) * NS_PER_UNIT[unit];
  const timeMs = Number(timeNs / 1_000_000n);
  const oldest = nowMs - table.memoryStoreRetentionHours * 3_600_000;
  if (timeMs < oldest || timeMs > nowMs + FUTURE_TOLERANCE_MS) {
    throw new RecordError(
      `The record timestamp is outside the time range [${new Date(oldest).toISOString()}, ${new Date(nowMs + FUTURE_TOLERANCE_MS).toISOString()}) of the memory store.`,
    );
  }
  const seriesKey = JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const version = BigInt(record.Version ?? common.Version ?? 1);
  return { dimensions, seriesKey, measureName, valueType, values, timeNs, version };
}

function checkValue(type: string, value: string): void {
  const ok =
    type === 'DOUBLE'
      ? value.trim() !== '' && Number.isFinite(Number(value))
      : type === 'BIGINT' || type === 'TIMESTAMP'
        ? /^-?\d+$/.test(value)
        : type === 'BOOLEAN'
          ? value === 'true' || value === 'false'
          : true;
  if (!ok) throw new RecordError(`Measure value ${JSON.stringify(value)} is not a valid ${type}.`);
}
