import { z } from 'zod';
import { EpochMillis, eventBase, Identifier } from './common.js';

/** Games a shuffler serves; they differ in decks per shoe and cycle time. */
export const ShufflerGame = z.enum(['blackjack', 'baccarat', 'poker']);
export type ShufflerGame = z.infer<typeof ShufflerGame>;

/** Operating state a shuffler reports in its status word. */
export const ShufflerState = z.enum(['idle', 'shuffling', 'fault', 'service', 'offline']);
export type ShufflerState = z.infer<typeof ShufflerState>;

/**
 * Active fault, as the shuffler's fault register reports it. `none` when healthy; `comm_error` is set
 * by the collector when the device does not answer.
 */
export const ShufflerFaultCode = z.enum([
  'none',
  'jam',
  'misfeed',
  'card_count_error',
  'motor_overcurrent',
  'motor_stall',
  'over_temperature',
  'optical_sensor_fault',
  'door_open',
  'comm_error',
]);
export type ShufflerFaultCode = z.infer<typeof ShufflerFaultCode>;

/** Sensor health bits from the status word. */
export const ShufflerSensors = z
  .object({
    inputTrayOptical: z.boolean().describe('Input tray optical sensor healthy'),
    outputTrayOptical: z.boolean().describe('Output tray optical sensor healthy'),
    cardCounter: z.boolean().describe('Card-count sensor healthy'),
    doorClosed: z.boolean(),
  })
  .meta({ id: 'ShufflerSensors' });

/**
 * One reading of a shuffler's counters and gauges. Counters are monotonic since manufacture (a drop
 * means a counter reset, e.g. board replacement); gauges are instantaneous.
 */
export const ShufflerTelemetry = z
  .object({
    ...eventBase,
    type: z.literal('shuffler_telemetry'),
    deviceId: Identifier.describe('Shuffler id, unique on the property'),
    tableId: Identifier.optional().describe('Gaming table the shuffler serves'),
    game: ShufflerGame.describe('Game the shuffler is configured for'),
    serialNumber: z.string().max(32).optional().describe('Manufacturer serial number (ASCII registers)'),
    counters: z.object({
      shufflesTotal: z.int().min(0).describe('Shuffles completed since manufacture'),
      misfeedsTotal: z.int().min(0).describe('Cards that failed to feed on the first attempt'),
      jamsTotal: z.int().min(0).describe('Jams that stopped the shuffler until cleared'),
      cardCountErrorsTotal: z.int().min(0).describe('Shuffles whose card count did not match the configured decks'),
    }),
    gauges: z.object({
      shufflesPerHour: z.number().min(0).max(1_000).describe('Rate over the last hour'),
      cycleTimeSeconds: z.number().min(0).max(600).describe('Duration of the last shuffle, seconds'),
      motorCurrentAmps: z.number().min(0).max(50).describe('Feed motor current during the last shuffle, amperes RMS'),
      temperatureCelsius: z.number().min(-40).max(150).describe('Internal temperature, degrees Celsius'),
      hoursSinceService: z.number().min(0).max(1_000_000).describe('Operating hours since the last service'),
    }),
    state: ShufflerState.describe('Operating state from the status word'),
    faultCode: ShufflerFaultCode.describe('Active fault, `none` when healthy'),
    sensors: ShufflerSensors,
  })
  .meta({ id: 'ShufflerTelemetry', description: 'One reading of a card shuffler, from ShufflerMonitor.' });
export type ShufflerTelemetry = z.infer<typeof ShufflerTelemetry>;

/** Failure modes the model and the simulators know about. */
export const FailureMode = z.enum(['roller_wear', 'motor_degradation', 'optical_sensor_fault', 'sudden_jam']);
export type FailureMode = z.infer<typeof FailureMode>;

/**
 * Maintenance log: a failure (the table stopped) or a service visit, recorded by technicians or the
 * history generator. The lake's `service` stream; ground truth for training labels.
 */
export const ShufflerMaintenanceRecord = z
  .discriminatedUnion('type', [
    z
      .object({
        ...eventBase,
        type: z.literal('shuffler_failure'),
        deviceId: Identifier,
        mode: FailureMode,
        hadPrecursor: z.boolean().describe('Whether telemetry showed precursors before this failure'),
        precursorStartedAt: EpochMillis.optional().describe(
          'When precursors first became visible in telemetry, if known (simulated history); scores prediction lead time',
        ),
      })
      .meta({ id: 'ShufflerFailure', description: 'A shuffler failed and stopped its table.' }),
    z
      .object({
        ...eventBase,
        type: z.literal('shuffler_service'),
        deviceId: Identifier,
        kind: z.enum(['preventive', 'repair']),
        technician: z.string().max(64).optional(),
        completedAt: EpochMillis,
      })
      .meta({ id: 'ShufflerService', description: 'A technician serviced a shuffler; wear counters restart.' }),
  ])
  .meta({ id: 'ShufflerMaintenanceRecord', description: 'A shuffler failure or service visit.' });
export type ShufflerMaintenanceRecord = z.infer<typeof ShufflerMaintenanceRecord>;
