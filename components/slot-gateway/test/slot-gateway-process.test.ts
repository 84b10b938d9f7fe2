import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_TOPICS, newEventId, SCHEMA_VERSION, SlotEvent, smibEventsTopic } from '@croupier/contracts';
import { LOCAL_NUCLEUS_TOPICS } from '@croupier/edge-kit';
import { buildComponent } from '@croupier/edge-kit/build';
import { startComponentProcess, startTestFloor, type TestFloor } from '@croupier/edge-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CORE = 'core-vegas-03';
const componentDirectory = fileURLToPath(new URL('..', import.meta.url));

const until = async (check: () => boolean, what: string, timeoutMs = 30_000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('the built SlotGateway bundle as a process on the local floor', () => {
  let dir: string;
  let floor: TestFloor;
  const states: string[] = [];
  const forwarded: unknown[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slot-gateway-process-'));
    floor = await startTestFloor(dir);
    const subscribe = (topic: string, sink: (payload: Buffer) => void) =>
      new Promise<void>((resolve) =>
        floor.local.aedes.subscribe(
          topic,
          (packet, done) => {
            sink(packet.payload as Buffer);
            done();
          },
          resolve,
        ),
      );
    await subscribe(LOCAL_NUCLEUS_TOPICS.state('com.croupier.SlotGateway'), (p) =>
      states.push(JSON.parse(p.toString()).state),
    );
    await subscribe(LOCAL_TOPICS.slotEvents, (p) => forwarded.push(JSON.parse(p.toString())));
  });

  afterAll(async () => {
    await floor?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN the gdk build output WHEN the bundle runs with its recipe defaults and a deployment merge THEN it reports RUNNING, tokenises an SMIB event, never logs the key, and exits 0 on SIGTERM', async () => {
    const built = await buildComponent({ componentDirectory, outDirectory: join(dir, 'greengrass-build'), native: [] });
    expect((await readFile(built.recipePath, 'utf8')).includes('ComponentName: com.croupier.SlotGateway')).toBe(true);
    const key = randomBytes(32).toString('hex');
    const run = await startComponentProcess({
      floor,
      bundlePath: built.bundlePath,
      recipePath: join(componentDirectory, 'recipe.yaml'),
      thingName: CORE,
      configuration: { playerTokenKeyHex: key, healthIntervalMs: 3_600_000 },
      workDirectory: join(dir, 'work'),
    });
    await until(() => states.includes('RUNNING'), 'RUNNING');
    const cardIn = {
      eventId: newEventId(),
      eventTime: Date.now(),
      schemaVersion: SCHEMA_VERSION,
      machineId: 'slot-0042',
      type: 'card_in',
      cardNumber: 'CARD9999',
    };
    floor.local.aedes.publish(
      {
        cmd: 'publish',
        topic: smibEventsTopic('slot-0042'),
        payload: Buffer.from(JSON.stringify(cardIn)),
        qos: 1,
        dup: false,
        retain: false,
      },
      () => {},
    );
    await until(() => forwarded.length === 1, 'forwarded slot event');
    expect(SlotEvent.parse(forwarded[0])).toMatchObject({ type: 'card_in', eventId: cardIn.eventId });
    expect(JSON.stringify(forwarded)).not.toContain('CARD9999');

    process.kill(Number(await readFile(run.pidFile, 'utf8')), 'SIGTERM');
    expect((await run.exit).code).toBe(0);
    const log = JSON.stringify(run.lines());
    expect(log).toContain('slot gateway started');
    expect(log).not.toContain(key);
  }, 90_000);
});
