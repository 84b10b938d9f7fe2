import { createHash } from 'node:crypto';
import type { SmibEvent as SimSmibEvent } from '@croupier/contracts';
import { derivePlayerToken, SmibEvent } from '@croupier/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/random/index.js';
import { createSlotFloorModel, type EmittedSlotEvent, SlotFloorSimulation } from '../../src/slot/floor-simulation.js';
import { simulateSession } from '../../src/slot/session-model.js';
import { EVENING_START_MS, smallFloorConfig, TEST_TOKEN_KEY } from './fixtures.js';

const DAY_MS = 86_400_000;
const Z = 5;

function run(seed: string | number, days: number) {
  const model = createSlotFloorModel(smallFloorConfig({ seed }), TEST_TOKEN_KEY);
  const sim = new SlotFloorSimulation(
    model,
    { startMs: EVENING_START_MS, endMs: EVENING_START_MS + days * DAY_MS },
    {
      recordEvents: true,
    },
  );
  const emitted: EmittedSlotEvent[] = [...sim.events()];
  return { model, sim, emitted };
}

function digest(emitted: readonly EmittedSlotEvent[]): string {
  const hash = createHash('sha256');
  for (const { event } of emitted) hash.update(JSON.stringify(event));
  return hash.digest('hex');
}

describe('GIVEN a small floor simulated for one day', () => {
  let result: ReturnType<typeof run>;
  beforeAll(() => {
    result = run('floor-test', 1);
  });

  it('THEN events are valid SmibEvents, in time order, each with a unique UUIDv7 carrying its eventTime', () => {
    const ids = new Set<string>();
    let last = 0;
    let games = 0;
    for (const { event, machine } of result.emitted) {
      // Schema-check every event but games, and every 10th game: games are alike and zod is the slow part.
      if (event.type !== 'game_played' || games++ % 10 === 0) {
        const parsed = SmibEvent.safeParse(event);
        expect(parsed.success, parsed.error?.message).toBe(true);
      }
      expect(event.machineId).toBe(machine.identity.machineId);
      expect(event.eventTime).toBeGreaterThanOrEqual(last);
      last = event.eventTime;
      expect(Number.parseInt(event.eventId.replaceAll('-', '').slice(0, 12), 16)).toBe(event.eventTime);
      ids.add(event.eventId);
    }
    expect(ids.size).toBe(result.emitted.length);
    const types = new Set(result.emitted.map((e) => e.event.type));
    for (const type of ['game_played', 'card_in', 'card_out', 'bill_in', 'ticket_out', 'door']) {
      expect(types).toContain(type);
    }
  });

  it('THEN each session in the ground truth equals the sum of its emitted events', () => {
    const bySession = new Map<string, SimSmibEvent[]>();
    for (const { event, sessionKey } of result.emitted) {
      if (sessionKey !== undefined) bySession.set(sessionKey, [...(bySession.get(sessionKey) ?? []), event]);
    }
    const sessions = result.sim.truth.sessions;
    expect(sessions.length).toBeGreaterThan(50);
    expect(bySession.size).toBe(sessions.length);
    for (const s of sessions) {
      const events = bySession.get(s.sessionKey) ?? [];
      let coinIn = 0;
      let win = 0;
      let theo = 0;
      let games = 0;
      let bills = 0;
      let tickets = 0;
      for (const e of events) {
        if (e.type === 'game_played') {
          games += 1;
          coinIn += e.wagerCents;
          win += e.winCents;
          theo += e.wagerCents * e.theoreticalHold;
        } else if (e.type === 'bill_in') bills += e.amountCents;
        else if (e.type === 'ticket_out') tickets += e.amountCents;
      }
      expect({ games, coinIn, win, bills, tickets }).toEqual({
        games: s.games,
        coinIn: s.coinInCents,
        win: s.winCents,
        bills: s.billInCents,
        tickets: s.ticketOutCents,
      });
      expect(theo).toBe(s.theoCents);
      expect(s.actualWinCents).toBe(s.coinInCents - s.winCents);
      expect(events[0]?.eventTime).toBe(s.startedAt);
      expect(events.at(-1)?.eventTime).toBe(s.endedAt);
      if (s.carded) {
        expect(events[0]).toMatchObject({ type: 'card_in', eventId: s.sessionId, cardNumber: s.cardNumber });
        expect(s.playerToken).toBe(derivePlayerToken(TEST_TOKEN_KEY, s.cardNumber as string));
      } else {
        expect(events.some((e) => e.type === 'card_in' || e.type === 'card_out')).toBe(false);
      }
    }
  });

  it('THEN trips (gaming days) add up their sessions, and credits in equal credits out', () => {
    const truth = result.sim.truth;
    const theoByTrip = new Map<string, number>();
    for (const s of truth.sessions) {
      for (const [day, play] of Object.entries(s.byGamingDay)) {
        const key = `${s.playerId}/${day}`;
        theoByTrip.set(key, (theoByTrip.get(key) ?? 0) + play.theoCents);
      }
    }
    expect(truth.trips.length).toBe(theoByTrip.size);
    for (const trip of truth.trips) {
      expect(trip.theoCents).toBeCloseTo(theoByTrip.get(`${trip.playerId}/${trip.gamingDay}`) as number, 9);
      expect(trip.gamingDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    for (const s of truth.sessions) {
      // Every cent in (bills) ends as a ticket, a handpay, or the machine's win; jackpots are paid by hand.
      expect(s.billInCents + s.winCents - s.jackpotHandpayCents - s.coinInCents).toBe(
        s.ticketOutCents + s.cancelledCreditCents,
      );
    }
  });

  it('THEN realised hold over all games is within 5 standard errors of the coin-in-weighted theoretical hold', () => {
    let coinIn = 0;
    let win = 0;
    let theo = 0;
    let variance = 0;
    for (const { event, machine } of result.emitted) {
      if (event.type !== 'game_played') continue;
      coinIn += event.wagerCents;
      win += event.winCents;
      theo += event.wagerCents * event.theoreticalHold;
      // Var(win of one game) = wager² · Var(return per unit wagered) of the machine's paytable.
      variance += event.wagerCents ** 2 * machine.paytable.returnVariance;
    }
    const realised = 1 - win / coinIn;
    const expected = theo / coinIn;
    const tolerance = (Z * Math.sqrt(variance)) / coinIn;
    expect(result.sim.truth.eventCounts.game_played).toBeGreaterThan(20_000);
    expect(Math.abs(realised - expected)).toBeLessThanOrEqual(tolerance);
  });

  it('THEN the pace of play is within 400-600 games per hour, overall and per session without handpay', () => {
    const firstLast = new Map<string, { first: number; last: number; games: number }>();
    for (const { event, sessionKey } of result.emitted) {
      if (event.type !== 'game_played' || sessionKey === undefined) continue;
      const span = firstLast.get(sessionKey) ?? { first: event.eventTime, last: event.eventTime, games: 0 };
      span.last = event.eventTime;
      span.games += 1;
      firstLast.set(sessionKey, span);
    }
    let games = 0;
    let hours = 0;
    const handpaid = new Set(
      result.sim.truth.sessions.filter((s) => s.jackpotHandpayCents > 0).map((s) => s.sessionKey),
    );
    let checked = 0;
    for (const [key, span] of firstLast) {
      if (span.games < 2) continue;
      // n games span n - 1 gaps; the gap after the last game is part of the pace too.
      const h = ((span.last - span.first) * span.games) / (span.games - 1) / 3_600_000;
      games += span.games;
      hours += h;
      if (span.games >= 200 && !handpaid.has(key)) {
        checked += 1;
        expect(span.games / h).toBeGreaterThanOrEqual(400);
        expect(span.games / h).toBeLessThanOrEqual(600);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(games / hours).toBeGreaterThanOrEqual(400);
    expect(games / hours).toBeLessThanOrEqual(600);
  });

  it('THEN jackpots at or above $1,200 are handpays and smaller wins go to the credit meter', () => {
    const bigWins = result.emitted.filter((e) => e.event.type === 'game_played' && e.event.winCents >= 120_000);
    const jackpots = result.emitted.filter((e) => e.event.type === 'handpay' && e.event.kind === 'jackpot');
    expect(jackpots.map((e) => (e.event.type === 'handpay' ? e.event.amountCents : 0))).toEqual(
      bigWins.map((e) => (e.event.type === 'game_played' ? e.event.winCents : 0)),
    );
  });
});

describe('GIVEN a seed', () => {
  it('WHEN the floor is simulated twice THEN the events are identical, and another seed gives others', () => {
    const a = run(99, 0.1);
    const b = run(99, 0.1);
    const c = run(100, 0.1);
    expect(a.emitted.length).toBeGreaterThan(500);
    expect(digest(a.emitted)).toBe(digest(b.emitted));
    expect(JSON.stringify(a.sim.truth.toDocument({ seed: 99, propertyId: 'p' }))).toBe(
      JSON.stringify(b.sim.truth.toDocument({ seed: 99, propertyId: 'p' })),
    );
    expect(digest(c.emitted)).not.toBe(digest(a.emitted));
  });
});

describe('GIVEN one long session of a player with deep pockets', () => {
  it('WHEN played for two hours THEN the realised pace is the player pace within 5 standard errors', () => {
    const model = createSlotFloorModel(smallFloorConfig({ seed: 'pace' }), TEST_TOKEN_KEY);
    const machine = model.machines.find((m) => m.game.key === 'video-poker') ?? model.machines[0]!;
    const player = { ...model.players[0]!, pace: 500, betLevel: 0 };
    const result = simulateSession({
      machine,
      player,
      startMs: EVENING_START_MS,
      pocketCents: 100_000_000,
      plannedEndMs: EVENING_START_MS + 2 * 3_600_000,
      rules: { handpayThresholdCents: 10_000_000_000, ticketOutLimitCents: 10_000_000_000, abandonedCardShare: 0 },
      calendar: model.calendar,
      rng: createRng('pace-session'),
    });
    const games = result.events.filter((e) => e.type === 'game_played');
    const hours = ((games.at(-1)!.eventTime - games[0]!.eventTime) * games.length) / (games.length - 1) / 3_600_000;
    // Per game: uniform gap (sd = mean/√12) plus a 0.5% chance of an exponential 40 s pause.
    const meanGap = 7.2;
    const gapSd = Math.sqrt((meanGap - 0.2) ** 2 / 12 + 0.005 * 2 * 40 ** 2 - (0.005 * 40) ** 2);
    const paceSd = (500 * gapSd) / meanGap / Math.sqrt(games.length);
    expect(Math.abs(games.length / hours - 500)).toBeLessThanOrEqual(Z * paceSd);
  });
});
