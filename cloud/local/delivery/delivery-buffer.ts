import { type LakeZone, lakePartition } from '@croupier/contracts';
import type { LakeEvent } from './transform.js';

/** Firehose buffering hints: deliver when either limit is reached, whichever comes first. */
export interface BufferHints {
  /** Uncompressed bytes of JSON lines buffered before a delivery (Firehose `SizeInMBs`). */
  readonly sizeBytes: number;
  /** Longest time a line waits before delivery (Firehose `IntervalInSeconds`). */
  readonly intervalMs: number;
}

/** The lines of one partition, ready to write. */
export interface PartitionBatch {
  /** e.g. `raw/slot/dt=2026-11-21/hr=23`. */
  readonly partition: string;
  /** Event time of the first line; part of the object name, as Firehose puts the arrival time there. */
  readonly firstEventTime: number;
  readonly lines: readonly string[];
}

/**
 * Buffers JSON lines per lake partition and says when the buffer must be delivered. Pure: the
 * clock is passed in.
 */
export class DeliveryBuffer {
  private readonly partitions = new Map<string, { firstEventTime: number; lines: string[] }>();
  private bytes = 0;
  private openedAt: number | undefined;

  constructor(private readonly hints: BufferHints) {}

  /** Adds an event to the partition of its zone, stream and event hour. */
  add(zone: LakeZone, event: LakeEvent, now: number): void {
    this.addLine(lakePartition(zone, event.stream, event.eventTime), JSON.stringify(event.event), event.eventTime, now);
  }

  /** Adds a prepared line to a partition (error records use their own partitions). */
  addLine(partition: string, line: string, eventTime: number, now: number): void {
    let entry = this.partitions.get(partition);
    if (!entry) {
      entry = { firstEventTime: eventTime, lines: [] };
      this.partitions.set(partition, entry);
    }
    entry.lines.push(line);
    this.bytes += Buffer.byteLength(line) + 1;
    this.openedAt ??= now;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  get isEmpty(): boolean {
    return this.partitions.size === 0;
  }

  /** True when the size hint is reached or the oldest line has waited the interval. */
  isDue(now: number): boolean {
    if (this.openedAt === undefined) return false;
    return this.bytes >= this.hints.sizeBytes || now - this.openedAt >= this.hints.intervalMs;
  }

  /** Milliseconds until the interval elapses, or undefined when empty. */
  msUntilDue(now: number): number | undefined {
    return this.openedAt === undefined ? undefined : Math.max(0, this.openedAt + this.hints.intervalMs - now);
  }

  /** Takes everything buffered, leaving the buffer empty. */
  drain(): PartitionBatch[] {
    const batches = [...this.partitions].map(([partition, { firstEventTime, lines }]) => ({
      partition,
      firstEventTime,
      lines,
    }));
    this.partitions.clear();
    this.bytes = 0;
    this.openedAt = undefined;
    return batches;
  }
}
