import { describe, expect, it } from 'vitest';
import {
  estimatedEventRecordBytes,
  toEventRecord,
  windowBoundary,
  windowOf,
} from '../event-source-mapping/kinesis-event.js';

const source = {
  awsRegion: 'us-east-2',
  eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
  invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
};

describe('toEventRecord', () => {
  it('GIVEN the first record of the AWS sample THEN it rebuilds the sample record exactly', () => {
    const record = toEventRecord(
      {
        sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
        partitionKey: '1',
        data: Buffer.from('Hello, this is a test.'),
        approximateArrivalTimestamp: new Date(1545084650987),
      },
      'shardId-000000000006',
      source,
    );
    expect(JSON.stringify(record)).toBe(
      JSON.stringify({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: '1',
          sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
          data: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==',
          approximateArrivalTimestamp: 1545084650.987,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: 'shardId-000000000006:49590338271490256608559692538361571095921575989136588898',
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
        awsRegion: 'us-east-2',
        eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
      }),
    );
  });

  it('GIVEN empty data THEN data is an empty base64 string', () => {
    const record = toEventRecord(
      { sequenceNumber: '1', partitionKey: 'p', data: new Uint8Array(), approximateArrivalTimestamp: new Date(0) },
      'shardId-000000000000',
      source,
    );
    expect(record.kinesis.data).toBe('');
    expect(record.kinesis.approximateArrivalTimestamp).toBe(0);
  });
});

describe('tumbling window boundaries', () => {
  it('THEN windows are aligned to the epoch, half-open, and formatted without milliseconds like the AWS sample', () => {
    const arrival = Date.parse('2020-12-09T07:04:35.000Z');
    const { startMs, endMs } = windowOf(arrival, 120);
    expect(windowBoundary(startMs)).toBe('2020-12-09T07:04:00Z');
    expect(windowBoundary(endMs)).toBe('2020-12-09T07:06:00Z');
    expect(windowOf(endMs, 120).startMs).toBe(endMs);
    expect(windowOf(endMs - 1, 120).startMs).toBe(startMs);
  });
});

describe('estimatedEventRecordBytes', () => {
  it('THEN it grows with base64 data so a batch stays under the 6 MB payload limit', () => {
    const record = (bytes: number) => ({
      sequenceNumber: '1',
      partitionKey: 'p',
      data: new Uint8Array(bytes),
      approximateArrivalTimestamp: new Date(),
    });
    const small = estimatedEventRecordBytes(record(0), 'shardId-000000000000');
    const large = estimatedEventRecordBytes(record(3000), 'shardId-000000000000');
    expect(large - small).toBe(4000);
    const actual = JSON.stringify(toEventRecord(record(3000), 'shardId-000000000000', source)).length;
    expect(large).toBeGreaterThanOrEqual(actual);
  });
});
