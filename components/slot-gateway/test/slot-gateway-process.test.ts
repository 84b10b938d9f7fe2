import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  derivePlayerToken,
  LOCAL_TOPICS,
  newEventId,
  SCHEMA_VERSION,
  SlotEvent,
  smibEventsTopic,
} from '@croupier/contracts';
import { LOCAL_NUCLEUS_TOPICS } from '@croupier/edge-kit';
import { type BuildResult, buildComponent } from '@croupier/edge-kit/build';
import { startComponentProcess, startTestFloor, type TestFloor } from '@croupier/edge-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smibCardIn, smibGame } from './fixtures/smib-events.js';

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
  let built: BuildResult;

  const publishSmib = (event: Record<string, unknown> & { machineId: string }) =>
    floor.local.aedes.publish(
      {
        cmd: 'publish',
        topic: smibEventsTopic(event.machineId),
        payload: Buffer.from(JSON.stringify(event)),
        qos: 1,
        dup: false,
        retain: false,
      },
      () => {},
    );
  const forwardedEvent = (eventId: string) =>
    forwarded.map((e) => SlotEvent.parse(e)).find((e) => e.eventId === eventId);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slot-gateway-process-'));
    floor = await startTestFloor(dir);
    built = await buildComponent({ componentDirectory, outDirectory: join(dir, 'greengrass-build'), native: [] });
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
    publishSmib(cardIn);
    await until(() => forwarded.length === 1, 'forwarded slot event');
    expect(SlotEvent.parse(forwarded[0])).toMatchObject({ type: 'card_in', eventId: cardIn.eventId });
    expect(JSON.stringify(forwarded)).not.toContain('CARD9999');

    process.kill(Number(await readFile(run.pidFile, 'utf8')), 'SIGTERM');
    expect((await run.exit).code).toBe(0);
    const log = JSON.stringify(run.lines());
    expect(log).toContain('slot gateway started');
    expect(log).not.toContain(key);
  }, 90_000);

  it('GIVEN a card session open on a running gateway WHEN the process is killed with SIGKILL and restarted on the same work folder THEN the next game_played carries the same player token and session id, and the card number was never written to disk', async () => {
    const key = randomBytes(32).toString('hex');
    const workDirectory = join(dir, 'work-kill');
    const start = () =>
      startComponentProcess({
        floor,
        bundlePath: built.bundlePath,
        recipePath: join(componentDirectory, 'recipe.yaml'),
        thingName: CORE,
        configuration: { playerTokenKeyHex: key, healthIntervalMs: 3_600_000 },
        workDirectory,
      });
    const running = () => states.filter((s) => s === 'RUNNING').length;
    const sessionsPath = join(workDirectory, 'open-sessions.json');
    const savedSessions = async () => readFile(sessionsPath, 'utf8').catch(() => '');

    const runningBefore = running();
    const first = await start();
    await until(() => running() > runningBefore, 'first RUNNING');
    const cardIn = smibCardIn('slot-0077', '6011000990139424');
    publishSmib(cardIn);
    await until(() => forwardedEvent(cardIn.eventId) !== undefined, 'forwarded card_in');
    const playerToken = derivePlayerToken(Buffer.from(key, 'hex'), cardIn.cardNumber);
    expect(forwardedEvent(cardIn.eventId)).toMatchObject({ type: 'card_in', playerToken });
    let saved = '';
    const deadline = Date.now() + 10_000;
    while (!saved.includes(cardIn.eventId) && Date.now() < deadline) {
      saved = await savedSessions();
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(saved).toContain(cardIn.eventId);
    expect(saved).not.toContain(cardIn.cardNumber);

    process.kill(Number(await readFile(first.pidFile, 'utf8')), 'SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');

    const runningAfterKill = running();
    const second = await start();
    await until(() => running() > runningAfterKill, 'RUNNING after restart');
    const played = smibGame('slot-0077');
    publishSmib(played);
    await until(() => forwardedEvent(played.eventId) !== undefined, 'forwarded game_played after restart');
    expect(forwardedEvent(played.eventId)).toMatchObject({
      type: 'game_played',
      playerToken,
      sessionId: cardIn.eventId,
    });
    expect(second.lines().find((l) => l.message === 'slot gateway started')).toMatchObject({ resumedSessions: 1 });

    process.kill(Number(await readFile(second.pidFile, 'utf8')), 'SIGTERM');
    expect((await second.exit).code).toBe(0);
    const workFiles = await Promise.all(
      (await readdir(workDirectory)).map((name) => readFile(join(workDirectory, name), 'utf8').catch(() => '')),
    );
    expect(workFiles.join('\n')).not.toContain(cardIn.cardNumber);
  }, 120_000);

  it('GIVEN slot events written to the outbox whose publish local pub/sub never acknowledged WHEN the process is killed with SIGKILL and restarted THEN each is published, once the broker acknowledges, and no card number is on disk', async () => {
    const key = randomBytes(32).toString('hex');
    const workDirectory = join(dir, 'work-outbox');
    const start = () =>
      startComponentProcess({
        floor,
        bundlePath: built.bundlePath,
        recipePath: join(componentDirectory, 'recipe.yaml'),
        thingName: CORE,
        configuration: { playerTokenKeyHex: key, healthIntervalMs: 3_600_000 },
        workDirectory,
      });
    const running = () => states.filter((s) => s === 'RUNNING').length;
    // The broker takes the gateway's slot events but never authorises them, so no PUBACK is sent:
    // they stay unacknowledged in the process, as a burst does between the SMIB's delivery and Uplink's.
    const { aedes } = floor.local;
    const authorize = aedes.authorizePublish;
    let held = 0;
    aedes.authorizePublish = (client, packet, callback) => {
      if (packet.topic === LOCAL_TOPICS.slotEvents) held += 1;
      else authorize.call(aedes, client, packet, callback);
    };

    const runningBefore = running();
    const first = await start();
    await until(() => running() > runningBefore, 'first RUNNING');
    const machineId = 'slot-0099';
    const cardIn = smibCardIn(machineId, '4111111111111111');
    const games = Array.from({ length: 19 }, () => smibGame(machineId));
    publishSmib(cardIn);
    for (const game of games) publishSmib(game);
    await until(() => held === 20, 'the 20 slot events held at the broker');
    process.kill(Number(await readFile(first.pidFile, 'utf8')), 'SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    aedes.authorizePublish = authorize;
    expect([cardIn, ...games].filter((e) => forwardedEvent(e.eventId))).toEqual([]);

    const runningAfterKill = running();
    const second = await start();
    await until(() => running() > runningAfterKill, 'RUNNING after restart');
    await until(
      () => [cardIn, ...games].every((e) => forwardedEvent(e.eventId) !== undefined),
      'every held event published after the restart',
    );
    const playerToken = derivePlayerToken(Buffer.from(key, 'hex'), cardIn.cardNumber);
    for (const game of games) {
      expect(forwardedEvent(game.eventId)).toMatchObject({ playerToken, sessionId: cardIn.eventId });
    }
    expect(
      second.lines().find((l) => String(l.message).startsWith('slot events accepted before the last stop')),
    ).toMatchObject({
      events: 20,
    });

    process.kill(Number(await readFile(second.pidFile, 'utf8')), 'SIGTERM');
    expect((await second.exit).code).toBe(0);
    const outbox = join(workDirectory, 'outbox');
    const segments = await Promise.all((await readdir(outbox)).map((name) => readFile(join(outbox, name))));
    expect(Buffer.concat(segments).includes(cardIn.cardNumber)).toBe(false);
    expect(Buffer.concat(segments).includes(playerToken)).toBe(true);
  }, 120_000);
});
