import type { Tier } from '@croupier/contracts';
import { GamingDayCalendar } from './gaming-day.js';
import { compareEvents, type RatedEvent } from './rated-event.js';
import { type RatingConfig, tierFor } from './rating-config.js';
import { MICROS_PER_CENT, theoMicros } from './theo.js';

export type SessionStatus = 'open' | 'closed' | 'abandoned';

/** A session as stored, in memory. */
export interface SessionState {
  readonly sessionId: string;
  readonly playerToken: string;
  readonly machineId: string;
  readonly property: string;
  readonly core: string;
  readonly zone?: string;
  readonly startedAt: number;
  /** Whether `startedAt` is the card-in's time (true) or, until the card-in is seen, the first event's. */
  readonly startedByCardIn: boolean;
  readonly endedAt?: number;
  readonly status: SessionStatus;
  readonly games: number;
  readonly coinInCents: number;
  readonly winCents: number;
  readonly theoMicros: number;
  readonly billIns: number;
  readonly billInCents: number;
  readonly lastEventAt: number;
}

/** A player's rating state as stored, in memory. */
export interface PlayerState {
  readonly playerToken: string;
  /** Optimistic-lock version; 0 for a player never written. */
  readonly version: number;
  readonly lifetimeCoinInCents: number;
  readonly lifetimeWinCents: number;
  readonly lifetimeGames: number;
  readonly lifetimeTheoMicros: number;
  /** Theo per trip (gaming day, `YYYY-MM-DD`) for the last N trips, micro-cents. */
  readonly trips: Readonly<Record<string, number>>;
  readonly currentSessionId?: string;
  readonly lastPlayedAt?: number;
  readonly adtCents: number;
  readonly tripsConsidered: number;
  readonly tier: Tier;
}

/** Counters a batch adds to one session. */
export interface SessionIncrement {
  readonly games: number;
  readonly coinInCents: number;
  readonly winCents: number;
  readonly theoMicros: number;
  readonly billIns: number;
  readonly billInCents: number;
}

/** What one batch does to one player: the next state and the increments that lead there. */
export interface PlayerUpdate {
  readonly prior: PlayerState;
  readonly next: PlayerState;
  /** Trips that fell out of the last N and are dropped. */
  readonly prunedTrips: readonly string[];
  /** Sessions touched, with their next state and the counters this batch adds. */
  readonly sessions: ReadonlyMap<string, { next: SessionState; increment: SessionIncrement; isNew: boolean }>;
  /** Event ids applied by this update. */
  readonly appliedEventIds: readonly string[];
  /** Events that could not be attributed (a card-out without a session to close), with why. */
  readonly ignored: readonly { eventId: string; reason: string }[];
}

const ZERO_INCREMENT: SessionIncrement = {
  games: 0,
  coinInCents: 0,
  winCents: 0,
  theoMicros: 0,
  billIns: 0,
  billInCents: 0,
};

/** A player never seen before. */
export function newPlayerState(playerToken: string): PlayerState {
  return {
    playerToken,
    version: 0,
    lifetimeCoinInCents: 0,
    lifetimeWinCents: 0,
    lifetimeGames: 0,
    lifetimeTheoMicros: 0,
    trips: {},
    adtCents: 0,
    tripsConsidered: 0,
    tier: 'bronze',
  };
}

/** ADT: mean theo per trip over the last N trips (the trips kept), in cents. */
export function averageDailyTheo(trips: Readonly<Record<string, number>>): { adtCents: number; trips: number } {
  const values = Object.values(trips);
  if (values.length === 0) return { adtCents: 0, trips: 0 };
  const total = values.reduce((sum, micros) => sum + micros, 0);
  return { adtCents: total / (values.length * MICROS_PER_CENT), trips: values.length };
}

/**
 * A session's status as of `now`: an open session idle for longer than the abandoned-card timeout
 * counts as abandoned, even before the processor learns of it.
 */
export function effectiveStatus(session: SessionState, now: number, abandonedAfterMs: number): SessionStatus {
  return session.status === 'open' && now - session.lastEventAt > abandonedAfterMs ? 'abandoned' : session.status;
}

/**
 * Applies one batch of a player's new (already de-duplicated) events to their state. Pure.
 *
 * Every game is credited to the session named on it (the card-in's event id), so coin-in and theo
 * per session are exact whatever order the events arrive in. A session ends with its card-out, or
 * as abandoned when the player's card shows up in another session while it is still open (a card
 * left in a machine) or when the SMIB declares it abandoned. A session never reopens.
 */
export function applyPlayerEvents(
  prior: PlayerState,
  priorSessions: ReadonlyMap<string, SessionState>,
  events: readonly RatedEvent[],
  config: RatingConfig,
  calendar: GamingDayCalendar = new GamingDayCalendar(config.timeZone, config.gamingDayStartHour),
): PlayerUpdate {
  const sessions = new Map<string, SessionState>();
  const increments = new Map<string, SessionIncrement>();
  const lifetime = { coinInCents: 0, winCents: 0, games: 0, theoMicros: 0 };
  const tripDelta: Record<string, number> = {};
  const ignored: { eventId: string; reason: string }[] = [];
  let currentSessionId = prior.currentSessionId;
  let lastPlayedAt = prior.lastPlayedAt;

  const sessionOf = (id: string) => sessions.get(id) ?? priorSessions.get(id);
  const put = (session: SessionState, add: Partial<SessionIncrement> = {}) => {
    sessions.set(session.sessionId, session);
    const base = increments.get(session.sessionId) ?? ZERO_INCREMENT;
    increments.set(session.sessionId, {
      games: base.games + (add.games ?? 0),
      coinInCents: base.coinInCents + (add.coinInCents ?? 0),
      winCents: base.winCents + (add.winCents ?? 0),
      theoMicros: base.theoMicros + (add.theoMicros ?? 0),
      billIns: base.billIns + (add.billIns ?? 0),
      billInCents: base.billInCents + (add.billInCents ?? 0),
    });
  };
  const open = (event: RatedEvent, sessionId: string): SessionState => {
    const existing = sessionOf(sessionId);
    if (existing) return existing;
    return {
      sessionId,
      playerToken: prior.playerToken,
      machineId: event.machineId,
      property: event.origin.property,
      core: event.origin.core,
      ...(event.location ? { zone: event.location.zone } : {}),
      startedAt: event.eventTime,
      startedByCardIn: false,
      status: 'open',
      ...ZERO_INCREMENT,
      lastEventAt: event.eventTime,
    };
  };
  /**
   * The player is playing in `sessionId`. If it is open and another session is still open, the card
   * was left in the other machine: that session is abandoned at its last activity. Late events of a
   * session that already ended change nothing here.
   */
  const enter = (sessionId: string) => {
    if (sessionOf(sessionId)?.status !== 'open' || currentSessionId === sessionId) return;
    const left = currentSessionId ? sessionOf(currentSessionId) : undefined;
    if (left && left.status === 'open') put({ ...left, status: 'abandoned', endedAt: left.lastEventAt });
    currentSessionId = sessionId;
  };
  const touch = (session: SessionState, event: RatedEvent): SessionState => ({
    ...session,
    lastEventAt: Math.max(session.lastEventAt, event.eventTime),
    ...(session.zone === undefined && event.location ? { zone: event.location.zone } : {}),
  });

  const ordered = [...events].sort(compareEvents);
  for (const event of ordered) {
    switch (event.type) {
      case 'card_in': {
        const session = touch(open(event, event.eventId), event);
        put(
          session.startedByCardIn
            ? session
            : { ...session, startedAt: event.eventTime, startedByCardIn: true, machineId: event.machineId },
        );
        enter(event.eventId);
        break;
      }
      case 'game_played': {
        const micros = theoMicros(event.wagerCents, event.theoreticalHold);
        lifetime.coinInCents += event.wagerCents;
        lifetime.winCents += event.winCents;
        lifetime.games += 1;
        lifetime.theoMicros += micros;
        const day = calendar.dayOf(event.eventTime);
        tripDelta[day] = (tripDelta[day] ?? 0) + micros;
        lastPlayedAt = Math.max(lastPlayedAt ?? 0, event.eventTime);
        const sessionId = event.sessionId ?? currentSessionId;
        if (!sessionId) {
          ignored.push({ eventId: event.eventId, reason: 'carded game without a session: rated to the player only' });
          break;
        }
        const session = touch(open(event, sessionId), event);
        put(
          {
            ...session,
            games: session.games + 1,
            coinInCents: session.coinInCents + event.wagerCents,
            winCents: session.winCents + event.winCents,
            theoMicros: session.theoMicros + micros,
          },
          { games: 1, coinInCents: event.wagerCents, winCents: event.winCents, theoMicros: micros },
        );
        enter(sessionId);
        break;
      }
      case 'bill_in': {
        const sessionId = event.sessionId ?? currentSessionId;
        if (!sessionId) {
          ignored.push({ eventId: event.eventId, reason: 'carded bill-in without a session' });
          break;
        }
        const session = touch(open(event, sessionId), event);
        put(
          { ...session, billIns: session.billIns + 1, billInCents: session.billInCents + event.amountCents },
          { billIns: 1, billInCents: event.amountCents },
        );
        enter(sessionId);
        break;
      }
      case 'card_out': {
        const sessionId = event.sessionId ?? currentSessionId;
        if (!sessionId) {
          ignored.push({ eventId: event.eventId, reason: 'card-out without an open session' });
          break;
        }
        const session = touch(open(event, sessionId), event);
        // The card-out is authoritative: it also settles a session inferred abandoned before it arrived.
        const ended: SessionState =
          session.status === 'closed'
            ? session
            : { ...session, status: event.reason === 'abandoned' ? 'abandoned' : 'closed', endedAt: event.eventTime };
        put(ended);
        if (currentSessionId === sessionId) currentSessionId = undefined;
        break;
      }
    }
  }

  const merged: Record<string, number> = { ...prior.trips };
  for (const [day, micros] of Object.entries(tripDelta)) merged[day] = (merged[day] ?? 0) + micros;
  const keptDays = Object.keys(merged).sort().reverse().slice(0, config.adtTrips);
  const trips = Object.fromEntries(keptDays.map((day) => [day, merged[day]!]));
  const prunedTrips = Object.keys(prior.trips).filter((day) => !keptDays.includes(day));
  const adt = averageDailyTheo(trips);

  const next: PlayerState = {
    playerToken: prior.playerToken,
    version: prior.version + 1,
    lifetimeCoinInCents: prior.lifetimeCoinInCents + lifetime.coinInCents,
    lifetimeWinCents: prior.lifetimeWinCents + lifetime.winCents,
    lifetimeGames: prior.lifetimeGames + lifetime.games,
    lifetimeTheoMicros: prior.lifetimeTheoMicros + lifetime.theoMicros,
    trips,
    ...(currentSessionId ? { currentSessionId } : {}),
    ...(lastPlayedAt !== undefined ? { lastPlayedAt } : {}),
    adtCents: adt.adtCents,
    tripsConsidered: adt.trips,
    tier: tierFor(adt.adtCents, config.tiers),
  };
  const sessionUpdates = new Map(
    [...sessions].map(([id, session]) => [
      id,
      { next: session, increment: increments.get(id) ?? ZERO_INCREMENT, isNew: !priorSessions.has(id) },
    ]),
  );
  return {
    prior,
    next,
    prunedTrips,
    sessions: sessionUpdates,
    appliedEventIds: ordered.map((event) => event.eventId),
    ignored,
  };
}
