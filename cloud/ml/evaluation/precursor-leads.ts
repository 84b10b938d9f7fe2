import type { FailureMode } from '@croupier/contracts';
import type { ScoredFailure } from './alert-scoring.js';

/**
 * Shortest precursor lead per failure mode in the simulated fleets (the shuffler simulator's profile,
 * simulators/docs/shuffler-modbus-profile.md; a test keeps the two equal). Used only when a failure
 * record does not say when its precursor started.
 */
export const SIMULATED_MIN_PRECURSOR_LEAD_HOURS: Readonly<Record<FailureMode, number>> = {
  roller_wear: 48,
  motor_degradation: 24,
  optical_sensor_fault: 6,
  sudden_jam: 2,
};

/**
 * Whether an alert `minLeadHours` ahead of a failure was physically possible: its precursor was under
 * way by then. From the record's `precursorStartedAt` when known, else from the mode's shortest lead.
 */
export function precursorUnderWay(
  minLeadHours: number,
  minLeadByMode: Readonly<Record<FailureMode, number>> = SIMULATED_MIN_PRECURSOR_LEAD_HOURS,
): (failure: ScoredFailure) => boolean {
  return (failure) => {
    if (!failure.hadPrecursor) return false;
    if (failure.precursorStartedAt !== undefined) {
      return failure.atMs - failure.precursorStartedAt >= minLeadHours * 3_600_000;
    }
    return minLeadByMode[failure.mode] >= minLeadHours;
  };
}
