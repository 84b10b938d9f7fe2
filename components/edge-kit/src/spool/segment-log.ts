import { close as closeFd, fdatasync, openSync, rmSync, writeSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

const datasyncFd = promisify(fdatasync);
const closeFdAsync = promisify(closeFd);

const SEGMENT_SUFFIX = '.seg';
const COMMIT_FILE = 'commit.json';
const segmentName = (base: number) => `${String(base).padStart(16, '0')}${SEGMENT_SUFFIX}`;

/**
 * An append-only log of records in segment files, with a persisted commit offset. Single writer:
 * commits and evictions are serialised internally; reads may run beside them.
 *
 * Writes are synchronous ({@link SegmentLog.write}): a record is in the kernel when the call returns,
 * so a process killed at any later instant has it on disk; only the fdatasync that makes it survive
 * power loss is asynchronous, and concurrent appends share one (group commit at the disk's pace).
 * A write to the page cache costs microseconds, less than the thread-pool hop an asynchronous write
 * would take, so the event loop is not held up in practice.
 *
 * Crash safety: records are framed with length and CRC-32 ({@link encodeRecord}); on open, each
 * segment is scanned and a torn tail is truncated, never touching the records before it. The commit
 * offset is replaced atomically (temp file + rename), so it is always one the caller committed.
 */
export class SegmentLog {
  readonly #options: SegmentLogOptions;
  readonly #segments: Segment[] = [];
  /** Descriptor of the segment being written; records are written only to a segment this run started. */
  #active: number | undefined;
  #committed = 0;
  #next = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #dirty = false;
  #fsyncTimer: NodeJS.Timeout | undefined;
  /**
   * The end of the disk chain: fdatasyncs, and the sealing of finished segments, run one after
   * another in the order they were asked for.
   */
  #diskTail: Promise<void> = Promise.resolve();
  /** The fdatasync queued on the chain and not yet started, shared by every append made meanwhile. */
  #pendingFlush: Promise<void> | undefined;
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
   * Writes one record now, synchronously: when this returns the record is in the kernel and survives
   * a kill of the process (not yet a power loss; see {@link SegmentLog.append}). `build` receives the
   * record's seq, so a caller can stamp it into the payload (Uplink's envelope sequence number is its
   * spool seq). Throws on an I/O error (a full disk), leaving the log as it was.
   */
  write(build: (seq: number) => Uint8Array): SpoolRecord {
    const seq = this.#next;
    const payload = build(seq);
    const appendedAt = (this.#options.now ?? Date.now)();
    const frame = encodeRecord(payload, appendedAt);
    let segment = this.#segments.at(-1);
    if (!segment || this.#active === undefined || segment.size >= this.#options.segmentBytes) segment = this.#roll();
    // A regular file may take fewer bytes than asked (a disk filling mid-frame): write the rest, and
    // on an error leave `segment.size` where it was, so the next write overwrites the partial frame.
    for (let written = 0; written < frame.length; ) {
      const bytesWritten = writeSync(this.#active!, frame, written, frame.length - written, segment.size + written);
      if (bytesWritten === 0) throw new Error(`segment write made no progress at byte ${segment.size + written}`);
      written += bytesWritten;
    }
    segment.offsets.push(segment.size);
    segment.appendedAt.push(appendedAt);
    segment.size += frame.length;
    this.#next = seq + 1;
    this.#dirty = true;
    return { seq, appendedAt, payload: Buffer.from(payload) };
  }

  /** {@link SegmentLog.write}, then resolves once the record is as durable as the fsync policy promises. */
  async append(build: (seq: number) => Uint8Array): Promise<SpoolRecord> {
    const record = this.write(build);
    await this.durable();
    return record;
  }

  /** Resolves once every record written so far is as durable as the fsync policy promises. */
  durable(): Promise<void> {
    switch (this.#options.fsync) {
      case 'always':
        return this.#flush();
      case 'interval':
        this.#fsyncTimer ??= setInterval(() => {
          if (this.#dirty) this.#flush().catch((e) => this.#options.logger.error('spool fsync failed', { error: e }));
        }, this.#options.fsyncIntervalMs ?? 1_000).unref();
        return Promise.resolve();
      case 'never':
        return Promise.resolve();
    }
  }

  /** Every record not yet committed, oldest first, read `chunk` records at a time (recovery after a restart). */
  async *uncommitted(chunk = 1_000): AsyncGenerator<SpoolRecord> {
    for (let from = this.#committed; from < this.#next; ) {
      const records = await this.read(from, chunk);
      if (records.length === 0) return;
      yield* records;
      from = records.at(-1)!.seq + 1;
    }
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
        this.#roll();
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
      if (this.#active !== undefined) {
        const active = this.#active;
        this.#active = undefined;
        this.#retire(active);
      }
      await this.#diskTail;
    });
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => {});
    return result;
  }

  /**
   * An fdatasync of the active segment, queued on the disk chain: it covers every write made before it
   * starts, so appends made while another sync runs share one (group commit at the disk's pace).
   */
  #flush(): Promise<void> {
    if (this.#pendingFlush) return this.#pendingFlush;
    const fd = this.#active;
    const flush = this.#onDisk(async () => {
      if (this.#pendingFlush === flush) this.#pendingFlush = undefined;
      this.#dirty = false;
      if (fd !== undefined) await datasyncFd(fd);
    });
    this.#pendingFlush = flush;
    return flush;
  }

  /** Runs `task` on the disk chain, after everything asked for before it. */
  #onDisk(task: () => Promise<void>): Promise<void> {
    const run = this.#diskTail.then(task);
    this.#diskTail = run.catch(() => {});
    return run;
  }

  /** Seals the segment behind `fd`: synced (unless the policy is `never`) and closed on the disk chain. */
  #retire(fd: number): void {
    const sync = this.#options.fsync !== 'never';
    this.#onDisk(async () => {
      try {
        if (sync) await datasyncFd(fd);
      } finally {
        await closeFdAsync(fd);
      }
    }).catch((e) => this.#options.logger.error('spool segment seal failed', { error: e }));
  }

  #roll(): Segment {
    if (this.#active !== undefined) {
      // A flush already queued syncs the segment it was asked for; writes to the next one need their own.
      this.#pendingFlush = undefined;
      this.#retire(this.#active);
      this.#active = undefined;
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
      rmSync(last.path, { force: true });
      this.#segments.pop();
    }
    this.#active = openSync(segment.path, 'w');
    if (this.#options.fsync !== 'never') {
      this.#onDisk(() => syncDirectory(this.#options.directory)).catch((e) =>
        this.#options.logger.error('spool directory sync failed', { error: e }),
      );
    }
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
