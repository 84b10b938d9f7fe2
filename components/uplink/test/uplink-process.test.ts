import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeEnvelope, LOCAL_TOPICS, lakeHourOf } from '@croupier/contracts';
import { createLogger, LOCAL_NUCLEUS_TOPICS, SegmentLog } from '@croupier/edge-kit';
import { buildComponent } from '@croupier/edge-kit/build';
import { startComponentProcess, startTestFloor, type TestFloor } from '@croupier/edge-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gamePlayed } from './fixtures/events.js';
import { envelopeEventIds, publishLocal, until, watch } from './support/uplink-floor.js';

const CORE = 'core-vegas-02';
const componentDirectory = fileURLToPath(new URL('..', import.meta.url));

describe('the built Uplink bundle as a process on the local floor', () => {
  let dir: string;
  let floor: TestFloor;
  let bundlePath: string;
  const states: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uplink-process-'));
    const built = await buildComponent({ componentDirectory, outDirectory: join(dir, 'greengrass-build'), native: [] });
    bundlePath = built.bundlePath;
    floor = await startTestFloor(dir);
    await watch(floor.local, LOCAL_NUCLEUS_TOPICS.state('com.croupier.Uplink'), (packet) =>
      states.push((JSON.parse(packet.payload.toString()) as { state: string }).state),
    );
  });

  afterAll(async () => {
    await floor?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const launch = (name: string, configuration: unknown) =>
    startComponentProcess({
      floor,
      bundlePath,
      recipePath: join(componentDirectory, 'recipe.yaml'),
      thingName: CORE,
      configuration,
      workDirectory: join(dir, name),
    });

  /** Whether the slot intake journal in the run's work folder holds every one of `ids`. */
  const journalHolds = async (name: string, ids: readonly string[]) => {
    const journal = join(dir, name, 'intake-journal', 'slot');
    const names = (await readdir(journal)).filter((n) => n.endsWith('.seg'));
    const text = (await Promise.all(names.map((n) => readFile(join(journal, n), 'utf8')))).join('');
    return ids.every((id) => text.includes(id));
  };

  it('GIVEN a running Uplink process WHEN its configuration file gets an invalid then a valid update, and then SIGTERM with the link down THEN the invalid update is rejected, the valid one applied, and buffered events are flushed to the spool before a clean exit', async () => {
    const spoolDirectory = join(dir, 'sigterm-spool');
    const configuration = {
      property: 'vegas',
      envelope: { maxDelayMs: 600_000 },
      spool: { directory: spoolDirectory },
      healthIntervalMs: 3_600_000,
    };
    const run = await launch('sigterm', configuration);
    await until(() => states.includes('RUNNING'), 'RUNNING state');
    await until(() => run.lines().some((l) => l.message === 'running'), 'running log line');
    expect(existsSync(run.pidFile)).toBe(true);

    await writeFile(run.configurationPath, JSON.stringify({ ...configuration, envelope: { billingUnits: 0 } }));
    await until(
      () => run.lines().some((l) => l.message === 'configuration update rejected; keeping the running configuration'),
      'rejection',
    );
    const rejection = run.lines().find((l) => String(l.message).startsWith('configuration update rejected'))!;
    expect(rejection.issues).toEqual([expect.stringMatching(/^envelope\.billingUnits: /)]);

    await writeFile(run.configurationPath, JSON.stringify({ ...configuration, envelope: { maxDelayMs: 500_000 } }));
    await until(() => run.lines().some((l) => l.message === 'configuration update applied'), 'applied update');

    await floor.upstream.stop();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const event = gamePlayed(i, Date.now());
      ids.push(event.eventId);
      await publishLocal(floor, LOCAL_TOPICS.slotEvents, event);
    }
    // SIGTERM flushes what Uplink took; what the broker still had for it would stay with the broker.
    await until(() => journalHolds('sigterm', ids), 'the events in the intake journal');
    const started = Date.now();
    process.kill(Number(await readFile(run.pidFile, 'utf8')), 'SIGTERM');
    const { code } = await run.exit;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(existsSync(run.pidFile)).toBe(false);
    await floor.upstream.start();

    const log = await SegmentLog.open({
      directory: join(spoolDirectory, 'slot'),
      segmentBytes: 1024 * 1024,
      fsync: 'never',
      logger: createLogger({ component: 'test', sink: () => {} }),
    });
    const records = await log.read(log.committed, 100);
    const spooled = records.flatMap((r) => {
      const decoded = decodeEnvelope(r.payload);
      if (!decoded.ok) throw decoded.error;
      return decoded.value.events.map((e) => e.eventId);
    });
    expect(spooled).toEqual(ids);
    await log.close();
  }, 90_000);

  it('GIVEN a configuration without a property WHEN the process starts THEN it reports ERRORED, names the field and exits 1', async () => {
    const run = await launch('invalid', { spool: { directory: join(dir, 'invalid-spool') } });
    const { code } = await run.exit;
    expect(code).toBe(1);
    await until(() => states.includes('ERRORED'), 'ERRORED state');
    const failure = run.lines().find((l) => l.message === 'invalid configuration; not starting')!;
    expect(failure.issues).toEqual([expect.stringMatching(/^property: /)]);
  }, 60_000);
  it('GIVEN an Uplink process that took events from the broker but has not cut their envelope WHEN it is killed with SIGKILL and started again on the same work folder THEN every event arrives upstream exactly once and is acknowledged to its producer again', async () => {
    const upstreamIds: string[] = [];
    await watch(floor.upstream, `croupier/vegas/${CORE}/slot`, (packet) =>
      upstreamIds.push(...envelopeEventIds(packet)),
    );
    // The envelope would wait ten minutes: only the intake journal holds the events when the kill comes.
    const configuration = { property: 'vegas', envelope: { maxDelayMs: 600_000 }, healthIntervalMs: 3_600_000 };
    const first = await launch('sigkill', configuration);
    await until(() => first.lines().some((l) => l.message === 'running'), 'running log line');
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const event = gamePlayed(i, Date.now());
      ids.push(event.eventId);
      await publishLocal(floor, LOCAL_TOPICS.slotEvents, event);
    }
    await until(() => journalHolds('sigkill', ids), 'the events in the intake journal');
    process.kill(first.child.pid!, 'SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    expect(upstreamIds).toEqual([]);
    const ackedAfterRestart = new Set<string>();
    await watch(floor.local, LOCAL_TOPICS.intakeAcks, (packet) => {
      const ack = JSON.parse(packet.payload.toString()) as { stream: string; eventIds: string[] };
      if (ack.stream === 'slot') for (const id of ack.eventIds) ackedAfterRestart.add(id);
    });

    const second = await launch('sigkill', { ...configuration, envelope: { maxDelayMs: 50 } });
    await until(() => upstreamIds.length >= ids.length, 'the journalled events upstream');
    // The producer hears again about what the journal kept, in case the first acknowledgement died with the process.
    await until(() => ids.every((id) => ackedAfterRestart.has(id)), 'the replayed events acknowledged');
    await new Promise((r) => setTimeout(r, 500));
    expect(upstreamIds).toEqual(ids);
    expect(
      second
        .lines()
        .find((l) => l.message === 'events accepted before the last stop were not in an envelope; batching them again'),
    ).toMatchObject({ stream: 'slot', events: 40 });
    process.kill(second.child.pid!, 'SIGTERM');
    expect((await second.exit).code).toBe(0);
  }, 90_000);

  it('GIVEN an event of the last hour waiting for its envelope while envelopes of this hour are cut and sent WHEN the process is killed with SIGKILL and started again THEN the waiting event arrives too, and no envelope holds events of two hours', async () => {
    const envelopes: { ids: string[]; hours: Set<number> }[] = [];
    await watch(floor.upstream, `croupier/vegas/${CORE}/slot`, (packet) => {
      const decoded = decodeEnvelope(packet.payload as Buffer);
      if (!decoded.ok) return;
      envelopes.push({
        ids: decoded.value.events.map((e) => e.eventId),
        hours: new Set(decoded.value.events.map((e) => lakeHourOf(e.eventTime))),
      });
    });
    const upstream = () => envelopes.flatMap((e) => e.ids);
    // Small uncompressed envelopes fill by size long before the ten-minute delay cuts the late one.
    const configuration = {
      property: 'vegas',
      compression: 'none',
      envelope: { billingUnits: 1, maxDelayMs: 600_000 },
      healthIntervalMs: 3_600_000,
    };
    const first = await launch('hours', configuration);
    await until(() => first.lines().some((l) => l.message === 'running'), 'running log line');
    const hourStart = lakeHourOf(Date.now()) * 3_600_000;
    const late = gamePlayed(0, hourStart - 1_000);
    const current = Array.from({ length: 200 }, (_, i) => gamePlayed(i + 1, hourStart + i));
    for (const event of [late, ...current]) await publishLocal(floor, LOCAL_TOPICS.slotEvents, event);
    await until(() => upstream().length >= 100, 'full envelopes of this hour upstream');
    expect(upstream()).not.toContain(late.eventId);
    process.kill(first.child.pid!, 'SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');

    const second = await launch('hours', { ...configuration, envelope: { billingUnits: 1, maxDelayMs: 50 } });
    const ids = [late, ...current].map((e) => e.eventId);
    await until(() => ids.every((id) => upstream().includes(id)), 'every event upstream');
    // What was spooled before the kill may come again (the cloud drops repeats by eventId); nothing is lost.
    for (const envelope of envelopes) expect(envelope.hours.size).toBe(1);
    process.kill(second.child.pid!, 'SIGTERM');
    expect((await second.exit).code).toBe(0);
  }, 90_000);
});
