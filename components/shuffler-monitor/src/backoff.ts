/** Exponential backoff for a device that stopped answering. */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
}

/** Whether a device is answering, and if not, when it may be tried again. */
export type LinkState =
  | { readonly status: 'online' }
  | { readonly status: 'backoff'; readonly failures: number; readonly retryAt: number };

export const ONLINE: LinkState = { status: 'online' };

/** Delay before the next try after `failures` failed poll cycles in a row (1 = first failure). */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  return Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** Math.max(0, failures - 1));
}

/** Next link state after a poll cycle (all its retries) failed at `now`. */
export function afterFailure(state: LinkState, policy: BackoffPolicy, now: number): LinkState {
  const failures = state.status === 'backoff' ? state.failures + 1 : 1;
  return { status: 'backoff', failures, retryAt: now + backoffDelay(policy, failures) };
}

/** Whether a poll may be sent at `now`: always when online, after `retryAt` when backing off. */
export function mayPoll(state: LinkState, now: number): boolean {
  return state.status === 'online' || now >= state.retryAt;
}
