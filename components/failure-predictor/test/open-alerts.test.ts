import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MaintenanceAlert, newEventId, SCHEMA_VERSION } from '@croupier/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAlerts } from '../src/open-alerts.js';

const T = Date.UTC(2026, 10, 21);

const alert = (
  deviceId: string,
  state: 'raised' | 'resolved',
  alertId: string,
  eventTime: number,
): MaintenanceAlert => ({
  eventId: newEventId(),
  eventTime,
  schemaVersion: SCHEMA_VERSION,
  type: 'maintenance_alert',
  alertId,
  deviceId,
  state,
  cause: 'predicted_failure',
  severity: 'warning',
  message: 'test',
});

describe('OpenAlerts: raised alerts in the work directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'predictor-open-alerts-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN no file yet WHEN loaded THEN nothing is open and nothing is reported', async () => {
    const { openAlerts, problem } = await OpenAlerts.load(join(dir, 'missing.json'));
    expect(problem).toBeUndefined();
    expect(openAlerts.current.size).toBe(0);
  });

  it('GIVEN alerts raised and resolved WHEN loaded again THEN exactly the unresolved ones come back, with their id and raise time', async () => {
    const path = join(dir, 'round-trip.json');
    const { openAlerts } = await OpenAlerts.load(path);
    const [a, b, c] = [newEventId(), newEventId(), newEventId()];
    await openAlerts.follow(alert('shuffler-1', 'raised', a, T + 1_000));
    await openAlerts.follow(alert('shuffler-2', 'raised', b, T + 2_000));
    await openAlerts.follow(alert('shuffler-3', 'raised', c, T + 3_000));
    await openAlerts.follow(alert('shuffler-2', 'resolved', b, T + 4_000));
    // A resolution of another alert of the device (one raised and resolved elsewhere) leaves it open.
    await openAlerts.follow(alert('shuffler-3', 'resolved', newEventId(), T + 5_000));

    const { openAlerts: reloaded, problem } = await OpenAlerts.load(path);
    expect(problem).toBeUndefined();
    expect(reloaded.current).toEqual(
      new Map([
        ['shuffler-1', { alertId: a, raisedAt: T + 1_000 }],
        ['shuffler-3', { alertId: c, raisedAt: T + 3_000 }],
      ]),
    );
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1 });
  });

  it('GIVEN a file that is not an open-alerts document WHEN loaded THEN nothing is resumed and the problem is reported', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"version":1,"alerts":{');
    expect((await OpenAlerts.load(broken)).problem).toBe('not JSON');
    const foreign = join(dir, 'foreign.json');
    await writeFile(foreign, JSON.stringify({ version: 1, alerts: { 'shuffler-1': { alertId: 'x', raisedAt: 1 } } }));
    const loaded = await OpenAlerts.load(foreign);
    expect(loaded.problem).toContain('alertId');
    expect(loaded.openAlerts.current.size).toBe(0);
  });
});
