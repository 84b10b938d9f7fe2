import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCAL_TOPICS, MaintenanceAlert } from '@croupier/contracts';
import { createLogger } from '@croupier/edge-kit';
import type { TestFloor } from '@croupier/edge-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENT_NAME } from '../src/component.js';
import { PredictorConfig } from '../src/config.js';
import { type InProcessPredictor, startPredictorInProcess } from './support/in-process.js';
import { type MisfeedFloor, startMisfeedFloor } from './support/misfeed-floor.js';
import { misfeedSeries } from './support/telemetry.js';
import { until } from './support/until.js';

/**
 * FailurePredictor in process on a real broker over mutual TLS, stopped while an alert is raised and
 * started again on the same work folder: its feature windows are gone, its open alerts are not.
 */
describe('GIVEN FailurePredictor restarted while a maintenance alert is raised', () => {
  let dir: string;
  let floor: TestFloor;
  let misfeed: MisfeedFloor;
  const publishLocal = (topic: string, body: unknown) => misfeed.publishLocal(topic, body);
  let running: InProcessPredictor | undefined;
  const alerts = new Map<string, MaintenanceAlert>();
  const lines: Record<string, unknown>[] = [];
  let start: () => Promise<InProcessPredictor>;

  beforeAll(async () => {
    misfeed = await startMisfeedFloor('predictor-restart-');
    ({ dir, floor } = misfeed);
    const { modelDir } = misfeed;
    const configuration = PredictorConfig.parse({
      predictEveryMs: 0,
      delivery: { confirmBy: 'broker' },
      healthIntervalMs: 3_600_000,
    });
    const logger = createLogger({ component: COMPONENT_NAME, sink: (line) => lines.push(JSON.parse(line)) });
    start = () => startPredictorInProcess(floor, { configuration, logger, modelDir, workDirectory: join(dir, 'work') });
    await new Promise<void>((resolve) =>
      floor.local.aedes.subscribe(
        LOCAL_TOPICS.alerts,
        (packet, done) => {
          const alert = MaintenanceAlert.parse(JSON.parse(Buffer.from(packet.payload).toString('utf8')));
          alerts.set(alert.eventId, alert);
          done();
        },
        resolve,
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await floor?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('WHEN the shuffler recovers after the restart THEN the restarted predictor resolves the alert raised before it, and raises no second one', async () => {
    running = await start();
    for (const reading of misfeedSeries(0, 140)) await publishLocal(LOCAL_TOPICS.shufflerTelemetry, reading);
    await until('the alert raised', () => alerts.size === 1);
    const [raised] = [...alerts.values()] as [MaintenanceAlert];
    expect(raised.state).toBe('raised');
    await running.stop();

    running = await start();
    expect(lines.find((l) => l.message === 'open alerts resumed')).toMatchObject({ alerts: 1 });
    for (const reading of misfeedSeries(140, 300)) await publishLocal(LOCAL_TOPICS.shufflerTelemetry, reading);
    await until('an alert resolved', () => [...alerts.values()].some((a) => a.state === 'resolved'));
    expect([...alerts.values()].map((a) => [a.state, a.alertId, a.deviceId])).toEqual([
      ['raised', raised.alertId, raised.deviceId],
      ['resolved', raised.alertId, raised.deviceId],
    ]);
    await running.stop();
    running = undefined;
  });
});
