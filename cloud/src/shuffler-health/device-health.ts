import { createHash } from 'node:crypto';
import type { FailurePrediction, MaintenanceAlert, ShufflerTelemetry } from '@croupier/contracts';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';

export type AlertCause = MaintenanceAlert['cause'];
export type Severity = MaintenanceAlert['severity'];

/** Thresholds and cool-down of maintenance alerting. */
export const HealthConfig = z
  .object({
    /** Raise a predicted-failure alert at this probability... */
    raiseProbability: z.number().gt(0).max(1),
    /** ...critical from this one... */
    criticalProbability: z.number().gt(0).max(1),
    /** ...and resolve it (recovered) once it falls below this: hysteresis against flapping. */
    clearProbability: z.number().min(0).max(1),
    /** No second notification for a device within this time of its last one. */
    notifyCooldownMs: z.int().min(0),
  })
  .refine((c) => c.clearProbability < c.raiseProbability && c.raiseProbability <= c.criticalProbability, {
    message: 'need clearProbability < raiseProbability <= criticalProbability',
  });
export type HealthConfig = z.infer<typeof HealthConfig>;

export const DEFAULT_HEALTH_CONFIG: HealthConfig = {
  raiseProbability: 0.7,
  criticalProbability: 0.9,
  clearProbability: 0.4,
  notifyCooldownMs: 30 * 60_000,
};

/** An open alert as the device remembers it. */
export interface OpenAlert {
  readonly alertId: string;
  readonly cause: AlertCause;
  readonly severity: Severity;
  readonly message: string;
  readonly raisedAt: number;
  /** Whether the raise was notified (not swallowed by the cool-down). */
  readonly notified: boolean;
  readonly probability?: number;
  readonly modelVersion?: string;
}

/** A shuffler's health as stored. */
export interface DeviceHealth {
  readonly deviceId: string;
  readonly version: number;
  readonly lastEventTime: number;
  readonly state?: ShufflerTelemetry['state'];
  readonly faultCode?: ShufflerTelemetry['faultCode'];
  readonly game?: ShufflerTelemetry['game'];
  readonly tableId?: string;
  readonly core?: string;
  readonly property?: string;
  readonly gauges?: ShufflerTelemetry['gauges'];
  readonly counters?: ShufflerTelemetry['counters'];
  readonly lastServiceAt?: number;
  readonly risk?: { probability: number; modelVersion: string; at: number; horizonHours: number };
  readonly openAlerts: Readonly<Partial<Record<AlertCause, OpenAlert>>>;
  readonly lastNotifiedAt?: number;
}

/** A change of an alert's state, to store and (if `notify`) to send. */
export interface AlertTransition {
  readonly alert: MaintenanceAlert;
  readonly notify: boolean;
}

/** A device event in the order the evaluation consumes them. */
export type DeviceEvent = ShufflerTelemetry | FailurePrediction | MaintenanceAlert;

/** A deterministic UUIDv7 for an alert or transition: replays of the same event name the same thing. */
function stableId(seed: string, time: number): string {
  const random = createHash('sha256').update(seed).digest().subarray(0, 16);
  return uuidv7({ msecs: time, random: Uint8Array.from(random), seq: 0 });
}

export const newDeviceHealth = (deviceId: string): DeviceHealth => ({
  deviceId,
  version: 0,
  lastEventTime: 0,
  openAlerts: {},
});

const isFaulted = (r: ShufflerTelemetry) =>
  r.state === 'fault' || (r.faultCode !== 'none' && r.faultCode !== 'comm_error');
const isOffline = (r: ShufflerTelemetry) => r.state === 'offline' || r.faultCode === 'comm_error';
const isHealthy = (r: ShufflerTelemetry) => (r.state === 'idle' || r.state === 'shuffling') && r.faultCode === 'none';

/**
 * Folds a device's new events into its health and derives alert transitions. Pure.
 *
 * - One open alert per device and cause: a cause already open is not raised again.
 * - `fault` and `offline` open from telemetry and resolve as `recovered` when the device reports
 *   healthy again; `predicted_failure` opens at the raise probability (or from the edge's own
 *   alert) and resolves below the clear probability.
 * - A service visit (state `service`, or hours-since-service going back) resolves every open
 *   alert as `serviced`.
 * - A raise is notified unless the device was notified within the cool-down; a resolution is
 *   notified when its raise was.
 * - Events at or before the last one seen are ignored, so replays change nothing.
 */
export function evaluateDevice(
  prior: DeviceHealth,
  events: readonly DeviceEvent[],
  origin: { property: string; core: string },
  config: HealthConfig,
): { next: DeviceHealth; transitions: AlertTransition[] } {
  const fresh = events.filter((e) => e.eventTime > prior.lastEventTime).sort((a, b) => a.eventTime - b.eventTime);
  let health: DeviceHealth = prior;
  const open: Partial<Record<AlertCause, OpenAlert>> = { ...prior.openAlerts };
  const transitions: AlertTransition[] = [];
  let lastNotifiedAt = prior.lastNotifiedAt;

  const base = (alert: OpenAlert, at: number, seed: string) => ({
    eventId: stableId(`${alert.alertId}#${seed}`, at),
    eventTime: at,
    schemaVersion: '1.0',
    type: 'maintenance_alert' as const,
    alertId: alert.alertId,
    deviceId: prior.deviceId,
    cause: alert.cause,
    severity: alert.severity,
    ...(alert.probability !== undefined ? { probability: alert.probability } : {}),
    ...(alert.modelVersion ? { modelVersion: alert.modelVersion } : {}),
  });
  const raise = (
    cause: AlertCause,
    severity: Severity,
    message: string,
    at: number,
    trigger: string,
    extra: Partial<OpenAlert> = {},
  ) => {
    if (open[cause]) return;
    const notify = lastNotifiedAt === undefined || at - lastNotifiedAt >= config.notifyCooldownMs;
    const alert: OpenAlert = {
      alertId: extra.alertId ?? stableId(`${prior.deviceId}#${cause}#${trigger}`, at),
      cause,
      severity,
      message,
      raisedAt: at,
      notified: notify,
      ...(extra.probability !== undefined ? { probability: extra.probability } : {}),
      ...(extra.modelVersion ? { modelVersion: extra.modelVersion } : {}),
    };
    open[cause] = alert;
    if (notify) lastNotifiedAt = at;
    transitions.push({ alert: { ...base(alert, at, 'raised'), state: 'raised', message }, notify });
  };
  const resolve = (cause: AlertCause, resolution: 'recovered' | 'serviced', at: number, actor?: string) => {
    const alert = open[cause];
    if (!alert) return;
    delete open[cause];
    transitions.push({
      alert: {
        ...base(alert, at, `resolved#${resolution}`),
        state: 'resolved',
        resolution,
        message: `${alert.message} — resolved: ${resolution}`,
        ...(actor ? { actor } : {}),
      },
      notify: alert.notified,
    });
  };

  for (const event of fresh) {
    switch (event.type) {
      case 'shuffler_telemetry': {
        const serviced =
          event.state === 'service' ||
          (health.gauges !== undefined && event.gauges.hoursSinceService < health.gauges.hoursSinceService);
        if (serviced) {
          for (const cause of Object.keys(open) as AlertCause[]) resolve(cause, 'serviced', event.eventTime);
        }
        if (isOffline(event))
          raise('offline', 'critical', `${event.deviceId} is not answering`, event.eventTime, event.eventId);
        else if (isFaulted(event)) {
          raise(
            'fault',
            event.faultCode === 'door_open' ? 'warning' : 'critical',
            `${event.deviceId} reports fault ${event.faultCode}`,
            event.eventTime,
            event.eventId,
          );
        }
        if (isHealthy(event)) {
          resolve('fault', 'recovered', event.eventTime);
          resolve('offline', 'recovered', event.eventTime);
        }
        health = {
          ...health,
          state: event.state,
          faultCode: event.faultCode,
          game: event.game,
          ...(event.tableId ? { tableId: event.tableId } : {}),
          gauges: event.gauges,
          counters: event.counters,
          ...(serviced ? { lastServiceAt: event.eventTime } : {}),
        };
        break;
      }
      case 'failure_prediction': {
        health = {
          ...health,
          risk: {
            probability: event.probability,
            modelVersion: event.modelVersion,
            at: event.eventTime,
            horizonHours: event.horizonHours,
          },
        };
        if (event.probability >= config.raiseProbability) {
          raise(
            'predicted_failure',
            event.probability >= config.criticalProbability ? 'critical' : 'warning',
            `${event.deviceId}: ${Math.round(event.probability * 100)}% failure risk within ${event.horizonHours} h`,
            event.eventTime,
            event.eventId,
            { probability: event.probability, modelVersion: event.modelVersion },
          );
        } else if (event.probability < config.clearProbability) {
          resolve('predicted_failure', 'recovered', event.eventTime);
        }
        break;
      }
      case 'maintenance_alert': {
        // Alerts the edge raised or closed itself (FailurePredictor, technicians on the floor).
        if (event.state === 'raised') {
          raise(event.cause, event.severity, event.message, event.eventTime, event.eventId, {
            alertId: event.alertId,
            ...(event.probability !== undefined ? { probability: event.probability } : {}),
            ...(event.modelVersion ? { modelVersion: event.modelVersion } : {}),
          });
        } else if (event.state === 'resolved' && open[event.cause]?.alertId === event.alertId) {
          resolve(
            event.cause,
            event.resolution === 'serviced' ? 'serviced' : 'recovered',
            event.eventTime,
            event.actor,
          );
        }
        break;
      }
    }
  }

  const lastEventTime = fresh.length > 0 ? fresh[fresh.length - 1]!.eventTime : prior.lastEventTime;
  return {
    next: {
      ...health,
      deviceId: prior.deviceId,
      version: prior.version + 1,
      lastEventTime,
      core: origin.core,
      property: origin.property,
      openAlerts: open,
      ...(lastNotifiedAt !== undefined ? { lastNotifiedAt } : {}),
    },
    transitions,
  };
}
