import {
  type MeasureValue,
  type _Record as TimestreamRecord,
  type TimestreamWriteClient,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import type { TimeSeriesRecord, TimeSeriesSink } from './time-series-sink.js';

/** WriteRecords takes at most 100 records per call. */
export const TIMESTREAM_MAX_RECORDS = 100;

/** Dimensions shared by every record of one call, sent once as common attributes. */
const COMMON_DIMENSIONS = ['property', 'core'] as const;

function measureValue(name: string, value: number | string | boolean): MeasureValue {
  if (typeof value === 'number') return { Name: name, Value: String(value), Type: 'DOUBLE' };
  if (typeof value === 'boolean') return { Name: name, Value: String(value), Type: 'BOOLEAN' };
  return { Name: name, Value: value, Type: 'VARCHAR' };
}

/**
 * Builds the WriteRecords requests for a set of records: grouped by common dimensions and measure
 * name, at most 100 records per request, multi-measure records with millisecond times. Pure.
 */
export function timestreamRequests(
  database: string,
  table: string,
  records: readonly TimeSeriesRecord[],
): WriteRecordsCommand['input'][] {
  const groups = new Map<string, TimeSeriesRecord[]>();
  for (const record of records) {
    const key = JSON.stringify([record.measureName, ...COMMON_DIMENSIONS.map((d) => record.dimensions[d] ?? '')]);
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  const requests: WriteRecordsCommand['input'][] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const common = COMMON_DIMENSIONS.filter((d) => first.dimensions[d] !== undefined);
    for (let start = 0; start < group.length; start += TIMESTREAM_MAX_RECORDS) {
      const chunk = group.slice(start, start + TIMESTREAM_MAX_RECORDS);
      requests.push({
        DatabaseName: database,
        TableName: table,
        CommonAttributes: {
          Dimensions: common.map((d) => ({ Name: d, Value: first.dimensions[d]!, DimensionValueType: 'VARCHAR' })),
          MeasureName: first.measureName,
          MeasureValueType: 'MULTI',
          TimeUnit: 'MILLISECONDS',
        },
        Records: chunk.map(
          (record): TimestreamRecord => ({
            Dimensions: Object.entries(record.dimensions)
              .filter(([name]) => !(common as readonly string[]).includes(name))
              .map(([Name, Value]) => ({ Name, Value, DimensionValueType: 'VARCHAR' })),
            Time: String(record.time),
            MeasureValues: Object.entries(record.measures).map(([name, value]) => measureValue(name, value)),
          }),
        ),
      });
    }
  }
  return requests;
}

/**
 * Timestream LiveAnalytics sink. Rewriting an identical record is accepted by Timestream as a
 * no-op, so at-least-once delivery needs nothing more.
 */
export class TimestreamSink implements TimeSeriesSink {
  readonly name = 'timestream';

  constructor(
    private readonly client: TimestreamWriteClient,
    private readonly database: string,
    private readonly table: string,
  ) {}

  async write(records: readonly TimeSeriesRecord[]): Promise<void> {
    for (const input of timestreamRequests(this.database, this.table, records)) {
      await this.client.send(new WriteRecordsCommand(input));
    }
  }
}
