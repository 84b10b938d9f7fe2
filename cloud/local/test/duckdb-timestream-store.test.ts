import {
  RejectedRecordsException,
  ResourceNotFoundException,
  ValidationException,
  type WriteRecordsRequest,
} from '@aws-sdk/client-timestream-write';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbTimestreamStore } from '../timestream/duckdb-timestream-store.js';
import { LocalTimestreamSink } from '../timestream/local-timestream-sink.js';

const NOW = Date.parse('2026-11-21T23:00:00.000Z');
const table = { databaseName: 'croupier', tableName: 'shuffler_telemetry', memoryStoreRetentionHours: 24 };

/** The shape the shuffler processor sends: common dimensions, one multi-measure record per telemetry event. */
function telemetryWrite(time: number, temperature: string, version?: number): WriteRecordsRequest {
  return {
    DatabaseName: 'croupier',
    TableName: 'shuffler_telemetry',
    CommonAttributes: {
      Dimensions: [
        { Name: 'deviceId', Value: 'SH-07' },
        { Name: 'tableId', Value: 'BJ-07' },
      ],
      TimeUnit: 'MILLISECONDS',
    },
    Records: [
      {
        MeasureName: 'telemetry',
        MeasureValueType: 'MULTI',
        Time: String(time),
        ...(version === undefined ? {} : { Version: version }),
        MeasureValues: [
          { Name: 'temperatureCelsius', Value: temperature, Type: 'DOUBLE' },
          { Name: 'jamsTotal', Value: '12', Type: 'BIGINT' },
          { Name: 'doorClosed', Value: 'true', Type: 'BOOLEAN' },
        ],
      },
    ],
  };
}

async function rejection(promise: Promise<unknown>): Promise<RejectedRecordsException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RejectedRecordsException);
  return error as RejectedRecordsException;
}

describe('DuckDbTimestreamStore (Timestream record model)', () => {
  let store: DuckDbTimestreamStore;
  beforeEach(async () => {
    store = await DuckDbTimestreamStore.open(':memory:', [table], () => NOW);
  });
  afterEach(() => store.close());

  it('GIVEN a multi-measure write with common attributes THEN each measure is stored with the merged dimensions and time', async () => {
    const response = await store.writeRecords(telemetryWrite(NOW - 60_000, '38.2'));
    expect(response).toEqual({ RecordsIngested: { Total: 1, MemoryStore: 1, MagneticStore: 0 } });
    const rows = await store.query(
      `SELECT time::VARCHAR AS time, dimensions->>'deviceId' AS device, dimensions->>'tableId' AS tbl, measure_name, measure, type, value, value_double
       FROM timestream_measures ORDER BY measure`,
    );
    expect(rows).toEqual([
      {
        time: '2026-11-21 22:59:00',
        device: 'SH-07',
        tbl: 'BJ-07',
        measure_name: 'telemetry',
        measure: 'doorClosed',
        type: 'BOOLEAN',
        value: 'true',
        value_double: null,
      },
      {
        time: '2026-11-21 22:59:00',
        device: 'SH-07',
        tbl: 'BJ-07',
        measure_name: 'telemetry',
        measure: 'jamsTotal',
        type: 'BIGINT',
        value: '12',
        value_double: 12,
      },
      {
        time: '2026-11-21 22:59:00',
        device: 'SH-07',
        tbl: 'BJ-07',
        measure_name: 'telemetry',
        measure: 'temperatureCelsius',
        type: 'DOUBLE',
        value: '38.2',
        value_double: 38.2,
      },
    ]);
  });

  it('GIVEN single-measure records in SECONDS THEN the time is converted and the value type kept', async () => {
    await store.writeRecords({
      DatabaseName: 'croupier',
      TableName: 'shuffler_telemetry',
      CommonAttributes: {
        Dimensions: [{ Name: 'deviceId', Value: 'SH-01' }],
        MeasureValueType: 'DOUBLE',
        TimeUnit: 'SECONDS',
      },
      Records: [
        { MeasureName: 'failureRisk', MeasureValue: '0.82', Time: String(NOW / 1000 - 5) },
        { MeasureName: 'failureRisk', MeasureValue: '0.85', Time: String(NOW / 1000) },
      ],
    });
    const rows = await store.query(`SELECT epoch_ms(time) AS ms, value_double FROM timestream_measures ORDER BY time`);
    expect(rows).toEqual([
      { ms: String(NOW - 5000), value_double: 0.82 },
      { ms: String(NOW), value_double: 0.85 },
    ]);
  });

  it('GIVEN the same record again THEN it is accepted once; a different value needs a higher Version', async () => {
    await store.writeRecords(telemetryWrite(NOW - 1000, '38.2'));
    await store.writeRecords(telemetryWrite(NOW - 1000, '38.2'));
    const rejected = await rejection(store.writeRecords(telemetryWrite(NOW - 1000, '40.0')));
    expect(rejected.RejectedRecords).toEqual([
      { RecordIndex: 0, Reason: expect.stringContaining('higher Version'), ExistingVersion: 1 },
    ]);
    await store.writeRecords(telemetryWrite(NOW - 1000, '40.0', 2));
    const rows = await store.query(
      `SELECT value, version FROM timestream_measures WHERE measure = 'temperatureCelsius'`,
    );
    expect(rows).toEqual([{ value: '40.0', version: '2' }]);
  });

  it('GIVEN a request with a record outside the memory store and one invalid value THEN those are rejected by index and the valid one is written', async () => {
    const request: WriteRecordsRequest = {
      DatabaseName: 'croupier',
      TableName: 'shuffler_telemetry',
      CommonAttributes: { Dimensions: [{ Name: 'deviceId', Value: 'SH-02' }], MeasureName: 'temperatureCelsius' },
      Records: [
        { MeasureValue: '37.0', Time: String(NOW - 25 * 3_600_000) },
        { MeasureValue: '37.5', Time: String(NOW) },
        { MeasureValue: 'hot', Time: String(NOW - 1) },
        { MeasureValue: '38.0', Time: String(NOW + 16 * 60_000) },
      ],
    };
    const rejected = await rejection(store.writeRecords(request));
    expect(rejected.RejectedRecords?.map((r) => [r.RecordIndex, r.Reason?.split(' ').slice(0, 4).join(' ')])).toEqual([
      [0, 'The record timestamp is'],
      [2, 'Measure value "hot" is'],
      [3, 'The record timestamp is'],
    ]);
    expect(await store.query('SELECT value FROM timestream_measures')).toEqual([{ value: '37.5' }]);
  });

  it('GIVEN an unknown table or more than 100 records THEN it fails like Timestream', async () => {
    await expect(store.writeRecords({ ...telemetryWrite(NOW, '1'), TableName: 'nope' })).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const many = telemetryWrite(NOW, '1');
    many.Records = Array.from({ length: 101 }, () => many.Records![0]!);
    await expect(store.writeRecords(many)).rejects.toBeInstanceOf(ValidationException);
  });
});

describe('LocalTimestreamSink (the processors’ TimeSeriesSink over the stand-in)', () => {
  it('GIVEN telemetry records THEN the production WriteRecords requests land in DuckDB, and a redelivery is harmless', async () => {
    const store = await DuckDbTimestreamStore.open(':memory:', [table], () => NOW);
    try {
      const sink = new LocalTimestreamSink(store, 'croupier', 'shuffler_telemetry');
      const records = [
        {
          time: NOW - 2000,
          dimensions: { property: 'demo', core: 'floor-core-01', deviceId: 'SH-07' },
          measureName: 'shuffler_telemetry',
          measures: { temperatureCelsius: 38.2, state: 'shuffling', doorClosed: true },
        },
        {
          time: NOW - 1000,
          dimensions: { property: 'demo', core: 'floor-core-01', deviceId: 'SH-08' },
          measureName: 'shuffler_telemetry',
          measures: { temperatureCelsius: 41.5, state: 'idle', doorClosed: false },
        },
      ];
      await sink.write(records);
      await sink.write(records);
      const rows = await store.query(
        `SELECT dimensions->>'deviceId' AS device, dimensions->>'core' AS core, measure, type, value
         FROM timestream_measures ORDER BY device, measure`,
      );
      expect(rows).toEqual([
        { device: 'SH-07', core: 'floor-core-01', measure: 'doorClosed', type: 'BOOLEAN', value: 'true' },
        { device: 'SH-07', core: 'floor-core-01', measure: 'state', type: 'VARCHAR', value: 'shuffling' },
        { device: 'SH-07', core: 'floor-core-01', measure: 'temperatureCelsius', type: 'DOUBLE', value: '38.2' },
        { device: 'SH-08', core: 'floor-core-01', measure: 'doorClosed', type: 'BOOLEAN', value: 'false' },
        { device: 'SH-08', core: 'floor-core-01', measure: 'state', type: 'VARCHAR', value: 'idle' },
        { device: 'SH-08', core: 'floor-core-01', measure: 'temperatureCelsius', type: 'DOUBLE', value: '41.5' },
      ]);
    } finally {
      store.close();
    }
  });
});
