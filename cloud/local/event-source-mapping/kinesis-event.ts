import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/** A record as read from a shard with GetRecords. */
export interface ShardRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly approximateArrivalTimestamp: Date;
}

/** Where the records come from and who reads them: the same for every record of a mapping. */
export interface EventSourceIdentity {
  readonly awsRegion: string;
  readonly eventSourceARN: string;
  /** The function's execution role, as Lambda reports it in `invokeIdentityArn`. */
  readonly invokeIdentityArn: string;
}

/** A tumbling window, as Lambda puts it on the event: ISO-8601 UTC without milliseconds. */
export interface EventWindow {
  readonly start: string;
  readonly end: string;
}

/** The extra fields of a Kinesis event when the mapping has tumbling windows. */
export interface TumblingWindowFields {
  readonly window: EventWindow;
  readonly state: Record<string, unknown>;
  readonly shardId: string;
  readonly eventSourceARN: string;
  readonly isFinalInvokeForWindow: boolean;
  readonly isWindowTerminatedEarly: boolean;
}

/** An event as the handler receives it: plain, or with tumbling-window fields. */
export type KinesisInvocationEvent = KinesisStreamEvent | (KinesisStreamEvent & TumblingWindowFields);

/**
 * One event record exactly as Lambda builds it: data base64-encoded, arrival time in epoch seconds
 * with millisecond fraction, `eventID` of `shardId:sequenceNumber`, and the key order Lambda uses.
 */
export function toEventRecord(record: ShardRecord, shardId: string, source: EventSourceIdentity): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.partitionKey,
      sequenceNumber: record.sequenceNumber,
      data: Buffer.from(record.data).toString('base64'),
      approximateArrivalTimestamp: record.approximateArrivalTimestamp.getTime() / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${record.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: source.invokeIdentityArn,
    awsRegion: source.awsRegion,
    eventSourceARN: source.eventSourceARN,
  };
}

/** The event for one invocation. */
export function buildEvent(
  records: readonly ShardRecord[],
  shardId: string,
  source: EventSourceIdentity,
  window?: TumblingWindowFields,
): KinesisInvocationEvent {
  const Records = records.map((record) => toEventRecord(record, shardId, source));
  return window ? { Records, ...window } : { Records };
}

/** The tumbling window a record falls in: windows are aligned to the epoch, `[start, end)`. */
export function windowOf(arrivalMs: number, windowSeconds: number): { startMs: number; endMs: number } {
  const size = windowSeconds * 1000;
  const startMs = Math.floor(arrivalMs / size) * size;
  return { startMs, endMs: startMs + size };
}

/** Formats a window boundary as Lambda does: `2020-12-09T07:04:00Z`. */
export function windowBoundary(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Approximate size of an event record in the invocation payload, for the 6 MB batch limit. */
export function estimatedEventRecordBytes(record: ShardRecord, shardId: string): number {
  // Base64 grows data by 4/3; the fixed fields (ARNs, ids, names) stay well under 600 bytes.
  return Math.ceil(record.data.byteLength / 3) * 4 + record.partitionKey.length + shardId.length + 600;
}
