import { parseWith } from '@croupier/contracts';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import { type FsyncPolicy, SegmentLog } from '../spool/segment-log.js';

export interface OutboxOptions<T> {
  readonly directory: string;
  readonly segmentBytes: number;
  readonly fsync: FsyncPolicy;
  readonly logger: Logger;
  /** What the outbox holds, named in its log lines (`slot-events`). */
  readonly name: string;
  /** The contract every record read back at start must meet. */
  readonly schema: z.ZodType<T>;
}

/** What the outbox held at start: events written before a stop or crash that were never marked sent. */
export interface UnsentEvents<T> {
  readonly entries: { readonly event: T; readonly seq: number }[];
  /** Records that no longer meet the schema (a format from another version, or a damaged disk). */
  readonly unreadable: number;
}

/**
 * A producer's write-ahead outbox: each event is written here, synchronously, in the same tick it is
 * produced (SlotGateway: the SMIB message handled, already tokenised, never a card number), and marked
 * sent once its delivery is confirmed. At start, what was never marked is published again.
 *
 * Why: what happens before the write cannot be replayed (the CRT MQTT client acknowledges a QoS 1
 * message on receipt, Greengrass IPC has none, a prediction's window is in memory), so this write is
 * the only thing that outlives a crash. A process killed after it loses nothing; what is still exposed
 * is a message acknowledged by the client and queued for the event loop when the process dies.
 *
 * Deliveries complete out of order; the log is committed through the longest run of sent events from
 * its start, one commit at a time, each taking every event marked meanwhile. A crash before a commit
 * resends events that were delivered: they keep their eventIds, which Uplink's receivers deduplicate.
 */
export class Outbox<T> {
  readonly #options: OutboxOptions<T>;
  readonly #log: SegmentLog;
  /** Seqs at or past the commit frontier whose publish was acknowledged. */
  readonly #sent = new Set<number>();
  #frontier: number;
  #committing: Promise<void> | undefined;
  #failedWrites = 0;
  #failing = false;

  private constructor(options: OutboxOptions<T>, log: SegmentLog) {
    this.#options = options;
    this.#log = log;
    this.#frontier = log.committed;
  }

  /** Opens (and recovers) the outbox directory. */
  static async open<T>(options: OutboxOptions<T>): Promise<Outbox<T>> {
    const log = await SegmentLog.open({
      directory: options.directory,
      segmentBytes: options.segmentBytes,
      fsync: options.fsync,
      logger: options.logger.child({ outbox: options.name }),
    });
    return new Outbox(options, log);
  }

  /** Writes that failed since start (their events were delivered without the outbox's cover). */
  get failedWrites(): number {
    return this.#failedWrites;
  }

  /** Events written and not yet committed as sent. */
  get pending(): number {
    return this.#log.pending;
  }

  /** Every event left unsent by the last run, oldest first. */
  async unsent(): Promise<UnsentEvents<T>> {
    const entries: { event: T; seq: number }[] = [];
    let unreadable = 0;
    for await (const record of this.#log.uncommitted()) {
      let raw: unknown;
      try {
        raw = JSON.parse(record.payload.toString('utf8'));
      } catch {
        raw = undefined;
      }
      const event = parseWith(this.#options.schema, raw);
      if (event.ok) entries.push({ event: event.value, seq: record.seq });
      else unreadable += 1;
    }
    return { entries, unreadable };
  }

  /**
   * Writes an event before it is published; returns its seq for {@link Outbox.sent}, or `undefined`
   * when the write failed (a full disk): the event is then published all the same, counted and logged.
   */
  add(event: T): number | undefined {
    try {
      const { seq } = this.#log.write(() => Buffer.from(JSON.stringify(event)));
      if (this.#failing) this.#options.logger.info('outbox writes again');
      this.#failing = false;
      this.#log.durable().catch((e) => this.#options.logger.error('outbox fsync failed', { error: e }));
      return seq;
    } catch (e) {
      this.#failedWrites += 1;
      if (!this.#failing)
        this.#options.logger.error('could not write the outbox; events are published without its cover', {
          outbox: this.#options.name,
          error: e,
        });
      this.#failing = true;
      return undefined;
    }
  }

  /** Resolves once every event added so far is as durable as the fsync policy promises (shared fdatasync). */
  durable(): Promise<void> {
    return this.#log.durable();
  }

  /** Marks an event's delivery confirmed; the log is committed past it once every earlier one is too. */
  sent(seq: number | undefined): void {
    if (seq === undefined || seq < this.#frontier) return;
    this.#sent.add(seq);
    while (this.#sent.delete(this.#frontier)) this.#frontier += 1;
    this.#commit();
  }

  /** Waits for the commit in flight, then closes the outbox. */
  async close(): Promise<void> {
    while (this.#committing) await this.#committing;
    await this.#log.close();
  }

  #commit(): void {
    if (this.#committing || this.#frontier <= this.#log.committed) return;
    this.#committing = this.#log
      .commit(this.#frontier)
      .catch((e) =>
        this.#options.logger.warn('could not commit the outbox; its events may be published again after a restart', {
          error: e,
        }),
      )
      .finally(() => {
        this.#committing = undefined;
        this.#commit();
      });
  }
}
