import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, isConditionalCheckFailed } from '../common/dynamo.js';
import { readAppliedEventIds, writeAppliedEventIds } from './applied-event-store.js';
import type { AppliedEventRef } from './applied-events.js';
import type { GamingDayCalendar } from './gaming-day.js';
import { applyPlayerEvents, type PlayerUpdate, type SessionState } from './player-ledger.js';
import { compareEvents, type RatedEvent } from './rated-event.js';
import type { RatingConfig } from './rating-config.js';
import {
  committedEventIds,
  playerCommit,
  type StoredPlayer,
  sessionFromItem,
  sessionProjection,
  storedPlayerFromItem,
} from './rating-items.js';

/** Physical tables the rating writes to. */
export interface RatingTables {
  readonly players: string;
  readonly sessions: string;
  readonly ingest: string;
}

const MAX_CONFLICT_RETRIES = 5;

/** Session ids a player's events name, plus the player's current session (it may be left abandoned). */
function sessionIdsFor(stored: StoredPlayer, events: readonly RatedEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    const id = event.type === 'card_in' ? event.eventId : event.sessionId;
    if (id) ids.add(id);
  }
  if (stored.state.currentSessionId) ids.add(stored.state.currentSessionId);
  return [...ids];
}

/** What applying one player's batch did. */
export interface PlayerOutcome {
  /** The committed updates, in order: one, unless the player had more than {@link MAX_EVENTS_PER_COMMIT} new events. */
  readonly updates: readonly PlayerUpdate[];
  /** Event ids committed whose markers are still to be written (by {@link RatingStore.mark}, once per batch). */
  readonly unmarked: readonly string[];
  /** Events found applied by an earlier attempt whose markers were missing, now repaired. */
  readonly repaired: number;
}

/**
 * A commit carries its event ids on the player item; this bounds them (and the item) for a player
 * with a backlog of play in one batch, e.g. when a floor comes back after an outage.
 */
export const MAX_EVENTS_PER_COMMIT = 500;

/**
 * Player ratings and sessions in DynamoDB, written without multi-item transactions (so the same
 * code runs on DynamoDB and on dynalite):
 *
 * 1. **commit** — one conditional UpdateItem on the player item per player per batch, holding the
 *    rating, the sessions touched, and the ids of the events applied (see {@link playerCommit});
 * 2. **project** — new, ended, and (once a minute) open sessions are put into the sessions table,
 *    stamped with the player version, so an older projection never overwrites a newer one;
 * 3. **mark** — the applied event ids are added to small bucket items in the ingest table, one per
 *    player and minute of event-id time ({@link RatingStore.mark}), which is how a later batch
 *    recognises an event it has seen. A bucket stays near 1 KB, so a batch pays about one write
 *    unit per player-minute instead of one per event.
 *
 * A crash after 1 leaves the event ids on the player item: the retried record finds them there,
 * skips them, and redoes 2 and 3, which are idempotent.
 */
export class RatingStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: RatingTables,
    private readonly config: RatingConfig,
    private readonly calendar: GamingDayCalendar,
  ) {}

  /** Which of these events are recorded as applied, i.e. were applied by an earlier batch. */
  async appliedAmong(events: readonly AppliedEventRef[]): Promise<Set<string>> {
    return readAppliedEventIds(this.client, this.tables.ingest, events);
  }

  async loadPlayers(tokens: readonly string[]): Promise<Map<string, StoredPlayer>> {
    const items = await batchGetAll(
      this.client,
      this.tables.players,
      tokens.map((playerToken) => ({ playerToken })),
    );
    const byToken = new Map(items.map((item) => [String(item.playerToken), item]));
    return new Map(tokens.map((token) => [token, storedPlayerFromItem(token, byToken.get(token))]));
  }

  /** Loads sessions from their projections, overlaid by the player items' live copies, which are never older. */
  async loadSessions(
    players: ReadonlyMap<string, StoredPlayer>,
    eventsByPlayer: ReadonlyMap<string, readonly RatedEvent[]>,
  ): Promise<Map<string, SessionState>> {
    const keys = [...eventsByPlayer].flatMap(([playerToken, events]) =>
      sessionIdsFor(players.get(playerToken)!, events)
        .filter((sessionId) => !players.get(playerToken)!.live.has(sessionId))
        .map((sessionId) => ({ playerToken, sessionId })),
    );
    const sessions = new Map<string, SessionState>();
    for (const item of await batchGetAll(this.client, this.tables.sessions, keys)) {
      sessions.set(String(item.sessionId), sessionFromItem(item));
    }
    for (const stored of players.values()) for (const [id, session] of stored.live) sessions.set(id, session);
    return sessions;
  }

  /**
   * Applies a player's events (already filtered against the markers), starting from preloaded
   * state. Normally one commit; a backlog is committed in chronological chunks, each chunk's
   * markers written before the next, so the player item never needs to remember more than the last.
   */
  async applyPlayer(
    stored: StoredPlayer,
    sessions: ReadonlyMap<string, SessionState>,
    events: readonly RatedEvent[],
    now: number,
  ): Promise<PlayerOutcome> {
    const ordered = [...events].sort(compareEvents);
    const updates: PlayerUpdate[] = [];
    let repaired = 0;
    let unmarked: readonly string[] = [];
    let current = stored;
    const known = new Map(sessions);
    for (let start = 0; start < ordered.length; start += MAX_EVENTS_PER_COMMIT) {
      if (unmarked.length > 0) {
        await this.mark(new Map([[stored.state.playerToken, unmarked]]), now);
        unmarked = [];
      }
      const result = await this.commitChunk(current, known, ordered.slice(start, start + MAX_EVENTS_PER_COMMIT), now);
      repaired += result.repaired;
      if (!result.update) continue;
      updates.push(result.update);
      unmarked = result.update.appliedEventIds;
      current = result.stored;
      for (const [id, { next }] of result.update.sessions) known.set(id, next);
    }
    return { updates, unmarked, repaired };
  }

  /** One commit, re-read and recomputed when another writer moved the player's version first. */
  private async commitChunk(
    stored: StoredPlayer,
    sessions: ReadonlyMap<string, SessionState>,
    events: readonly RatedEvent[],
    now: number,
  ): Promise<{ update?: PlayerUpdate; stored: StoredPlayer; repaired: number }> {
    let current = stored;
    let known: ReadonlyMap<string, SessionState> = sessions;
    for (let attempt = 0; ; attempt += 1) {
      if (attempt > 0) {
        if (attempt > MAX_CONFLICT_RETRIES) throw new Error('too many write conflicts on one player');
        const players = await this.loadPlayers([stored.state.playerToken]);
        current = players.get(stored.state.playerToken)!;
        known = await this.loadSessions(players, new Map([[stored.state.playerToken, events]]));
      }
      const committed = committedEventIds(current);
      const repairedIds = events.filter((event) => committed.has(event.eventId)).map((event) => event.eventId);
      if (repairedIds.length > 0) await this.repair(current, repairedIds, now);
      const pending = events.filter((event) => !committed.has(event.eventId));
      if (pending.length === 0) return { stored: current, repaired: repairedIds.length };

      const update = applyPlayerEvents(current.state, known, pending, this.config, this.calendar);
      const commit = playerCommit(current, update, this.tables.players, now);
      try {
        await this.client.send(new UpdateCommand(commit.input as never));
      } catch (error) {
        if (isConditionalCheckFailed(error)) continue;
        throw error;
      }
      await this.project(commit.toProject, update.next.version);
      return { update, stored: commit.next, repaired: repairedIds.length };
    }
  }

  /** Redoes the projection and markers of a commit an earlier attempt made but could not finish. */
  private async repair(stored: StoredPlayer, eventIds: readonly string[], now: number): Promise<void> {
    await this.project([...stored.live.values()], stored.state.version);
    await this.mark(new Map([[stored.state.playerToken, eventIds]]), now);
  }

  private async project(sessions: readonly SessionState[], rev: number): Promise<void> {
    for (const session of sessions) {
      try {
        await this.client.send(new PutCommand(sessionProjection(session, rev, this.tables.sessions) as never));
      } catch (error) {
        // A newer projection is already there: nothing to do.
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
  }

  /**
   * Records the applied events of many players at once, one idempotent write per player-minute
   * bucket. Called once per batch after every player's commit; if it fails, the events are still
   * recognised as applied from the player items' commit logs when the batch is retried.
   */
  async mark(eventIdsByPlayer: ReadonlyMap<string, readonly string[]>, now: number): Promise<void> {
    const events = [...eventIdsByPlayer].flatMap(([playerToken, ids]) =>
      ids.map((eventId) => ({ playerToken, eventId })),
    );
    await writeAppliedEventIds(this.client, this.tables.ingest, events, now);
  }
}
