import type { ShufflerMaintenanceRecord, ShufflerTelemetry } from '@croupier/contracts';
import { FEATURE_WINDOW, type FeatureWindow, SlidingWindow, toWindowReading } from '@croupier/failure-predictor';

/** One feature vector of one device at one moment, with what is known about what followed. */
export interface FeatureRow {
  readonly deviceId: string;
  /** eventTime of the window's newest reading, ms epoch. */
  readonly windowEnd: number;
  /** Hours from windowEnd to the device's next failure, or null when none is in the data. */
  readonly hoursToFailure: number | null;
  /**
   * Hours of the device's history known after windowEnd (to the end of the data period): a row
   * without a failure is a negative for horizon H only when this is at least H (else it is censored).
   */
  readonly hoursObserved: number;
  /** The device was failed or in service at windowEnd: nothing to predict, left out of training. */
  readonly down: boolean;
  readonly features: readonly number[];
}

/** Which rows to produce. */
export interface FeatureRowOptions {
  /** One row at most this often per device (telemetry time, ms); 0 keeps every reading with features. */
  readonly everyMs: number;
  /** Rows are produced for windowEnd in [fromMs, toMs); readings before fromMs only fill the window. */
  readonly fromMs: number;
  readonly toMs: number;
  /** End of the data period the labels may look into (ms epoch). */
  readonly dataEndMs: number;
  readonly window?: FeatureWindow;
}

const HOUR_MS = 3_600_000;

/** Intervals in which a device was failed or in service: from a failure or a service start to the service's end. */
export function downIntervals(maintenance: readonly ShufflerMaintenanceRecord[]): [number, number][] {
  const intervals: [number, number][] = [];
  let failedAt: number | null = null;
  for (const record of [...maintenance].sort((a, b) => a.eventTime - b.eventTime)) {
    if (record.type === 'shuffler_failure') {
      failedAt ??= record.eventTime;
    } else {
      intervals.push([failedAt ?? record.eventTime, record.completedAt]);
      failedAt = null;
    }
  }
  if (failedAt !== null) intervals.push([failedAt, Number.POSITIVE_INFINITY]);
  return intervals;
}

/**
 * The feature rows of one device's telemetry (time order), computed by FailurePredictor's own
 * SlidingWindow and feature code, so every row is the vector the edge would have computed from the same
 * readings. Labels are left as times (hours to the next failure, hours observed) so the training job can
 * pick its horizon; rows whose horizon would look past `dataEndMs` are marked by `hoursObserved`.
 */
export function deviceFeatureRows(
  deviceId: string,
  telemetry: readonly ShufflerTelemetry[],
  maintenance: readonly ShufflerMaintenanceRecord[],
  options: FeatureRowOptions,
): FeatureRow[] {
  const failures = maintenance
    .filter((m) => m.type === 'shuffler_failure' && m.eventTime < options.dataEndMs)
    .map((m) => m.eventTime)
    .sort((a, b) => a - b);
  const down = downIntervals(maintenance);
  const window = new SlidingWindow(options.window ?? FEATURE_WINDOW);
  const rows: FeatureRow[] = [];
  let nextFailure = 0;
  let nextDown = 0;
  let lastRow = Number.NEGATIVE_INFINITY;
  for (const reading of telemetry) {
    if (reading.eventTime >= options.toMs) break;
    if (!window.add(toWindowReading(reading))) continue;
    const t = reading.eventTime;
    if (t < options.fromMs || t - lastRow < options.everyMs) continue;
    const features = window.features();
    if (!features) continue;
    lastRow = t;
    while (nextFailure < failures.length && failures[nextFailure]! <= t) nextFailure += 1;
    while (nextDown < down.length && down[nextDown]![1] <= t) nextDown += 1;
    const upcoming = failures[nextFailure];
    const interval = down[nextDown];
    rows.push({
      deviceId,
      windowEnd: t,
      hoursToFailure: upcoming === undefined ? null : (upcoming - t) / HOUR_MS,
      hoursObserved: Math.max(0, (options.dataEndMs - t) / HOUR_MS),
      down: interval !== undefined && interval[0] <= t && t < interval[1],
      features,
    });
  }
  return rows;
}

/** The binary label of a row for horizon H: 1 fails within H, 0 does not, null censored (unknown). */
export function labelFor(
  row: Pick<FeatureRow, 'hoursToFailure' | 'hoursObserved'>,
  horizonHours: number,
): 0 | 1 | null {
  if (row.hoursToFailure !== null && row.hoursToFailure <= horizonHours) return 1;
  return row.hoursObserved >= horizonHours ? 0 : null;
}
