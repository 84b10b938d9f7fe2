import { decodeEnvelope } from '@croupier/contracts';
import type { RecordTransform, TransformResult } from './transform.js';

/**
 * The lake transform for uplink envelopes: each Kinesis record is one envelope; its valid events go
 * to the lake stream named in the envelope header, its refused events to `errors/<stream>/`, and a
 * record that is not an envelope at all fails processing as a whole (`errors/firehose/processing-failed/`).
 */
export const envelopeTransform: RecordTransform = (record): TransformResult => {
  const decoded = decodeEnvelope(record.data);
  if (!decoded.ok) return { result: 'ProcessingFailed', reason: decoded.error.message };
  const { header, events, rejected } = decoded.value;
  // As in production (the Firehose transform returns one partition key set per record), the whole
  // envelope lands in the hour of its first event, which Uplink makes the hour of all of them.
  const partitionTime = events[0]?.eventTime ?? header.createdAt;
  return {
    result: 'Ok',
    events: events.map((event) => ({
      stream: header.stream,
      eventTime: partitionTime,
      event: event as unknown as Record<string, unknown>,
    })),
    rejected: rejected.map((r) => ({
      stream: header.stream,
      reason: `event ${r.index} of envelope ${header.core}/${header.stream}#${header.seq}: ${r.error.message}`,
      raw: r.raw,
    })),
  };
};
