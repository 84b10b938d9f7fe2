/**
 * Writes events into a lake directory in the layout of `@croupier/contracts` lake.ts: Hive-style
 * `zone/stream/dt=/hr=` partitions of gzip-compressed JSON lines. Output is a pure function of the
 * records given: gzip headers carry no timestamp (Node writes mtime 0), records keep the caller's
 * order within a partition, and object names come from the writer name, the partition's first event
 * time and a per-partition sequence number.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type LakeStream, type LakeZone, lakeObjectName, lakePartition } from '@croupier/contracts';

/** Anything with an event time can go into the lake. */
export interface LakeRecord {
  readonly eventTime: number;
}

/** Fixed compression level: the bytes must not depend on a library default. */
const GZIP_LEVEL = 6;

export class LakeWriter {
  readonly #sequences = new Map<string, number>();
  #objects = 0;
  #records = 0;

  /**
   * @param root lake directory (holds `raw/`, `refined/`, `errors/`)
   * @param writer prefix of object names, as a Firehose delivery stream would put there
   */
  constructor(
    readonly root: string,
    readonly writer: string,
  ) {}

  /** Objects and records written so far. */
  get written(): { objects: number; records: number } {
    return { objects: this.#objects, records: this.#records };
  }

  /**
   * Writes records, one object per hour partition touched. Records are grouped by partition and kept
   * in the given order within each; call with records sorted by event time for sorted objects.
   */
  async write(zone: LakeZone, stream: LakeStream, records: readonly LakeRecord[]): Promise<void> {
    const partitions = new Map<string, LakeRecord[]>();
    for (const record of records) {
      const partition = lakePartition(zone, stream, record.eventTime);
      const group = partitions.get(partition);
      if (group) group.push(record);
      else partitions.set(partition, [record]);
    }
    for (const [partition, group] of [...partitions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const seq = this.#sequences.get(partition) ?? 0;
      this.#sequences.set(partition, seq + 1);
      const first = group.reduce((min, r) => Math.min(min, r.eventTime), Number.POSITIVE_INFINITY);
      const name = lakeObjectName(this.writer, first, seq, 'jsonl.gz');
      const body = gzipSync(`${group.map((r) => JSON.stringify(r)).join('\n')}\n`, { level: GZIP_LEVEL });
      const dir = join(this.root, partition);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, name), body);
      this.#objects += 1;
      this.#records += group.length;
    }
  }
}
