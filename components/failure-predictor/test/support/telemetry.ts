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

/**
 * A shuffler heading for failure and back, one reading every 10 minutes of 10 shuffles each, readings
 * `from` to `to` (exclusive). Misfeeds per shuffle: about 0.05 up to reading 80 (the misfeed model's
 * p ≈ 0.002), 0.25 up to 180 (p ≈ 0.88, noisy enough to cross 0.7 now and then), then 0.02. The same
 * pseudo-random draws every time, so a series split in two is the series whole.
 */
export function* misfeedSeries(from: number, to: number): Generator<ShufflerTelemetry> {
  let shuffles = 0;
  let misfeeds = 0;
  let seed = 3;
  const rnd = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < to; i += 1) {
    const rate = i < 80 ? 0.05 : i < 180 ? 0.25 : 0.02;
    shuffles += 10;
    misfeeds += Math.round(10 * rate * 2 * rnd());
    if (i >= from) yield reading(i * 10, { shuffles, misfeeds });
  }
}
