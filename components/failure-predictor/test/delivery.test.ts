import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FailurePrediction, LOCAL_TOPICS } from '@croupier/contracts';
import { createLogger } from '@croupier/edge-kit';
import type { TestFloor } from '@croupier/edge-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENT_NAME } from '../src/component.js';
import { PredictorConfig } from '../src/config.js';
import { FEATURE_WINDOW } from '../src/features.js';
import { type InProcessPredictor, startPredictorInProcess } from './support/in-process.js';
import { type MisfeedFloor, startMisfeedFloor } from './support/misfeed-floor.js';
import { reading } from './support/telemetry.js';
import { until } from './support/until.js';

/**
 * FailurePredictor in process on a real broker over mutual TLS, with no Uplink: the test plays
 * Uplink's part by acknowledging on `croupier/local/uplink/acks`, as Uplink does once it has
 * journalled what it took. aedes keeps nothing for a topic nobody subscribes to, as Greengrass IPC
 * keeps nothing for a component that is down.
 */
describe('GIVEN FailurePredictor confirming its predictions and alerts by Uplink’s acknowledgement', () => {
  let dir: string;
  let floor: TestFloor;
  let misfeed: MisfeedFloor;
  const publishLocal = (topic: string, body: unknown) => misfeed.publishLocal(topic, body);
  let running: InProcessPredictor;
  /** Times each prediction was seen on the predictions topic, by eventId, in order of first sight. */
  const seen = new Map<string, number>();
  const lines: Record<string, unknown>[] = [];
  let stopped = false;
  let start: () => Promise<InProcessPredictor>;
  const timesSeen = () => [...seen.values()].reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    misfeed = await startMisfeedFloor('predictor-delivery-');
    ({ dir, floor } = misfeed);
    const { modelDir } = misfeed;
    const configuration = PredictorConfig.parse({
      predictEveryMs: 0,
      delivery: { resendAfterMs: 300, maxResendAfterMs: 300 },
      healthIntervalMs: 3_600_000,
    });
    const logger = createLogger({ component: COMPONENT_NAME, sink: (line) => lines.push(JSON.parse(line)) });
    start = () => startPredictorInProcess(floor, { configuration, logger, modelDir, workDirectory: join(dir, 'work') });
    running = await start();
    await new Promise<void>((resolve) =>
      floor.local.aedes.subscribe(
        LOCAL_TOPICS.predictions,
        (packet, done) => {
          const { eventId } = FailurePrediction.parse(JSON.parse(Buffer.from(packet.payload).toString('utf8')));
          seen.set(eventId, (seen.get(eventId) ?? 0) + 1);
          done();
        },
        resolve,
      ),
    );
  }, 60_000);

  afterAll(async () => {
    if (!stopped) await running?.stop();
    await floor?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('WHEN nothing acknowledges them THEN each is resent with its own eventId; acknowledgements for another stream or refused by the contract change nothing; once acknowledged on the alert stream they are not sent again', async () => {
    for (let minute = 1; minute <= FEATURE_WINDOW.minReadings + 2; minute += 1) {
      await publishLocal(LOCAL_TOPICS.shufflerTelemetry, reading(minute * 10));
    }
    await until('three predictions', () => seen.size === 3);
    await until('every prediction resent', () => [...seen.values()].every((n) => n >= 2));
    const ids = [...seen.keys()];

    await publishLocal(LOCAL_TOPICS.intakeAcks, { stream: 'slot', eventIds: ids });
    await publishLocal(LOCAL_TOPICS.intakeAcks, { stream: 'alert', eventIds: 'all of them' });
    const before = timesSeen();
    await until('resends to go on', () => timesSeen() >= before + ids.length);

    await publishLocal(LOCAL_TOPICS.intakeAcks, { stream: 'alert', eventIds: ids });
    // A resend already on its way when the acknowledgement landed may still arrive: wait for a quiet
    // spell longer than the 1 s between resend checks, then none may come.
    let last = timesSeen();
    let quietSince = Date.now();
    await until('resends to stop', () => {
      if (timesSeen() !== last) {
        last = timesSeen();
        quietSince = Date.now();
      }
      return Date.now() - quietSince >= 1_500;
    });
    const settled = timesSeen();
    await new Promise((r) => setTimeout(r, 2_000));
    expect(timesSeen()).toBe(settled);
    expect([...seen.keys()]).toEqual(ids);
  });

  it('WHEN it stops with predictions Uplink has not confirmed THEN it goes on resending for a while, keeps them in its outbox, and the next start publishes exactly those again', async () => {
    const before = seen.size;
    for (const minute of [FEATURE_WINDOW.minReadings + 3, FEATURE_WINDOW.minReadings + 4]) {
      await publishLocal(LOCAL_TOPICS.shufflerTelemetry, reading(minute * 10));
    }
    await until('two more predictions', () => seen.size === before + 2);
    const confirmed = [...seen.keys()].slice(0, before);
    const fresh = [...seen.keys()].slice(before);
    await until('each fresh prediction resent', () => fresh.every((id) => seen.get(id)! >= 2));

    stopped = true;
    await running.stop();

    expect(fresh.every((id) => seen.get(id)! >= 2)).toBe(true);
    expect(
      lines.find(
        (l) => l.message === 'stopping with predictions and alerts Uplink has not confirmed; kept in the outbox',
      ),
    ).toMatchObject({ unconfirmed: 2 });

    const stoppedWith = new Map(seen);
    running = await start();
    stopped = false;
    await until('the fresh predictions published again', () =>
      fresh.every((id) => seen.get(id)! > stoppedWith.get(id)!),
    );
    expect(
      lines.find(
        (l) =>
          l.message === 'predictions and alerts from before the last stop were never confirmed; sending them again',
      ),
    ).toMatchObject({ events: 2 });
    for (const id of confirmed) expect(seen.get(id)).toBe(stoppedWith.get(id));
    expect(seen.size).toBe(stoppedWith.size);
  });
});
