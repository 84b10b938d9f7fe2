import { join } from 'node:path';
import { lakePartitionKeys, ShufflerMaintenanceRecord, ShufflerTelemetry } from '@croupier/contracts';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** One shuffler's history from the lake, de-duplicated and in time order. */
export interface DeviceHistory {
  readonly deviceId: string;
  readonly telemetry: readonly ShufflerTelemetry[];
  readonly maintenance: readonly ShufflerMaintenanceRecord[];
}

/** Which part of the lake to read; eventTime bounds are inclusive–exclusive, ms epoch. */
export interface LakeSelection {
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly deviceIds?: readonly string[];
}

/** Size of what was selected, before parsing. */
export interface LakeSummary {
  readonly deviceIds: readonly string[];
  /** Earliest and latest telemetry eventTime selected (ms epoch); NaN when there is none. */
  readonly startMs: number;
  readonly endMs: number;
  /** Records selected, copies included, and copies dropped by eventId. */
  readonly selectedRecords: number;
  readonly duplicates: number;
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Prunes whole day partitions outside the selected time (partitions are by the UTC day of eventTime). */
function partitionFilter(selection: LakeSelection): string {
  const conditions = ['true'];
  if (selection.fromMs !== undefined) conditions.push(`dt >= ${quote(lakePartitionKeys(selection.fromMs).dt)}`);
  if (selection.toMs !== undefined) conditions.push(`dt <= ${quote(lakePartitionKeys(selection.toMs - 1).dt)}`);
  return conditions.join(' AND ');
}
const STREAMS = { telemetry: 'shuffler', maintenance: 'service' } as const;

/**
 * The shuffler history in a lake folder, read with DuckDB: the raw telemetry and maintenance streams,
 * one copy per eventId (the raw zone is at-least-once; the same rule as the refinement job), every
 * record parsed with its contract schema. Records are kept whole (as JSON) so a parsed event is exactly
 * what the edge published, and the features computed from it are the edge's features. Devices are
 * handed out one at a time so a long history never sits in memory as objects.
 */
export class LakeHistoryReader {
  /** Records that did not follow the contract: counted and skipped, never fatal. */
  invalid = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly summary: LakeSummary,
  ) {}

  static async open(lakeDir: string, selection: LakeSelection = {}): Promise<LakeHistoryReader> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const conditions = ['eventid IS NOT NULL', 'deviceid IS NOT NULL'];
      if (selection.fromMs !== undefined) conditions.push(`eventtime >= ${Math.floor(selection.fromMs)}`);
      if (selection.toMs !== undefined) conditions.push(`eventtime < ${Math.floor(selection.toMs)}`);
      if (selection.deviceIds) conditions.push(`deviceid IN (${selection.deviceIds.map(quote).join(', ') || 'NULL'})`);
      let selected = 0;
      let duplicates = 0;
      for (const [table, stream] of Object.entries(STREAMS)) {
        const glob = join(lakeDir, 'raw', stream, '*', '*', '*.jsonl.gz');
        const files = (await connection.runAndReadAll(`SELECT count(*) FROM glob(${quote(glob)})`)).getRows();
        const source =
          Number(files[0]![0]) > 0
            ? `read_json_objects(${quote(glob)}, format = 'newline_delimited', hive_partitioning = true, hive_types = {'dt': VARCHAR, 'hr': VARCHAR})`
            : `(SELECT NULL::JSON AS json, NULL::VARCHAR AS dt WHERE false)`;
        await connection.run(`
          CREATE TABLE ${table}_selected AS
          SELECT json::VARCHAR AS json, json ->> '$.eventId' AS eventid, json ->> '$.deviceId' AS deviceid,
                 TRY_CAST(json ->> '$.eventTime' AS BIGINT) AS eventtime
          FROM ${source} WHERE ${partitionFilter(selection)}`);
        await connection.run(`DELETE FROM ${table}_selected WHERE NOT (${conditions.join(' AND ')})`);
        // As refine.sql: of several copies of one eventId keep one (copies are identical by contract).
        await connection.run(`
          CREATE TABLE ${table} AS
          SELECT json, deviceid, eventtime FROM (
            SELECT *, row_number() OVER (PARTITION BY eventid ORDER BY eventtime) AS dedup_rank FROM ${table}_selected
          ) WHERE dedup_rank = 1`);
        const [[all, kept]] = (
          await connection.runAndReadAll(
            `SELECT (SELECT count(*) FROM ${table}_selected), (SELECT count(*) FROM ${table})`,
          )
        ).getRows() as [[bigint, bigint]];
        selected += Number(all);
        duplicates += Number(all - kept);
        await connection.run(`DROP TABLE ${table}_selected`);
      }
      const [[start, end]] = (
        await connection.runAndReadAll('SELECT min(eventtime), max(eventtime) FROM telemetry')
      ).getRows() as [[bigint | null, bigint | null]];
      const ids = (
        await connection.runAndReadAll('SELECT DISTINCT deviceid FROM telemetry ORDER BY deviceid')
      ).getRows() as [string][];
      return new LakeHistoryReader(instance, connection, {
        deviceIds: ids.map(([id]) => id),
        startMs: start === null ? Number.NaN : Number(start),
        endMs: end === null ? Number.NaN : Number(end),
        selectedRecords: selected,
        duplicates,
      });
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw error;
    }
  }

  /** One device's history, parsed; records that fail their schema are counted in {@link invalid}. */
  async device(deviceId: string): Promise<DeviceHistory> {
    const rows = async (table: string) =>
      (
        await this.connection.runAndReadAll(
          `SELECT json FROM ${table} WHERE deviceid = ${quote(deviceId)} ORDER BY eventtime`,
        )
      ).getRows() as [string][];
    const telemetry: ShufflerTelemetry[] = [];
    for (const [json] of await rows('telemetry')) {
      const parsed = ShufflerTelemetry.safeParse(JSON.parse(json));
      if (parsed.success) telemetry.push(parsed.data);
      else this.invalid += 1;
    }
    const maintenance: ShufflerMaintenanceRecord[] = [];
    for (const [json] of await rows('maintenance')) {
      const parsed = ShufflerMaintenanceRecord.safeParse(JSON.parse(json));
      if (parsed.success) maintenance.push(parsed.data);
      else this.invalid += 1;
    }
    return { deviceId, telemetry, maintenance };
  }

  /** Every selected device, one at a time, in id order. */
  async *devices(): AsyncGenerator<DeviceHistory> {
    for (const id of this.summary.deviceIds) yield await this.device(id);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
