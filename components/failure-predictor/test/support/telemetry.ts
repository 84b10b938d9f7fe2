import { newEventId, SCHEMA_VERSION, type ShufflerTelemetry } from '@croupier/contracts';

export const T0 = Date.UTC(2026, 10, 21, 0, 0, 0);

/** A healthy blackjack shuffler reading `minutes` after T0, with overrides. */
export function reading(
  minutes: number,
  over: Partial<{
    shuffles: number;
    misfeeds: number;
    jams: number;
    cardCountErrors: number;
    cycle: number;
    current: number;
    temp: number;
    state: ShufflerTelemetry['state'];
    inputOptical: boolean;
    deviceId: string;
  }> = {},
): ShufflerTelemetry {
  return {
    eventId: newEventId(),
    eventTime: T0 + minutes * 60_000,
    schemaVersion: SCHEMA_VERSION,
    type: 'shuffler_telemetry',
    deviceId: over.deviceId ?? 'shuffler-1',
    game: 'blackjack',
    counters: {
      shufflesTotal: over.shuffles ?? 1_000 + minutes,
      misfeedsTotal: over.misfeeds ?? 10,
      jamsTotal: over.jams ?? 1,
      cardCountErrorsTotal: over.cardCountErrors ?? 2,
    },
    gauges: {
      shufflesPerHour: 18,
      cycleTimeSeconds: over.cycle ?? 60,
      motorCurrentAmps: over.current ?? 1.2,
      temperatureCelsius: over.temp ?? 35,
      hoursSinceService: 100 + minutes / 60,
    },
    state: over.state ?? 'idle',
    faultCode: over.state === 'offline' ? 'comm_error' : 'none',
    sensors: {
      inputTrayOptical: over.inputOptical ?? true,
      outputTrayOptical: true,
      cardCounter: true,
      doorClosed: true,
    },
  };
}
