import type { Offer, Tier } from '@croupier/contracts';
import type { SessionState } from '../rating/player-ledger.js';
import { MICROS_PER_CENT } from '../rating/theo.js';
import { harmMarkers } from './harm-markers.js';
import type { OfferConfig } from './offer-config.js';
import type { OfferModel } from './offer-model.js';
import type { ResponsibleGamingStatus } from './responsible-gaming.js';

type OfferKind = Offer['kind'];

/** A player in session whose play reached an offer milestone. */
export interface OfferCandidate {
  readonly playerToken: string;
  readonly tier: Tier;
  readonly adtCents: number;
  /** Theo of the current trip (gaming day), micro-cents: the base of the reinvestment budget. */
  readonly tripTheoMicros: number;
  readonly session: SessionState;
  /** When the decision is made: the time of the latest play it is based on. */
  readonly decidedAt: number;
}

/** What the engine knows beyond the rating when it decides. */
export interface OfferContext {
  readonly responsibleGaming: ResponsibleGamingStatus;
  /** Already given back on this trip, cents. */
  readonly spentCents: number;
  readonly lastOfferAt?: number;
  /** Wall-clock time of the decision: an offer past its expiry is refused by the machine's gateway. */
  readonly now: number;
}

/** An offer the engine wants to make. */
export interface ProposedOffer {
  readonly kind: OfferKind;
  readonly valueCents: number;
  readonly text: string;
}

/** A decision and its reason; every one is recorded. */
export type OfferDecision =
  | {
      readonly outcome: 'offer';
      readonly reason: string;
      readonly offer: ProposedOffer;
      readonly budgetCents: number;
      readonly score: number;
    }
  | { readonly outcome: 'no_offer'; readonly reason: string; readonly budgetCents: number; readonly score?: number };

/** Whether a session's theo crossed a milestone between two states. */
export function crossedMilestone(priorTheoMicros: number, nextTheoMicros: number, milestoneCents: number): boolean {
  const step = milestoneCents * MICROS_PER_CENT;
  return Math.floor(nextTheoMicros / step) > Math.floor(priorTheoMicros / step);
}

const TEXT: Record<OfferKind, (dollars: string) => string> = {
  free_play: (d) => `$${d} free play is yours — enjoy, on us.`,
  food_beverage: (d) => `Take a break on us: $${d} at any of our restaurants.`,
  hotel: (d) => `Stay with us: $${d} off your room tonight.`,
  show: (d) => `$${d} towards tonight's show — on us.`,
};

/**
 * Decides whether to make an offer. Pure. The order is the policy:
 *
 * 1. responsible gaming — a listed player (self-excluded or in cool-off), or one whose status
 *    could not be read, never receives an offer; nothing later can override this;
 * 2. the session must be open, and the play recent enough that the offer has not expired before it
 *    is made (play processed late, e.g. a backlog after an outage): the gateway would refuse it, and
 *    it would still spend the budget and start the cool-down;
 * 3. harm markers (a very long session, chasing losses) suppress marketing offers;
 * 4. one offer per cool-down;
 * 5. the reinvestment budget (a share of the trip's theo, less what was given) must cover the
 *    smallest offer;
 * 6. the model must score the offer worth making.
 */
export function decideOffer(
  candidate: OfferCandidate,
  context: OfferContext,
  config: OfferConfig,
  model: OfferModel,
): OfferDecision {
  const budgetCents = Math.max(
    0,
    Math.floor((candidate.tripTheoMicros * config.reinvestmentShare) / MICROS_PER_CENT) - context.spentCents,
  );
  const no = (reason: string, score?: number): OfferDecision => ({
    outcome: 'no_offer',
    reason,
    budgetCents,
    ...(score !== undefined ? { score } : {}),
  });

  const rg = context.responsibleGaming;
  if (rg.kind === 'listed') return no(`responsible_gaming:${rg.entry.kind}`);
  if (rg.kind === 'unknown') return no(`responsible_gaming:status_unknown (${rg.why})`);
  if (candidate.session.status !== 'open') return no('session_not_open');
  if (candidate.decidedAt + config.offerTtlMs <= context.now) return no('stale_play');
  const markers = harmMarkers(candidate.session, candidate.decidedAt, config.harm);
  if (markers.length > 0) return no(`harm_marker:${markers.join(',')}`);
  if (context.lastOfferAt !== undefined && candidate.decidedAt - context.lastOfferAt < config.cooldownMs) {
    return no('cooldown');
  }
  const valueCents = Math.min(budgetCents, config.maxOfferCents[candidate.tier]);
  if (valueCents < config.minOfferCents) return no('budget_exhausted');

  const session = candidate.session;
  const score = model.score({
    tier: candidate.tier,
    adtCents: candidate.adtCents,
    sessionTheoCents: session.theoMicros / MICROS_PER_CENT,
    sessionGames: session.games,
    sessionMinutes: (candidate.decidedAt - session.startedAt) / 60_000,
    netWinCents: session.winCents - session.coinInCents,
  });
  if (!(score >= config.minModelScore)) return no(`model_score_below_threshold:${score.toFixed(3)}`, score);

  const kind = config.kindByTier[candidate.tier];
  const dollars = (valueCents / 100).toFixed(valueCents % 100 === 0 ? 0 : 2);
  return {
    outcome: 'offer',
    reason: `milestone reached; ${candidate.tier} tier, budget ${budgetCents}c, ${model.name} score ${score.toFixed(3)}`,
    offer: { kind, valueCents, text: TEXT[kind](dollars) },
    budgetCents,
    score,
  };
}
