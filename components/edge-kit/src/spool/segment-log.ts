import { type FileHandle, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { syncDirectory, writeFileAtomic } from './atomic-file.js';
import { encodeRecord, RECORD_HEADER_BYTES, recordPayload, scanRecords } from './record-framing.js';

/**
 * When appended records reach the disk:
 * - `always`: fdatasync before `append` resolves; an appended record survives power loss.
 * - `interval`: fdatasync every `fsyncIntervalMs`; survives a process kill, power loss may take the
 *   last interval.
 * - `never`: left to the OS; survives a process kill only.
 */
export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface SegmentLogOptions {
  /** Directory owned by this log. */
  readonly directory: string;
  /** A segment is sealed and a new one started once it reaches this size. */
  readonly segmentBytes: number;
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs?: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** A record read back from the log. */
export interface SpoolRecord {
  /** Position in the log: consecutive, never reused, survives restarts. */
  readonly seq: number;
  readonly appendedAt: number;
  readonly payload: Buffer;
}

interface Segment {
  readonly base: number;
  readonly path: string;
  /** Byte offset of each record; record `base + i` starts at `offsets[i]`. */
  readonly offsets: number[];
  readonly appendedAt: number[];
  size: number;
}

const SEGMENT_SUFFIX = '.seg';
const COMMIT_FILE = 'commit.json';
const segmentName = (base: number) => `${String(base).padStart(16, '0')}${SEGMENT_SUFFIX}`;

/**
 * An append-only log of records in segment files, with a persisted commit offset. Single writer:
 * appends, commits and evictions are serialised internally; reads may run beside them.
 *
 * Crash safety: records are framed with length and CRC-32 ({@link encodeRecord}); on open, each
 * segment is scanned and a torn tail is truncated, never touching the records before it. The commit
 * offset is replaced atomically (temp file + rename), so it is always one the caller committed.
 */
export class SegmentLog {
  readonly #options: SegmentLogOptions;
  readonly #segments: Segment[] = [];
  #active: FileHandle | undefined;
  #committed = 0;
  #next = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #dirty = false;
  #fsyncTimer: NodeJS.Timeout | undefined;
  #truncatedBytes = 0;

  private constructor(options: SegmentLogOptions) {
    this.#options = options;
  }

  /** Opens (creating if needed) and recovers the log in `options.directory`. */
  static async open(options: SegmentLogOptions): Promise<SegmentLog> {
    const log = new SegmentLog(options);
    await log.#recover();
    return log;
  }

  /** Seq the next append gets. */
  get nextSeq(): number {
    return this.#next;
  }

  /** Every record below this seq is acknowledged. */
  get committed(): number {
    return this.#committed;
  }

  /** Bytes on disk in live segments. */
  get bytes(): number {
    return this.#segments.reduce((sum, s) => sum + s.size, 0);
  }

  /** Records appended but not yet committed (and not evicted). */
  get pending(): number {
    let count = 0;
    for (const s of this.#segments) {
      const end = s.base + s.offsets.length;
      count += Math.max(0, end - Math.max(s.base, this.#committed));
    }
    return count;
  }

  /** Append time of the oldest uncommitted record. */
  get oldestPendingAppendedAt(): number | undefined {
    for (const s of this.#segments) {
      const index = Math.max(0, this.#committed - s.base);
      if (index < s.offsets.length) return s.appendedAt[index];
    }
    return undefined;
  }

  /** Bytes of torn or corrupt data cut off during recovery. */
  get truncatedBytesOnRecovery(): number {
    return this.#truncatedBytes;
  }

  /**
   * Appends one record. `build` receives the record's seq, so a caller can stamp it into the payload
   * (Uplink's envelope sequence number is its spool seq). Resolves once written per the fsync policy.
   */
  append(build: (seq: number) => Uint8Array): Promise<SpoolRecord> {
    return this.#serial(async () => {
      const seq = this.#next;
      const payload = build(seq);
      const appendedAt = (this.#options.now ?? Date.now)();
      const frame = encodeRecord(payload, appendedAt);
      let segment = this.#segments.at(-1);
      if (!segment || !this.#active || segment.size >= this.#options.segmentBytes) segment = await this.#roll();
      // A regular file may take fewer bytes than asked (a disk filling mid-frame): write the rest, and
      // on an error leave `segment.size` where it was, so the next append overwrites the partial frame.
      for (let written = 0; written < frame.length; ) {
        const { bytesWritten } = await this.#active!.write(
          frame,
          written,
          frame.length - written,
          segment.size + written,
        );
        if (bytesWritten === 0) throw new Error(`segment write made no progress at byte ${segment.size + written}`);
        written += bytesWritten;
      }
      // Readers see the record only once it is as durable as the policy promises.
      await this.#afterWrite();
      segment.offsets.push(segment.size);
      segment.appendedAt.push(appendedAt);
      segment.size += frame.length;
      this.#next = seq + 1;
      return { seq, appendedAt, payload: Buffer.from(payload) };
    });
  }

  /** Reads up to `maxRecords` records from `fromSeq` on, skipping seqs lost to eviction. */
  async read(fromSeq: number, maxRecords: number): Promise<SpoolRecord[]> {
    const out: SpoolRecord[] = [];
    for (const segment of [...this.#segments]) {
      if (out.length >= maxRecords) break;
      const end = segment.base + segment.offsets.length;
      if (end <= fromSeq) continue;
      const first = Math.max(0, fromSeq - segment.base);
      const last = Math.min(segment.offsets.length, first + maxRecords - out.length);
      const start = segment.offsets[first]!;
      const stop = last < segment.offsets.length ? segment.offsets[last]! : segment.size;
      let bytes: Buffer;
      try {
        const file = await open(segment.path, 'r');
        try {
          bytes = Buffer.allocUnsafe(stop - start);
          await file.read(bytes, 0, bytes.length, start);
        } finally {
          await file.close();
        }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      for (let i = first; i < last; i++) {
        const at = segment.offsets[i]! - start;
        const length = bytes.readUInt32BE(at);
        out.push({
          seq: segment.base + i,
          appendedAt: segment.appendedAt[i]!,
          payload: recordPayload(Buffer.from(bytes.subarray(at, at + RECORD_HEADER_BYTES + length))),
        });
      }
    }
    return out;
  }

  /** Acknowledges every record below `seq`: persists the offset and deletes fully acknowledged segments. */
  commit(seq: number): Promise<void> {
    return this.#serial(async () => {
      if (seq <= this.#committed) return;
      this.#committed = Math.min(seq, this.#next);
      await writeFileAtomic(join(this.#options.directory, COMMIT_FILE), JSON.stringify({ committed: this.#committed }));
      await this.#deleteAcknowledgedSegments();
    });
  }

  /**
   * Deletes the oldest segment (sealing the active one first if it is the only one). Returns how many
   * uncommitted records were dropped; the commit offset moves past them, leaving a visible seq gap.
   */
  evictOldestSegment(): Promise<number> {
    return this.#serial(async () => {
      if (this.#segments.length === 0) return 0;
      if (this.#segments.length === 1) {
        if (this.#segments[0]!.offsets.length === 0) return 0;
        await this.#roll();
      }
      const oldest = this.#segments.shift()!;
      const end = oldest.base + oldest.offsets.length;
      const dropped = Math.max(0, end - Math.max(this.#committed, oldest.base));
      if (this.#committed < end) {
        this.#committed = end;
        await writeFileAtomic(join(this.#options.directory, COMMIT_FILE), JSON.stringify({ committed: end }));
      }
      await rm(oldest.path, { force: true });
      await syncDirectory(this.#options.directory);
      return dropped;
    });
  }

  /** Flushes to disk and closes the active segment. */
  close(): Promise<void> {
    return this.#serial(async () => {
      clearInterval(this.#fsyncTimer);
      this.#fsyncTimer = undefined;
      if (this.#active) {
        if (this.#dirty && this.#options.fsync !== 'never') await this.#active.datasync();
        await this.#active.close();
        this.#active = undefined;
      }
    });
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => {});
    return result;
  }

  async #afterWrite(): Promise<void> {
    switch (this.#options.fsync) {
      case 'always':
        await this.#active!.datasync();
        return;
      case 'interval':
        this.#dirty = true;
        this.#fsyncTimer ??= setInterval(() => {
          if (!this.#dirty || !this.#active) return;
          this.#dirty = false;
          this.#active.datasync().catch((e) => this.#options.logger.error('spool fsync failed', { error: e }));
        }, this.#options.fsyncIntervalMs ?? 1_000).unref();
        return;
      case 'never':
        return;
    }
  }

  async #roll(): Promise<Segment> {
    if (this.#active) {
      if (this.#options.fsync !== 'never') await this.#active.datasync();
      await this.#active.close();
    }
    const segment: Segment = {
      base: this.#next,
      path: join(this.#options.directory, segmentName(this.#next)),
      offsets: [],
      appendedAt: [],
      size: 0,
    };
    const last = this.#segments.at(-1);
    if (last && last.offsets.length === 0) {
      await rm(last.path, { force: true });
      this.#segments.pop();
    }
    this.#active = await open(segment.path, 'w');
    await syncDirectory(this.#options.directory);
    this.#segments.push(segment);
    return segment;
  }

  async #deleteAcknowledgedSegments(): Promise<void> {
    let removed = false;
    while (this.#segments.length > 1) {
      const oldest = this.#segments[0]!;
      if (oldest.base + oldest.offsets.length > this.#committed) break;
      this.#segments.shift();
      await rm(oldest.path, { force: true });
      removed = true;
    }
    if (removed) await syncDirectory(this.#options.directory);
  }

  async #recover(): Promise<void> {
    const { directory, logger } = this.#options;
    await mkdir(directory, { recursive: true });
    try {
      const saved = JSON.parse(await readFile(join(directory, COMMIT_FILE), 'utf8')) as { committed?: unknown };
      if (typeof saved.committed === 'number' && Number.isSafeInteger(saved.committed))
        this.#committed = saved.committed;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        logger.error('spool commit file unreadable; replaying from the oldest segment', { error: e });
    }
    const names = (await readdir(directory)).filter((n) => n.endsWith(SEGMENT_SUFFIX)).sort();
    for (const name of names) {
      const path = join(directory, name);
      const base = Number(name.slice(0, -SEGMENT_SUFFIX.length));
      const bytes = await readFile(path);
      const { records, validBytes } = scanRecords(bytes);
      if (validBytes < bytes.length) {
        this.#truncatedBytes += bytes.length - validBytes;
        logger.warn('spool segment has a torn or corrupt tail; truncating it', {
          segment: name,
          keptRecords: records.length,
          cutBytes: bytes.length - validBytes,
        });
        const file = await open(path, 'r+');
        try {
          await file.truncate(validBytes);
          await file.sync();
        } finally {
          await file.close();
        }
      }
      this.#segments.push({
        base,
        path,
        offsets: records.map((r) => r.offset),
        appendedAt: records.map((r) => r.appendedAt),
        size: validBytes,
      });
      this.#next = base + records.length;
    }
    this.#next = Math.max(this.#next, this.#committed);
    if (this.#committed > this.#next) this.#committed = this.#next;
    await this.#deleteAcknowledgedSegments();
  }
}
