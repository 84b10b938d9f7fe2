/**
 * Uplink benchmark. Prints, for slot events:
 * - envelope sizing per compression and billing-unit target (pure batching, no I/O): bytes per event,
 *   billable 5 KB units per 1,000 events, batching throughput;
 * - end to end through real aedes brokers over mutual TLS with an fsynced spool: events per second,
 *   bytes per event on the wire, units per 1,000 events, and RSS.
 *
 *   npx tsx components/uplink/bench/uplink.ts [events=20000]
 *
 * `benchUplink` returns the same figures (and a few more for the cost model) to `npm run bench`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Compression, encodeEnvelope, LOCAL_TOPICS, type SlotEvent } from '@croupier/contracts';
import { createLogger } from '@croupier/edge-kit';
import { startTestFloor } from '@croupier/edge-kit/testing';
import { BILLING_UNIT_BYTES, EnvelopeBatcher, UplinkConfiguration } from '../src/index.js';
import { gamePlayed } from '../test/fixtures/events.js';
import { publishLocal, startUplink, watch } from '../test/support/uplink-floor.js';

/** Kinesis meters PUT payload units of 25 KB. */
const KINESIS_PUT_UNIT_BYTES = 25 * 1024;
const TOPIC = 'croupier/vegas/core-vegas-01/slot';

/** One row of the pure sizing table. */
export interface EnvelopeSizingRow {
  readonly compression: Compression;
  readonly billingUnits: number;
  readonly envelopes: number;
  readonly eventsPerEnvelope: number;
  readonly bytesPerEvent: number;
  readonly unitsPer1000Events: number;
  readonly batchingEventsPerSecond: number;
}

/** Size of one envelope of `events` slot events with the default configuration's compression. */
export interface EnvelopeSizeSample {
  readonly events: number;
  readonly bytes: number;
}

/** What the Uplink benchmark measures. */
export interface UplinkBenchFigures {
  readonly events: number;
  readonly meanEventJsonBytes: number;
  readonly sizing: readonly EnvelopeSizingRow[];
  readonly samples: readonly EnvelopeSizeSample[];
  readonly endToEnd: {
    readonly compression: Compression;
    readonly billingUnits: number;
    readonly fsync: string;
    readonly seconds: number;
    readonly eventsPerSecond: number;
    readonly envelopes: number;
    readonly wireBytesPerEvent: number;
    /** Billable 5 KB units per 1,000 events, payload only (the figure this bench always printed). */
    readonly unitsPer1000Events: number;
    /** The same with the topic name added, as IoT Core meters a PUBLISH. */
    readonly meteredUnitsPer1000Events: number;
    /** Kinesis PUT payload units (25 KB) per 1,000 events, one record per envelope. */
    readonly kinesisUnitsPer1000Events: number;
    /** Bytes per event once each envelope is rounded up to 5 KB, as Firehose bills ingestion. */
    readonly firehoseBilledBytesPerEvent: number;
    /** CPU of this whole process (Uplink, both brokers and the publisher) per 1,000 events: an upper bound. */
    readonly processCpuMsPer1000Events: number;
    readonly rssBytes: number;
  };
}

/** Options of {@link benchUplink}. */
export interface UplinkBenchOptions {
  readonly events: number;
  /** Envelope sizes to sample with the default configuration, by event count. */
  readonly sampleBatchSizes?: readonly number[];
}

const t0 = Date.UTC(2026, 10, 21, 22, 0, 0);
const units = (bytes: number, unit = BILLING_UNIT_BYTES) => Math.ceil(bytes / unit);

function sizerFor(compression: Compression) {
  return (batch: readonly SlotEvent[]) =>
    encodeEnvelope(
      { stream: 'slot', property: 'vegas', core: 'core-vegas-01', seq: 999_999_999_999, createdAt: t0, events: batch },
      compression,
    ).byteLength;
}

function sizing(events: readonly SlotEvent[], rawBytes: readonly number[]): EnvelopeSizingRow[] {
  const rows: EnvelopeSizingRow[] = [];
  for (const compression of ['deflate', 'brotli'] as Compression[]) {
    for (const billingUnits of [1, 2, 4, 8, 25]) {
      const budget = billingUnits * BILLING_UNIT_BYTES - 256;
      const sizer = sizerFor(compression);
      const batcher = new EnvelopeBatcher<SlotEvent>({ budgetBytes: budget, maxMessageBytes: 128 * 1024, sizer });
      const batches: SlotEvent[][] = [];
      const start = performance.now();
      for (const [i, event] of events.entries()) batches.push(...batcher.add(event, rawBytes[i]!).batches);
      batches.push(...batcher.flush().batches);
      const elapsed = (performance.now() - start) / 1000;
      const sizes = batches.map(sizer);
      const bytes = sizes.reduce((a, b) => a + b, 0);
      const billed = sizes.reduce((a, s) => a + units(s), 0);
      rows.push({
        compression,
        billingUnits,
        envelopes: batches.length,
        eventsPerEnvelope: events.length / batches.length,
        bytesPerEvent: bytes / events.length,
        unitsPer1000Events: (billed / events.length) * 1000,
        batchingEventsPerSecond: events.length / elapsed,
      });
    }
  }
  return rows;
}

/** Runs both parts of the Uplink benchmark and returns the figures. */
export async function benchUplink(options: UplinkBenchOptions): Promise<UplinkBenchFigures> {
  const total = options.events;
  const events: SlotEvent[] = Array.from({ length: total }, (_, i) => gamePlayed(i, t0 + i * 40));
  const rawBytes = events.map((e) => Buffer.byteLength(JSON.stringify(e)));
  const sizingRows = sizing(events, rawBytes);

  const dir = await mkdtemp(join(tmpdir(), 'uplink-bench-'));
  const floor = await startTestFloor(dir);
  try {
    const logger = createLogger({ component: 'com.croupier.Uplink', sink: () => {} });
    const topicBytes = Buffer.byteLength(TOPIC);
    let wireBytes = 0;
    let wireUnits = 0;
    let meteredUnits = 0;
    let kinesisUnits = 0;
    let firehoseBytes = 0;
    let envelopes = 0;
    await watch(floor.upstream, TOPIC, (packet) => {
      const size = packet.payload.length;
      wireBytes += size;
      wireUnits += units(size);
      meteredUnits += units(size + topicBytes);
      kinesisUnits += units(size, KINESIS_PUT_UNIT_BYTES);
      firehoseBytes += units(size) * BILLING_UNIT_BYTES;
      envelopes += 1;
    });
    const configuration = UplinkConfiguration.parse({
      property: 'vegas',
      spool: { directory: 'spool' },
      envelope: { maxDelayMs: 200 },
    });
    const uplink = await startUplink(floor, {
      logger,
      thingName: 'core-vegas-01',
      version: 'bench',
      configuration,
      workDirectory: dir,
    });
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < total; i += 200) {
      await Promise.all(events.slice(i, i + 200).map((event) => publishLocal(floor, LOCAL_TOPICS.slotEvents, event)));
    }
    while (uplink.metrics()['slot.sentEvents']! < total) await new Promise((r) => setTimeout(r, 20));
    const elapsed = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    const rssBytes = process.memoryUsage().rss;
    await uplink.stop();

    const sizer = sizerFor(configuration.compression);
    const samples = (options.sampleBatchSizes ?? [])
      .filter((n) => n >= 1 && n <= total)
      .map((n) => ({ events: n, bytes: sizer(events.slice(0, n)) }));
    const per1000 = (n: number) => (n / total) * 1000;
    return {
      events: total,
      meanEventJsonBytes: rawBytes.reduce((a, b) => a + b, 0) / total,
      sizing: sizingRows,
      samples,
      endToEnd: {
        compression: configuration.compression,
        billingUnits: configuration.envelope.billingUnits,
        fsync: configuration.spool.fsync,
        seconds: elapsed,
        eventsPerSecond: total / elapsed,
        envelopes,
        wireBytesPerEvent: wireBytes / total,
        unitsPer1000Events: per1000(wireUnits),
        meteredUnitsPer1000Events: per1000(meteredUnits),
        kinesisUnitsPer1000Events: per1000(kinesisUnits),
        firehoseBilledBytesPerEvent: firehoseBytes / total,
        processCpuMsPer1000Events: per1000((used.user + used.system) / 1000),
        rssBytes,
      },
    };
  } finally {
    await floor.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const figures = await benchUplink({ events: Number(process.argv[2] ?? 20_000) });
  const e2e = figures.endToEnd;
  console.log(`slot events: ${figures.events}, mean JSON size ${figures.meanEventJsonBytes.toFixed(0)} B`);
  console.log('\nsizing (pure batching)');
  console.log('compression  target  envelopes  events/env  bytes/event  units/1000ev  batching ev/s');
  for (const row of figures.sizing) {
    console.log(
      `${row.compression.padEnd(11)}  ${`${row.billingUnits}x5KB`.padStart(6)}  ${String(row.envelopes).padStart(9)}  ${row.eventsPerEnvelope.toFixed(0).padStart(10)}  ${row.bytesPerEvent.toFixed(1).padStart(11)}  ${row.unitsPer1000Events.toFixed(2).padStart(12)}  ${row.batchingEventsPerSecond.toFixed(0).padStart(13)}`,
    );
  }
  console.log(
    `\nend to end (${e2e.compression}, ${e2e.billingUnits}x5KB target, fsync ${e2e.fsync}, real brokers over mTLS)`,
  );
  console.log(
    `events/s: ${e2e.eventsPerSecond.toFixed(0)}  (${figures.events} events in ${e2e.seconds.toFixed(2)} s, ${e2e.envelopes} envelopes)`,
  );
  console.log(`bytes/event on the wire: ${e2e.wireBytesPerEvent.toFixed(1)}`);
  console.log(`billable 5 KB units per 1,000 slot events: ${e2e.unitsPer1000Events.toFixed(2)}`);
  console.log(
    `RSS: ${(e2e.rssBytes / 1024 / 1024).toFixed(0)} MiB (this process: Uplink plus both test brokers and the publisher, so events/s is a lower bound)`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
