import type { SmibEvent } from '@croupier/contracts';
import { SCHEMA_VERSION } from '@croupier/contracts';
import { deterministicEventId } from '../history/event-id.js';
import type { Rng } from '../random/index.js';
import type { FloorMachine } from './floor-plan.js';
import type { GamingDayCalendar } from './gaming-day.js';
import type { DayPlay, SessionTruth } from './ground-truth-types.js';
import type { SimPlayer } from './player-population.js';

/** Rules of the house the session model follows. */
export interface HouseRules {
  readonly handpayThresholdCents: number;
  readonly ticketOutLimitCents: number;
  readonly abandonedCardShare: number;
}

export interface SessionInput {
  readonly machine: FloorMachine;
  readonly player: SimPlayer;
  readonly startMs: number;
  /** Cash (bills and tickets) the player has left for this trip. */
  readonly pocketCents: number;
  /** The player means to stop at about this time. */
  readonly plannedEndMs: number;
  readonly rules: HouseRules;
  readonly calendar: GamingDayCalendar;
  readonly rng: Rng;
}

export interface SessionResult {
  /** The session's events in time order, each at least 1 ms after the one before. */
  readonly events: SmibEvent[];
  readonly truth: SessionTruth;
  readonly endMs: number;
  readonly pocketCents: number;
}

const BILLS_CENTS = [10_000, 5_000, 2_000] as const;
/** The smallest bill the validators take; a player with less cash than this cannot start a session. */
export const MIN_BILL_CENTS = 2_000;
/** Nobody feeds more than ten $100 bills at a sitting. */
const MAX_BUY_IN_CENTS = 100_000;
/** Share of games followed by a pause (a drink, a chat) and the mean pause; the pace accounts for both. */
const PAUSE_PROBABILITY = 0.005;
const PAUSE_MEAN_MS = 40_000;
/** An attendant takes this long to pay a jackpot by hand; the machine is locked meanwhile. */
const HANDPAY_LOCK_MS: readonly [number, number] = [4 * 60_000, 15 * 60_000];
/** The SMIB declares a card left in an idle machine abandoned after this long. */
const ABANDONED_CARD_TIMEOUT_MS = 10 * 60_000;
/** Players reload with new bills this often when their credits run out and they still have cash. */
const RELOAD_PROBABILITY = 0.75;

/**
 * Simulates one session on one machine, purely: the same input (including the rng's seed path) gives
 * the same events. The player inserts bills, plays at their pace until the planned end or until
 * money runs out, and cashes out by ticket (or by handpay above the ticket limit). Wins at or above the
 * W-2G threshold lock the machine for a jackpot handpay and are paid in cash, not to the credit meter.
 */
export function simulateSession(input: SessionInput): SessionResult {
  const { machine, player, rules, calendar, rng } = input;
  if (input.pocketCents < MIN_BILL_CENTS) throw new RangeError('a session needs at least one bill of cash');
  const machineId = machine.identity.machineId;
  const denom = machine.identity.denominationCents;
  const { paytable, game } = machine;
  const hold = paytable.theoreticalHold;
  const events: SmibEvent[] = [];
  let t = input.startMs;
  let pocket = input.pocketCents;
  let credits = 0;
  const base = (type: string) => ({
    eventId: deterministicEventId(t, rng),
    eventTime: t,
    schemaVersion: SCHEMA_VERSION,
    machineId,
    type,
  });
  const advance = (ms: number) => {
    t += Math.max(1, Math.round(ms));
  };

  const truth = {
    games: 0,
    coinInCents: 0,
    winCents: 0,
    theoCents: 0,
    billInCents: 0,
    ticketOutCents: 0,
    jackpotHandpayCents: 0,
    cancelledCreditCents: 0,
  };
  const byGamingDay: Record<string, DayPlay> = {};

  let sessionId: string | null = null;
  /** What the SMIB adds to each event of a carded session: the card in the reader and its card-in. */
  let card: { cardNumber: string; sessionId: string } | Record<string, never> = {};
  if (player.carded) {
    const cardIn = { ...base('card_in'), type: 'card_in' as const, cardNumber: player.cardNumber as string };
    sessionId = cardIn.eventId;
    card = { cardNumber: cardIn.cardNumber, sessionId };
    events.push(cardIn);
    advance(rng.uniform(2_000, 6_000));
  }

  const insertBills = (targetCents: number) => {
    let remaining = Math.min(targetCents, pocket);
    for (const bill of BILLS_CENTS) {
      while (remaining >= bill) {
        events.push({ ...base('bill_in'), type: 'bill_in', amountCents: bill, ...card });
        credits += bill;
        pocket -= bill;
        remaining -= bill;
        truth.billInCents += bill;
        advance(rng.uniform(2_000, 4_000));
      }
    }
  };
  const buyIn = () =>
    Math.min(
      MAX_BUY_IN_CENTS,
      Math.max(MIN_BILL_CENTS, Math.round((pocket * rng.uniform(0.25, 0.5)) / MIN_BILL_CENTS) * MIN_BILL_CENTS),
    );

  insertBills(buyIn());

  const ladder = game.betCredits;
  let betIndex = Math.min(ladder.length - 1, Math.floor(player.betLevel * ladder.length));
  const meanGapMs = 3_600_000 / player.pace - PAUSE_PROBABILITY * PAUSE_MEAN_MS;

  while (t < input.plannedEndMs) {
    let wager = (ladder[betIndex] as number) * denom;
    if (credits < wager) {
      if (pocket >= MIN_BILL_CENTS && rng.bernoulli(RELOAD_PROBABILITY)) {
        insertBills(buyIn());
        continue;
      }
      while (betIndex > 0 && credits < (ladder[betIndex] as number) * denom) betIndex -= 1;
      wager = (ladder[betIndex] as number) * denom;
      if (credits < wager) break;
    }
    const outcome = paytable.outcomes[paytable.outcomeFor(rng.next())]!;
    // Bets are multiples of payDenominator credits, so every win is a whole number of credits.
    const winCents = ((ladder[betIndex] as number) / paytable.payDenominator) * outcome.pay * denom;
    events.push({
      ...base('game_played'),
      type: 'game_played',
      gameId: machine.identity.gameId,
      paytableId: paytable.paytableId,
      theoreticalHold: hold,
      denominationCents: denom,
      wagerCents: wager,
      winCents,
      ...card,
    });
    const theo = wager * hold;
    truth.games += 1;
    truth.coinInCents += wager;
    truth.winCents += winCents;
    truth.theoCents += theo;
    const day = calendar.dayOf(t);
    const dayPlay = byGamingDay[day] ?? { games: 0, coinInCents: 0, theoCents: 0 };
    dayPlay.games += 1;
    dayPlay.coinInCents += wager;
    dayPlay.theoCents += theo;
    byGamingDay[day] = dayPlay;
    credits -= wager;

    if (winCents >= rules.handpayThresholdCents) {
      advance(rng.uniform(HANDPAY_LOCK_MS[0], HANDPAY_LOCK_MS[1]));
      events.push({ ...base('handpay'), type: 'handpay', amountCents: winCents, kind: 'jackpot', ...card });
      truth.jackpotHandpayCents += winCents;
      pocket += winCents;
    } else {
      credits += winCents;
    }
    advance(meanGapMs * rng.uniform(0.5, 1.5));
    if (rng.bernoulli(PAUSE_PROBABILITY)) advance(rng.exponential(1 / PAUSE_MEAN_MS));
  }

  if (credits > 0) {
    if (credits > rules.ticketOutLimitCents) {
      events.push({ ...base('handpay'), type: 'handpay', amountCents: credits, kind: 'cancelled_credit', ...card });
      truth.cancelledCreditCents += credits;
    } else {
      const ticketId = `${rng.int(100_000_000, 999_999_999)}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`;
      events.push({ ...base('ticket_out'), type: 'ticket_out', amountCents: credits, ticketId, ...card });
      truth.ticketOutCents += credits;
    }
    pocket += credits;
    credits = 0;
    advance(rng.uniform(1_000, 3_000));
  }

  let cardOutReason: SessionTruth['cardOutReason'] = null;
  if (player.carded) {
    cardOutReason = rng.bernoulli(rules.abandonedCardShare) ? 'abandoned' : 'removed';
    if (cardOutReason === 'abandoned') advance(ABANDONED_CARD_TIMEOUT_MS);
    events.push({
      ...base('card_out'),
      type: 'card_out',
      cardNumber: player.cardNumber as string,
      reason: cardOutReason,
    });
  }

  const first = events[0] as SmibEvent;
  const last = events[events.length - 1] as SmibEvent;
  return {
    events,
    endMs: last.eventTime,
    pocketCents: pocket,
    truth: {
      sessionKey: first.eventId,
      sessionId,
      playerId: player.playerId,
      carded: player.carded,
      cardNumber: player.cardNumber ?? null,
      playerToken: player.playerToken ?? null,
      machineId,
      theoreticalHold: hold,
      startedAt: first.eventTime,
      endedAt: last.eventTime,
      cardOutReason,
      ...truth,
      actualWinCents: truth.coinInCents - truth.winCents,
      byGamingDay,
    },
  };
}
