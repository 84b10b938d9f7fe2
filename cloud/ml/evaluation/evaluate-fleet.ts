import type { ShufflerMaintenanceRecord } from '@croupier/contracts';
import { type FailureModel, FEATURE_WINDOW } from '@croupier/failure-predictor';
import { LakeHistoryReader, type LakeSelection } from '../dataset/lake-history.js';
import { type AlertScore, type Observation, scoreAlerts } from './alert-scoring.js';
import { precursorUnderWay } from './precursor-leads.js';
import { PredictorReplay } from './predictor-replay.js';

/** A fleet to evaluate on: a lake folder and, optionally, which devices and when. */
export interface EvaluationFleet extends LakeSelection {
  readonly lakeDir: string;
}

export interface FleetEvaluation {
  readonly devices: number;
  readonly readings: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly scores: Readonly<Record<string, AlertScore>>;
}

/** Scoring settings of an evaluation. */
export interface EvaluationSettings {
  /** H_min: an alert must come at least this long before a failure to count as early. */
  readonly minLeadHours: number;
  /** Alerts raised longer than this before a failure are not credited with it. */
  readonly creditHours: number;
}

export const DEFAULT_EVALUATION: EvaluationSettings = { minLeadHours: 24, creditHours: 168 };

/**
 * Replays a held-out fleet's telemetry through FailurePredictor once per model (same readings, same
 * default alert policy) and scores each model's alerts against the fleet's failure records. Devices are
 * read and replayed one at a time.
 */
export async function evaluateOnFleet(
  fleet: EvaluationFleet,
  models: Readonly<Record<string, FailureModel>>,
  settings: EvaluationSettings = DEFAULT_EVALUATION,
  log: (line: string) => void = () => {},
): Promise<FleetEvaluation> {
  const reader = await LakeHistoryReader.open(fleet.lakeDir, fleet);
  try {
    const replays = Object.fromEntries(Object.entries(models).map(([name, m]) => [name, new PredictorReplay(m)]));
    const maintenance: ShufflerMaintenanceRecord[] = [];
    const observations: Observation[] = [];
    let readings = 0;
    for await (const device of reader.devices()) {
      const first = device.telemetry[0];
      const last = device.telemetry[device.telemetry.length - 1];
      if (!first || !last) continue;
      for (const replay of Object.values(replays)) await replay.feed(device.telemetry);
      maintenance.push(...device.maintenance);
      observations.push({ deviceId: device.deviceId, fromMs: first.eventTime, toMs: last.eventTime + 1 });
      readings += device.telemetry.length;
      log(`${device.deviceId}: ${device.telemetry.length} readings replayed through ${Object.keys(models).join(', ')}`);
    }
    const scoring = {
      minLeadHours: settings.minLeadHours,
      creditHours: settings.creditHours,
      warmupMs: FEATURE_WINDOW.durationMs + settings.minLeadHours * 3_600_000,
      afterDownMs: FEATURE_WINDOW.durationMs,
      achievable: precursorUnderWay(settings.minLeadHours),
    };
    const scores = Object.fromEntries(
      Object.entries(replays).map(([name, replay]) => [
        name,
        scoreAlerts(replay.finish(), maintenance, observations, scoring),
      ]),
    );
    return {
      devices: observations.length,
      readings,
      fromMs: Math.min(...observations.map((o) => o.fromMs)),
      toMs: Math.max(...observations.map((o) => o.toMs)),
      scores,
    };
  } finally {
    reader.close();
  }
}

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');
const num = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** A plain-text table of the scores, one column per model. */
export function formatEvaluation(evaluation: FleetEvaluation, minLeadHours: number): string {
  const names = Object.keys(evaluation.scores);
  const s = (name: string) => evaluation.scores[name]!;
  const recall =
    (pick: (a: AlertScore) => { caughtEarly: number; failures: number; recallEarly: number }) => (n: string) =>
      `${pct(pick(s(n)).recallEarly)} (${pick(s(n)).caughtEarly}/${pick(s(n)).failures})`;
  const lines: [string, (n: string) => string][] = [
    [`recall ≥${minLeadHours} h, achievable (precursor under way ≥${minLeadHours} h)`, recall((a) => a.achievable)],
    [`recall ≥${minLeadHours} h, all failures with precursor`, recall((a) => a.withPrecursor)],
    [`recall ≥${minLeadHours} h, every failure`, recall((a) => a.all)],
    ...(['roller_wear', 'motor_degradation', 'optical_sensor_fault', 'sudden_jam'] as const).map(
      (mode) =>
        [`recall ≥${minLeadHours} h, ${mode}`, recall((a) => a.byMode[mode])] as [string, (n: string) => string],
    ),
    ['caught at any lead, with precursor', (n) => pct(s(n).withPrecursor.caught / s(n).withPrecursor.failures)],
    [
      'precision (true ÷ true+false alarms)',
      (n) => `${pct(s(n).precision)} (${s(n).alarms.true}/${s(n).alarms.true + s(n).alarms.false})`,
    ],
    ['false alarms per shuffler-month', (n) => `${num(s(n).falseAlarmsPerShufflerMonth, 3)} (${s(n).alarms.false})`],
    ['alerts on a down shuffler (not scored)', (n) => String(s(n).alarms.whileDown)],
    [
      'lead time p10 / p50 / p90 (h)',
      (n) => `${num(s(n).leadHours.p10, 1)} / ${num(s(n).leadHours.p50, 1)} / ${num(s(n).leadHours.p90, 1)}`,
    ],
  ];
  const width = Math.max(...lines.map(([l]) => l.length));
  const colWidth = Math.max(22, ...names.map((n) => n.length + 2));
  const header = `${''.padEnd(width)}  ${names.map((n) => n.padEnd(colWidth)).join('')}`;
  const months = s(names[0]!).shufflerMonths;
  return [
    `held-out fleet: ${evaluation.devices} shufflers, ${new Date(evaluation.fromMs).toISOString().slice(0, 10)} to ${new Date(evaluation.toMs).toISOString().slice(0, 10)}, ${evaluation.readings} readings, ${num(months, 1)} shuffler-months`,
    header,
    ...lines.map(([label, f]) => `${label.padEnd(width)}  ${names.map((n) => f(n).padEnd(colWidth)).join('')}`),
  ].join('\n');
}
