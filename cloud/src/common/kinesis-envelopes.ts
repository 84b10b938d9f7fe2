import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';
import { type DecodedEnvelope, decodeEnvelope, type RejectedEvent, type UplinkStream } from '@croupier/contracts';
import type { KinesisStreamRecord } from 'aws-lambda';

/** One Kinesis record decoded into an envelope, with where it sat in the batch. */
export interface DecodedRecord {
  readonly index: number;
  readonly sequenceNumber: string;
  readonly envelope: DecodedEnvelope;
}

/** A record or event the processor refused, kept for the dead-letter store. */
export interface DeadLetter {
  readonly stream: string;
  readonly sequenceNumber: string;
  /** Index of the event inside its envelope; absent when the whole record was refused. */
  readonly eventIndex?: number;
  readonly reason: string;
  /** The refused bytes (base64) or event (JSON), truncated to keep the item small. */
  readonly payload: string;
}

/** Dead-lettered payloads are cut here: enough to diagnose, far under DynamoDB's 400 KB item limit. */
export const MAX_DEAD_LETTER_PAYLOAD = 16 * 1024;

const truncate = (text: string) =>
  text.length > MAX_DEAD_LETTER_PAYLOAD ? text.slice(0, MAX_DEAD_LETTER_PAYLOAD) : text;

/**
 * Decodes the base64 data of one Kinesis record as Lambda delivers it. A record that is not an
 * envelope, whose envelope belongs to another stream than the processor reads, or whose header names
 * another core than the one that published it (the record's partition key), is returned as a dead
 * letter; refused events inside a good envelope are returned beside it.
 */
export function decodeKinesisRecord(
  record: KinesisStreamRecord,
  index: number,
  accepts: readonly UplinkStream[],
): { record?: DecodedRecord; deadLetters: DeadLetter[] } {
  const sequenceNumber = record.kinesis.sequenceNumber;
  const bytes = Buffer.from(record.kinesis.data, 'base64');
  const decoded = decodeEnvelope(bytes);
  if (!decoded.ok) {
    return {
      deadLetters: [
        { stream: 'unknown', sequenceNumber, reason: decoded.error.message, payload: truncate(record.kinesis.data) },
      ],
    };
  }
  const envelope = decoded.value;
  if (!accepts.includes(envelope.header.stream)) {
    return {
      deadLetters: [
        {
          stream: envelope.header.stream,
          sequenceNumber,
          reason: `stream ${envelope.header.stream} is not read by this processor (reads ${accepts.join(', ')})`,
          payload: truncate(record.kinesis.data),
        },
      ],
    };
  }
  // The partition key is the publishing core's authenticated thing name (the IoT rule renders it from
  // the topic the core policy pins to the certificate); the header is whatever the core wrote.
  const publisher = record.kinesis.partitionKey;
  if (envelope.header.core !== publisher) {
    return {
      deadLetters: [
        {
          stream: envelope.header.stream,
          sequenceNumber,
          reason: `envelope header names core ${JSON.stringify(envelope.header.core)} but was published by core ${JSON.stringify(publisher)} (partition key)`,
          payload: truncate(record.kinesis.data),
        },
      ],
    };
  }
  return {
    record: { index, sequenceNumber, envelope },
    deadLetters: envelope.rejected.map((rejected: RejectedEvent) => ({
      stream: envelope.header.stream,
      sequenceNumber,
      eventIndex: rejected.index,
      reason: rejected.error.message,
      payload: truncate(JSON.stringify(rejected.raw) ?? 'undefined'),
    })),
  };
}

/**
 * Decodes a whole Kinesis batch through Powertools' batch processor. Returns the envelopes that may be
 * applied now, in batch order — those before the earliest failed record, because Kinesis resumes there
 * and anything after it will be delivered again — every dead letter, and the sequence numbers of the
 * records that failed.
 */
export async function decodeKinesisBatch(
  records: readonly KinesisStreamRecord[],
  accepts: readonly UplinkStream[],
): Promise<{ usable: DecodedRecord[]; deadLetters: DeadLetter[]; failed: Set<string> }> {
  const decoded: DecodedRecord[] = [];
  const deadLetters: DeadLetter[] = [];
  const indexBySequence = new Map(records.map((record, index) => [record.kinesis.sequenceNumber, index]));
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  processor.register(
    [...records],
    async (record: KinesisStreamRecord) => {
      const result = decodeKinesisRecord(record, indexBySequence.get(record.kinesis.sequenceNumber)!, accepts);
      if (result.record) decoded.push(result.record);
      deadLetters.push(...result.deadLetters);
    },
    { processInParallel: false, throwOnFullBatchFailure: false },
  );
  await processor.process();
  const failed = new Set(processor.response().batchItemFailures.map((failure) => String(failure.itemIdentifier)));
  const firstFailed = Math.min(...records.flatMap((r, i) => (failed.has(r.kinesis.sequenceNumber) ? [i] : [])));
  const usable = decoded.filter((record) => record.index < firstFailed).sort((a, b) => a.index - b.index);
  return { usable, deadLetters, failed };
}
