import { type FailureModel, FEATURE_NAMES } from '@croupier/failure-predictor';

/** Features the hand rule watches: the per-shuffle error rates and the cycle-time and motor-current ratios. */
export const RULE_FEATURES = [
  'misfeedsPerShuffle',
  'jamsPerShuffle',
  'cardCountErrorsPerShuffle',
  'cycleTimeRatio',
  'motorCurrentRatio',
] as const;
export type RuleFeature = (typeof RULE_FEATURES)[number];

/** The baseline: alert when any watched feature is at or above its limit. */
export type ThresholdRule = Readonly<Record<RuleFeature, number>>;

const index = (name: string) => {
  const i = FEATURE_NAMES.indexOf(name);
  if (i < 0) throw new Error(`feature ${name} is not in the feature set`);
  return i;
};

/**
 * Sets each limit at the `quantile` of the feature over healthy windows (rows that do not fail within
 * the horizon): what a technician would do by hand, "alert when this is higher than it ever is on a good
 * machine". No learning beyond one number per feature.
 */
export function fitThresholdRule(healthy: readonly (readonly number[])[], quantile = 0.999): ThresholdRule {
  if (healthy.length === 0) throw new Error('no healthy rows to set the rule from');
  const limit = (name: RuleFeature) => {
    const values = healthy.map((r) => r[index(name)]!).sort((a, b) => a - b);
    return values[Math.min(values.length - 1, Math.floor(quantile * values.length))]!;
  };
  return Object.fromEntries(RULE_FEATURES.map((f) => [f, limit(f)])) as ThresholdRule;
}

/** The rule as a FailureModel FailurePredictor can run: probability 1 when a limit is reached, else 0. */
export function thresholdRuleModel(rule: ThresholdRule, horizonHours: number): FailureModel {
  const watched = RULE_FEATURES.map((f) => [index(f), rule[f]] as const);
  return {
    version: 'threshold-rule',
    horizonHours,
    predict: async (batch) => batch.map((row) => (watched.some(([i, limit]) => row[i]! >= limit) ? 1 : 0)),
  };
}
