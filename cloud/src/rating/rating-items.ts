import { Tier } from '@croupier/contracts';
import type { Item } from '../common/dynamo.js';
import { ExpressionBuilder } from '../common/update-expression.js';
import { type CommitRecord, commitsFromItem, commitsToItem, REMEMBERED_COMMITS } from './commit-log.js';
import { newPlayerState, type PlayerState, type PlayerUpdate, type SessionState } from './player-ledger.js';

/** Trips are stored as top-level attributes `trip#YYYY-MM-DD` so one update can ADD to any of them atomically. */
const TRIP_PREFIX = 'trip#';

const num = (value: unknown, fallback = 0) => (typeof value === 'number' ? value : fallback);
const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Reads a player item; a missing item is a new player. */
export function playerFromItem(playerToken: string, item: Item | undefined): PlayerState {
  if (!item) return newPlayerState(playerToken);
  const trips: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(TRIP_PREFIX) && typeof value === 'number') trips[name.slice(TRIP_PREFIX.length)] = value;
  }
  const tier = Tier.safeParse(item.tier);
  const currentSessionId = str(item.currentSessionId);
  const lastPlayedAt = typeof item.lastPlayedAt === 'number' ? item.lastPlayedAt : undefined;
  return {
    playerToken,
    version: num(item.version),
    lifetimeCoinInCents: num(item.lifetimeCoinInCents),
    lifetimeWinCents: num(item.lifetimeWinCents),
    lifetimeGames: num(item.lifetimeGames),
    lifetimeTheoMicros: num(item.lifetimeTheoMicros),
    trips,
    ...(currentSessionId ? { currentSessionId } : {}),
    ...(lastPlayedAt !== undefined ? { lastPlayedAt } : {}),
    adtCents: num(item.adtCents),
    tripsConsidered: num(item.tripsConsidered),
    tier: tier.success ? tier.data : 'bronze',
  };
}

/** Reads a session item. */
export function sessionFromItem(item: Item): SessionState {
  const zone = str(item.zone);
  const endedAt = typeof item.endedAt === 'number' ? item.endedAt : undefined;
  const status = item.state === 'closed' || item.state === 'abandoned' ? item.state : 'open';
  return {
    sessionId: String(item.sessionId),
    playerToken: String(item.playerToken),
    machineId: String(item.machineId),
    property: String(item.property),
    core: String(item.core),
    ...(zone ? { zone } : {}),
    startedAt: num(item.startedAtMs),
    startedByCardIn: item.startedByCardIn === true,
    ...(endedAt !== undefined ? { endedAt } : {}),
    status,
    games: num(item.games),
    coinInCents: num(item.coinInCents),
    winCents: num(item.winCents),
    theoMicros: num(item.theoMicros),
    billIns: num(item.billIns),
    billInCents: num(item.billInCents),
    lastEventAt: num(item.lastEventAt),
  };
}

/**
 * The player item as stored: the rating, the sessions it last touched (`live`, authoritative over
 * their projections in the sessions table), and the event ids of its last commits.
 */
export interface StoredPlayer {
  readonly state: PlayerState;
  readonly live: ReadonlyMap<string, SessionState>;
  /** When each live session was last projected into the sessions table. */
  readonly projectedAt: ReadonlyMap<string, number>;
  readonly commits: readonly CommitRecord[];
}

/** An open session's projection is refreshed at most this often; new and ended sessions are projected at once. */
export const PROJECTION_INTERVAL_MS = 60_000;

/** A session as an item: the projection in the sessions table and the entries of the player's `live` map. */
export function sessionToItem(session: SessionState): Item {
  return {
    playerToken: session.playerToken,
    sessionId: session.sessionId,
    machineId: session.machineId,
    property: session.property,
    core: session.core,
    ...(session.zone ? { zone: session.zone } : {}),
    // The byMachine index sorts on startedAt as a string: ISO-8601 UTC sorts chronologically.
    startedAt: new Date(session.startedAt).toISOString(),
    startedAtMs: session.startedAt,
    startedByCardIn: session.startedByCardIn,
    ...(session.endedAt !== undefined ? { endedAt: session.endedAt } : {}),
    state: session.status,
    games: session.games,
    coinInCents: session.coinInCents,
    winCents: session.winCents,
    theoMicros: session.theoMicros,
    billIns: session.billIns,
    billInCents: session.billInCents,
    lastEventAt: session.lastEventAt,
  };
}

/**
 * A session as an entry of the player's `live` map: the projection without what the player item
 * already says (its key is the player token, the entry's key the session id) or says twice (the
 * ISO start kept for the sessions table's index). The player item is rewritten with every commit
 * and billed by its size, so every byte here is paid once per batch. Pure.
 */
export function liveSessionItem(session: SessionState): Item {
  const { playerToken: _player, sessionId: _session, startedAt: _iso, ...entry } = sessionToItem(session);
  return entry;
}

/** Reads a player item with its live sessions and commit log. */
export function storedPlayerFromItem(playerToken: string, item: Item | undefined): StoredPlayer {
  const live = new Map<string, SessionState>();
  const projectedAt = new Map<string, number>();
  const liveItems = item?.live;
  if (liveItems && typeof liveItems === 'object') {
    for (const [sessionId, value] of Object.entries(liveItems as Record<string, Item>)) {
      const session = sessionFromItem({ playerToken, sessionId, ...value });
      live.set(session.sessionId, session);
      projectedAt.set(session.sessionId, num(value.projectedAt));
    }
  }
  const commits = commitsFromItem(item?.commits);
  return { state: playerFromItem(playerToken, item), live, projectedAt, commits };
}

/** Event ids the player item says were applied by one of its remembered commits. */
export function committedEventIds(stored: StoredPlayer): Set<string> {
  return new Set(stored.commits.flatMap((commit) => commit.eventIds));
}

/**
 * The one write that commits a player's batch: the whole rating state, the sessions touched, and
 * the applied event ids, in one conditional UpdateItem on the player item. It also says which
 * sessions to project now: new ones, ended ones, and open ones not projected for a minute. The condition on the
 * version read (optimistic lock) makes it all-or-nothing against any other writer; the remembered
 * event ids make a retry after a crash between this write and the markers' recognisable. Pure.
 */
export function playerCommit(
  stored: StoredPlayer,
  update: PlayerUpdate,
  playersTable: string,
  now: number,
): { input: Record<string, unknown>; toProject: SessionState[]; next: StoredPlayer } {
  const { prior, next } = update;
  const live = new Map<string, SessionState>();
  for (const [id, { next: session }] of update.sessions) live.set(id, session);
  const current = next.currentSessionId
    ? (update.sessions.get(next.currentSessionId)?.next ?? stored.live.get(next.currentSessionId))
    : undefined;
  if (current) live.set(current.sessionId, current);
  const toProject = [...update.sessions.values()]
    .filter(
      ({ next: session, isNew }) =>
        isNew ||
        session.status !== 'open' ||
        now - (stored.projectedAt.get(session.sessionId) ?? 0) >= PROJECTION_INTERVAL_MS,
    )
    .map(({ next: session }) => session);
  const projected = new Set(toProject.map((session) => session.sessionId));
  const liveItem = (session: SessionState) => ({
    ...liveSessionItem(session),
    projectedAt: projected.has(session.sessionId) ? now : (stored.projectedAt.get(session.sessionId) ?? 0),
  });
  const commits = [{ version: next.version, eventIds: [...update.appliedEventIds] }, ...stored.commits].slice(
    0,
    REMEMBERED_COMMITS,
  );

  const expr = new ExpressionBuilder()
    .set('version', next.version)
    .set('updatedAt', now)
    .set('lifetimeCoinInCents', next.lifetimeCoinInCents)
    .set('lifetimeWinCents', next.lifetimeWinCents)
    .set('lifetimeGames', next.lifetimeGames)
    .set('lifetimeTheoMicros', next.lifetimeTheoMicros)
    .set('adtCents', next.adtCents)
    .set('tripsConsidered', next.tripsConsidered)
    .set('tier', next.tier)
    .set('live', Object.fromEntries([...live].map(([id, session]) => [id, liveItem(session)])))
    .set('commits', commitsToItem(commits));
  for (const [day, micros] of Object.entries(next.trips)) expr.set(`${TRIP_PREFIX}${day}`, micros);
  for (const day of update.prunedTrips) expr.remove(`${TRIP_PREFIX}${day}`);
  if (next.lastPlayedAt !== undefined) expr.set('lastPlayedAt', next.lastPlayedAt);
  if (next.currentSessionId) expr.set('currentSessionId', next.currentSessionId);
  else if (prior.currentSessionId) expr.remove('currentSessionId');
  const condition =
    prior.version === 0
      ? expr.condition((n) => `attribute_not_exists(${n('playerToken')})`)
      : expr.condition((n, v) => `${n('version')} = ${v(prior.version)}`);
  return {
    input: {
      TableName: playersTable,
      Key: { playerToken: prior.playerToken },
      UpdateExpression: expr.expression(),
      ConditionExpression: condition,
      ExpressionAttributeNames: expr.names,
      ExpressionAttributeValues: expr.values,
    },
    toProject,
    next: {
      state: next,
      live,
      projectedAt: new Map([...live.keys()].map((id) => [id, liveItem(live.get(id)!).projectedAt])),
      commits,
    },
  };
}

/**
 * Projects a session into the sessions table, stamped with the player version it reflects. The
 * condition keeps an older projection from overwriting a newer one; writing the same one twice is
 * harmless. Pure.
 */
export function sessionProjection(session: SessionState, rev: number, sessionsTable: string): Record<string, unknown> {
  return {
    TableName: sessionsTable,
    Item: { ...sessionToItem(session), rev },
    ConditionExpression: 'attribute_not_exists(#rev) OR #rev <= :rev',
    ExpressionAttributeNames: { '#rev': 'rev' },
    ExpressionAttributeValues: { ':rev': rev },
  };
}
