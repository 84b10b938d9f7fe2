import type { SessionState } from '../rating/player-ledger.js';
import type { OfferConfig } from './offer-config.js';

/** Signs of harmful play. Any of them suppresses marketing offers. */
export type HarmMarker = 'long_session' | 'chasing_losses';

/**
 * Harm markers of a session at `now`: a very long session, or chasing losses (a large net loss
 * with repeated bill-ins, i.e. buying back in after losing). Pure.
 */
export function harmMarkers(session: SessionState, now: number, harm: OfferConfig['harm']): HarmMarker[] {
  const markers: HarmMarker[] = [];
  if (now - session.startedAt > harm.maxSessionMs) markers.push('long_session');
  const netLoss = session.coinInCents - session.winCents;
  if (netLoss >= harm.chasingLossCents && session.billIns >= harm.chasingBillIns) markers.push('chasing_losses');
  return markers;
}
