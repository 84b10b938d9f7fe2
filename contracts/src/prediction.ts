import { z } from 'zod';
import { EpochMillis, eventBase, Identifier } from './common.js';

/** Failure probability for one shuffler from FailurePredictor's ONNX model. */
export const FailurePrediction = z
  .object({
    ...eventBase,
    type: z.literal('failure_prediction'),
    deviceId: Identifier,
    modelVersion: z.string().min(1).max(64).describe('FailureModel component version that produced it'),
    probability: z.number().min(0).max(1).describe('Probability the shuffler fails within the horizon'),
    horizonHours: z
      .number()
      .positive()
      .max(24 * 30),
    windowEnd: EpochMillis.describe('eventTime of the last telemetry reading in the feature window'),
  })
  .meta({ id: 'FailurePrediction', description: 'A failure prediction for one shuffler.' });
export type FailurePrediction = z.infer<typeof FailurePrediction>;

/** Why an alert was raised. */
export const AlertCause = z.enum(['predicted_failure', 'fault', 'offline']);

/**
 * A maintenance alert's life: raised (by FailurePredictor or the shuffler processor), acknowledged by
 * a technician, resolved when the device recovers or is serviced. Each transition is its own event;
 * `alertId` ties them together.
 */
export const MaintenanceAlert = z
  .object({
    ...eventBase,
    type: z.literal('maintenance_alert'),
    alertId: z.uuid({ version: 'v7' }),
    deviceId: Identifier,
    state: z.enum(['raised', 'acknowledged', 'resolved']),
    cause: AlertCause,
    severity: z.enum(['warning', 'critical']),
    message: z.string().min(1).max(512),
    probability: z.number().min(0).max(1).optional(),
    modelVersion: z.string().max(64).optional(),
    actor: z.string().max(128).optional().describe('Who acknowledged or resolved it'),
    resolution: z.enum(['recovered', 'serviced', 'false_alarm']).optional(),
  })
  .meta({ id: 'MaintenanceAlert', description: 'A maintenance alert state transition.' });
export type MaintenanceAlert = z.infer<typeof MaintenanceAlert>;
