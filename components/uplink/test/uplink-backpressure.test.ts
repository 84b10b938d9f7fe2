import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_TOPICS } from '@croupier/contracts';
import { createLogger } from '@croupier/edge-kit';
import { startTestFloor, type TestFloor } from '@croupier/edge-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UplinkConfiguration } from '../src/index.js';
import { gamePlayed } from './fixtures/events.js';
import { envelopeEventIds, publishLocal, startUplink, until, watch } from './support/uplink-floor.js';

const CORE = 'core-vegas-04';

describe('Uplink backpressure when the spool is full of undeliverable slot events', () => {
  let dir: string;
  let floor: TestFloor;
  const received = new Set<string>();
  const receivedOrder: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uplink-backpressure-'));
    floor = await startTestFloor(dir);
    await watch(floor.upstream, `croupier/vegas/${CORE}/slot`, (packet) => {
      for (const id of envelopeEventIds(packet)) {
        if (!received.has(id)) receivedOrder.push(id);
        received.add(id);
      }
    });
  });

  afterAll(async () => {
    await floor?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN a 1 MiB spool and the link down WHEN more slot events arrive than fit THEN nothing is evicted, intake holds a bounded buffer, the excess is counted as dropped, and everything kept is delivered after reconnect', async () => {
    const logger = createLogger({ component: 'com.croupier.Uplink', sink: () => {} });
    const uplink = await startUplink(floor, {
      logger,
      thingName: CORE,
      configuration: UplinkConfiguration.parse({
        property: 'vegas',
        // Uncompressed so that a few thousand events fill the smallest allowed spool.
        compression: 'none',
        envelope: { billingUnits: 1, maxDelayMs: 20 },
        spool: { directory: 'spool', maxBytes: 1024 * 1024, segmentBytes: 64 * 1024, fsync: 'never' },
        drain: { retryMinMs: 100, retryMaxMs: 200 },
        intake: { maxBufferedEvents: 1_000 },
        healthIntervalMs: 3_600_000,
      }),
      workDirectory: dir,
    });
    await floor.upstream.stop();

    const sent: string[] = [];
    for (let i = 0; i < 4_000; i++) {
      const event = gamePlayed(i, Date.UTC(2026, 10, 21, 23, 0, 0) + i);
      sent.push(event.eventId);
      await publishLocal(floor, LOCAL_TOPICS.slotEvents, event);
    }
    // Uplink's subscription lags the publisher; reconnecting before it has taken every event would free
    // spool space for the tail.
    await until(
      () => uplink.metrics()['slot.acceptedEvents']! + uplink.metrics()['slot.droppedEvents']! === sent.length,
      'intake to take every event',
    );
    const full = uplink.metrics();
    expect(full['slot.droppedEvents']).toBeGreaterThan(0);
    expect(full['spool.bytes']).toBeLessThanOrEqual(1024 * 1024);
    expect(full['slot.evictedEnvelopes']).toBe(0);
    expect(full['slot.bufferedEvents']).toBeLessThanOrEqual(1_000);

    await floor.upstream.start();
    await until(
      () => uplink.metrics()['spool.depth'] === 0 && uplink.metrics()['slot.bufferedEvents'] === 0,
      'drain after reconnect',
    );
    const after = uplink.metrics();
    // Every event is either delivered, in order, or counted as dropped; with the spool full the newest are dropped.
    expect(received.size + after['slot.droppedEvents']!).toBe(sent.length);
    expect(receivedOrder).toEqual(sent.filter((id) => received.has(id)));
    expect(received.has(sent.at(-1)!)).toBe(false);
    expect(sent.slice(0, 500).every((id) => received.has(id))).toBe(true);
    await uplink.stop();
  }, 90_000);
});
