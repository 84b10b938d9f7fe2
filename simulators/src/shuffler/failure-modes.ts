import type { FailureMode, ShufflerFaultCode } from '@croupier/contracts';

/**
 * How one failure mode announces itself. A precursor ramps its severity linearly from 0 at
 * `failure - lead` to 1 at the failure, with `lead` uniform in `leadHours`. Because the effects below are
 * sized so that severity 0.5 is well clear of healthy noise, the precursor is visible in telemetry at
 * least `visibleHours` (= half the shortest lead) before the failure.
 */
export interface FailureModeProfile {
  readonly mode: FailureMode;
  /** Fault code the shuffler reports once it has failed. */
  readonly faultCode: ShufflerFaultCode;
  /** Range of precursor lead times, hours before the failure. */
  readonly leadHours: readonly [min: number, max: number];
  /** The precursor is visible in telemetry at least this many hours before the failure. */
  readonly visibleHours: number;
  /** Telemetry where the precursor shows, for the profile document. */
  readonly signature: string;
}

export const FAILURE_MODE_PROFILES: Readonly<Record<FailureMode, FailureModeProfile>> = {
  roller_wear: {
    mode: 'roller_wear',
    faultCode: 'misfeed',
    leadHours: [48, 120],
    visibleHours: 24,
    signature: 'misfeeds per shuffle rise to 0.5 and cycle time to +25% (feed retries)',
  },
  motor_degradation: {
    mode: 'motor_degradation',
    faultCode: 'motor_stall',
    leadHours: [24, 72],
    visibleHours: 12,
    signature: 'motor current rises to +50% and temperature by up to ~10 °C; cycle time +10%',
  },
  optical_sensor_fault: {
    mode: 'optical_sensor_fault',
    faultCode: 'optical_sensor_fault',
    leadHours: [6, 24],
    visibleHours: 3,
    signature: 'card-count errors per shuffle rise to 0.3; input-tray optical and card-counter health bits drop',
  },
  sudden_jam: {
    mode: 'sudden_jam',
    faultCode: 'jam',
    leadHours: [2, 8],
    visibleHours: 1,
    signature: 'cycle time rises to +60% (cards dragging), recoverable jams to 0.1 and misfeeds to 0.3 per shuffle',
  },
};

/** Precursor severity in [0, 1] at `timeMs` for a failure at `failureAtMs` announced `leadMs` ahead. */
export function precursorSeverity(timeMs: number, failureAtMs: number, leadMs: number): number {
  const start = failureAtMs - leadMs;
  if (timeMs <= start) return 0;
  return Math.min(1, (timeMs - start) / leadMs);
}
