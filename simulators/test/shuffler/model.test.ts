import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/random/rng.js';
import { FAILURE_MODE_PROFILES, precursorSeverity } from '../../src/shuffler/failure-modes.js';
import { GAME_PROFILES } from '../../src/shuffler/games.js';
import {
  completeService,
  type FailurePolicy,
  hoursSinceService,
  initialShufflerState,
  planFailure,
  reportedState,
  resetCounters,
  type ShufflerConfig,
  type ShufflerModelEvent,
  type ShufflerState,
  setServiceMode,
  shufflerRandom,
  stepShuffler,
} from '../../src/shuffler/model.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 5, 1);
const policy: FailurePolicy = {
  meanHoursBetweenFailures: 300,
  mix: { roller_wear: 1, motor_degradation: 1, optical_sensor_fault: 1, sudden_jam: 1 },
  noPrecursorShare: 0.2,
  preventiveServiceHours: 720,
};
const config = (game: ShufflerConfig['game'], failure = policy): ShufflerConfig => ({
  deviceId: `shf-${game}`,
  serialNumber: 'CRP-1',
  game,
  failure,
});

function run(cfg: ShufflerConfig, seed: number, hours: number, stepSeconds: number) {
  const random = shufflerRandom(createRng(seed), cfg.deviceId);
  let state = initialShufflerState(cfg, random, START);
  const events: ShufflerModelEvent[] = [];
  const steps = Math.round((hours * 3600) / stepSeconds);
  for (let i = 0; i < steps; i += 1) {
    const result = stepShuffler(cfg, state, stepSeconds, random);
    state = result.state;
    events.push(...result.events);
  }
  return { state, events, random };
}

describe('GIVEN the shuffler physical model', () => {
  it('WHEN stepped with the same seed THEN the run is identical; the failure schedule does not depend on the step size', () => {
    const cfg = config('poker', { ...policy, meanHoursBetweenFailures: 40 });
    const a = run(cfg, 3, 400, 60);
    expect(run(cfg, 3, 400, 60)).toEqual(a);
    const coarse = run(cfg, 3, 400, 300);
    const failures = (r: typeof a) => r.events.filter((e) => e.type === 'failure');
    expect(failures(a).length).toBeGreaterThan(2);
    expect(failures(coarse)).toEqual(failures(a));
  });

  it('WHEN a blackjack table runs for a day THEN usage matches its game profile and demand', () => {
    const cfg = config('blackjack', { ...policy, meanHoursBetweenFailures: 1e6 });
    const random = shufflerRandom(createRng(9), cfg.deviceId);
    const start = initialShufflerState(cfg, random, START);
    let state = start;
    for (let i = 0; i < 24 * 60; i += 1) state = stepShuffler(cfg, state, 60, random).state;
    const perHour = (state.shufflesTotal - start.shufflesTotal) / 24;
    const profile = GAME_PROFILES.blackjack;
    // Mean demand over a day is 0.7 of peak.
    expect(perHour).toBeGreaterThan(profile.peakShufflesPerHour * 0.6);
    expect(perHour).toBeLessThan(profile.peakShufflesPerHour * 0.8);
    expect(state.cycleTimeSeconds / profile.nominalCycleSeconds).toBeGreaterThan(0.85);
    expect(state.cycleTimeSeconds / profile.nominalCycleSeconds).toBeLessThan(1.2);
    expect(state.temperatureCelsius).toBeGreaterThan(24);
    expect(state.temperatureCelsius).toBeLessThan(45);
    expect(state.cardsFedSinceService - start.cardsFedSinceService).toBe(
      (state.shufflesTotal - start.shufflesTotal) * profile.cardsPerShuffle,
    );
    expect(state.rollerWear).toBeGreaterThan(start.rollerWear);
    expect(hoursSinceService(state)).toBeCloseTo(hoursSinceService(start) + 24, 6);
  });

  it('WHEN a failure comes THEN the device faults with the mode fault code, a technician repairs it and wear is renewed', () => {
    const cfg = config('baccarat', { ...policy, meanHoursBetweenFailures: 50, preventiveServiceHours: null });
    const random = shufflerRandom(createRng(5), cfg.deviceId);
    let state: ShufflerState = initialShufflerState(cfg, random, START);
    const seen: ShufflerState[] = [];
    const events: ShufflerModelEvent[] = [];
    while (events.filter((e) => e.type === 'service').length === 0) {
      const result = stepShuffler(cfg, state, 60, random);
      state = result.state;
      seen.push(state);
      events.push(...result.events);
    }
    const failure = events.find((e) => e.type === 'failure');
    const service = events.find((e) => e.type === 'service');
    if (failure?.type !== 'failure' || service?.type !== 'service') throw new Error('expected a failure then a repair');
    const faulted = seen.find((s) => s.condition === 'failed')!;
    expect(faulted.faultCode).toBe(FAILURE_MODE_PROFILES[failure.mode].faultCode);
    expect(reportedState(faulted)).toBe('fault');
    expect(seen.some((s) => reportedState(s) === 'service')).toBe(true);
    expect(service.kind).toBe('repair');
    expect(service.startedMs - failure.atMs).toBeGreaterThanOrEqual(0.5 * HOUR);
    expect(service.startedMs - failure.atMs).toBeLessThanOrEqual(6 * HOUR);
    expect(service.completedMs - service.startedMs).toBeGreaterThanOrEqual(0.5 * HOUR);
    expect(state.condition).toBe('running');
    expect(state.rollerWear).toBe(0);
    expect(state.lastServiceMs).toBe(service.completedMs);
    expect(state.plan.atMs).toBeGreaterThan(service.completedMs);
  });

  it('WHEN preventive service is due THEN it happens on schedule and restarts the interval', () => {
    const cfg = config('poker', { ...policy, meanHoursBetweenFailures: 1e7, preventiveServiceHours: 100 });
    const { events, state } = run(cfg, 8, 250, 60);
    const preventive = events.filter((e) => e.type === 'service' && e.kind === 'preventive');
    expect(preventive.length).toBe(2);
    expect(state.nextPreventiveMs! - state.lastServiceMs).toBe(100 * HOUR);
  });

  it('WHEN service mode is on THEN nothing is shuffled; reset zeroes counters; a manual service completes', () => {
    const cfg = config('poker');
    const random = shufflerRandom(createRng(2), cfg.deviceId);
    let state = setServiceMode(initialShufflerState(cfg, random, START), true);
    const before = state.shufflesTotal;
    for (let i = 0; i < 120; i += 1) state = stepShuffler(cfg, state, 60, random).state;
    expect(state.shufflesTotal).toBe(before);
    expect(reportedState(state)).toBe('service');
    expect(resetCounters(state)).toMatchObject({
      shufflesTotal: 0,
      misfeedsTotal: 0,
      jamsTotal: 0,
      cardCountErrorsTotal: 0,
    });
    const done = completeService(cfg, state, state.timeMs, random);
    expect(done.events).toEqual([
      { type: 'service', kind: 'preventive', startedMs: state.timeMs, completedMs: state.timeMs },
    ]);
    expect(hoursSinceService(done.state)).toBe(0);
  });

  it('THEN precursors ramp linearly over the lead, and a failure with a precursor always gets its full lead after a service', () => {
    expect(precursorSeverity(0, 10 * HOUR, 4 * HOUR)).toBe(0);
    expect(precursorSeverity(8 * HOUR, 10 * HOUR, 4 * HOUR)).toBe(0.5);
    expect(precursorSeverity(11 * HOUR, 10 * HOUR, 4 * HOUR)).toBe(1);
    const rng = createRng('plans');
    for (let i = 0; i < 500; i += 1) {
      const plan = planFailure({ ...policy, meanHoursBetweenFailures: 10 }, START, rng);
      const [min, max] = FAILURE_MODE_PROFILES[plan.mode].leadHours;
      if (!plan.hadPrecursor) {
        expect(plan.leadMs).toBe(0);
        continue;
      }
      expect(plan.leadMs).toBeGreaterThanOrEqual(min * HOUR);
      expect(plan.leadMs).toBeLessThanOrEqual(max * HOUR);
      expect(plan.atMs - plan.leadMs).toBeGreaterThanOrEqual(START + HOUR);
    }
  });
});
