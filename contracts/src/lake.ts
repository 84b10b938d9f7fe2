/**
 * The data-lake layout, shared by Firehose (production), the local delivery loop, the history
 * generator, the refinement job, Glue tables and DuckDB queries.
 *
 * `raw/` holds newline-delimited JSON events exactly as decoded from uplink envelopes, gzip-compressed,
 * possibly with duplicates (at-least-once delivery). `refined/` holds the same events de-duplicated by
 * eventId. Both are partitioned Hive-style by stream, UTC day and UTC hour of `eventTime`, so Athena
 * partition projection and DuckDB `hive_partitioning` read them without a crawler.
 *
 * A raw object is filed under the hour of its envelope's first event (a Firehose record takes one set
 * of partition keys), so Uplink never puts events of two hours in one envelope: every copy of an event
 * is then in its own hour's partition, and refining one hour de-duplicates it for good.
 */
import type { UplinkStream } from './topics.js';

/** Top-level zones of the lake. `errors/` holds failed IoT rule actions and dead-lettered records. */
export type LakeZone = 'raw' | 'refined' | 'errors';

/** Streams stored in the lake: the uplink streams plus the maintenance log kept by the cloud. */
export type LakeStream = UplinkStream | 'service';

/** The Hive partition values of an event time: UTC day `dt` (YYYY-MM-DD) and hour `hr` (HH). */
export function lakePartitionKeys(eventTimeMs: number): { dt: string; hr: string } {
  const iso = new Date(eventTimeMs).toISOString();
  return { dt: iso.slice(0, 10), hr: iso.slice(11, 13) };
}

/** The UTC hour an event is filed under, as a number: equal hours are equal partitions. */
export function lakeHourOf(eventTimeMs: number): number {
  return Math.floor(eventTimeMs / 3_600_000);
}

/** Partition folder for one hour: `raw/slot/dt=2026-11-21/hr=23`. */
export function lakePartition(zone: LakeZone, stream: LakeStream, eventTimeMs: number): string {
  const { dt, hr } = lakePartitionKeys(eventTimeMs);
  return `${zone}/${stream}/dt=${dt}/hr=${hr}`;
}

/** File name inside a partition; `seq` keeps names unique and sortable within one writer. */
export function lakeObjectName(
  writer: string,
  firstEventTimeMs: number,
  seq: number,
  ext: 'jsonl.gz' | 'parquet',
): string {
  return `${writer}-${firstEventTimeMs}-${String(seq).padStart(6, '0')}.${ext}`;
}
