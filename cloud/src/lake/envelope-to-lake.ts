import {
  decodeEnvelope,
  lakeHourOf,
  lakePartitionKeys,
  type RejectedEvent,
  type UplinkStream,
} from '@croupier/contracts';

/** One uplink envelope made ready for the lake's raw zone. */
export type LakeRecord =
  | {
      readonly result: 'Ok';
      readonly stream: UplinkStream;
      /** Partition of the whole envelope: Firehose takes one set of partition keys per record. */
      readonly partition: { readonly stream: UplinkStream; readonly dt: string; readonly hr: string };
      readonly partitionTime: number;
      /** The valid events as newline-terminated JSON lines, ready to concatenate into an object. */
      readonly lines: string;
      readonly eventCount: number;
      /**
       * Events of another hour than the partition's. Uplink makes none; any here are filed under the
       * wrong hour, and a copy of one elsewhere would be refined twice.
       */
      readonly outsideHour: number;
      readonly rejected: readonly RejectedEvent[];
    }
  | { readonly result: 'ProcessingFailed'; readonly reason: string };

/**
 * Decodes one Kinesis record (an uplink envelope) into lake lines. Shared by the production Firehose
 * transform and the local delivery loop so both write the same layout. The envelope lands in the hour of
 * its first event (its header time when empty); Uplink never puts two hours in one envelope, so that
 * is every event's own hour and refining an hour sees every copy of its events. Refused
 * events are returned for the caller to report; the processors dead-letter them with their reasons.
 */
export function envelopeToLake(bytes: Uint8Array): LakeRecord {
  const decoded = decodeEnvelope(bytes);
  if (!decoded.ok) return { result: 'ProcessingFailed', reason: decoded.error.message };
  const { header, events, rejected } = decoded.value;
  const partitionTime = events[0]?.eventTime ?? header.createdAt;
  const hour = lakeHourOf(partitionTime);
  return {
    result: 'Ok',
    stream: header.stream,
    partition: { stream: header.stream, ...lakePartitionKeys(partitionTime) },
    partitionTime,
    lines: events.map((event) => `${JSON.stringify(event)}\n`).join(''),
    eventCount: events.length,
    outsideHour: events.filter((event) => lakeHourOf(event.eventTime) !== hour).length,
    rejected,
  };
}
