import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_TOPICS, newEventId, SCHEMA_VERSION, SlotEvent, smibEventsTopic } from '@croupier/contracts';
import { createLogger } from '@croupier/edge-kit';
import { startTestFloor, type TestFloor } from '@croupier/edge-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlotGateway, SlotGatewayConfiguration } from '../src/index.js';

const CORE = 'core-vegas-07';
const MACHINE = 'slot-0070';

const until = async (check: () => boolean, what: string, timeoutMs = 20_000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/**
 * Local pub/sub as Greengrass IPC behaves: a slot event published while no Uplink is subscribed is
 * dropped by the broker (aedes keeps nothing for a topic nobody subscribes to), as IPC keeps nothing
 * for a component that is down.
 */
describe('GIVEN SlotGateway confirming its slot events by Uplink’s acknowledgement', () => {
  let dir: string;
  let floor: TestFloor;
  let gateway: SlotGateway;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slot-gateway-confirm-'));
    floor = await startTestFloor(dir);
    const logger = createLogger({ component: 'com.croupier.SlotGateway', sink: () => {} });
    const configuration = SlotGatewayConfiguration.parse({
      playerTokenKeyHex: randomBytes(32).toString('hex'),
      machines: [],
      outbox: { resend: { afterMs: 300, maxAfterMs: 1_000 } },
      healthIntervalMs: 3_600_000,
    });
    const transport = await floor.transport({
      componentName: 'com.croupier.SlotGateway',
      thingName: CORE,
      configuration,
      logger,
    });
    await transport.connect();
    gateway = await SlotGateway.start({
      transport,
      logger,
      thingName: CORE,
      version: '1.0.0',
      configuration,
      workDirectory: dir,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await floor?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('WHEN events are published while Uplink is down THEN they are resent until an Uplink takes and acknowledges them, and only then leave the outbox', async () => {
    const events = Array.from({ length: 5 }, (_, i) => ({
      eventId: newEventId(),
      eventTime: Date.now() + i,
      schemaVersion: SCHEMA_VERSION,
      machineId: MACHINE,
      type: 'door',
      door: 'main',
      state: i % 2 === 0 ? 'open' : 'closed',
    }));
    for (const event of events) {
      floor.local.aedes.publish(
        {
          cmd: 'publish',
          topic: smibEventsTopic(MACHINE),
          payload: Buffer.from(JSON.stringify(event)),
          qos: 1,
          dup: false,
          retain: false,
        },
        () => {},
      );
    }
    // Published (and acknowledged by the broker) with nobody subscribed: gone, as over IPC.
    await until(() => gateway.metrics()['smib.forwarded'] === 5, 'the five publishes');
    expect(gateway.metrics()).toMatchObject({ 'outbox.pending': 5, 'outbox.unconfirmed': 5 });

    // An acknowledgement that breaks the contract confirms nothing and is counted.
    floor.local.aedes.publish(
      {
        cmd: 'publish',
        topic: LOCAL_TOPICS.intakeAcks,
        payload: Buffer.from(JSON.stringify({ stream: 'slot', eventIds: events.map((e) => e.eventId).join(',') })),
        qos: 1,
        dup: false,
        retain: false,
      },
      () => {},
    );
    await until(() => gateway.metrics()['outbox.refusedAcks'] === 1, 'the refused acknowledgement counted');
    expect(gateway.metrics()['outbox.unconfirmed']).toBe(5);

    // Uplink comes back: it takes slot events and acknowledges each, as Uplink does once journalled.
    const taken: string[] = [];
    await new Promise<void>((resolve) =>
      floor.local.aedes.subscribe(
        LOCAL_TOPICS.slotEvents,
        (packet, done) => {
          const event = SlotEvent.parse(JSON.parse(Buffer.from(packet.payload).toString('utf8')));
          taken.push(event.eventId);
          floor.local.aedes.publish(
            {
              cmd: 'publish',
              topic: LOCAL_TOPICS.intakeAcks,
              payload: Buffer.from(JSON.stringify({ stream: 'slot', eventIds: [event.eventId] })),
              qos: 1,
              dup: false,
              retain: false,
            },
            () => {},
          );
          done();
        },
        resolve,
      ),
    );
    await until(() => gateway.metrics()['outbox.unconfirmed'] === 0, 'every event confirmed');
    expect(new Set(taken)).toEqual(new Set(events.map((e) => e.eventId)));
    expect(gateway.metrics()['outbox.resent']).toBeGreaterThanOrEqual(5);
    await until(() => gateway.metrics()['outbox.pending'] === 0, 'the outbox committed');

    // Confirmed events are not sent again. A resend already on its way when the last acknowledgement landed
    // may still arrive: wait for a quiet spell longer than the longest wait between resends first.
    let last = taken.length;
    let quietSince = Date.now();
    await until(() => {
      if (taken.length !== last) {
        last = taken.length;
        quietSince = Date.now();
      }
      return Date.now() - quietSince >= 1_500;
    }, 'resends to stop');
    const settled = taken.length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(taken.length).toBe(settled);
  });
});
