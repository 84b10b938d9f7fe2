import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { observeSequences } from '../../src/ingest/sequence-tracker.js';
import { harmMarkers } from '../../src/offers/harm-markers.js';
import { DEFAULT_OFFER_CONFIG } from '../../src/offers/offer-config.js';
import { crossedMilestone, decideOffer, type OfferCandidate } from '../../src/offers/offer-engine.js';
import type { OfferModel } from '../../src/offers/offer-model.js';
import { ResponsibleGamingCache } from '../../src/offers/responsible-gaming-cache.js';
import { GamingDayCalendar } from '../../src/rating/gaming-day.js';
import { applyPlayerEvents, newPlayerState, type SessionState } from '../../src/rating/player-ledger.js';
import type { RatedEvent } from '../../src/rating/rated-event.js';
import { DEFAULT_RATING_CONFIG, tierFor } from '../../src/rating/rating-config.js';
import { holdPpm, theoMicros } from '../../src/rating/theo.js';
import { timestreamRequests } from '../../src/shuffler-health/timestream-sink.js';
import { eventId } from './support/play.js';

const TOKEN = 'c'.repeat(64);
const origin = { property: 'prop-1', core: 'core-a' };
const T = Date.UTC(2026, 10, 21, 20);

describe('theo', () => {
  it('is exact in micro-cents whatever the hold', () => {
    expect(holdPpm(0.0825)).toBe(82_500);
    expect(theoMicros(250, 0.085)).toBe(21_250_000);
    expect(() => holdPpm(0.12345678)).toThrow(/six decimals/);
  });
});

describe('gaming day', () => {
  const calendar = new GamingDayCalendar('America/Los_Angeles', 6);
  it('GIVEN play after midnight but before the start hour THEN it belongs to the previous day', () => {
    expect(calendar.dayOf(Date.parse('2026-11-21T10:30:00Z'))).toBe('2026-11-20'); // 02:30 PST
    expect(calendar.dayOf(Date.parse('2026-11-21T14:30:00Z'))).toBe('2026-11-21'); // 06:30 PST
  });
  it('GIVEN the DST change night THEN the boundary stays at local 06:00', () => {
    // 2026-11-01: PDT ends at 02:00 local. 05:59 PST = 13:59Z belongs to Oct 31.
    expect(calendar.dayOf(Date.parse('2026-11-01T13:59:00Z'))).toBe('2026-10-31');
    expect(calendar.dayOf(Date.parse('2026-11-01T14:00:00Z'))).toBe('2026-11-01');
  });
});

describe('tiers', () => {
  it('follow the ADT thresholds', () => {
    const tiers = DEFAULT_RATING_CONFIG.tiers;
    expect([0, 5_000, 25_000, 100_000].map((adt) => tierFor(adt, tiers))).toEqual([
      'bronze',
      'silver',
      'gold',
      'platinum',
    ]);
  });
});

describe('player ledger', () => {
  const base = { schemaVersion: '1.0', machineId: 'slot-1', origin };
  const cardIn = (t: number): RatedEvent => ({
    ...base,
    eventId: eventId(t),
    eventTime: t,
    type: 'card_in',
    playerToken: TOKEN,
  });
  const game = (t: number, sessionId: string, wager = 100): RatedEvent => ({
    ...base,
    eventId: eventId(t),
    eventTime: t,
    type: 'game_played',
    gameId: 'g',
    paytableId: 'p',
    theoreticalHold: 0.05,
    denominationCents: 1,
    wagerCents: wager,
    winCents: 0,
    playerToken: TOKEN,
    sessionId,
  });

  it('GIVEN the same events in any order THEN the session totals are identical', () => {
    const open = cardIn(T);
    const games = Array.from({ length: 30 }, (_, i) => game(T + 1_000 * (i + 1), open.eventId, 7 * (i + 1)));
    fc.assert(
      fc.property(fc.shuffledSubarray([open, ...games], { minLength: 31, maxLength: 31 }), (events) => {
        const update = applyPlayerEvents(newPlayerState(TOKEN), new Map(), events, DEFAULT_RATING_CONFIG);
        const session = update.sessions.get(open.eventId)!.next;
        expect(session.coinInCents).toBe((7 * (30 * 31)) / 2);
        expect(session.theoMicros).toBe(7 * ((30 * 31) / 2) * 50_000);
        expect(session.startedAt).toBe(T);
      }),
    );
  });

  it('GIVEN a card left in one machine WHEN the player cards in elsewhere THEN the first session is abandoned at its last play', () => {
    const first = cardIn(T);
    const second = { ...cardIn(T + 600_000), machineId: 'slot-2' };
    const update = applyPlayerEvents(
      newPlayerState(TOKEN),
      new Map(),
      [first, game(T + 5_000, first.eventId), second],
      DEFAULT_RATING_CONFIG,
    );
    expect(update.sessions.get(first.eventId)!.next).toMatchObject({ status: 'abandoned', endedAt: T + 5_000 });
    expect(update.next.currentSessionId).toBe(second.eventId);
  });

  it('GIVEN more trips than N THEN only the last N count and older ones are pruned', () => {
    const config = { ...DEFAULT_RATING_CONFIG, timeZone: 'UTC', adtTrips: 2 };
    const s = cardIn(T);
    const days = [0, 1, 2].map((d) => game(T + d * 86_400_000, s.eventId, 1_000));
    const update = applyPlayerEvents(newPlayerState(TOKEN), new Map(), [s, ...days], config);
    expect(Object.keys(update.next.trips).sort()).toEqual(['2026-11-22', '2026-11-23']);
    expect(update.next.adtCents).toBe(50);
  });
});

describe('sequence tracker', () => {
  it('records gaps, counts re-deliveries, and tells a reset from a replay by creation time', () => {
    const at = (seq: number, createdAt: number) => ({ seq, createdAt });
    expect(
      observeSequences({ lastSeq: 3, lastCreatedAt: 30 }, [
        at(4, 40),
        at(7, 70),
        at(5, 50),
        at(7, 70),
        at(10, 100),
        at(0, 110),
        at(1, 111),
      ]),
    ).toEqual({
      next: { lastSeq: 1, lastCreatedAt: 111 },
      gaps: [
        { from: 5, to: 6 },
        { from: 8, to: 9 },
      ],
      behind: 2,
      resets: 1,
    });
    // The very first envelope delivered again is a replay, not a reset.
    expect(observeSequences({ lastSeq: 10, lastCreatedAt: 100 }, [at(0, 1)])).toMatchObject({ behind: 1, resets: 0 });
    expect(observeSequences(undefined, [at(41, 1), at(42, 2)])).toMatchObject({ next: { lastSeq: 42 }, gaps: [] });
  });
});

describe('offer engine', () => {
  const session: SessionState = {
    sessionId: eventId(T),
    playerToken: TOKEN,
    machineId: 'slot-1',
    property: 'prop-1',
    core: 'core-a',
    startedAt: T,
    startedByCardIn: true,
    status: 'open',
    games: 100,
    coinInCents: 100_000,
    winCents: 90_000,
    theoMicros: 5_000 * 1_000_000,
    billIns: 0,
    billInCents: 0,
    lastEventAt: T + 3_600_000,
  };
  const candidate: OfferCandidate = {
    playerToken: TOKEN,
    tier: 'silver',
    adtCents: 5_000,
    tripTheoMicros: 10_000 * 1_000_000,
    session,
    decidedAt: T + 3_600_000,
  };
  const always: OfferModel = { name: 'always', score: () => 1 };
  const clear = { kind: 'clear' } as const;
  /** The decision is taken a few seconds after the play it is based on. */
  const now = T + 3_605_000;

  it('makes an offer within the budget share and the tier cap', () => {
    const decision = decideOffer(
      candidate,
      { responsibleGaming: clear, spentCents: 1_000, now },
      DEFAULT_OFFER_CONFIG,
      always,
    );
    expect(decision).toMatchObject({
      outcome: 'offer',
      budgetCents: 1_500,
      offer: { kind: 'free_play', valueCents: 1_500 },
    });
  });

  it.each([
    ['cool-down', { responsibleGaming: clear, spentCents: 0, lastOfferAt: T + 3_000_000, now }, 'cooldown'],
    ['budget', { responsibleGaming: clear, spentCents: 2_400, now }, 'budget_exhausted'],
    [
      'play processed after the offer would have expired',
      { responsibleGaming: clear, spentCents: 0, now: T + 3_600_000 + DEFAULT_OFFER_CONFIG.offerTtlMs },
      'stale_play',
    ],
    [
      'unknown list status',
      { responsibleGaming: { kind: 'unknown', why: 'timeout' }, spentCents: 0, now },
      'responsible_gaming:status_unknown (timeout)',
    ],
  ] as const)('refuses on %s', (_, context, reason) => {
    expect(decideOffer(candidate, context, DEFAULT_OFFER_CONFIG, always).reason).toBe(reason);
  });

  it('detects chasing losses', () => {
    expect(
      harmMarkers(
        { ...session, coinInCents: 80_000, winCents: 10_000, billIns: 3 },
        T + 60_000,
        DEFAULT_OFFER_CONFIG.harm,
      ),
    ).toEqual(['chasing_losses']);
    expect(crossedMilestone(499_000_000, 500_000_000, 500)).toBe(true);
    expect(crossedMilestone(500_000_000, 999_000_000, 500)).toBe(false);
  });

  it('PROPERTY: a listed player never gets an offer, whatever the rating, play, budget or model says', () => {
    fc.assert(
      fc.property(
        fc.record({
          tier: fc.constantFrom('bronze', 'silver', 'gold', 'platinum' as const),
          adtCents: fc.double({ min: 0, max: 1e7, noNaN: true }),
          tripTheoMicros: fc.integer({ min: 0, max: 1e13 }),
          coinIn: fc.integer({ min: 0, max: 1e8 }),
          win: fc.integer({ min: 0, max: 1e8 }),
          billIns: fc.integer({ min: 0, max: 20 }),
          minutes: fc.integer({ min: 0, max: 600 }),
          status: fc.constantFrom('open', 'closed', 'abandoned' as const),
          spent: fc.integer({ min: 0, max: 1e6 }),
          kind: fc.constantFrom('self_excluded', 'cool_off' as const),
          score: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        (g) => {
          const s: SessionState = {
            ...session,
            status: g.status,
            coinInCents: g.coinIn,
            winCents: g.win,
            billIns: g.billIns,
            lastEventAt: T + g.minutes * 60_000,
          };
          const decision = decideOffer(
            {
              ...candidate,
              tier: g.tier,
              adtCents: g.adtCents,
              tripTheoMicros: g.tripTheoMicros,
              session: s,
              decidedAt: s.lastEventAt,
            },
            { responsibleGaming: { kind: 'listed', entry: { kind: g.kind } }, spentCents: g.spent, now: s.lastEventAt },
            DEFAULT_OFFER_CONFIG,
            { name: 'any', score: () => g.score },
          );
          expect(decision.outcome).toBe('no_offer');
          expect(decision.reason).toBe(`responsible_gaming:${g.kind}`);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('responsible-gaming cache', () => {
  it('refuses a TTL over one minute, re-reads after the TTL, and fails closed when the list cannot be read', async () => {
    expect(() => new ResponsibleGamingCache(async () => new Map(), 60_001, 10)).toThrow(/TTL/);
    let now = 0;
    let listed = false;
    let broken = false;
    const cache = new ResponsibleGamingCache(
      async (tokens) => {
        if (broken) throw new Error('table unavailable');
        return new Map(
          listed
            ? tokens.map((t) => [
                t,
                { playerToken: t, kind: 'self_excluded' as const, since: 1, updatedBy: 'x', updatedAt: 1 },
              ])
            : [],
        );
      },
      60_000,
      10,
      () => now,
    );
    expect((await cache.statuses([TOKEN])).get(TOKEN)).toEqual({ kind: 'clear' });
    listed = true;
    now = 59_999;
    expect((await cache.statuses([TOKEN])).get(TOKEN)?.kind).toBe('clear');
    now = 60_000;
    expect((await cache.statuses([TOKEN])).get(TOKEN)?.kind).toBe('listed');
    broken = true;
    now = 200_000;
    expect((await cache.statuses([TOKEN])).get(TOKEN)).toEqual({ kind: 'unknown', why: 'table unavailable' });
  });
});

describe('timestream requests', () => {
  it('GIVEN records of two cores and 230 of one THEN one request per core and measure, at most 100 records each', () => {
    const record = (core: string, i: number) => ({
      time: T + i,
      dimensions: { property: 'p', core, deviceId: `d${i % 5}` },
      measureName: 'shuffler_telemetry',
      measures: { temperatureCelsius: 40 + i, state: 'idle', sensorsHealthy: true },
    });
    const requests = timestreamRequests('db', 'tbl', [
      ...Array.from({ length: 230 }, (_, i) => record('core-a', i)),
      record('core-b', 0),
    ]);
    expect(requests.map((r) => [r.CommonAttributes?.Dimensions?.[1]?.Value, r.Records?.length])).toEqual([
      ['core-a', 100],
      ['core-a', 100],
      ['core-a', 30],
      ['core-b', 1],
    ]);
    expect(requests[3]!.Records![0]).toEqual({
      Dimensions: [{ Name: 'deviceId', Value: 'd0', DimensionValueType: 'VARCHAR' }],
      Time: String(T),
      MeasureValues: [
        { Name: 'temperatureCelsius', Value: '40', Type: 'DOUBLE' },
        { Name: 'state', Value: 'idle', Type: 'VARCHAR' },
        { Name: 'sensorsHealthy', Value: 'true', Type: 'BOOLEAN' },
      ],
    });
  });
});
