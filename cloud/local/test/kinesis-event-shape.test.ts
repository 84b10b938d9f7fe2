import { readFileSync } from 'node:fs';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../event-source-mapping/checkpoint-store.js';
import { KinesisEventSourceMapping } from '../event-source-mapping/kinesis-event-source-mapping.js';
import type { KinesisEmulator } from '../kinesis-emulator.js';
import { createTestStream, eventually, startTestKinesis, structureOf, TEST_AWS } from './local-kinesis.js';

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/lambda-kinesis-event.json', import.meta.url), 'utf8'),
) as KinesisStreamEvent;

describe('Kinesis event shape (GIVEN records put on kinesalite, WHEN the local mapping invokes a handler)', () => {
  let emulator: KinesisEmulator;
  let client: Awaited<ReturnType<typeof startTestKinesis>>['client'];
  let streamArn: string;
  const events: KinesisStreamEvent[] = [];
  const payloads = [Buffer.from('Hello, this is a test.'), Buffer.from([0, 1, 2, 253, 254, 255])];
  const put: { sequenceNumber: string; shardId: string; before: number; after: number }[] = [];
  let mapping: KinesisEventSourceMapping;

  beforeAll(async () => {
    ({ emulator, client } = await startTestKinesis());
    streamArn = await createTestStream(client, 'shape-stream');
    for (const data of payloads) {
      const before = Date.now();
      const result = await client.send(
        new PutRecordCommand({ StreamName: 'shape-stream', PartitionKey: '1', Data: data }),
      );
      put.push({ sequenceNumber: result.SequenceNumber!, shardId: result.ShardId!, before, after: Date.now() });
    }
    mapping = new KinesisEventSourceMapping({
      kinesis: client,
      mapping: {
        FunctionName: 'shape-function',
        StreamName: 'shape-stream',
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 10,
        pollIntervalMs: 20,
      },
      handler: async (event) => {
        events.push(event as KinesisStreamEvent);
      },
      checkpoints: new MemoryCheckpointStore(),
      region: TEST_AWS.region,
      accountId: '123456789012',
    });
    await mapping.start();
    await eventually(() => events.flatMap((e) => e.Records).length >= 2);
  });

  afterAll(async () => {
    await mapping.stop();
    client.destroy();
    await emulator.close();
  });

  it('THEN each record has exactly the keys, key order and value types of the AWS documentation sample', () => {
    const records = events.flatMap((e) => e.Records);
    expect(Object.keys(events[0]!)).toEqual(Object.keys(fixture));
    for (const record of records) expect(structureOf(record)).toEqual(structureOf(fixture.Records[0]));
  });

  it('THEN constant fields carry the values Lambda sends', () => {
    for (const record of events.flatMap((e) => e.Records)) {
      const sample = fixture.Records[0]!;
      expect(record.eventSource).toBe(sample.eventSource);
      expect(record.eventVersion).toBe(sample.eventVersion);
      expect(record.eventName).toBe(sample.eventName);
      expect(record.kinesis.kinesisSchemaVersion).toBe(sample.kinesis.kinesisSchemaVersion);
      expect(record.awsRegion).toBe(TEST_AWS.region);
    }
  });

  it('THEN data is the base64 of the bytes put, and sequence numbers and eventIDs follow the sample format', () => {
    const records = events.flatMap((e) => e.Records);
    records.forEach((record, i) => {
      expect(Buffer.from(record.kinesis.data, 'base64')).toEqual(payloads[i]);
      expect(record.kinesis.data).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
      expect(record.kinesis.sequenceNumber).toBe(put[i]!.sequenceNumber);
      expect(record.kinesis.sequenceNumber).toMatch(/^\d{56}$/);
      expect(fixture.Records[0]!.kinesis.sequenceNumber).toMatch(/^\d{56}$/);
      expect(record.eventID).toBe(`${put[i]!.shardId}:${put[i]!.sequenceNumber}`);
      expect(record.eventID).toMatch(/^shardId-\d{12}:\d{56}$/);
      expect(fixture.Records[0]!.eventID).toMatch(/^shardId-\d{12}:\d{56}$/);
      expect(record.kinesis.partitionKey).toBe('1');
    });
    const sequenceNumbers = records.map((r) => BigInt(r.kinesis.sequenceNumber));
    expect(sequenceNumbers[1]! > sequenceNumbers[0]!).toBe(true);
  });

  it('THEN approximateArrivalTimestamp is epoch seconds with a millisecond fraction, at the time of the put', () => {
    events
      .flatMap((e) => e.Records)
      .forEach((record, i) => {
        const seconds = record.kinesis.approximateArrivalTimestamp;
        expect(typeof seconds).toBe('number');
        expect(Number.isInteger(Math.round(seconds * 1000))).toBe(true);
        expect(seconds * 1000).toBeGreaterThanOrEqual(put[i]!.before - 1000);
        expect(seconds * 1000).toBeLessThanOrEqual(put[i]!.after + 1000);
        // Same magnitude as the sample: seconds, not milliseconds.
        expect(
          Math.abs(Math.log10(seconds) - Math.log10(fixture.Records[0]!.kinesis.approximateArrivalTimestamp)),
        ).toBeLessThan(0.1);
      });
  });

  it('THEN the ARNs have the sample formats and name the stream and the function role', () => {
    for (const record of events.flatMap((e) => e.Records)) {
      expect(record.eventSourceARN).toBe(streamArn);
      expect(record.eventSourceARN).toMatch(/^arn:aws:kinesis:[a-z0-9-]+:\d{12}:stream\/[A-Za-z0-9_.-]+$/);
      expect(fixture.Records[0]!.eventSourceARN).toMatch(/^arn:aws:kinesis:[a-z0-9-]+:\d{12}:stream\/[A-Za-z0-9_.-]+$/);
      expect(record.invokeIdentityArn).toMatch(/^arn:aws:iam::\d{12}:role\/[A-Za-z0-9_+=,.@-]+$/);
      expect(fixture.Records[0]!.invokeIdentityArn).toMatch(/^arn:aws:iam::\d{12}:role\/[A-Za-z0-9_+=,.@-]+$/);
    }
  });
});
