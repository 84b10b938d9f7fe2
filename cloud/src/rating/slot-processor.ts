import type { SlotEvent } from '@croupier/contracts';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { forEachConcurrently } from '../common/concurrency.js';
import type { DeadLetterStore } from '../common/dead-letter-store.js';
import { decodeKinesisBatch } from '../common/kinesis-envelopes.js';
import type { SequenceStore } from '../ingest/sequence-store.js';
import type { SequencePoint } from '../ingest/sequence-tracker.js';
import type { PlayerUpdate } from './player-ledger.js';
import { asRatedEvent, type RatedEvent } from './rated-event.js';
import type { RatingStore } from './rating-store.js';

/** Offer responses from machines, recorded against the offer they answer. */
export interface OfferResponseRecorder {
  record(responses: readonly Extract<SlotEvent, { type: 'offer_response' }>[]): Promise<void>;
}

/** What runs after a player's rating is committed: the offer engine. Its failures never fail the batch. */
export interface RatedPlayersListener {
  afterRating(updates: readonly PlayerUpdate[], now: number): Promise<void>;
}

/** Counts of one invocation, for metrics and logs. */
export interface SlotBatchSummary {
  records: number;
  envelopes: number;
  events: number;
  ratedEvents: number;
  duplicates: number;
  deadLetters: number;
  sequenceGaps: number;
  players: number;
  /** Player commits: one conditional write per player per batch. */
  commits: number;
  failedPlayers: number;
}

export interface SlotProcessorPorts {
  readonly ratings: RatingStore;
  readonly sequences: SequenceStore;
  readonly deadLetters: DeadLetterStore;
  readonly offerResponses?: OfferResponseRecorder;
  readonly listener?: RatedPlayersListener;
  readonly now: () => number;
  readonly onError?: (message: string, error: unknown) => void;
}

/** Players written at once; each player's own writes stay sequential. */
const PLAYER_CONCURRENCY = 8;

interface StagedEvent {
  readonly event: RatedEvent;
  readonly recordIndex: number;
}

/**
 * The slot processor: Kinesis batches of slot envelopes in, player ratings and sessions out.
 *
 * Decoding runs record by record under Powertools' BatchProcessor; bad records and events are
 * dead-lettered, never thrown, so one bad message cannot block the shard. Then the batch is
 * aggregated: duplicates are dropped by eventId (within the batch, and across batches by the
 * applied-event buckets written after every commit), and each player gets one transaction. A player whose write
 * fails marks its earliest record as failed; Lambda resumes from there and the events already
 * applied are dropped as duplicates on the retry.
 */
export class SlotProcessor {
  constructor(private readonly ports: SlotProcessorPorts) {}

  async process(
    event: KinesisStreamEvent,
  ): Promise<{ response: KinesisStreamBatchResponse; summary: SlotBatchSummary }> {
    const now = this.ports.now();
    const records = event.Records;
    const { usable, deadLetters, failed } = await decodeKinesisBatch(records, ['slot']);
    const summary: SlotBatchSummary = {
      records: records.length,
      envelopes: usable.length,
      events: 0,
      ratedEvents: 0,
      duplicates: 0,
      deadLetters: deadLetters.length,
      sequenceGaps: 0,
      players: 0,
      commits: 0,
      failedPlayers: 0,
    };
    await this.ports.deadLetters.put(deadLetters, now);

    const seqsByCore = new Map<string, SequencePoint[]>();
    for (const { envelope } of usable) {
      const seqs = seqsByCore.get(envelope.header.core) ?? [];
      seqs.push({ seq: envelope.header.seq, createdAt: envelope.header.createdAt });
      seqsByCore.set(envelope.header.core, seqs);
    }
    for (const observation of (await this.ports.sequences.record('slot', seqsByCore, now)).values()) {
      summary.sequenceGaps += observation.gaps.length;
    }

    const seen = new Set<string>();
    const staged: StagedEvent[] = [];
    const offerResponses: Extract<SlotEvent, { type: 'offer_response' }>[] = [];
    for (const { envelope, index } of usable) {
      const origin = { property: envelope.header.property, core: envelope.header.core };
      for (const slotEvent of envelope.events as SlotEvent[]) {
        summary.events += 1;
        if (seen.has(slotEvent.eventId)) {
          summary.duplicates += 1;
          continue;
        }
        seen.add(slotEvent.eventId);
        if (slotEvent.type === 'offer_response') offerResponses.push(slotEvent);
        const rated = asRatedEvent(slotEvent, origin);
        if (rated) staged.push({ event: rated, recordIndex: index });
      }
    }

    const applied = await this.ports.ratings.appliedAmong(staged.map((s) => s.event));
    const fresh = staged.filter((s) => !applied.has(s.event.eventId));
    summary.duplicates += staged.length - fresh.length;
    summary.ratedEvents = fresh.length;

    const byPlayer = new Map<string, StagedEvent[]>();
    for (const item of fresh) {
      const list = byPlayer.get(item.event.playerToken) ?? [];
      list.push(item);
      byPlayer.set(item.event.playerToken, list);
    }
    summary.players = byPlayer.size;
    const eventsByPlayer = new Map([...byPlayer].map(([token, list]) => [token, list.map((s) => s.event)]));
    const players = await this.ports.ratings.loadPlayers([...eventsByPlayer.keys()]);
    const sessions = await this.ports.ratings.loadSessions(players, eventsByPlayer);

    const failedRecords = new Set(failed);
    const earliestRecord = (token: string) => Math.min(...byPlayer.get(token)!.map((s) => s.recordIndex));
    const committed: PlayerUpdate[] = [];
    const appliedByPlayer = new Map<string, readonly string[]>();
    await forEachConcurrently([...eventsByPlayer], PLAYER_CONCURRENCY, async ([token, events]) => {
      try {
        const outcome = await this.ports.ratings.applyPlayer(players.get(token)!, sessions, events, now);
        summary.commits += outcome.updates.length;
        committed.push(...outcome.updates);
        if (outcome.unmarked.length > 0) appliedByPlayer.set(token, outcome.unmarked);
        summary.duplicates += outcome.repaired;
      } catch (error) {
        summary.failedPlayers += 1;
        this.ports.onError?.('rating write failed for a player; their records will be retried', error);
        failedRecords.add(records[earliestRecord(token)]!.kinesis.sequenceNumber);
      }
    });
    try {
      await this.ports.ratings.mark(appliedByPlayer, now);
    } catch (error) {
      // The commits remember their event ids: the retried records repair the markers.
      this.ports.onError?.('event markers not written; the committed records will be retried', error);
      for (const token of appliedByPlayer.keys())
        failedRecords.add(records[earliestRecord(token)]!.kinesis.sequenceNumber);
    }

    if (offerResponses.length > 0 && this.ports.offerResponses) {
      await this.ports.offerResponses.record(offerResponses);
    }
    if (committed.length > 0 && this.ports.listener) {
      try {
        await this.ports.listener.afterRating(committed, now);
      } catch (error) {
        this.ports.onError?.('offer stage failed; ratings are committed', error);
      }
    }
    return {
      response: { batchItemFailures: [...failedRecords].map((itemIdentifier) => ({ itemIdentifier })) },
      summary,
    };
  }
}
