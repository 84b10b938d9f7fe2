import type { ComponentUpdateDecision } from '@croupier/edge-kit';

export interface DrainSnapshot {
  /** Envelopes spooled and not yet acknowledged, all streams. */
  readonly pendingEnvelopes: number;
  /** Last acknowledged publish, ms epoch (0 if none). */
  readonly lastSuccessAt: number;
}

/** How long Uplink may hold a deployment back in total, and how often the nucleus asks again. */
export const MAX_DEFERRAL_MS = 60_000;
export const RECHECK_AFTER_MS = 5_000;
/** A link that acknowledged within this window counts as up. */
const LINK_UP_WITHIN_MS = 10_000;

/**
 * Whether a pending deployment may restart Uplink now. The spool is durable, so a restart never loses
 * data; deferring only lets a healthy link finish draining a backlog first (a restart would stall it).
 * With the link down there is nothing to gain, so the update goes ahead at once; and no deployment is
 * held back longer than {@link MAX_DEFERRAL_MS}.
 */
export function decideComponentUpdate(
  snapshot: DrainSnapshot,
  now: number,
  firstAskedAt: number,
): ComponentUpdateDecision {
  const linkUp = now - snapshot.lastSuccessAt <= LINK_UP_WITHIN_MS;
  if (snapshot.pendingEnvelopes > 0 && linkUp && now - firstAskedAt < MAX_DEFERRAL_MS) {
    return {
      defer: true,
      recheckAfterMs: RECHECK_AFTER_MS,
      reason: `draining ${snapshot.pendingEnvelopes} spooled envelopes`,
    };
  }
  return { defer: false };
}
