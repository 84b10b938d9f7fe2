import {
  newEventId,
  parseWith,
  type Result,
  SCHEMA_VERSION,
  type ShufflerGame,
  ShufflerTelemetry,
} from '@croupier/contracts';
import type { PointValue } from './decode.js';

/**
 * Point names ShufflerMonitor maps onto ShufflerTelemetry. A register map names its points with these;
 * other points may be polled (and count for report-by-exception) but are not part of the event.
 */
export const TELEMETRY_POINTS = {
  counters: ['shufflesTotal', 'misfeedsTotal', 'jamsTotal', 'cardCountErrorsTotal'],
  gauges: ['shufflesPerHour', 'cycleTimeSeconds', 'motorCurrentAmps', 'temperatureCelsius', 'hoursSinceService'],
  /** Enumerations decoding to ShufflerState and ShufflerFaultCode labels. */
  state: 'operatingState',
  faultCode: 'faultCode',
  sensors: ['inputTrayOptical', 'outputTrayOptical', 'cardCounter', 'doorClosed'],
  /** Optional: read from the device when mapped, else taken from the device's configuration. */
  serialNumber: 'serialNumber',
  game: 'game',
} as const;

/** Points every register map must define so a complete ShufflerTelemetry can be built. */
export const REQUIRED_TELEMETRY_POINTS: readonly string[] = [
  ...TELEMETRY_POINTS.counters,
  ...TELEMETRY_POINTS.gauges,
  TELEMETRY_POINTS.state,
  TELEMETRY_POINTS.faultCode,
  ...TELEMETRY_POINTS.sensors,
];

/** What the configuration says about a device, beyond its register values. */
export interface DeviceIdentity {
  readonly deviceId: string;
  readonly tableId?: string | undefined;
  readonly game?: ShufflerGame | undefined;
  readonly serialNumber?: string | undefined;
}

/** Ids and clock for a new event; injected so mapping stays pure and testable. */
export interface EventStamp {
  readonly eventId: string;
  readonly eventTime: number;
}

/** A fresh stamp for an event made now. */
export function stampNow(now = Date.now()): EventStamp {
  return { eventId: newEventId(), eventTime: now };
}

/**
 * Builds a ShufflerTelemetry event from the latest values of a device and validates it against the
 * contract: an out-of-range gauge or an unknown state comes back as an error naming the field, never a
 * half-valid event. `offline` overrides the state with the collector's own view of a silent device.
 */
export function toTelemetry(
  identity: DeviceIdentity,
  values: ReadonlyMap<string, PointValue>,
  stamp: EventStamp,
  offline = false,
): Result<ShufflerTelemetry> {
  const num = (name: string) => values.get(name);
  const serial = values.get(TELEMETRY_POINTS.serialNumber);
  const candidate = {
    eventId: stamp.eventId,
    eventTime: stamp.eventTime,
    schemaVersion: SCHEMA_VERSION,
    type: 'shuffler_telemetry',
    deviceId: identity.deviceId,
    tableId: identity.tableId,
    game: values.get(TELEMETRY_POINTS.game) ?? identity.game,
    serialNumber: typeof serial === 'string' && serial.length > 0 ? serial : identity.serialNumber,
    counters: Object.fromEntries(TELEMETRY_POINTS.counters.map((n) => [n, num(n)])),
    gauges: Object.fromEntries(TELEMETRY_POINTS.gauges.map((n) => [n, num(n)])),
    state: offline ? 'offline' : values.get(TELEMETRY_POINTS.state),
    faultCode: offline ? 'comm_error' : values.get(TELEMETRY_POINTS.faultCode),
    sensors: Object.fromEntries(TELEMETRY_POINTS.sensors.map((n) => [n, values.get(n)])),
  };
  return parseWith(ShufflerTelemetry, candidate);
}
