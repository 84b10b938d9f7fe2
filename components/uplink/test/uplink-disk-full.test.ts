import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LOCAL_TOPICS } from '@croupier/contracts';
import { createLogger } from '@croupier/edge-kit';
import { startTestFloor, type TestFloor } from '@croupier/edge-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Uplink, UplinkConfiguration } from '../src/index.js';
import { gamePlayed } from './fixtures/events.js';
import { envelopeEventIds, publishLocal, startUplink, until, watch } from './support/uplink-floor.js';

const CORE = 'core-vegas-05';
const run = promisify(execFile);

/** Mounts a 512 KiB tmpfs (root, or passwordless sudo); false where the runner may not mount. */
async function mountTinyFilesystem(at: string): Promise<boolean> {
  for (const command of [['mount'], ['sudo', '-n', 'mount']]) {
    try {
      await run(command[0]!, [...command.slice(1), '-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', at]);
      return true;
    } catch {}
  }
  return false;
}

async function unmount(at: string): Promise<void> {
  for (const command of [['umount'], ['sudo', '-n', 'umount']]) {
    try {
      await run(command[0]!, [...command.slice(1), at]);
      return;
    } catch {}
  }
}

describe('Uplink when the filesystem under its spool is full (a real tmpfs filled to the last block)', () => {
  let dir: string;
  let spoolMount: string;
  let mounted = false;
  let floor: TestFloor;
  let uplink: Uplink | undefined;
  const receivedOrder: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'uplink-disk-full-'));
    spoolMount = join(dir, 'spool-fs');
    await mkdir(spoolMount);
    mounted = await mountTinyFilesystem(spoolMount);
    floor = await startTestFloor(dir);
    await watch(floor.upstream, `croupier/vegas/${CORE}/slot`, (packet) =>
      receivedOrder.push(...envelopeEventIds(packet)),
    );
  });

  afterAll(async () => {
    await uplink?.stop();
    await floor?.close();
    if (mounted) await unmount(spoolMount);
    await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN a spool and intake journal on a filesystem with no free block WHEN slot events arrive THEN none is dropped: they are held in memory and retried, and once space returns every one arrives exactly once, in order', async (context) => {
    if (!mounted) context.skip();
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ component: 'com.croupier.Uplink', sink: (line) => lines.push(JSON.parse(line)) });
    const running = await startUplink(floor, {
      logger,
      thingName: CORE,
      configuration: UplinkConfiguration.parse({
        property: 'vegas',
        envelope: { maxDelayMs: 20 },
        // The spool's own bound is far above what the filesystem can hold: the disk fills first.
        spool: { directory: spoolMount, maxBytes: 64 * 1024 * 1024, segmentBytes: 64 * 1024 },
        // The intake journal shares the full filesystem, as it does on a core.
        intake: { journal: { directory: join(spoolMount, 'intake-journal') } },
        healthIntervalMs: 3_600_000,
      }),
      workDirectory: dir,
    });
    uplink = running;
    const { bavail, bsize } = await statfs(spoolMount);
    const ballast = join(spoolMount, 'ballast');
    await writeFile(ballast, Buffer.alloc(Number(bavail) * Number(bsize)));
    expect((await statfs(spoolMount)).bavail).toBe(0);

    const sent: string[] = [];
    for (let i = 0; i < 300; i++) {
      const event = gamePlayed(i, Date.UTC(2026, 10, 22, 3, 0, 0) + i);
      sent.push(event.eventId);
      await publishLocal(floor, LOCAL_TOPICS.slotEvents, event);
    }
    await until(() => running.metrics()['slot.bufferedEvents'] === sent.length, 'intake to hold every event');
    await until(() => running.metrics()['spool.writeFailures']! >= 2, 'a retried spool write');
    const full = running.metrics();
    expect(full['uplink.dropped']).toBe(0);
    expect(full['intake.journalFailures']).toBeGreaterThan(0);
    expect(full['spool.depth']).toBe(0);
    expect(receivedOrder).toEqual([]);
    expect(
      lines.find((l) => l.message === 'could not write the spool; holding events in memory and retrying'),
    ).toMatchObject({
      level: 'error',
      stream: 'slot',
      error: expect.objectContaining({ message: expect.stringContaining('ENOSPC') }),
    });

    await rm(ballast);
    await until(() => receivedOrder.length >= sent.length, 'every event upstream once space returns');
    await until(() => running.metrics()['spool.depth'] === 0, 'the spool to drain');
    expect(receivedOrder).toEqual(sent);
    const after = running.metrics();
    expect(after['uplink.dropped']).toBe(0);
    expect(after['slot.bufferedEvents']).toBe(0);
    await until(() => running.metrics()['slot.sentEvents'] === sent.length, 'every event counted as sent');
    expect(lines.some((l) => l.message === 'spool accepts again; intake resumed')).toBe(true);
    uplink = undefined;
    await running.stop();
  }, 90_000);
});
