import type { FailureMode, ShufflerMaintenanceRecord } from '@croupier/contracts';
import { type AlertState, type HysteresisPolicy, INITIAL_ALERT_STATE, stepAlert } from '@croupier/failure-predictor';
import { downIntervals } from '../dataset/feature-rows.js';

const HOUR_MS = 3_600_000;
/** A shuffler-month, for false-alarm rates: 30 days of observed device time. */
export const SHUFFLER_MONTH_MS = 30 * 24 * HOUR_MS;

/** One alert of one device: raised at `raisedAt`, cleared at `clearedAt` (null: still raised at the end). */
export interface AlertEpisode {
  readonly deviceId: string;
  readonly raisedAt: number;
  readonly clearedAt: number | null;
}

/** The time one device was watched: failures and alerts outside it are not scored. */
export interface Observation {
  readonly deviceId: string;
  readonly fromMs: number;
  readonly toMs: number;
}

export interface ScoringOptions {
  /** The lead an alert must have to count as early enough (H_min). */
  readonly minLeadHours: number;
  /** An alert raised longer than this before a failure is not credited with it (no precursor lasts that long). */
  readonly creditHours: number;
  /** A failure is scored only if the device was watched at least this long before it (warm-up + H_min). */
  readonly warmupMs: number;
  /**
   * After a shuffler is back from a failure or service, its window still holds readings from before for
   * this long (the feature window); an alert raised then says nothing new about the future.
   */
  readonly afterDownMs: number;
  /**
   * Whether a failure's precursor was under way at least `minLeadHours` before it: the population for
   * which an alert that early is physically possible.
   */
  readonly achievable: (failure: ScoredFailure) => boolean;
}

/** A failure as scored. */
export interface ScoredFailure {
  readonly deviceId: string;
  readonly atMs: number;
  readonly mode: FailureMode;
  readonly hadPrecursor: boolean;
  readonly precursorStartedAt?: number | undefined;
}

/** Recall of one population: failures in it, caught at all, caught at least minLeadHours ahead. */
export interface Recall {
  readonly failures: number;
  readonly caught: number;
  readonly caughtEarly: number;
  readonly recallEarly: number;
}

export interface AlertScore {
  /** Every scored failure, with or without precursor. */
  readonly all: Recall;
  /** Failures with a precursor. */
  readonly withPrecursor: Recall;
  /** Failures whose precursor was under way ≥ minLeadHours before them. */
  readonly achievable: Recall;
  readonly byMode: Readonly<Record<FailureMode, Recall>>;
  readonly alarms: { readonly true: number; readonly false: number; readonly whileDown: number };
  /** True alarms ÷ (true + false) alarms; alarms raised while a device was down are neither. */
  readonly precision: number;
  readonly shufflerMonths: number;
  readonly falseAlarmsPerShufflerMonth: number;
  /** Lead times (hours) of caught failures with a precursor: 10th, 50th, 90th percentile. */
  readonly leadHours: { readonly p10: number; readonly p50: number; readonly p90: number; readonly n: number };
}

const MODES: readonly FailureMode[] = ['roller_wear', 'motor_degradation', 'optical_sensor_fault', 'sudden_jam'];

/** Nearest-rank percentile of sorted values; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The failures in maintenance records, as scored. */
export function failuresOf(maintenance: readonly ShufflerMaintenanceRecord[]): ScoredFailure[] {
  return maintenance.flatMap((m) =>
    m.type === 'shuffler_failure'
      ? [
          {
            deviceId: m.deviceId,
            atMs: m.eventTime,
            mode: m.mode,
            hadPrecursor: m.hadPrecursor,
            precursorStartedAt: m.precursorStartedAt,
          },
        ]
      : [],
  );
}

/**
 * Scores alert episodes against the failures they should have announced. A failure is caught when an
 * alert raised at most `creditHours` before it is still raised when it happens; its lead is the time
 * between the two. An alert that catches a failure is a true alarm; one raised while its device was
 * failed or in service (or within `afterDownMs` after, while the window still holds the fault) says nothing
 * new and counts as neither; every other alert is a false alarm. Pure: same input, same score.
 */
export function scoreAlerts(
  episodes: readonly AlertEpisode[],
  maintenance: readonly ShufflerMaintenanceRecord[],
  observations: readonly Observation[],
  options: ScoringOptions,
): AlertScore {
  const watched = new Map(observations.map((o) => [o.deviceId, o]));
  const episodesOf = new Map<string, AlertEpisode[]>();
  for (const e of episodes) {
    if (!watched.has(e.deviceId)) continue;
    const list = episodesOf.get(e.deviceId) ?? [];
    list.push(e);
    episodesOf.set(e.deviceId, list);
  }
  const credited = new Set<AlertEpisode>();
  const leads: number[] = [];
  const tally = () => ({ failures: 0, caught: 0, caughtEarly: 0 });
  const all = tally();
  const withPrecursor = tally();
  const achievable = tally();
  const byMode = Object.fromEntries(MODES.map((m) => [m, tally()])) as Record<FailureMode, ReturnType<typeof tally>>;
  for (const failure of failuresOf(maintenance)) {
    const o = watched.get(failure.deviceId);
    if (!o || failure.atMs < o.fromMs + options.warmupMs || failure.atMs >= o.toMs) continue;
    const episode = (episodesOf.get(failure.deviceId) ?? []).find(
      (e) =>
        e.raisedAt <= failure.atMs &&
        (e.clearedAt === null || e.clearedAt > failure.atMs) &&
        failure.atMs - e.raisedAt <= options.creditHours * HOUR_MS,
    );
    const lead = episode ? (failure.atMs - episode.raisedAt) / HOUR_MS : null;
    if (episode) credited.add(episode);
    const early = lead !== null && lead >= options.minLeadHours;
    const populations = [all, byMode[failure.mode]];
    if (failure.hadPrecursor) {
      populations.push(withPrecursor);
      if (options.achievable(failure)) populations.push(achievable);
      if (lead !== null) leads.push(lead);
    }
    for (const p of populations) {
      p.failures += 1;
      if (lead !== null) p.caught += 1;
      if (early) p.caughtEarly += 1;
    }
  }
  const alarms = { true: 0, false: 0, whileDown: 0 };
  const downOf = new Map<string, [number, number][]>();
  for (const m of maintenance) if (!downOf.has(m.deviceId)) downOf.set(m.deviceId, []);
  for (const id of downOf.keys()) {
    downOf.set(id, downIntervals(maintenance.filter((m) => m.deviceId === id)));
  }
  for (const [deviceId, list] of episodesOf) {
    const o = watched.get(deviceId)!;
    const down = downOf.get(deviceId) ?? [];
    for (const e of list) {
      if (e.raisedAt < o.fromMs || e.raisedAt >= o.toMs) continue;
      if (credited.has(e)) alarms.true += 1;
      else if (down.some(([from, to]) => from <= e.raisedAt && e.raisedAt < to + options.afterDownMs))
        alarms.whileDown += 1;
      else alarms.false += 1;
    }
  }
  const shufflerMonths = observations.reduce((s, o) => s + Math.max(0, o.toMs - o.fromMs), 0) / SHUFFLER_MONTH_MS;
  const recall = (t: ReturnType<typeof tally>): Recall => ({
    ...t,
    recallEarly: t.failures === 0 ? Number.NaN : t.caughtEarly / t.failures,
  });
  leads.sort((a, b) => a - b);
  return {
    all: recall(all),
    withPrecursor: recall(withPrecursor),
    achievable: recall(achievable),
    byMode: Object.fromEntries(MODES.map((m) => [m, recall(byMode[m])])) as Record<FailureMode, Recall>,
    alarms,
    precision: alarms.true + alarms.false === 0 ? Number.NaN : alarms.true / (alarms.true + alarms.false),
    shufflerMonths,
    falseAlarmsPerShufflerMonth: shufflerMonths === 0 ? Number.NaN : alarms.false / shufflerMonths,
    leadHours: { p10: percentile(leads, 10), p50: percentile(leads, 50), p90: percentile(leads, 90), n: leads.length },
  };
}

/**
 * Alert episodes from one device's probabilities in time order, through FailurePredictor's hysteresis
 * ({@link stepAlert}) exactly as the predictor applies it.
 */
export function episodesFromProbabilities(
  deviceId: string,
  points: readonly { readonly time: number; readonly probability: number }[],
  policy: HysteresisPolicy,
): AlertEpisode[] {
  const episodes: AlertEpisode[] = [];
  let state: AlertState = INITIAL_ALERT_STATE;
  let raisedAt: number | null = null;
  for (const { time, probability } of points) {
    const { state: next, change } = stepAlert(state, probability, time, policy);
    state = next;
    if (change === 'raised') raisedAt = time;
    else if (change === 'cleared' && raisedAt !== null) {
      episodes.push({ deviceId, raisedAt, clearedAt: time });
      raisedAt = null;
    }
  }
  if (raisedAt !== null) episodes.push({ deviceId, raisedAt, clearedAt: null });
  return episodes;
}

/** Flattens a score into the model card's `metrics` (numbers only, stable names). */
export function scoreMetrics(prefix: string, score: AlertScore): Record<string, number> {
  const m: Record<string, number> = {
    [`${prefix}RecallAchievableEarly`]: score.achievable.recallEarly,
    [`${prefix}RecallPrecursorEarly`]: score.withPrecursor.recallEarly,
    [`${prefix}RecallAllEarly`]: score.all.recallEarly,
    [`${prefix}Precision`]: score.precision,
    [`${prefix}FalseAlarmsPerShufflerMonth`]: score.falseAlarmsPerShufflerMonth,
    [`${prefix}LeadHoursP10`]: score.leadHours.p10,
    [`${prefix}LeadHoursP50`]: score.leadHours.p50,
    [`${prefix}LeadHoursP90`]: score.leadHours.p90,
    [`${prefix}AchievableFailures`]: score.achievable.failures,
    [`${prefix}PrecursorFailures`]: score.withPrecursor.failures,
    [`${prefix}ShufflerMonths`]: score.shufflerMonths,
  };
  for (const [mode, r] of Object.entries(score.byMode)) m[`${prefix}Recall_${mode}`] = r.recallEarly;
  // JSON has no NaN: a metric with no population is left out rather than written as null.
  return Object.fromEntries(Object.entries(m).filter(([, v]) => Number.isFinite(v)));
}
