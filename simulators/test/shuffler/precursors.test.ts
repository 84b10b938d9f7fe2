import type { FailureMode } from '@croupier/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/random/rng.js';
import { FAILURE_MODE_PROFILES } from '../../src/shuffler/failure-modes.js';
import { GAME_PROFILES } from '../../src/shuffler/games.js';
import {
  type FailurePolicy,
  initialShufflerState,
  type ShufflerConfig,
  type ShufflerModelEvent,
  sensorHealth,
  shufflerRandom,
  stepShuffler,
} from '../../src/shuffler/model.js';

const HOUR = 3_600_000;
const STEP_SECONDS = 300;
const NO_PRECURSOR_SHARE = 0.25;

/** What a 5-minute telemetry sample holds that the detectors below use. */
interface Series {
  readonly time: Float64Array;
  readonly shuffles: Float64Array;
  readonly misfeeds: Float64Array;
  readonly current: Float64Array;
  readonly cycle: Float64Array;
  readonly opticalOk: Uint8Array;
  readonly running: Uint8Array;
}

interface Simulated {
  readonly config: ShufflerConfig;
  readonly series: Series;
  readonly failures: Extract<ShufflerModelEvent, { type: 'failure' }>[];
}

function simulate(devices: number, hours: number, policy: FailurePolicy): Simulated[] {
  const fleet = createRng('precursor-study');
  const games = ['blackjack', 'baccarat', 'poker'] as const;
  const start = Date.UTC(2026, 0, 1);
  const steps = Math.floor((hours * 3600) / STEP_SECONDS);
  return Array.from({ length: devices }, (_, i) => {
    const config: ShufflerConfig = {
      deviceId: `shf-${i}`,
      serialNumber: `CRP-${i}`,
      game: games[i % games.length]!,
      failure: policy,
    };
    const random = shufflerRandom(fleet, config.deviceId);
    let state = initialShufflerState(config, random, start);
    const series: Series = {
      time: new Float64Array(steps),
      shuffles: new Float64Array(steps),
      misfeeds: new Float64Array(steps),
      current: new Float64Array(steps),
      cycle: new Float64Array(steps),
      opticalOk: new Uint8Array(steps),
      running: new Uint8Array(steps),
    };
    const failures: Simulated['failures'] = [];
    for (let k = 0; k < steps; k += 1) {
      const result = stepShuffler(config, state, STEP_SECONDS, random);
      state = result.state;
      for (const event of result.events) if (event.type === 'failure') failures.push(event);
      series.time[k] = state.timeMs;
      series.shuffles[k] = state.shufflesTotal;
      series.misfeeds[k] = state.misfeedsTotal;
      series.current[k] = state.motorCurrentAmps;
      series.cycle[k] = state.cycleTimeSeconds;
      series.opticalOk[k] = sensorHealth(state).inputTrayOptical ? 1 : 0;
      series.running[k] = state.condition === 'running' || state.condition === 'jammed' ? 1 : 0;
    }
    return { config, series, failures };
  });
}

function indexAt(series: Series, timeMs: number): number {
  return Math.floor((timeMs - (series.time[0]! - STEP_SECONDS * 1000)) / (STEP_SECONDS * 1000)) - 1;
}

/**
 * Whether telemetry shows the mode's precursor at time `t`, looking back over the mode's visible
 * window, using only what ShufflerTelemetry carries. Undefined when the window is not all running time.
 */
function detects(sim: Simulated, mode: FailureMode, t: number): boolean | undefined {
  const { series, config } = sim;
  const windowHours = FAILURE_MODE_PROFILES[mode].visibleHours;
  const end = indexAt(series, t);
  const begin = indexAt(series, t - windowHours * HOUR);
  if (begin < 0 || end >= series.time.length) return undefined;
  for (let k = begin; k <= end; k += 1) if (!series.running[k]) return undefined;
  const game = GAME_PROFILES[config.game];
  const shuffles = series.shuffles[end]! - series.shuffles[begin]!;
  switch (mode) {
    case 'roller_wear':
      return (series.misfeeds[end]! - series.misfeeds[begin]!) / Math.max(1, shuffles) > 0.05;
    case 'motor_degradation': {
      let sum = 0;
      for (let k = begin; k <= end; k += 1) sum += series.current[k]!;
      return sum / (end - begin + 1) / game.nominalMotorCurrentAmps > 1.08;
    }
    case 'optical_sensor_fault':
      for (let k = begin; k <= end; k += 1) if (!series.opticalOk[k]) return true;
      return false;
    case 'sudden_jam':
      return series.cycle[end]! / game.nominalCycleSeconds > 1.1;
  }
}

describe('GIVEN a fleet simulated for months with frequent failures and no preventive service', () => {
  const policy: FailurePolicy = {
    meanHoursBetweenFailures: 150,
    mix: { roller_wear: 1, motor_degradation: 1, optical_sensor_fault: 1, sudden_jam: 1 },
    noPrecursorShare: NO_PRECURSOR_SHARE,
    preventiveServiceHours: null,
  };
  // `since`: the earliest time after the previous failure's repair (technician ≤ 6 h, service ≤ 2 h).
  let failures: { sim: Simulated; failure: Simulated['failures'][number]; since: number }[] = [];

  beforeAll(() => {
    failures = simulate(36, 2_400, policy).flatMap((sim) =>
      sim.failures.map((failure, i) => ({ sim, failure, since: i === 0 ? 0 : sim.failures[i - 1]!.atMs + 8 * HOUR })),
    );
  });

  it('THEN there are enough failures of every mode to judge', () => {
    expect(failures.length).toBeGreaterThan(350);
    for (const mode of Object.keys(FAILURE_MODE_PROFILES)) {
      expect(failures.filter((f) => f.failure.mode === mode).length, mode).toBeGreaterThan(60);
    }
  });

  it('THEN each precursor is visible at the documented lead time before ≥ 95% of failures that have one', () => {
    for (const mode of Object.keys(FAILURE_MODE_PROFILES) as FailureMode[]) {
      const visible = FAILURE_MODE_PROFILES[mode].visibleHours * HOUR;
      const verdicts = failures
        .filter((f) => f.failure.mode === mode && f.failure.hadPrecursor)
        .map((f) => detects(f.sim, mode, f.failure.atMs - visible))
        .filter((v) => v !== undefined);
      expect(verdicts.length, mode).toBeGreaterThan(30);
      expect(verdicts.filter(Boolean).length / verdicts.length, mode).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('THEN before the precursor starts, and for failures without one, telemetry looks healthy (≤ 5% false alarms)', () => {
    for (const mode of Object.keys(FAILURE_MODE_PROFILES) as FailureMode[]) {
      const { visibleHours, leadHours } = FAILURE_MODE_PROFILES[mode];
      const quiet = failures
        .filter((f) => f.failure.mode === mode && !f.failure.hadPrecursor)
        .filter((f) => f.failure.atMs - 2 * visibleHours * HOUR >= f.since)
        .map((f) => detects(f.sim, mode, f.failure.atMs - visibleHours * HOUR))
        .filter((v) => v !== undefined);
      const early = failures
        .filter((f) => f.failure.mode === mode && f.failure.hadPrecursor)
        .filter((f) => f.failure.atMs - (leadHours[1] + 1 + visibleHours) * HOUR >= f.since)
        .map((f) => detects(f.sim, mode, f.failure.atMs - (leadHours[1] + 1) * HOUR))
        .filter((v) => v !== undefined);
      expect(quiet.length, mode).toBeGreaterThan(8);
      expect(quiet.filter(Boolean).length / quiet.length, `${mode} without precursor`).toBeLessThanOrEqual(0.05);
      if (early.length >= 10) {
        expect(early.filter(Boolean).length / early.length, `${mode} before precursor`).toBeLessThanOrEqual(0.05);
      }
    }
  });

  it('THEN the share of failures without a visible precursor matches the configured share within 3 sigma', () => {
    const n = failures.length;
    const sigma = Math.sqrt((NO_PRECURSOR_SHARE * (1 - NO_PRECURSOR_SHARE)) / n);
    const labelled = failures.filter((f) => !f.failure.hadPrecursor).length / n;
    expect(Math.abs(labelled - NO_PRECURSOR_SHARE)).toBeLessThanOrEqual(3 * sigma);
    const judged = failures
      .map((f) =>
        detects(f.sim, f.failure.mode, f.failure.atMs - FAILURE_MODE_PROFILES[f.failure.mode].visibleHours * HOUR),
      )
      .filter((v) => v !== undefined);
    const unseen = judged.filter((v) => !v).length / judged.length;
    const judgedSigma = Math.sqrt((NO_PRECURSOR_SHARE * (1 - NO_PRECURSOR_SHARE)) / judged.length);
    // Detection misses up to 5% of precursors, so allow that on top of sampling noise.
    expect(Math.abs(unseen - NO_PRECURSOR_SHARE)).toBeLessThanOrEqual(3 * judgedSigma + 0.05);
  });
});
