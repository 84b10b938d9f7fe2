import { encodeEnvelope, type StreamEvent, type UplinkStream } from '@croupier/contracts';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/** One envelope to put on a stream. */
export interface EnvelopeSpec<S extends UplinkStream> {
  readonly stream: S;
  readonly property: string;
  readonly core: string;
  readonly seq: number;
  readonly events: readonly StreamEvent<S>[];
}

let sequence = 49_600_000_000_000_000_000_000_000_000_000_000_000_000n;

/** A Kinesis record exactly as Lambda delivers it: base64 data, arrival time in fractional seconds. */
export function kinesisRecord(data: Uint8Array, partitionKey: string, arrivalMs: number): KinesisStreamRecord {
  sequence += 1n;
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber: sequence.toString(),
      data: Buffer.from(data).toString('base64'),
      approximateArrivalTimestamp: arrivalMs / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${sequence.toString()}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/slot-processor',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/slot-events',
  };
}

/** Encodes envelopes (deflate, as the Uplink sends them) into Kinesis records partitioned by core. */
export function envelopeRecords<S extends UplinkStream>(
  envelopes: readonly EnvelopeSpec<S>[],
  arrivalMs = 1_700_000_000_000,
): KinesisStreamRecord[] {
  return envelopes.map((spec) =>
    kinesisRecord(
      encodeEnvelope({ ...spec, createdAt: spec.events[0]?.eventTime ?? arrivalMs }, 'deflate'),
      spec.core,
      arrivalMs,
    ),
  );
}

/** Splits records into invocation events of at most `size` records. */
export function batches(records: readonly KinesisStreamRecord[], size: number): KinesisStreamEvent[] {
  const out: KinesisStreamEvent[] = [];
  for (let i = 0; i < records.length; i += size) out.push({ Records: records.slice(i, i + size) });
  return out;
}
