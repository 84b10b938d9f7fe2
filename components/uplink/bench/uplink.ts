/**
 * Uplink benchmark. Prints, for slot events:
 * - envelope sizing per compression and billing-unit target (pure batching, no I/O): bytes per event,
 *   billable 5 KB units per 1,000 events, batching throughput;
 * - end to end through real aedes brokers over mutual TLS with an fsynced spool: events per second,
 *   bytes per event on the wire, units per 1,000 events, and RSS.
 *
 *   npx tsx components/uplink/bench/uplink.ts [events=20000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Compression, encodeEnvelope, LOCAL_TOPICS, type SlotEvent } from '@croupier/contracts';
import { createLogger } from '@croupier/edge-kit';
import { startTestFloor } from '@croupier/edge-kit/testing';
import { BILLING_UNIT_BYTES, EnvelopeBatcher, Uplink, UplinkConfiguration } from '../src/index.js';
import { gamePlayed } from '../test/fixtures/events.js';

const total = Number(process.argv[2] ?? 20_000);
const t0 = Date.UTC(2026, 10, 21, 22, 0, 0);
const events: SlotEvent[] = Array.from({ length: total }, (_, i) => gamePlayed(i, t0 + i * 40));
const rawBytes = events.map((e) => Buffer.byteLength(JSON.stringify(e)));
const units = (bytes: number) => Math.ceil(bytes / BILLING_UNIT_BYTES);

console.log(`slot events: ${total}, mean JSON size ${(rawBytes.reduce((a, b) => a + b, 0) / total).toFixed(0)} B`);
console.log('\nsizing (pure batching)');
console.log('compression  target  envelopes  events/env  bytes/event  units/1000ev  batching ev/s');
for (const compression of ['deflate', 'brotli'] as Compression[]) {
  for (const billingUnits of [1, 2, 4, 8, 25]) {
    const budget = billingUnits * BILLING_UNIT_BYTES - 256;
    const sizer = (batch: readonly SlotEvent[]) =>
      encodeEnvelope(
        {
          stream: 'slot',
          property: 'vegas',
          core: 'core-vegas-01',
          seq: 999_999_999_999,
          createdAt: t0,
          events: batch,
        },
        compression,
      ).byteLength;
    const batcher = new EnvelopeBatcher<SlotEvent>({ budgetBytes: budget, maxMessageBytes: 128 * 1024, sizer });
    const batches: SlotEvent[][] = [];
    const start = performance.now();
    for (const [i, event] of events.entries()) batches.push(...batcher.add(event, rawBytes[i]!).batches);
    batches.push(...batcher.flush().batches);
    const elapsed = (performance.now() - start) / 1000;
    const sizes = batches.map(sizer);
    const bytes = sizes.reduce((a, b) => a + b, 0);
    const billed = sizes.reduce((a, s) => a + units(s), 0);
    console.log(
      `${compression.padEnd(11)}  ${`${billingUnits}x5KB`.padStart(6)}  ${String(batches.length).padStart(9)}  ${(total / batches.length).toFixed(0).padStart(10)}  ${(bytes / total).toFixed(1).padStart(11)}  ${((billed / total) * 1000).toFixed(2).padStart(12)}  ${(total / elapsed).toFixed(0).padStart(13)}`,
    );
  }
}

const dir = await mkdtemp(join(tmpdir(), 'uplink-bench-'));
const floor = await startTestFloor(dir);
const logger = createLogger({ component: 'com.croupier.Uplink', sink: () => {} });
let wireBytes = 0;
let wireUnits = 0;
let envelopes = 0;
await new Promise<void>((resolve) =>
  floor.upstream.aedes.subscribe(
    'croupier/vegas/core-vegas-01/slot',
    (packet, done) => {
      wireBytes += packet.payload.length;
      wireUnits += units(packet.payload.length);
      envelopes += 1;
      done();
    },
    resolve,
  ),
);
const transport = await floor.transport({
  componentName: 'com.croupier.Uplink',
  thingName: 'core-vegas-01',
  configuration: {},
  logger,
});
await transport.connect();
const configuration = UplinkConfiguration.parse({
  property: 'vegas',
  spool: { directory: 'spool' },
  envelope: { maxDelayMs: 200 },
});
const uplink = await Uplink.start({
  transport,
  logger,
  thingName: 'core-vegas-01',
  version: 'bench',
  configuration,
  workDirectory: dir,
});
const start = performance.now();
for (let i = 0; i < total; i += 200) {
  await Promise.all(
    events.slice(i, i + 200).map(
      (event) =>
        new Promise<void>((resolve) =>
          floor.local.aedes.publish(
            {
              cmd: 'publish',
              topic: LOCAL_TOPICS.slotEvents,
              payload: Buffer.from(JSON.stringify(event)),
              qos: 1,
              dup: false,
              retain: false,
            },
            () => resolve(),
          ),
        ),
    ),
  );
}
while (uplink.metrics()['slot.sentEvents']! < total) await new Promise((r) => setTimeout(r, 20));
const elapsed = (performance.now() - start) / 1000;
console.log(
  `\nend to end (${configuration.compression}, ${configuration.envelope.billingUnits}x5KB target, fsync ${configuration.spool.fsync}, real brokers over mTLS)`,
);
console.log(
  `events/s: ${(total / elapsed).toFixed(0)}  (${total} events in ${elapsed.toFixed(2)} s, ${envelopes} envelopes)`,
);
console.log(`bytes/event on the wire: ${(wireBytes / total).toFixed(1)}`);
console.log(`billable 5 KB units per 1,000 slot events: ${((wireUnits / total) * 1000).toFixed(2)}`);
console.log(
  `RSS: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB (this process: Uplink plus both test brokers and the publisher, so events/s is a lower bound)`,
);
await uplink.stop();
await transport.close();
await floor.close();
await rm(dir, { recursive: true, force: true });
