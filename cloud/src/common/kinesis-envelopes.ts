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
 * envelope, or whose envelope belongs to another stream than the processor reads, is returned as a
 * dead letter; refused events inside a good envelope are returned beside it.
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
