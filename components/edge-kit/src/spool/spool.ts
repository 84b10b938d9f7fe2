import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { RECORD_HEADER_BYTES } from './record-framing.js';
import { type FsyncPolicy, SegmentLog, type SpoolRecord } from './segment-log.js';

/** One stream kept in the spool, with its place in the eviction order. */
export interface SpoolStream {
  readonly name: string;
  /**
   * Higher survives longer. When the spool is full, an append may evict the oldest segments of
   * streams whose priority is at or below its own, lowest priority first.
   */
  readonly priority: number;
  /** Critical streams are never evicted: when only they fill the spool, appends are refused (backpressure). */
  readonly critical: boolean;
}

export interface SpoolOptions {
  readonly directory: string;
  readonly streams: readonly SpoolStream[];
  /** Bound on all segments of all streams together. */
  readonly maxBytes: number;
  readonly segmentBytes?: number;
  readonly fsync?: FsyncPolicy;
  readonly fsyncIntervalMs?: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** Result of {@link Spool.append}. */
export type AppendResult =
  | { readonly ok: true; readonly record: SpoolRecord }
  | { readonly ok: false; readonly reason: 'full' };

/** Per-stream figures for health metrics. */
export interface SpoolStreamStats {
  readonly pendingRecords: number;
  readonly bytes: number;
  /** Uncommitted records deleted by eviction since start. */
  readonly evictedRecords: number;
  readonly oldestPendingAgeMs: number;
}

/**
 * A durable, bounded spool of several streams, each its own {@link SegmentLog} in a subdirectory.
 *
 * Eviction policy: when an append would exceed `maxBytes`, the oldest segment of the lowest-priority,
 * non-critical stream whose priority does not exceed the appending stream's is deleted (its
 * uncommitted records counted as evicted), repeatedly, until the record fits. If nothing may be
 * evicted, the append is refused with `full` and the caller applies backpressure.
 */
export class Spool {
  readonly #options: SpoolOptions;
  readonly #logs = new Map<string, SegmentLog>();
  readonly #streams = new Map<string, SpoolStream>();
  readonly #evicted = new Map<string, number>();

  private constructor(options: SpoolOptions) {
    this.#options = options;
  }

  /** Opens every stream's log, recovering from any crash. */
  static async open(options: SpoolOptions): Promise<Spool> {
    const spool = new Spool(options);
    for (const stream of options.streams) {
      spool.#streams.set(stream.name, stream);
      spool.#evicted.set(stream.name, 0);
      spool.#logs.set(
        stream.name,
        await SegmentLog.open({
          directory: join(options.directory, stream.name),
          segmentBytes: options.segmentBytes ?? 1024 * 1024,
          fsync: options.fsync ?? 'always',
          ...(options.fsyncIntervalMs !== undefined ? { fsyncIntervalMs: options.fsyncIntervalMs } : {}),
          logger: options.logger.child({ spoolStream: stream.name }),
          ...(options.now ? { now: options.now } : {}),
        }),
      );
    }
    return spool;
  }

  /** The log of one stream, for reading and committing. */
  log(stream: string): SegmentLog {
    const log = this.#logs.get(stream);
    if (!log) throw new Error(`unknown spool stream "${stream}"`);
    return log;
  }

  /** Bytes of all streams on disk. */
  get bytes(): number {
    let total = 0;
    for (const log of this.#logs.values()) total += log.bytes;
    return total;
  }

  /**
   * Appends to a stream, evicting per the policy if needed. `payloadBytes` is the payload size `build`
   * will return (an estimate is fine: the bound may be overshot by the error). `build` gets the
   * record's seq and is called once, after room is made.
   */
  async append(stream: string, payloadBytes: number, build: (seq: number) => Uint8Array): Promise<AppendResult> {
    const log = this.log(stream);
    const me = this.#streams.get(stream)!;
    while (this.bytes + payloadBytes + RECORD_HEADER_BYTES > this.#options.maxBytes) {
      const victim = this.#victim(me);
      if (!victim) return { ok: false, reason: 'full' };
      const dropped = await this.log(victim).evictOldestSegment();
      this.#evicted.set(victim, (this.#evicted.get(victim) ?? 0) + dropped);
      this.#options.logger.warn('spool full: evicted the oldest segment', { stream: victim, droppedRecords: dropped });
    }
    return { ok: true, record: await log.append(build) };
  }

  stats(): Record<string, SpoolStreamStats> {
    const now = (this.#options.now ?? Date.now)();
    const out: Record<string, SpoolStreamStats> = {};
    for (const [name, log] of this.#logs) {
      const oldest = log.oldestPendingAppendedAt;
      out[name] = {
        pendingRecords: log.pending,
        bytes: log.bytes,
        evictedRecords: this.#evicted.get(name) ?? 0,
        oldestPendingAgeMs: oldest === undefined ? 0 : Math.max(0, now - oldest),
      };
    }
    return out;
  }

  async close(): Promise<void> {
    for (const log of this.#logs.values()) await log.close();
  }

  #victim(appending: SpoolStream): string | undefined {
    const candidates = [...this.#streams.values()]
      .filter((s) => !s.critical && s.priority <= appending.priority && this.log(s.name).bytes > 0)
      .sort((a, b) => a.priority - b.priority);
    return candidates[0]?.name;
  }
}
