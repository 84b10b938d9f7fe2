/**
 * When a failure probability becomes an alert. Two thresholds with a gap between them, a run of
 * confirming predictions and a minimum time in each state: a probability wandering around one threshold
 * cannot make the alert flap.
 */
export interface HysteresisPolicy {
  /** Raise when the probability is at or above this... */
  readonly raiseAt: number;
  /** ...and clear only when it is at or below this (strictly lower). */
  readonly clearAt: number;
  /** Consecutive predictions past a threshold needed to change state. */
  readonly confirmations: number;
  /** Least time an alert stays raised, or cleared, before it may change again. */
  readonly minDwellMs: number;
}

/** Where one device's alert stands. */
export interface AlertState {
  readonly raised: boolean;
  /** When the current state began. */
  readonly since: number;
  /** Consecutive predictions pointing to the other state. */
  readonly streak: number;
}

export const INITIAL_ALERT_STATE: AlertState = { raised: false, since: Number.NEGATIVE_INFINITY, streak: 0 };

/** The next state after a prediction at `now`, and whether the alert was raised or cleared by it. */
export function stepAlert(
  state: AlertState,
  probability: number,
  now: number,
  policy: HysteresisPolicy,
): { state: AlertState; change: 'raised' | 'cleared' | null } {
  const pointsAway = state.raised ? probability <= policy.clearAt : probability >= policy.raiseAt;
  const streak = pointsAway ? state.streak + 1 : 0;
  if (streak >= policy.confirmations && now - state.since >= policy.minDwellMs) {
    const raised = !state.raised;
    return { state: { raised, since: now, streak: 0 }, change: raised ? 'raised' : 'cleared' };
  }
  return { state: { ...state, streak }, change: null };
}
