import { parseStreamEvent, type StreamEvent, type UplinkStream } from '@croupier/contracts';
import { type FsyncPolicy, type Logger, SegmentLog } from '@croupier/edge-kit';

/** One group-commit record of the journal: the events taken while the previous record was being written. */
interface JournalGroup {
  readonly events: StreamEvent[];
  /** The record's seq once written, `undefined` if the write failed (the events then live in memory only). */
  readonly seq: Promise<number | undefined>;
}

/** Where one accepted event sits in the journal. */
export interface JournalEntry {
  readonly group: JournalGroup;
  readonly index: number;
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

/** Records read per call during recovery. */
const RECOVERY_CHUNK = 1_000;

/**
 * Write-ahead journal of one stream's accepted events, ahead of the envelope spool. An event is
 * written here as it is taken from the local broker, and the journal is committed past it only once
 * the envelope holding it is in the spool; at start, what is left is batched again.
 *
 * Group commit: the first event taken while no write is in flight starts a write at once; events
 * taken during a write wait and go together in the next record, so the number of writes (and
 * fsyncs) follows the disk's pace, not the event rate, and a record is never more than one write old.
 *
 * What a crash can still lose: the CRT MQTT client acknowledges a QoS 1 message to the broker when it
 * hands it over, before any of this runs, so an event is exposed from that acknowledgement until its
 * record is written: the time to the next write (at most one write in flight) plus, with fsync
 * `always`, that write's fdatasync for power loss. A process kill loses only events whose write had
 * not reached the kernel. Replays are at-least-once: a crash between spooling an envelope and
 * committing the journal, or a record split over two envelopes, sends those events again with the same
 * eventIds, which the cloud deduplicates.
 */
export class IntakeJournal {
  readonly #options: IntakeJournalOptions;
  readonly #log: SegmentLog;
  #open: { events: StreamEvent[]; resolve: (seq: number | undefined) => void; group: JournalGroup } | undefined;
  #writing: Promise<void> | undefined;
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
    for (let from = this.#log.committed; from < this.#log.nextSeq; ) {
      const records = await this.#log.read(from, RECOVERY_CHUNK);
      if (records.length === 0) break;
      for (const record of records) {
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
        const group: JournalGroup = { events, seq: Promise.resolve(record.seq) };
        events.forEach((event, index) => {
          entries.push({ event, entry: { group, index } });
        });
        from = record.seq + 1;
      }
    }
    return { entries, unreadable };
  }

  /** Journals an accepted event; the write starts now unless one is in flight. */
  record(event: StreamEvent): JournalEntry {
    if (!this.#open) {
      let resolve!: (seq: number | undefined) => void;
      const seq = new Promise<number | undefined>((r) => {
        resolve = r;
      });
      const events: StreamEvent[] = [];
      this.#open = { events, resolve, group: { events, seq } };
    }
    const open = this.#open;
    open.events.push(event);
    if (!this.#writing) this.#write();
    return { group: open.group, index: open.events.length - 1 };
  }

  /**
   * Commits the journal through `entry` once its envelope is in the spool. Calls must follow intake
   * order (they do: envelopes are cut and spooled in order). A partly enveloped record stays until
   * its last event is enveloped.
   */
  async commitThrough(entry: JournalEntry): Promise<void> {
    const seq = await entry.group.seq;
    if (seq === undefined) return;
    const through = entry.index === entry.group.events.length - 1 ? seq + 1 : seq;
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

  /** Waits for the write in flight, then closes the journal. */
  async close(): Promise<void> {
    while (this.#writing) await this.#writing;
    await this.#committing;
    await this.#log.close();
  }

  #write(): void {
    const open = this.#open;
    if (!open) return;
    this.#open = undefined;
    this.#writing = this.#log
      .append(() => Buffer.from(JSON.stringify(open.events)))
      .then(
        (record) => {
          if (this.#failing) this.#options.logger.info('intake journal writes again', { stream: this.#options.stream });
          this.#failing = false;
          open.resolve(record.seq);
        },
        (e: unknown) => {
          this.#failedWrites += 1;
          if (!this.#failing)
            this.#options.logger.error(
              'could not write the intake journal; events are held in memory only until it writes again',
              { stream: this.#options.stream, error: e },
            );
          this.#failing = true;
          open.resolve(undefined);
        },
      )
      .finally(() => {
        this.#writing = undefined;
        this.#write();
      });
  }
}
