import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEnvelope, LOCAL_TOPICS, type UplinkStream } from '@croupier/contracts';
import { createLogger } from '@croupier/edge-kit';
import { startTestFloor, type TestFloor } from '@croupier/edge-kit/testing';
import type { AedesPublishPacket } from 'aedes';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BILLING_UNIT_BYTES, type Uplink, UplinkConfiguration } from '../src/index.js';
import { gamePlayed, shufflerReading } from './fixtures/events.js';
import { publishLocal, startUplink as startUplinkOn, until, watch } from './support/uplink-floor.js';

const CORE = 'core-vegas-01';
const logger = createLogger({ component: 'com.croupier.Uplink', sink: () => {} });

/** The cloud side: every envelope the upstream broker received, keyed by stream and seq. */
class CloudRecorder {
  readonly envelopes = new Map<UplinkStream, Map<number, Buffer>>();
  redeliveries = 0;
  record(packet: AedesPublishPacket): void {
    const payload = Buffer.from(packet.payload);
    const decoded = decodeEnvelope(payload);
    if (!decoded.ok) throw decoded.error;
    const { stream, seq } = decoded.value.header;
    const bySeq = this.envelopes.get(stream) ?? new Map<number, Buffer>();
    this.envelopes.set(stream, bySeq);
    const seen = bySeq.get(seq);
    if (seen) {
      // At-least-once: a repeat must be the very same envelope, which the cloud drops by seq.
      expect(seen.equals(payload)).toBe(true);
      this.redeliveries += 1;
    }
    bySeq.set(seq, payload);
  }
  /** Event ids of a stream, in seq order, after dropping repeated seqs. */
  eventIds(stream: UplinkStream): { seqs: number[]; ids: string[]; sizes: number[] } {
    const bySeq = this.envelopes.get(stream) ?? new Map();
    const seqs = [...bySeq.keys()].sort((a, b) => a - b);
    const ids: string[] = [];
    const sizes: number[] = [];
    for (const seq of seqs) {
      const decoded = decodeEnvelope(bySeq.get(seq)!);
      if (!decoded.ok) throw decoded.error;
      expect(decoded.value.rejected).toEqual([]);
      ids.push(...decoded.value.events.map((e) => e.eventId));
      sizes.push(bySeq.get(seq)!.byteLength);
    }
    return { seqs, ids, sizes };
  }
}

describe('Uplink through a link loss, over real aedes brokers and mutual TLS', () => {
  let dir: string;
  let floor: TestFloor;
  const cloud = new CloudRecorder();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uplink-link-loss-'));
    floor = await startTestFloor(dir);
    await watch(floor.upstream, `croupier/vegas/${CORE}/+`, (packet) => cloud.record(packet));
  });

  afterAll(async () => {
    await floor?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const configuration = UplinkConfiguration.parse({
    property: 'vegas',
    envelope: { billingUnits: 1, maxDelayMs: 50 },
    spool: { directory: 'spool', fsync: 'always' },
    drain: { maxInFlight: 4, retryMinMs: 100, retryMaxMs: 500 },
    healthIntervalMs: 3_600_000,
  });

  /** Stopped after each test, pass or fail, so a failure never leaves a second writer on the spool. */
  const running: Uplink[] = [];
  afterEach(async () => {
    for (const uplink of running.splice(0)) await uplink.stop();
  });

  const startUplink = async (now: () => number, healthIntervalMs = configuration.healthIntervalMs) => {
    const uplink = await startUplinkOn(floor, {
      logger,
      thingName: CORE,
      configuration: { ...configuration, healthIntervalMs },
      workDirectory: dir,
      now,
    });
    running.push(uplink);
    return uplink;
  };

  /** Publishes one simulated second of floor traffic on the local broker, as SlotGateway and ShufflerMonitor would. */
  const sent: Record<'slot' | 'shuffler', string[]> = { slot: [], shuffler: [] };
  let counter = 0;
  const simulateSecond = async (simTime: number) => {
    const publishes: Promise<void>[] = [];
    const publish = (topic: string, body: unknown) => publishes.push(publishLocal(floor, topic, body));
    for (let i = 0; i < 25; i++) {
      const event = gamePlayed(counter++, simTime + i * 40);
      sent.slot.push(event.eventId);
      publish(LOCAL_TOPICS.slotEvents, event);
    }
    if (simTime % 5_000 === 0) {
      for (let d = 0; d < 10; d++) {
        const reading = shufflerReading(counter++, simTime + d);
        sent.shuffler.push(reading.eventId);
        publish(LOCAL_TOPICS.shufflerTelemetry, reading);
      }
    }
    await Promise.all(publishes);
    await new Promise((r) => setImmediate(r));
  };

  it('GIVEN three simulated minutes with the broker down for the middle one WHEN the link returns THEN every event arrives exactly once, in order per stream, and nothing was sent while it was down', async () => {
    const t0 = Date.UTC(2026, 10, 21, 22, 0, 0);
    let simNow = t0;
    const uplink = await startUplink(() => simNow);

    for (let s = 0; s < 60; s++) {
      simNow = t0 + s * 1_000;
      await simulateSecond(simNow);
    }
    await until(() => cloud.eventIds('slot').ids.length === sent.slot.length, 'first minute upstream');

    await floor.upstream.stop();
    const receivedBeforeOutage = cloud.eventIds('slot').ids.length;
    for (let s = 60; s < 120; s++) {
      simNow = t0 + s * 1_000;
      await simulateSecond(simNow);
    }
    uplink.flush();
    await uplink.spooled();
    const during = uplink.metrics();
    expect(cloud.eventIds('slot').ids.length).toBe(receivedBeforeOutage);
    expect(during['slot.queuedEnvelopes']).toBeGreaterThan(0);
    // Sixty simulated seconds of outage: the oldest unsent envelope is tens of seconds old (when exactly
    // it was cut depends on the real-time batching delay, so only the order of magnitude is asserted).
    expect(during['spool.oldestAgeMs']).toBeGreaterThanOrEqual(30_000);

    await floor.upstream.start();
    for (let s = 120; s < 180; s++) {
      simNow = t0 + s * 1_000;
      await simulateSecond(simNow);
    }
    uplink.flush();
    await until(
      () =>
        cloud.eventIds('slot').ids.length === sent.slot.length &&
        cloud.eventIds('shuffler').ids.length === sent.shuffler.length,
      'all events after reconnect',
    );

    for (const stream of ['slot', 'shuffler'] as const) {
      const { seqs, ids, sizes } = cloud.eventIds(stream);
      expect(seqs).toEqual(seqs.map((_, i) => i));
      expect(ids).toEqual(sent[stream]);
      expect(new Set(ids).size).toBe(ids.length);
      for (const size of sizes) expect(size).toBeLessThanOrEqual(BILLING_UNIT_BYTES - 256);
    }
    // The commit offset moves before its file is renamed into place; sent counters follow the rename.
    await until(
      () =>
        uplink.metrics()['spool.depth'] === 0 &&
        uplink.metrics()['slot.sentEvents'] === sent.slot.length &&
        uplink.metrics()['shuffler.sentEvents'] === sent.shuffler.length,
      'spool drained and counted',
    );
    const after = uplink.metrics();
    expect(after['slot.sentEvents']).toBe(sent.slot.length);
    expect(after['shuffler.sentEvents']).toBe(sent.shuffler.length);
    expect(after['uplink.dropped']).toBe(0);
    expect(after['intake.rejected']).toBe(0);
  }, 120_000);

  it('GIVEN a restarted Uplink on the same spool WHEN more events arrive THEN envelope seqs continue where they stopped', async () => {
    const before = cloud.eventIds('slot').seqs.at(-1)!;
    const uplink = await startUplink(Date.now);
    await simulateSecond(Date.UTC(2026, 10, 21, 22, 5, 0));
    uplink.flush();
    await until(() => cloud.eventIds('slot').ids.length === sent.slot.length, 'events after restart');
    const { seqs, ids } = cloud.eventIds('slot');
    expect(seqs.at(-1)!).toBeGreaterThan(before);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(ids).toEqual(sent.slot);
  }, 60_000);

  it('GIVEN the health interval WHEN it passes THEN Uplink publishes its own CoreHealth with queued, sent, dropped and age figures on the health stream', async () => {
    await startUplink(Date.now, 1_000);
    await until(() => cloud.eventIds('health').ids.length > 0, 'a health envelope', 20_000);
    const bySeq = cloud.envelopes.get('health')!;
    const decoded = decodeEnvelope([...bySeq.values()][0]!);
    if (!decoded.ok) throw decoded.error;
    const report = decoded.value.events[0] as { component: string; core: string; metrics: Record<string, number> };
    expect(report.component).toBe('com.croupier.Uplink');
    expect(report.core).toBe(CORE);
    expect(Object.keys(report.metrics)).toEqual(
      expect.arrayContaining([
        'spool.depth',
        'spool.oldestAgeMs',
        'uplink.sent',
        'uplink.dropped',
        'slot.queuedEnvelopes',
      ]),
    );
  }, 60_000);
});
