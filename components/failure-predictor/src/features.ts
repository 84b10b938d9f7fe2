/**
 * THE feature definition of the Croupier failure model: the one place that turns shuffler telemetry into
 * the model's input vector. FailurePredictor runs it at the edge and the training code of the model loop
 * imports it from `@croupier/failure-predictor`, so a window of telemetry gives the same numbers in both
 * places (no training/serving skew). Changing a feature, its order or the window is a new model contract:
 * bump {@link FEATURE_SET_VERSION}; a model whose card names another feature set is refused at load.
 */
import type { ShufflerGame, ShufflerTelemetry } from '@croupier/contracts';

/** Version of the feature set below; model cards carry it and FailurePredictor checks it. */
export const FEATURE_SET_VERSION = 'shuffler-features/2';

/**
 * How much telemetry one feature vector summarises. Time in the features is the DEVICE's time, read off
 * its own hours-since-service clock (see {@link deviceHoursAxis}), never `eventTime`: eventTime is when
 * the collector observed the reading, and the two clocks need not run at the same rate (a simulated floor
 * at ×60, a backlog relayed late). Rates per hour and the window length computed on the collector's clock
 * would then differ from training: at ×60 every temperature slope came out 60× too steep.
 */
export interface FeatureWindow {
  /**
   * Readings more than this many device milliseconds (by the device's hour counter) before the newest
   * leave the window; so do readings whose eventTime is that much older, which bounds the window when a
   * device's clock stalls.
   */
  readonly durationMs: number;
  /** Fewer readings than this make no prediction (a device just came online). */
  readonly minReadings: number;
}

/** The window every model of this feature set is trained and served with: 6 hours, at least 12 readings. */
export const FEATURE_WINDOW: FeatureWindow = { durationMs: 6 * 3_600_000, minReadings: 12 };

/**
 * Rated values per game from the shuffler spec sheet, used to make features comparable across games.
 * The simulator's game profiles use the same ratings.
 */
export const RATED_BY_GAME: Readonly<Record<ShufflerGame, { cycleSeconds: number; motorCurrentAmps: number }>> = {
  blackjack: { cycleSeconds: 60, motorCurrentAmps: 1.2 },
  baccarat: { cycleSeconds: 110, motorCurrentAmps: 1.4 },
  poker: { cycleSeconds: 25, motorCurrentAmps: 0.9 },
};

/** One feature: its name, unit and meaning; the index in {@link FEATURES} is its position in the vector. */
export interface FeatureSpec {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
}

/** The feature vector, in order. */
export const FEATURES: readonly FeatureSpec[] = [
  { name: 'misfeedsPerShuffle', unit: '1/shuffle', description: 'Misfeeds over the window per shuffle in it' },
  { name: 'jamsPerShuffle', unit: '1/shuffle', description: 'Jams over the window per shuffle in it' },
  {
    name: 'cardCountErrorsPerShuffle',
    unit: '1/shuffle',
    description: 'Card-count errors over the window per shuffle in it',
  },
  { name: 'cycleTimeRatio', unit: '1', description: 'Mean cycle time over the window / rated cycle time of the game' },
  {
    name: 'motorCurrentRatio',
    unit: '1',
    description: 'Mean motor current over the window / rated motor current of the game',
  },
  { name: 'temperatureMeanCelsius', unit: '°C', description: 'Mean housing temperature over the window' },
  {
    name: 'temperatureSlopeCelsiusPerHour',
    unit: '°C/h',
    description: 'Least-squares slope of housing temperature over the window, per device hour',
  },
  {
    name: 'sensorFaultShare',
    unit: '1',
    description: 'Share of readings with the input-tray optical, output-tray optical or card-counter sensor unhealthy',
  },
  { name: 'faultShare', unit: '1', description: 'Share of readings in state "fault"' },
  { name: 'hoursSinceService', unit: 'h', description: 'Hours since the last completed service, newest reading' },
];

/** Feature names in vector order; the model card must list exactly these. */
export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);

/** What the features need from one reading: a compact, allocation-light copy of ShufflerTelemetry. */
export interface WindowReading {
  readonly time: number;
  readonly game: ShufflerGame;
  readonly shufflesTotal: number;
  readonly misfeedsTotal: number;
  readonly jamsTotal: number;
  readonly cardCountErrorsTotal: number;
  readonly cycleTimeSeconds: number;
  readonly motorCurrentAmps: number;
  readonly temperatureCelsius: number;
  readonly hoursSinceService: number;
  readonly sensorFault: boolean;
  readonly fault: boolean;
  /** Offline readings carry the last known values; they count for nothing but keep the time line. */
  readonly offline: boolean;
}

/** Projects a telemetry event onto what the features use. */
export function toWindowReading(t: ShufflerTelemetry): WindowReading {
  return {
    time: t.eventTime,
    game: t.game,
    shufflesTotal: t.counters.shufflesTotal,
    misfeedsTotal: t.counters.misfeedsTotal,
    jamsTotal: t.counters.jamsTotal,
    cardCountErrorsTotal: t.counters.cardCountErrorsTotal,
    cycleTimeSeconds: t.gauges.cycleTimeSeconds,
    motorCurrentAmps: t.gauges.motorCurrentAmps,
    temperatureCelsius: t.gauges.temperatureCelsius,
    hoursSinceService: t.gauges.hoursSinceService,
    sensorFault: !t.sensors.inputTrayOptical || !t.sensors.outputTrayOptical || !t.sensors.cardCounter,
    fault: t.state === 'fault',
    offline: t.state === 'offline',
  };
}

/**
 * Sum of a counter's increases over consecutive readings. A drop is a counter reset (board swap, reset
 * command): the reading after it counts from zero, so a reset never produces a negative rate.
 */
function increase(readings: readonly WindowReading[], pick: (r: WindowReading) => number): number {
  let total = 0;
  for (let i = 1; i < readings.length; i += 1) {
    const before = pick(readings[i - 1]!);
    const after = pick(readings[i]!);
    total += after >= before ? after - before : after;
  }
  return total;
}

/**
 * Device hours from the first reading to each reading, read off the device's own clock: the
 * hours-since-service gauge. A drop is a completed service restarting that clock; the hours after it
 * count from zero, as counter resets do. Offline readings repeat the last value and add nothing.
 */
export function deviceHoursAxis(readings: readonly WindowReading[]): number[] {
  const axis: number[] = [];
  let elapsed = 0;
  readings.forEach((r, i) => {
    if (i > 0) elapsed += deviceHoursBetween(readings[i - 1]!, r);
    axis.push(elapsed);
  });
  return axis;
}

function deviceHoursBetween(before: WindowReading, after: WindowReading): number {
  return after.hoursSinceService >= before.hoursSinceService
    ? after.hoursSinceService - before.hoursSinceService
    : after.hoursSinceService;
}

function slopePerHour(readings: readonly WindowReading[], pick: (r: WindowReading) => number): number {
  const n = readings.length;
  if (n < 2) return 0;
  const hours = deviceHoursAxis(readings);
  const mx = hours.reduce((s, h) => s + h, 0) / n;
  const my = readings.reduce((s, r) => s + pick(r), 0) / n;
  let sxy = 0;
  let sxx = 0;
  readings.forEach((r, i) => {
    const dx = hours[i]! - mx;
    sxy += dx * (pick(r) - my);
    sxx += dx * dx;
  });
  return sxx === 0 ? 0 : sxy / sxx;
}

const mean = (values: readonly WindowReading[], pick: (r: WindowReading) => number) =>
  values.reduce((s, r) => s + pick(r), 0) / values.length;

/**
 * The feature vector of one window (readings in time order, all of one device), or `undefined` when the
 * window has too few online readings. Pure and deterministic: the same readings always give the same
 * vector, bit for bit, wherever it runs.
 */
export function computeFeatures(
  readings: readonly WindowReading[],
  window: FeatureWindow = FEATURE_WINDOW,
): number[] | undefined {
  const online = readings.filter((r) => !r.offline);
  if (online.length < window.minReadings) return undefined;
  const last = online[online.length - 1]!;
  const rated = RATED_BY_GAME[last.game];
  const shuffles = increase(online, (r) => r.shufflesTotal);
  const perShuffle = (pick: (r: WindowReading) => number) => (shuffles > 0 ? increase(online, pick) / shuffles : 0);
  return [
    perShuffle((r) => r.misfeedsTotal),
    perShuffle((r) => r.jamsTotal),
    perShuffle((r) => r.cardCountErrorsTotal),
    mean(online, (r) => r.cycleTimeSeconds) / rated.cycleSeconds,
    mean(online, (r) => r.motorCurrentAmps) / rated.motorCurrentAmps,
    mean(online, (r) => r.temperatureCelsius),
    slopePerHour(online, (r) => r.temperatureCelsius),
    online.filter((r) => r.sensorFault).length / online.length,
    online.filter((r) => r.fault).length / online.length,
    last.hoursSinceService,
  ];
}

/**
 * The sliding window of one device: readings in time order, none more than `durationMs` of device time
 * (by its hour counter) or of eventTime before the newest. Late or repeated readings (eventTime not after
 * the newest) are ignored, so a retransmitted event cannot count twice.
 */
export class SlidingWindow {
  private readings: WindowReading[] = [];
  /** Device hours elapsed from the first reading ever added to each reading in the window. */
  private hours: number[] = [];

  constructor(private readonly window: FeatureWindow = FEATURE_WINDOW) {}

  /** Adds a reading; returns false when it was late or a duplicate and was ignored. */
  add(reading: WindowReading): boolean {
    const newest = this.readings[this.readings.length - 1];
    if (newest && reading.time <= newest.time) return false;
    const hours = newest ? this.hours[this.hours.length - 1]! + deviceHoursBetween(newest, reading) : 0;
    this.readings.push(reading);
    this.hours.push(hours);
    const cutoffTime = reading.time - this.window.durationMs;
    const cutoffHours = hours - this.window.durationMs / 3_600_000;
    let drop = 0;
    while (drop < this.readings.length && (this.readings[drop]!.time < cutoffTime || this.hours[drop]! < cutoffHours)) {
      drop += 1;
    }
    if (drop > 0) {
      this.readings = this.readings.slice(drop);
      this.hours = this.hours.slice(drop);
    }
    return true;
  }

  /** The readings in the window, oldest first. */
  get contents(): readonly WindowReading[] {
    return this.readings;
  }

  /** The features of the current window, or undefined while it has too few readings. */
  features(): number[] | undefined {
    return computeFeatures(this.readings, this.window);
  }

  /** eventTime of the newest reading. */
  get end(): number | undefined {
    return this.readings[this.readings.length - 1]?.time;
  }
}
