import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ShufflerTelemetry } from '@croupier/contracts';
import {
  type FailureModel,
  FailurePredictor,
  FEATURE_NAMES,
  FEATURE_WINDOW,
  PredictorConfig,
} from '@croupier/failure-predictor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../dataset/build-dataset.js';
import { readChannel } from '../dataset/channel-format.js';
import { writeTinyHistory } from './support/tiny-fleet.js';

let dir: string;
let lake: string;
let channels: string;

/** Every telemetry event in the raw lake, read without DuckDB (gunzip + JSON), de-duplicated by eventId. */
async function rawTelemetry(lakeDir: string): Promise<Map<string, ShufflerTelemetry[]>> {
  const byId = new Map<string, ShufflerTelemetry>();
  const root = join(lakeDir, 'raw', 'shuffler');
  for (const day of await readdir(root)) {
    for (const hour of await readdir(join(root, day))) {
      for (const file of await readdir(join(root, day, hour))) {
        const text = gunzipSync(await readFile(join(root, day, hour, file))).toString('utf8');
        for (const line of text.split('\n').filter(Boolean)) {
          const event = ShufflerTelemetry.parse(JSON.parse(line));
          byId.set(event.eventId, event);
        }
      }
    }
  }
  const byDevice = new Map<string, ShufflerTelemetry[]>();
  for (const event of byId.values()) byDevice.set(event.deviceId, [...(byDevice.get(event.deviceId) ?? []), event]);
  for (const list of byDevice.values()) list.sort((a, b) => a.eventTime - b.eventTime);
  return byDevice;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'croupier-ml-parity-'));
  lake = join(dir, 'lake');
  channels = join(dir, 'channels');
  await writeTinyHistory(lake, { devices: 5, days: 4 });
  // At-least-once delivery: a second copy of one hour of telemetry, as a retried Firehose batch would leave.
  const hour = join(lake, 'raw', 'shuffler', 'dt=2026-01-03', 'hr=10');
  const [file] = await readdir(hour);
  await copyFile(join(hour, file!), join(hour, `retry-${file}`));
  await buildDataset(lake, channels, {
    maxHorizonHours: 12,
    trainEveryMinutes: 0,
    split: { testDeviceShare: 0.2, validationDeviceShare: 0.2, testPeriodShare: 0.4 },
  });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('training features = FailurePredictor features', () => {
  it('GIVEN the same telemetry THEN every dataset row holds exactly the vector the real FailurePredictor computes', async () => {
    const telemetry = await rawTelemetry(lake);
    const rows = (
      await Promise.all(['train', 'validation', 'test'].map((c) => readChannel(join(channels, c))))
    ).flatMap((c) => c.rows);
    expect(rows.length).toBeGreaterThan(1_000);
    let compared = 0;
    for (const [deviceId, events] of telemetry) {
      const seen: { time: number; features: number[] }[] = [];
      let pending: number[] = [];
      // The real predictor with a recording model: the batches it sends to the model are its features.
      const recorder: FailureModel = {
        version: 'recorder',
        horizonHours: 24,
        predict: async (batch) => {
          pending = [...batch[0]!];
          return [0];
        },
      };
      const config = PredictorConfig.parse({ predictEveryMs: 0 });
      const predictor = new FailurePredictor(
        recorder,
        {
          hysteresis: { ...config.alerts },
          predictEveryMs: 0,
          criticalAt: config.alerts.criticalAt,
          maxDevices: 10,
        },
        { prediction: (p) => seen.push({ time: p.windowEnd, features: pending }), alert: () => {} },
        FEATURE_WINDOW,
      );
      for (const event of events) await predictor.ingest(event);
      const predicted = new Map(seen.map((s) => [s.time, s.features]));
      const deviceRows = rows.filter((r) => r.deviceId === deviceId);
      expect(deviceRows.length).toBeGreaterThan(0);
      for (const row of deviceRows) {
        const features = predicted.get(row.windowEnd);
        expect(features, `${deviceId} @ ${row.windowEnd}`).toBeDefined();
        // Bit for bit: the CSV keeps every double exactly (shortest round-trip form).
        expect(row.features).toEqual(features);
        compared += 1;
      }
    }
    expect(compared).toBe(rows.length);
    expect(rows[0]!.features).toHaveLength(FEATURE_NAMES.length);
  });

  it('GIVEN a duplicated raw object THEN the dataset keeps one copy of each event, as refinement does', async () => {
    const { manifest } = await readChannel(join(channels, 'train'));
    expect(manifest.source.duplicatesDropped).toBeGreaterThan(0);
    expect(manifest.source.invalidRecords).toBe(0);
    const rows = (await readChannel(join(channels, 'test'))).rows;
    const keys = rows.map((r) => `${r.deviceId}@${r.windowEnd}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
