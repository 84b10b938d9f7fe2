import type { UplinkStream } from '@croupier/contracts';

/**
 * Kinesis data streams, defined once: the CDK app creates them in AWS and the local cloud creates
 * them in kinesalite from this same list.
 */
export interface StreamDefinition {
  /** Stable logical id, used for CDK construct ids and configuration keys. */
  readonly id: 'slotEvents' | 'shufflerTelemetry';
  /** Stream name as in ARCHITECTURE.md. */
  readonly name: string;
  /** Provisioned shard count for the reference floor (2,000 slot machines, 60 shufflers). */
  readonly shardCount: number;
  /** Retention: long enough to replay a weekend outage of a consumer. */
  readonly retentionHours: number;
  /** The Uplink envelope streams the IoT rules put here; every reader must expect all of them. */
  readonly carries: readonly UplinkStream[];
}

export const streams: readonly StreamDefinition[] = [
  { id: 'slotEvents', name: 'slot-events', shardCount: 2, retentionHours: 72, carries: ['slot'] },
  {
    id: 'shufflerTelemetry',
    name: 'shuffler-telemetry',
    shardCount: 1,
    retentionHours: 72,
    carries: ['shuffler', 'alert', 'health'],
  },
];

/** Looks a stream up by logical id; throws on an unknown id because that is a programming error. */
export function streamById(id: StreamDefinition['id']): StreamDefinition {
  const stream = streams.find((s) => s.id === id);
  if (!stream) throw new Error(`unknown stream id ${id}`);
  return stream;
}
