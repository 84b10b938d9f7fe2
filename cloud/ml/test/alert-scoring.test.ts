import type { ShufflerMaintenanceRecord } from '@croupier/contracts';
import { FAILURE_MODE_PROFILES } from '@croupier/simulators';
import { describe, expect, it } from 'vitest';
import {
  type AlertEpisode,
  episodesFromProbabilities,
  percentile,
  SHUFFLER_MONTH_MS,
  scoreAlerts,
  scoreMetrics,
} from '../evaluation/alert-scoring.js';
import { gateCandidate } from '../evaluation/gate.js';
import { precursorUnderWay, SIMULATED_MIN_PRECURSOR_LEAD_HOURS } from '../evaluation/precursor-leads.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
let n = 0;
const id = () => `019bde69-a5c9-7d0a-ab9b-${(n++).toString(16).padStart(12, '0')}`;
const failure = (
  deviceId: string,
  hours: number,
  mode: 'roller_wear' | 'motor_degradation' | 'sudden_jam',
  hadPrecursor = true,
): ShufflerMaintenanceRecord => ({
  eventId: id(),
  eventTime: T0 + hours * HOUR,
  schemaVersion: '1.0',
  deviceId,
  type: 'shuffler_failure',
  mode,
  hadPrecursor,
});
const repair = (deviceId: string, hours: number): ShufflerMaintenanceRecord => ({
  eventId: id(),
  eventTime: T0 + hours * HOUR,
  schemaVersion: '1.0',
  deviceId,
  type: 'shuffler_service',
  kind: 'repair',
  completedAt: T0 + (hours + 1) * HOUR,
});
const episode = (deviceId: string, raised: number, cleared: number | null): AlertEpisode => ({
  deviceId,
  raisedAt: T0 + raised * HOUR,
  clearedAt: cleared === null ? null : T0 + cleared * HOUR,
});
const scoring = {
  minLeadHours: 24,
  creditHours: 168,
  warmupMs: 30 * HOUR,
  afterDownMs: 6 * HOUR,
  achievable: precursorUnderWay(24),
};

describe('alert scoring', () => {
  // Two shufflers watched for 60 days = 4 shuffler-months.
  const observations = ['a', 'b'].map((deviceId) => ({ deviceId, fromMs: T0, toMs: T0 + 2 * SHUFFLER_MONTH_MS }));
  const maintenance = [
    failure('a', 100, 'roller_wear'), // caught 40 h ahead
    repair('a', 102),
    failure('a', 400, 'motor_degradation'), // caught only 10 h ahead
    repair('a', 401),
    failure('b', 200, 'sudden_jam'), // not achievable at 24 h, missed
    repair('b', 203),
    failure('b', 600, 'roller_wear', false), // no precursor: in "every failure" only
    repair('b', 601),
    failure('b', 10, 'roller_wear'), // inside the warm-up: not scored
  ];
  const episodes = [
    episode('a', 60, 105), // true: failure at 100 inside, lead 40 h
    episode('a', 390, 402), // true, lead 10 h
    episode('a', 800, 801), // false alarm
    episode('b', 202, 203.5), // raised while down: neither
    episode('b', 1000, null), // false alarm, still raised at the end
    episode('b', 300, 301), // false alarm
  ];
  const score = scoreAlerts(episodes, maintenance, observations, scoring);

  it('GIVEN alerts and failures THEN recall counts failures caught at least H_min ahead per population', () => {
    expect(score.achievable).toMatchObject({ failures: 2, caught: 2, caughtEarly: 1, recallEarly: 0.5 });
    expect(score.withPrecursor).toMatchObject({ failures: 3, caught: 2, caughtEarly: 1 });
    expect(score.all).toMatchObject({ failures: 4, caughtEarly: 1 });
    expect(score.byMode.roller_wear).toMatchObject({ failures: 2, caughtEarly: 1 });
    expect(score.byMode.sudden_jam).toMatchObject({ failures: 1, caught: 0 });
  });

  it('GIVEN alerts THEN false alarms, alerts on a down shuffler and precision are told apart', () => {
    expect(score.alarms).toEqual({ true: 2, false: 3, whileDown: 1 });
    expect(score.precision).toBeCloseTo(2 / 5, 12);
    expect(score.shufflerMonths).toBeCloseTo(4, 12);
    expect(score.falseAlarmsPerShufflerMonth).toBeCloseTo(3 / 4, 12);
    expect(score.leadHours).toEqual({ p10: 10, p50: 10, p90: 40, n: 2 });
  });

  it('GIVEN an alert cleared before the failure or raised too long before it THEN the failure is missed', () => {
    const missed = scoreAlerts(
      [episode('a', 50, 99), episode('a', 200, null)],
      [failure('a', 100, 'roller_wear'), repair('a', 101), failure('a', 400, 'roller_wear')],
      [observations[0]!],
      scoring,
    );
    expect(missed.achievable.caught).toBe(0);
    expect(missed.alarms.false).toBe(2);
  });

  it('GIVEN metrics THEN the card gets numbers only, under stable names', () => {
    const metrics = scoreMetrics('test', score);
    expect(metrics.testRecallAchievableEarly).toBe(0.5);
    expect(metrics.testFalseAlarmsPerShufflerMonth).toBeCloseTo(0.75, 12);
    expect(Object.values(metrics).every(Number.isFinite)).toBe(true);
    expect(metrics).not.toHaveProperty('testRecall_optical_sensor_fault');
  });

  it('GIVEN nearest-rank percentiles THEN they pick observed values', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10)).toBe(1);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('alert episodes through the predictor hysteresis', () => {
  it('GIVEN probabilities THEN alerts need confirmations and clear only below clearAt', () => {
    const policy = { raiseAt: 0.7, clearAt: 0.4, confirmations: 3, minDwellMs: 0 };
    const p = [0.1, 0.8, 0.8, 0.1, 0.8, 0.8, 0.8, 0.5, 0.5, 0.3, 0.3, 0.3, 0.9, 0.9, 0.9];
    const episodes = episodesFromProbabilities(
      'x',
      p.map((probability, i) => ({ time: i * 300_000, probability })),
      policy,
    );
    expect(episodes).toEqual([
      { deviceId: 'x', raisedAt: 6 * 300_000, clearedAt: 11 * 300_000 },
      { deviceId: 'x', raisedAt: 14 * 300_000, clearedAt: null },
    ]);
  });
});

describe('which failures could be caught 24 h ahead', () => {
  it('GIVEN the simulator profile THEN the lead table is the simulator’s shortest precursor leads', () => {
    for (const [mode, profile] of Object.entries(FAILURE_MODE_PROFILES)) {
      expect(SIMULATED_MIN_PRECURSOR_LEAD_HOURS[mode as keyof typeof SIMULATED_MIN_PRECURSOR_LEAD_HOURS]).toBe(
        profile.leadHours[0],
      );
    }
  });

  it('GIVEN a known precursor start THEN it decides; otherwise the mode’s shortest lead does', () => {
    const under = precursorUnderWay(24);
    const f = { deviceId: 'a', atMs: T0 + 100 * HOUR, hadPrecursor: true } as const;
    expect(under({ ...f, mode: 'roller_wear' })).toBe(true);
    expect(under({ ...f, mode: 'optical_sensor_fault' })).toBe(false);
    expect(under({ ...f, mode: 'optical_sensor_fault', precursorStartedAt: T0 + 70 * HOUR })).toBe(true);
    expect(under({ ...f, mode: 'roller_wear', precursorStartedAt: T0 + 90 * HOUR })).toBe(false);
    expect(under({ ...f, mode: 'roller_wear', hadPrecursor: false })).toBe(false);
  });
});

describe('evaluation gate', () => {
  const deployed = { testRecallAchievableEarly: 0.92, testFalseAlarmsPerShufflerMonth: 0.4 };

  it('GIVEN a candidate worse than the deployed model THEN it is refused, with the reason', () => {
    const decision = gateCandidate({ testRecallAchievableEarly: 0.85, testFalseAlarmsPerShufflerMonth: 0.3 }, deployed);
    expect(decision.accepted).toBe(false);
    expect(decision.reasons.join()).toMatch(/worse than the deployed model's 0.920/);
    const noisier = gateCandidate({ testRecallAchievableEarly: 0.95, testFalseAlarmsPerShufflerMonth: 0.9 }, deployed);
    expect(noisier.accepted).toBe(false);
  });

  it('GIVEN a candidate as good or better THEN it ships', () => {
    expect(gateCandidate({ testRecallAchievableEarly: 0.91, testFalseAlarmsPerShufflerMonth: 0.45 }, deployed)).toEqual(
      {
        accepted: true,
        reasons: [],
      },
    );
  });

  it('GIVEN no deployed figures THEN the floors still apply', () => {
    expect(
      gateCandidate({ testRecallAchievableEarly: 0.5, testFalseAlarmsPerShufflerMonth: 0 }, undefined).accepted,
    ).toBe(false);
    expect(
      gateCandidate({ testRecallAchievableEarly: 0.95, testFalseAlarmsPerShufflerMonth: 2 }, undefined).accepted,
    ).toBe(false);
    expect(gateCandidate({}, undefined).reasons[0]).toMatch(/lacks/);
  });
});
