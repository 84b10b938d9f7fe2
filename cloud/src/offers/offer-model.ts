import type { Tier } from '@croupier/contracts';

/** What a model sees of a player in session; no identity beyond the token-keyed rating. */
export interface OfferFeatures {
  readonly tier: Tier;
  readonly adtCents: number;
  readonly sessionTheoCents: number;
  readonly sessionGames: number;
  readonly sessionMinutes: number;
  readonly netWinCents: number;
}

/**
 * The model hook: a propensity score in [0, 1] that the offer will be welcome and worth making.
 * The engine applies guardrails before and budget after, so no model can bypass either.
 */
export interface OfferModel {
  readonly name: string;
  score(features: OfferFeatures): number;
}

/**
 * The default, rule-based model: engaged play (theo per minute against ADT) scores high, as does a
 * session that has been losing, where an offer is a courtesy; very short sessions score low.
 */
export const rulesModel: OfferModel = {
  name: 'rules-v1',
  score(features) {
    if (features.sessionMinutes < 5) return 0.2;
    const pace = features.adtCents > 0 ? features.sessionTheoCents / features.adtCents : 1;
    const losing = features.netWinCents < 0 ? 0.2 : 0;
    return Math.min(1, 0.4 + Math.min(pace, 1) * 0.4 + losing);
  },
};
