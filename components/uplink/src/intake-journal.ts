import { parseStreamEvent, type StreamEvent, type UplinkStream } from '@croupier/contracts';
import { type FsyncPolicy, type Logger, SegmentLog } from '@croupier/edge-kit';

/** Where one accepted event sits in the journal. */
export interface JournalEntry {
  /** Seq of the record holding the event, `undefined` if it could not be written (memory only). */
  readonly seq: number | undefined;
  /** Whether the event is the last of its record: the record is committed only with its last event. */
  readonly last: boolean;
}

export interface IntakeJournalOptions {
  readonly directory: string;
  readonly stream: UplinkStream;
  readonly segmentBytes: number;
  readonly fsync: FsyncPolicy;
  readonly logger: Logger;
}

/** The journal's contents at start: events accepted before a stop or crash that never reached an envelope. */
export interface RecoveredEvents {
  readonly entries: { readonly event: StreamEvent; readonly entry: JournalEntry }[];
  readonly unreadable: number;
}

/**
 * Write-ahead journal of one stream's accepted events, ahead of the envelope spool. The events of
 * each message taken from the local broker are written here as one record, synchronously, in the
 * message handler; the journal is committed past them only once the envelope holding them is in the
 * spool; at start, what is left is batched again.
 *
 * What a crash can still lose: the CRT MQTT client acknowledges a QoS 1 message to the broker when it
 * receives it, before the handler runs, so a message is exposed from that acknowledgement until the
 * handler's write returns: the wait in the client's queue for the event loop. A process killed after
 * the write loses nothing. Power loss may also take records written since the last fdatasync (with
 * fsync `always`, one runs as soon as the previous ends). Replays are at-least-once: a crash between
 * spooling an envelope and committing the journal, or a record split over two envelopes, sends those
 * events again with the same eventIds, which the cloud deduplicates.
 */
export class IntakeJournal {
  readonly #options: IntakeJournalOptions;
  readonly #log: SegmentLog;
  #committing: Promise<void> = Promise.resolve();
  #failedWrites = 0;
  #failing = false;

  private constructor(options: IntakeJournalOptions, log: SegmentLog) {
    this.#options = options;
    this.#log = log;
  }

  /** Opens (and recovers) the journal directory. */
  static async open(options: IntakeJournalOptions): Promise<IntakeJournal> {
    const log = await SegmentLog.open({
      directory: options.directory,
      segmentBytes: options.segmentBytes,
      fsync: options.fsync,
      logger: options.logger.child({ journal: options.stream }),
    });
    return new IntakeJournal(options, log);
  }

  /** Writes that failed since start (their events were kept in memory only). */
  get failedWrites(): number {
    return this.#failedWrites;
  }

  /** Journal records not yet committed. */
  get pending(): number {
    return this.#log.pending;
  }

  /** Reads every uncommitted event, oldest first, for batching again after a restart. */
  async recover(): Promise<RecoveredEvents> {
    const entries: { event: StreamEvent; entry: JournalEntry }[] = [];
    let unreadable = 0;
    for await (const record of this.#log.uncommitted()) {
      let raw: unknown;
      try {
        raw = JSON.parse(record.payload.toString('utf8'));
      } catch {
        raw = undefined;
      }
      const events: StreamEvent[] = [];
      for (const item of Array.isArray(raw) ? raw : []) {
        const parsed = parseStreamEvent(this.#options.stream, item);
        if (parsed.ok) events.push(parsed.value);
        else unreadable += 1;
      }
      if (!Array.isArray(raw)) unreadable += 1;
      events.forEach((event, index) => {
        entries.push({ event, entry: { seq: record.seq, last: index === events.length - 1 } });
      });
    }
    return { entries, unreadable };
  }

  /**
   * Journals the accepted events of one message as one record, written before this returns. If the
   * write fails (a full disk) the events are kept in memory only, counted and logged, never refused.
   */
  record(events: readonly StreamEvent[]): JournalEntry[] {
    let seq: number | undefined;
    try {
      seq = this.#log.write(() => Buffer.from(JSON.stringify(events))).seq;
      if (this.#failing) this.#options.logger.info('intake journal writes again', { stream: this.#options.stream });
      this.#failing = false;
      this.#log
        .durable()
        .catch((e) =>
          this.#options.logger.error('intake journal fsync failed', { stream: this.#options.stream, error: e }),
        );
    } catch (e) {
      this.#failedWrites += 1;
      if (!this.#failing)
        this.#options.logger.error(
          'could not write the intake journal; events are held in memory only until it writes again',
          { stream: this.#options.stream, error: e },
        );
      this.#failing = true;
    }
    return events.map((_, index) => ({ seq, last: index === events.length - 1 }));
  }

  /**
   * Commits the journal through `entry` once its envelope is in the spool. Calls must follow intake
   * order (they do: envelopes are cut and spooled in order). A partly enveloped record stays until
   * its last event is enveloped.
   */
  async commitThrough(entry: JournalEntry): Promise<void> {
    if (entry.seq === undefined) return;
    const through = entry.last ? entry.seq + 1 : entry.seq;
    this.#committing = this.#committing
      .then(() => this.#log.commit(through))
      .catch((e) =>
        this.#options.logger.warn('could not commit the intake journal; its events may be sent again after a restart', {
          stream: this.#options.stream,
          error: e,
        }),
      );
    await this.#committing;
  }

  /** Resolves once every record written so far is as durable as the fsync policy promises (shared fdatasync). */
  durable(): Promise<void> {
    return this.#log.durable();
  }

  /** Waits for the commits in flight, then closes the journal. */
  async close(): Promise<void> {
    await this.#committing;
    await this.#log.close();
  }
}
