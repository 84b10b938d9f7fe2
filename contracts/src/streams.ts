import { z } from 'zod';
import { EventId } from './common.js';
import { CoreHealth } from './health.js';
import { FailurePrediction, MaintenanceAlert } from './prediction.js';
import { parseWith, type Result } from './result.js';
import { ShufflerTelemetry } from './shuffler.js';
import { SlotEvent } from './slot.js';
import { UPLINK_STREAMS, type UplinkStream } from './topics.js';

/** Events on the `alert` stream: predictions and alert transitions. */
export const AlertStreamEvent = z
  .discriminatedUnion('type', [FailurePrediction, MaintenanceAlert])
  .meta({ id: 'AlertStreamEvent', description: 'An event on the uplink `alert` stream.' });

/** The schema of each uplink stream's events. */
export const streamSchemas = {
  slot: SlotEvent,
  shuffler: ShufflerTelemetry,
  alert: AlertStreamEvent,
  health: CoreHealth,
} as const satisfies Record<UplinkStream, z.ZodType>;

/** The event type carried by a stream. */
export type StreamEvent<S extends UplinkStream = UplinkStream> = z.infer<(typeof streamSchemas)[S]>;

/** Event ids acknowledged in one {@link IntakeAck}. */
export const MAX_INTAKE_ACK_IDS = 1_000;

/**
 * What Uplink sends on `croupier/local/uplink/acks` once events it took from local pub/sub are in its
 * intake journal: a producer (SlotGateway, FailurePredictor) keeps each event until its id comes back here and sends it
 * again otherwise, because Greengrass IPC neither acknowledges a delivery nor queues for a subscriber
 * that is down.
 */
export const IntakeAck = z
  .object({
    stream: z.enum(UPLINK_STREAMS),
    eventIds: z.array(EventId).min(1).max(MAX_INTAKE_ACK_IDS),
  })
  .meta({ id: 'IntakeAck', description: 'Events Uplink has journalled; their producer stops resending them.' });
export type IntakeAck = z.infer<typeof IntakeAck>;

/** Validates one event against its stream's schema. */
export function parseStreamEvent<S extends UplinkStream>(stream: S, input: unknown): Result<StreamEvent<S>> {
  return parseWith(streamSchemas[stream], input) as Result<StreamEvent<S>>;
}
