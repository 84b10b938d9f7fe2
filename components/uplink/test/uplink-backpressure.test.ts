import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_TOPICS } from '@croupier/contracts';
import { createLogger } from '@croupier/edge-kit';
import { startTestFloor, type TestFloor } from '@croupier/edge-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BILLING_UNIT_BYTES, UplinkConfiguration } from '../src/index.js';
import { gamePlayed } from './fixtures/events.js';
import { envelopeEventIds, publishLocal, startUplink, until, watch } from './support/uplink-floor.js';

const CORE = 'core-vegas-04';
const SPOOL_BYTES = 1024 * 1024;
const CHUNK = 50;

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
        spool: { directory: 'spool', maxBytes: SPOOL_BYTES, segmentBytes: 64 * 1024, fsync: 'never' },
        drain: { retryMinMs: 100, retryMaxMs: 200 },
        intake: { maxBufferedEvents: 1_000 },
        healthIntervalMs: 3_600_000,
      }),
      workDirectory: dir,
    });
    await floor.upstream.stop();

    // Published in chunks far smaller than the intake buffer, each taken and spooled before the next while the
    // spool has room: a burst outrunning the spool writes would drop events before the spool is full, and this
    // test is about what happens once it is.
    const sent: string[] = [];
    const spoolNearlyFull = () => uplink.metrics()['spool.bytes']! > SPOOL_BYTES - 2 * BILLING_UNIT_BYTES;
    for (let i = 0; i < 4_000; i++) {
      const event = gamePlayed(i, Date.UTC(2026, 10, 21, 23, 0, 0) + i);
      sent.push(event.eventId);
      await publishLocal(floor, LOCAL_TOPICS.slotEvents, event);
      if (sent.length % CHUNK === 0)
        await until(() => {
          const m = uplink.metrics();
          const taken = m['slot.acceptedEvents']! + m['slot.droppedEvents']! === sent.length;
          return taken && (m['slot.bufferedEvents'] === 0 || spoolNearlyFull());
        }, `intake to take and spool the first ${sent.length} events`);
    }
    const full = uplink.metrics();
    expect(full['slot.droppedEvents']).toBeGreaterThan(0);
    expect(full['spool.bytes']).toBeLessThanOrEqual(SPOOL_BYTES);
    expect(full['slot.evictedEnvelopes']).toBe(0);
    expect(full['slot.bufferedEvents']).toBeLessThanOrEqual(1_000);

    await floor.upstream.start();
    await until(
      () => uplink.metrics()['spool.depth'] === 0 && uplink.metrics()['slot.bufferedEvents'] === 0,
      'drain after reconnect',
    );
    const after = uplink.metrics();
    // Every event is either delivered, in order, or counted as dropped; only the newest are dropped, since
    // intake drops only once the full spool has left it holding its whole buffer.
    expect(received.size + after['slot.droppedEvents']!).toBe(sent.length);
    expect(receivedOrder).toEqual(sent.slice(0, received.size));
    await uplink.stop();
  }, 90_000);
});
