/** What a candidate must show to replace the deployed model. */
export interface GatePolicy {
  /** Floor on recall of achievable failures at least H_min ahead. */
  readonly minRecall: number;
  /** Ceiling on false alarms per shuffler-month. */
  readonly maxFalseAlarmsPerShufflerMonth: number;
  /** How much worse than the deployed model a candidate may be on each (measurement noise). */
  readonly recallTolerance: number;
  readonly falseAlarmTolerance: number;
}

export const DEFAULT_GATE_POLICY: GatePolicy = {
  minRecall: 0.8,
  maxFalseAlarmsPerShufflerMonth: 1,
  recallTolerance: 0.02,
  falseAlarmTolerance: 0.1,
};

/** Metric names the gate reads (from the card's `metrics`, prefix `test`). */
export const GATE_METRICS = {
  recall: 'testRecallAchievableEarly',
  falseAlarms: 'testFalseAlarmsPerShufflerMonth',
} as const;

export interface GateDecision {
  readonly accepted: boolean;
  readonly reasons: readonly string[];
}

/**
 * Whether a candidate model may ship: it must meet the floors, and it must not be worse than the
 * deployed model (beyond the tolerances) in recall or false alarms. The deployed model's figures should
 * be measured on the same held-out fleet as the candidate's; without them only the floors apply. Pure.
 */
export function gateCandidate(
  candidate: Readonly<Record<string, number>>,
  deployed: Readonly<Record<string, number>> | undefined,
  policy: GatePolicy = DEFAULT_GATE_POLICY,
): GateDecision {
  const reasons: string[] = [];
  const recall = candidate[GATE_METRICS.recall];
  const falseAlarms = candidate[GATE_METRICS.falseAlarms];
  if (recall === undefined || falseAlarms === undefined) {
    return { accepted: false, reasons: [`candidate lacks ${GATE_METRICS.recall} or ${GATE_METRICS.falseAlarms}`] };
  }
  if (recall < policy.minRecall) reasons.push(`recall ${recall.toFixed(3)} is below the floor ${policy.minRecall}`);
  if (falseAlarms > policy.maxFalseAlarmsPerShufflerMonth) {
    reasons.push(
      `${falseAlarms.toFixed(3)} false alarms per shuffler-month is above the ceiling ${policy.maxFalseAlarmsPerShufflerMonth}`,
    );
  }
  const deployedRecall = deployed?.[GATE_METRICS.recall];
  const deployedFalseAlarms = deployed?.[GATE_METRICS.falseAlarms];
  if (deployedRecall !== undefined && recall < deployedRecall - policy.recallTolerance) {
    reasons.push(`recall ${recall.toFixed(3)} is worse than the deployed model's ${deployedRecall.toFixed(3)}`);
  }
  if (deployedFalseAlarms !== undefined && falseAlarms > deployedFalseAlarms + policy.falseAlarmTolerance) {
    reasons.push(
      `${falseAlarms.toFixed(3)} false alarms per shuffler-month is worse than the deployed model's ${deployedFalseAlarms.toFixed(3)}`,
    );
  }
  return { accepted: reasons.length === 0, reasons };
}
