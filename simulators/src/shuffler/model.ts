/**
 * The physical model of one card shuffler: usage, wear, heat, noise and failures with precursors.
 *
 * Free of I/O and clocks: every function takes the state and returns a new one, and all randomness
 * comes from the {@link ShufflerRandom} streams passed in, so a device is fully determined by its
 * config, its seed and the times it is stepped to. The failure schedule is drawn from its own stream,
 * so it does not depend on the step size or on how much noise was drawn.
 */
import type { FailureMode, ShufflerFaultCode, ShufflerGame } from '@croupier/contracts';
import type { Rng } from '../random/rng.js';
import { FAILURE_MODE_PROFILES, precursorSeverity } from './failure-modes.js';
import { demandAt, GAME_PROFILES, type GameProfile } from './games.js';

const HOUR_MS = 3_600_000;

/** Roller life in cards fed: wear reaches 1 after this many cards since the last service. */
const ROLLER_LIFE_CARDS = 4_000_000;
/** Thermal time constant of the motor and housing, seconds. */
const THERMAL_TAU_SECONDS = 900;
const AMBIENT_CELSIUS = 24;
/** Temperature rise at 100% duty with a healthy motor. */
const FULL_DUTY_RISE_CELSIUS = 30;
/** A precursor always runs its full lead: it starts at least this long after the last service. */
const MIN_PRECURSOR_START_AFTER_SERVICE_MS = HOUR_MS;
/** Optical signal below this marks the input-tray optical sensor unhealthy. */
const OPTICAL_HEALTHY_PERCENT = 60;

/** When and how a shuffler fails, and which failures announce themselves. */
export interface FailurePolicy {
  /** Mean calendar hours from a service to the next failure (exponential). */
  readonly meanHoursBetweenFailures: number;
  /** Relative weight of each failure mode. */
  readonly mix: Readonly<Record<FailureMode, number>>;
  /** Share of failures with no precursor at all, in [0, 1]. */
  readonly noPrecursorShare: number;
  /** Preventive service interval in hours, or null for none. */
  readonly preventiveServiceHours: number | null;
}

/** What a shuffler is: fixed for its lifetime. */
export interface ShufflerConfig {
  readonly deviceId: string;
  readonly serialNumber: string;
  readonly tableId?: string;
  readonly game: ShufflerGame;
  readonly failure: FailurePolicy;
}

/** The next failure drawn for a device. */
export interface PlannedFailure {
  readonly mode: FailureMode;
  readonly atMs: number;
  readonly hadPrecursor: boolean;
  /** Precursor lead; 0 when the failure has none. */
  readonly leadMs: number;
}

/** Where the device is in its run–fail–repair cycle. */
export type ShufflerCondition = 'running' | 'jammed' | 'failed' | 'service';

/** Everything that changes over a shuffler's life. Gauges hold the last measured (noisy) value. */
export interface ShufflerState {
  readonly timeMs: number;
  readonly condition: ShufflerCondition;
  readonly faultCode: ShufflerFaultCode;
  /** Operator service mode (coil): the shuffler stops shuffling while it is on. */
  readonly serviceMode: boolean;
  readonly motorRunning: boolean;
  readonly shufflesTotal: number;
  readonly misfeedsTotal: number;
  readonly jamsTotal: number;
  readonly cardCountErrorsTotal: number;
  /** Shuffles over the last hour (exponentially weighted, 1 h time constant). */
  readonly shufflesPerHour: number;
  readonly cycleTimeSeconds: number;
  readonly motorCurrentAmps: number;
  readonly temperatureCelsius: number;
  readonly opticalSignalPercent: number;
  readonly lastCardCount: number;
  readonly cardsFedSinceService: number;
  readonly motorRunSeconds: number;
  /** Hidden roller wear, 1 = end of life; drives misfeeds and cycle time. */
  readonly rollerWear: number;
  /** Hidden motor and housing temperature, before sensor noise. */
  readonly thermalCelsius: number;
  readonly lastServiceMs: number;
  readonly nextPreventiveMs: number | null;
  readonly plan: PlannedFailure;
  /** When the current jam clears, the technician arrives, or the service ends. */
  readonly pendingUntilMs: number | null;
  readonly serviceKind: 'preventive' | 'repair' | null;
  readonly serviceStartedMs: number | null;
}

/** Ground truth the model emits: what a technician's log would hold. */
export type ShufflerModelEvent =
  | {
      readonly type: 'failure';
      readonly atMs: number;
      readonly mode: FailureMode;
      readonly hadPrecursor: boolean;
      readonly precursorStartMs: number | null;
    }
  | {
      readonly type: 'service';
      readonly kind: 'preventive' | 'repair';
      readonly startedMs: number;
      readonly completedMs: number;
    };

/** The two independent random streams of one device. */
export interface ShufflerRandom {
  /** Failure schedule, technician delays and service durations. */
  readonly plan: Rng;
  /** Usage and sensor noise; its consumption depends on the step size. */
  readonly noise: Rng;
}

/** Forks a device's streams from a fleet stream; the device id alone picks them. */
export function shufflerRandom(fleet: Rng, deviceId: string): ShufflerRandom {
  const device = fleet.fork(`shuffler:${deviceId}`);
  return { plan: device.fork('plan'), noise: device.fork('noise') };
}

/** Hours since the last completed service at the state's time. */
export function hoursSinceService(state: ShufflerState): number {
  return Math.max(0, (state.timeMs - state.lastServiceMs) / HOUR_MS);
}

/** The game profile a config runs. */
export function profileOf(config: ShufflerConfig): GameProfile {
  return GAME_PROFILES[config.game];
}

const FAILURE_MODES = Object.keys(FAILURE_MODE_PROFILES) as FailureMode[];

/** Draws the next failure after a service that completed at `fromMs`. */
export function planFailure(policy: FailurePolicy, fromMs: number, plan: Rng): PlannedFailure {
  let atMs = fromMs + plan.exponential(1 / policy.meanHoursBetweenFailures) * HOUR_MS;
  const mode = FAILURE_MODES[plan.weightedIndex(FAILURE_MODES.map((m) => policy.mix[m]))] as FailureMode;
  const hadPrecursor = !plan.bernoulli(policy.noPrecursorShare);
  const [minLead, maxLead] = FAILURE_MODE_PROFILES[mode].leadHours;
  const leadMs = plan.uniform(minLead, maxLead) * HOUR_MS;
  if (!hadPrecursor) return { mode, atMs, hadPrecursor, leadMs: 0 };
  atMs = Math.max(atMs, fromMs + MIN_PRECURSOR_START_AFTER_SERVICE_MS + leadMs);
  return { mode, atMs, hadPrecursor, leadMs };
}

/**
 * A shuffler at `startMs`, part-way through its service interval (720 h when there is no preventive
 * schedule), with a plausible life behind it. Draws from the plan stream only.
 */
export function initialShufflerState(config: ShufflerConfig, random: ShufflerRandom, startMs: number): ShufflerState {
  const { plan } = random;
  const profile = profileOf(config);
  const interval = config.failure.preventiveServiceHours ?? 720;
  const sinceServiceHours = plan.uniform(0, interval);
  const averageRate = profile.peakShufflesPerHour * 0.7;
  const cardsFed = Math.round(sinceServiceHours * averageRate * profile.cardsPerShuffle);
  const ageShuffles = Math.round(plan.uniform(5_000, 150_000));
  const lastServiceMs = Math.round(startMs - sinceServiceHours * HOUR_MS);
  return {
    timeMs: startMs,
    condition: 'running',
    faultCode: 'none',
    serviceMode: false,
    motorRunning: false,
    shufflesTotal: ageShuffles,
    misfeedsTotal: Math.round(ageShuffles * 0.004),
    jamsTotal: Math.round(ageShuffles * 0.0007),
    cardCountErrorsTotal: Math.round(ageShuffles * 0.001),
    shufflesPerHour: averageRate,
    cycleTimeSeconds: profile.nominalCycleSeconds,
    motorCurrentAmps: profile.nominalMotorCurrentAmps,
    temperatureCelsius: AMBIENT_CELSIUS,
    opticalSignalPercent: 95,
    lastCardCount: profile.cardsPerShuffle,
    cardsFedSinceService: cardsFed,
    motorRunSeconds: Math.round(ageShuffles * profile.nominalCycleSeconds),
    rollerWear: cardsFed / ROLLER_LIFE_CARDS,
    thermalCelsius: AMBIENT_CELSIUS,
    lastServiceMs,
    nextPreventiveMs:
      config.failure.preventiveServiceHours === null
        ? null
        : lastServiceMs + config.failure.preventiveServiceHours * HOUR_MS,
    plan: planFailure(config.failure, startMs, plan),
    pendingUntilMs: null,
    serviceKind: null,
    serviceStartedMs: null,
  };
}

/** Severity of each precursor effect at `timeMs`: 0 except for the planned mode, when it has a precursor. */
function severities(state: ShufflerState, timeMs: number): Record<FailureMode, number> {
  const out: Record<FailureMode, number> = {
    roller_wear: 0,
    motor_degradation: 0,
    optical_sensor_fault: 0,
    sudden_jam: 0,
  };
  const { plan } = state;
  if (plan.hadPrecursor && state.condition !== 'failed') {
    out[plan.mode] = precursorSeverity(timeMs, plan.atMs, plan.leadMs);
  }
  return out;
}

/** Result of advancing the model. */
export interface StepResult {
  readonly state: ShufflerState;
  readonly events: readonly ShufflerModelEvent[];
}

/**
 * Advances a shuffler by `dtSeconds`. Usage, wear, heat and noise are integrated over the step;
 * failures, technician visits and service ends that fall inside the step take effect at its end
 * (their ground-truth events keep the exact time).
 */
export function stepShuffler(
  config: ShufflerConfig,
  state: ShufflerState,
  dtSeconds: number,
  random: ShufflerRandom,
): StepResult {
  if (!(dtSeconds > 0)) throw new RangeError(`step must be > 0 s, got ${dtSeconds}`);
  const { noise } = random;
  const profile = profileOf(config);
  const t0 = state.timeMs;
  const t1 = t0 + dtSeconds * 1000;
  const s = severities(state, (t0 + t1) / 2);
  const wear = state.rollerWear;

  const cycleFactor = 1 + 0.05 * wear + 0.25 * s.roller_wear + 0.1 * s.motor_degradation + 0.6 * s.sudden_jam;
  const currentFactor = 1 + 0.04 * wear + 0.5 * s.motor_degradation;
  const shuffling = state.condition === 'running' && !state.serviceMode;
  const expected = shuffling ? (profile.peakShufflesPerHour * demandAt(t0) * dtSeconds) / 3600 : 0;
  const duty = Math.min(1, (expected * profile.nominalCycleSeconds * cycleFactor) / dtSeconds);

  const n = noise.poisson(expected);
  let next: ShufflerState = { ...state, timeMs: t1, motorRunning: shuffling && noise.bernoulli(duty) };
  if (n > 0) {
    const misfeedRate = 0.002 + 0.02 * wear * wear + 0.5 * s.roller_wear + 0.3 * s.sudden_jam;
    const cardCountErrorRate = 0.001 + 0.3 * s.optical_sensor_fault;
    const jamRate = 0.0005 + 0.001 * wear + 0.1 * s.sudden_jam;
    const cycleTimeSeconds = Math.max(1, profile.nominalCycleSeconds * cycleFactor * (1 + noise.normal(0, 0.03)));
    const cardCountError = noise.poisson(n * cardCountErrorRate);
    const cards = n * profile.cardsPerShuffle;
    next = {
      ...next,
      shufflesTotal: next.shufflesTotal + n,
      misfeedsTotal: next.misfeedsTotal + noise.poisson(n * misfeedRate),
      cardCountErrorsTotal: next.cardCountErrorsTotal + cardCountError,
      cycleTimeSeconds,
      motorCurrentAmps: Math.max(0, profile.nominalMotorCurrentAmps * currentFactor * (1 + noise.normal(0, 0.03))),
      lastCardCount: profile.cardsPerShuffle + (cardCountError > 0 ? noise.pick([-2, -1, 1]) : 0),
      cardsFedSinceService: next.cardsFedSinceService + cards,
      rollerWear: next.rollerWear + cards / ROLLER_LIFE_CARDS,
      motorRunSeconds: next.motorRunSeconds + Math.round(n * cycleTimeSeconds),
    };
    if (noise.bernoulli(1 - (1 - jamRate) ** n)) {
      next = {
        ...next,
        jamsTotal: next.jamsTotal + 1,
        condition: 'jammed',
        faultCode: 'jam',
        pendingUntilMs: t1 + noise.uniform(60, 300) * 1000,
      };
    }
  }

  const target = AMBIENT_CELSIUS + FULL_DUTY_RISE_CELSIUS * duty * currentFactor * currentFactor;
  const thermalCelsius = target + (state.thermalCelsius - target) * Math.exp(-dtSeconds / THERMAL_TAU_SECONDS);
  const opticalBase = state.condition === 'failed' && state.plan.mode === 'optical_sensor_fault' ? 5 : 95;
  next = {
    ...next,
    shufflesPerHour: state.shufflesPerHour * Math.exp(-dtSeconds / 3600) + n,
    thermalCelsius,
    temperatureCelsius: thermalCelsius + noise.normal(0, 0.2),
    opticalSignalPercent: Math.min(100, Math.max(0, opticalBase - 80 * s.optical_sensor_fault + noise.normal(0, 1.5))),
  };
  return transition(config, next, random);
}

/** Applies every scheduled change due by the state's time, in time order. */
function transition(config: ShufflerConfig, start: ShufflerState, random: ShufflerRandom): StepResult {
  const events: ShufflerModelEvent[] = [];
  let state = start;
  for (;;) {
    const now = state.timeMs;
    if (state.condition === 'jammed' && state.pendingUntilMs !== null && state.pendingUntilMs <= now) {
      state = { ...state, condition: 'running', faultCode: 'none', pendingUntilMs: null };
      continue;
    }
    const canFail = state.condition === 'running' || state.condition === 'jammed';
    const preventiveDue = state.nextPreventiveMs !== null && state.nextPreventiveMs <= now;
    if (canFail && state.plan.atMs <= now && !(preventiveDue && state.nextPreventiveMs! < state.plan.atMs)) {
      const { plan } = state;
      events.push({
        type: 'failure',
        atMs: plan.atMs,
        mode: plan.mode,
        hadPrecursor: plan.hadPrecursor,
        precursorStartMs: plan.hadPrecursor ? plan.atMs - plan.leadMs : null,
      });
      state = {
        ...state,
        condition: 'failed',
        faultCode: FAILURE_MODE_PROFILES[plan.mode].faultCode,
        motorRunning: false,
        pendingUntilMs: plan.atMs + random.plan.uniform(0.5, 6) * HOUR_MS,
      };
      continue;
    }
    if (state.condition === 'running' && preventiveDue) {
      const startedMs = state.nextPreventiveMs!;
      state = startService(state, 'preventive', startedMs, startedMs + random.plan.uniform(0.5, 1.5) * HOUR_MS);
      continue;
    }
    if (state.condition === 'failed' && state.pendingUntilMs !== null && state.pendingUntilMs <= now) {
      const startedMs = state.pendingUntilMs;
      state = startService(state, 'repair', startedMs, startedMs + random.plan.uniform(0.5, 2) * HOUR_MS);
      continue;
    }
    if (state.condition === 'service' && state.pendingUntilMs !== null && state.pendingUntilMs <= now) {
      const completed = completeService(config, state, state.pendingUntilMs, random);
      events.push(...completed.events);
      state = completed.state;
      continue;
    }
    return { state, events };
  }
}

function startService(
  state: ShufflerState,
  kind: 'preventive' | 'repair',
  startedMs: number,
  endsMs: number,
): ShufflerState {
  return {
    ...state,
    condition: 'service',
    faultCode: 'none',
    motorRunning: false,
    serviceKind: kind,
    serviceStartedMs: startedMs,
    pendingUntilMs: endsMs,
  };
}

/**
 * Completes a service at `completedMs`: rollers and motor are renewed, the hours-since-service clock
 * restarts and the next failure is drawn. A service during a precursor averts that failure, as a
 * technician replacing worn parts would. Also used for a service completed by hand (Modbus coil).
 */
export function completeService(
  config: ShufflerConfig,
  state: ShufflerState,
  completedMs: number,
  random: ShufflerRandom,
): StepResult {
  const kind = state.serviceKind ?? (state.condition === 'failed' ? 'repair' : 'preventive');
  const startedMs = state.serviceStartedMs ?? completedMs;
  const interval = config.failure.preventiveServiceHours;
  return {
    state: {
      ...state,
      condition: 'running',
      faultCode: 'none',
      rollerWear: 0,
      cardsFedSinceService: 0,
      lastServiceMs: completedMs,
      nextPreventiveMs: interval === null ? null : completedMs + interval * HOUR_MS,
      plan: planFailure(config.failure, completedMs, random.plan),
      pendingUntilMs: null,
      serviceKind: null,
      serviceStartedMs: null,
    },
    events: [{ type: 'service', kind, startedMs, completedMs }],
  };
}

/** Zeroes the counters, as a reset-counters command does; the collector sees the drop as a reset. */
export function resetCounters(state: ShufflerState): ShufflerState {
  return { ...state, shufflesTotal: 0, misfeedsTotal: 0, jamsTotal: 0, cardCountErrorsTotal: 0 };
}

/** Turns operator service mode on or off; shuffling stops while it is on. */
export function setServiceMode(state: ShufflerState, on: boolean): ShufflerState {
  return { ...state, serviceMode: on, motorRunning: on ? false : state.motorRunning };
}

/** Sensor health as the status word reports it. */
export interface SensorHealth {
  readonly inputTrayOptical: boolean;
  readonly outputTrayOptical: boolean;
  readonly cardCounter: boolean;
  readonly doorClosed: boolean;
}

/** Derives sensor health from the state: the optical channel degrades first, the counter follows. */
export function sensorHealth(state: ShufflerState): SensorHealth {
  const opticalFailed = state.condition === 'failed' && state.plan.mode === 'optical_sensor_fault';
  return {
    inputTrayOptical: state.opticalSignalPercent >= OPTICAL_HEALTHY_PERCENT,
    outputTrayOptical: !opticalFailed,
    cardCounter: !opticalFailed && state.opticalSignalPercent >= OPTICAL_HEALTHY_PERCENT - 10,
    doorClosed: state.condition !== 'service' && !state.serviceMode,
  };
}

/** The operating state a shuffler reports, in the contract's terms. */
export function reportedState(state: ShufflerState): 'idle' | 'shuffling' | 'fault' | 'service' {
  if (state.condition === 'failed' || state.condition === 'jammed') return 'fault';
  if (state.condition === 'service' || state.serviceMode) return 'service';
  return state.motorRunning ? 'shuffling' : 'idle';
}
