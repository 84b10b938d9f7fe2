import type { ShufflerMaintenanceRecord } from '@croupier/contracts';
import type { HysteresisPolicy } from '@croupier/failure-predictor';
import type { FeatureRow } from '../dataset/feature-rows.js';
import {
  type AlertEpisode,
  type AlertScore,
  episodesFromProbabilities,
  type Observation,
  type ScoringOptions,
  scoreAlerts,
} from '../evaluation/alert-scoring.js';

/** The rows FailurePredictor would predict on: per device, none sooner than `predictEveryMs` after the last. */
export function predictionRows(rows: readonly FeatureRow[], predictEveryMs: number): FeatureRow[] {
  const last = new Map<string, number>();
  return rows.filter((r) => {
    const before = last.get(r.deviceId);
    if (before !== undefined && r.windowEnd - before < predictEveryMs) return false;
    last.set(r.deviceId, r.windowEnd);
    return true;
  });
}

/** Alert episodes of rows (any devices, time order within each) scored with `probability`. */
export function replayAlerts(
  rows: readonly FeatureRow[],
  probabilities: readonly number[],
  policy: HysteresisPolicy,
): AlertEpisode[] {
  const byDevice = new Map<string, { time: number; probability: number }[]>();
  rows.forEach((r, i) => {
    const list = byDevice.get(r.deviceId) ?? [];
    list.push({ time: r.windowEnd, probability: probabilities[i]! });
    byDevice.set(r.deviceId, list);
  });
  return [...byDevice].flatMap(([id, points]) => episodesFromProbabilities(id, points, policy));
}

/** The chosen shift of the output logit and what it scores. */
export interface OperatingPoint {
  readonly logitShift: number;
  readonly score: AlertScore;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Picks the shift δ of the model's output logit (p = σ(z + δ)) that makes FailurePredictor's alert
 * policy work best on validation devices: the highest recall of achievable failures at least H_min
 * ahead with at most `maxFalseAlarmsPerShufflerMonth`; among equals, the fewest false alarms. Class
 * weighting skews the raw probabilities, and the alert thresholds are fixed in the predictor's
 * configuration, so the operating point is set in the model (δ is folded into its output bias).
 */
export function chooseOperatingPoint(
  rows: readonly FeatureRow[],
  logits: readonly number[],
  maintenance: readonly ShufflerMaintenanceRecord[],
  observations: readonly Observation[],
  policy: HysteresisPolicy,
  scoring: ScoringOptions,
  maxFalseAlarmsPerShufflerMonth: number,
  shifts: readonly number[] = Array.from({ length: 81 }, (_, i) => -10 + i * 0.25),
): OperatingPoint {
  let best: OperatingPoint | undefined;
  const better = (a: AlertScore, b: AlertScore) => {
    const okA = !(a.falseAlarmsPerShufflerMonth > maxFalseAlarmsPerShufflerMonth);
    const okB = !(b.falseAlarmsPerShufflerMonth > maxFalseAlarmsPerShufflerMonth);
    if (okA !== okB) return okA;
    if (!okA) return a.falseAlarmsPerShufflerMonth < b.falseAlarmsPerShufflerMonth;
    const ra = Number.isNaN(a.achievable.recallEarly) ? 0 : a.achievable.recallEarly;
    const rb = Number.isNaN(b.achievable.recallEarly) ? 0 : b.achievable.recallEarly;
    if (ra !== rb) return ra > rb;
    return a.falseAlarmsPerShufflerMonth < b.falseAlarmsPerShufflerMonth;
  };
  for (const shift of shifts) {
    const probabilities = logits.map((z) => sigmoid(z + shift));
    const score = scoreAlerts(replayAlerts(rows, probabilities, policy), maintenance, observations, scoring);
    if (!best || better(score, best.score)) best = { logitShift: shift, score };
  }
  if (!best) throw new Error('no logit shifts to choose from');
  return best;
}
