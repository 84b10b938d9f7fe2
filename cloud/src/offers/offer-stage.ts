import type { Offer, OfferDownlink, SlotEvent } from '@croupier/contracts';
import type { GamingDayCalendar } from '../rating/gaming-day.js';
import type { PlayerUpdate } from '../rating/player-ledger.js';
import type { OfferResponseRecorder, RatedPlayersListener } from '../rating/slot-processor.js';
import { MICROS_PER_CENT } from '../rating/theo.js';
import type { OfferConfig } from './offer-config.js';
import { crossedMilestone, decideOffer, type OfferCandidate, type OfferDecision } from './offer-engine.js';
import { offerIdFor } from './offer-ids.js';
import type { OfferModel } from './offer-model.js';
import type { OfferPublisher } from './offer-publisher.js';
import type { DecisionRecord, OfferStore } from './offer-store.js';
import { statusOf } from './responsible-gaming.js';
import type { ResponsibleGamingCache } from './responsible-gaming-cache.js';

export interface OfferStagePorts {
  readonly store: OfferStore;
  readonly publisher: OfferPublisher;
  readonly responsibleGaming: ResponsibleGamingCache;
  readonly model: OfferModel;
  readonly config: OfferConfig;
  readonly calendar: GamingDayCalendar;
  readonly clock: () => number;
  readonly onError?: (message: string, error: unknown) => void;
}

/** A candidate with what the stage needs besides the engine's input. */
interface Pending {
  readonly candidate: OfferCandidate;
  readonly milestone: number;
  readonly day: string;
}

/** Counts of one run, for metrics and tests. */
export interface OfferStageSummary {
  decisions: number;
  offers: number;
  blockedByResponsibleGaming: number;
}

/**
 * The offer engine in the slot processor: after ratings are committed, each player whose open
 * session crossed a theo milestone is decided on ({@link decideOffer}); every decision is recorded
 * with its reason. An offer is made only after a strongly consistent re-read of the
 * responsible-gaming list and an atomic reservation against budget and cool-down, then stored with
 * its TTL and published to the machine's core.
 */
export class OfferStage implements RatedPlayersListener, OfferResponseRecorder {
  lastSummary: OfferStageSummary = { decisions: 0, offers: 0, blockedByResponsibleGaming: 0 };

  constructor(private readonly ports: OfferStagePorts) {}

  async afterRating(updates: readonly PlayerUpdate[]): Promise<void> {
    const summary: OfferStageSummary = { decisions: 0, offers: 0, blockedByResponsibleGaming: 0 };
    this.lastSummary = summary;
    const pending = updates.flatMap((update) => this.candidatesOf(update));
    if (pending.length === 0) return;
    const tokens = [...new Set(pending.map((p) => p.candidate.playerToken))];
    const [statuses, ledgers] = await Promise.all([
      this.ports.responsibleGaming.statuses(tokens),
      this.ports.store.loadLedgers(tokens),
    ]);
    for (const { candidate, milestone, day } of pending) {
      const ledger = ledgers.get(candidate.playerToken);
      const decision = decideOffer(
        candidate,
        {
          responsibleGaming: statuses.get(candidate.playerToken) ?? { kind: 'unknown', why: 'not looked up' },
          spentCents: ledger?.spentByDay[day] ?? 0,
          ...(ledger?.lastOfferAt !== undefined ? { lastOfferAt: ledger.lastOfferAt } : {}),
          now: this.ports.clock(),
        },
        this.ports.config,
        this.ports.model,
      );
      const staleDays = Object.keys(ledger?.spentByDay ?? {}).filter((d) => d !== day);
      const final = await this.dispatch(candidate, milestone, day, decision, staleDays);
      summary.decisions += 1;
      if (final.outcome === 'offer') summary.offers += 1;
      if (final.reason.startsWith('responsible_gaming:')) summary.blockedByResponsibleGaming += 1;
    }
  }

  /** Offer responses from machines. */
  async record(responses: readonly Extract<SlotEvent, { type: 'offer_response' }>[]): Promise<void> {
    for (const response of responses) {
      if (!response.playerToken) continue;
      await this.ports.store.respond({
        offerId: response.offerId,
        playerToken: response.playerToken,
        response: response.response,
        respondedAt: response.eventTime,
      });
    }
  }

  private candidatesOf(update: PlayerUpdate): Pending[] {
    const out: Pending[] = [];
    for (const { next: session, increment } of update.sessions.values()) {
      if (session.status !== 'open' || increment.theoMicros === 0) continue;
      const prior = session.theoMicros - increment.theoMicros;
      if (!crossedMilestone(prior, session.theoMicros, this.ports.config.milestoneTheoCents)) continue;
      const day = this.ports.calendar.dayOf(session.lastEventAt);
      out.push({
        candidate: {
          playerToken: update.next.playerToken,
          tier: update.next.tier,
          adtCents: update.next.adtCents,
          tripTheoMicros: update.next.trips[day] ?? 0,
          session,
          decidedAt: session.lastEventAt,
        },
        milestone: Math.floor(session.theoMicros / (this.ports.config.milestoneTheoCents * MICROS_PER_CENT)),
        day,
      });
    }
    return out;
  }

  /** Turns an `offer` decision into a sent offer, unless a last check refuses it; records the decision. */
  private async dispatch(
    candidate: OfferCandidate,
    milestone: number,
    day: string,
    decision: OfferDecision,
    staleDays: readonly string[],
  ): Promise<OfferDecision> {
    const { config, store } = this.ports;
    const base: Omit<DecisionRecord, 'outcome' | 'reason' | 'budgetCents'> = {
      playerToken: candidate.playerToken,
      sessionId: candidate.session.sessionId,
      machineId: candidate.session.machineId,
      milestone,
      decidedAt: candidate.decidedAt,
      tier: candidate.tier,
      adtCents: candidate.adtCents,
      model: this.ports.model.name,
      ...(decision.score !== undefined ? { score: decision.score } : {}),
    };
    if (decision.outcome === 'no_offer') {
      await store.putDecision({
        ...base,
        outcome: 'no_offer',
        reason: decision.reason,
        budgetCents: decision.budgetCents,
      });
      return decision;
    }
    const refuse = async (reason: string): Promise<OfferDecision> => {
      await store.putDecision({ ...base, outcome: 'no_offer', reason, budgetCents: decision.budgetCents });
      return { outcome: 'no_offer', reason, budgetCents: decision.budgetCents };
    };
    // The guardrail's last word: read the list past the cache, fail closed if it cannot be read.
    let entry: Awaited<ReturnType<OfferStore['freshResponsibleGaming']>>;
    try {
      entry = await store.freshResponsibleGaming(candidate.playerToken);
    } catch (error) {
      return refuse(`responsible_gaming:status_unknown (${(error as Error).message})`);
    }
    const status = statusOf(entry, this.ports.clock());
    if (status.kind === 'listed') return refuse(`responsible_gaming:${status.entry.kind}`);

    const reserved = await store.reserve(
      candidate.playerToken,
      day,
      decision.offer.valueCents,
      decision.budgetCents,
      candidate.decidedAt,
      config.cooldownMs,
      staleDays,
    );
    if (!reserved) return refuse('budget_or_cooldown_taken_concurrently');

    const session = candidate.session;
    const offer: Offer = {
      offerId: offerIdFor(session.sessionId, milestone, candidate.decidedAt),
      playerToken: candidate.playerToken,
      machineId: session.machineId,
      sessionId: session.sessionId,
      kind: decision.offer.kind,
      valueCents: decision.offer.valueCents,
      text: decision.offer.text,
      reason: decision.reason,
      decidedAt: candidate.decidedAt,
      expiresAt: candidate.decidedAt + config.offerTtlMs,
    };
    if (!(await store.putOffer(offer, session.core, session.property))) return refuse('offer_already_made');
    const downlink: OfferDownlink = {
      offerId: offer.offerId,
      machineId: offer.machineId,
      kind: offer.kind,
      valueCents: offer.valueCents,
      text: offer.text,
      expiresAt: offer.expiresAt,
      sentAt: this.ports.clock(),
    };
    let delivered = true;
    try {
      await this.ports.publisher.publish(session.property, session.core, downlink);
    } catch (error) {
      delivered = false;
      this.ports.onError?.('offer stored but not delivered to the machine', error);
    }
    await store.putDecision({
      ...base,
      outcome: 'offer',
      reason: decision.reason,
      budgetCents: decision.budgetCents,
      offerId: offer.offerId,
      delivered,
    });
    return decision;
  }
}
