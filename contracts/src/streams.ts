import { z } from 'zod';
import { CoreHealth } from './health.js';
import { FailurePrediction, MaintenanceAlert } from './prediction.js';
import { parseWith, type Result } from './result.js';
import { ShufflerTelemetry } from './shuffler.js';
import { SlotEvent } from './slot.js';
import type { UplinkStream } from './topics.js';

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

/** Validates one event against its stream's schema. */
export function parseStreamEvent<S extends UplinkStream>(stream: S, input: unknown): Result<StreamEvent<S>> {
  return parseWith(streamSchemas[stream], input) as Result<StreamEvent<S>>;
}
