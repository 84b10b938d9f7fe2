import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type FailurePrediction,
  FailurePrediction as FailurePredictionSchema,
  type MaintenanceAlert,
  MaintenanceAlert as MaintenanceAlertSchema,
} from '@croupier/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureModelSession, ModelContractError } from '../src/failure-model-session.js';
import { FailurePredictor, type PredictorSettings } from '../src/failure-predictor.js';
import { FEATURE_WINDOW } from '../src/features.js';
import { MODEL_CARD_FILE, MODEL_FILE } from '../src/model-contract.js';
import { trainSmallModel, writeMisfeedModel } from './support/models.js';
import { misfeedSeries, reading } from './support/telemetry.js';

const settings: PredictorSettings = {
  hysteresis: { raiseAt: 0.7, clearAt: 0.4, confirmations: 3, minDwellMs: 30 * 60_000 },
  predictEveryMs: 0,
  criticalAt: 0.9,
  maxDevices: 100,
};

function collect() {
  const predictions: FailurePrediction[] = [];
  const alerts: MaintenanceAlert[] = [];
  return {
    predictions,
    alerts,
    sink: { prediction: (p: FailurePrediction) => predictions.push(p), alert: (a: MaintenanceAlert) => alerts.push(a) },
  };
}

let dir: string;
let modelA: FailureModelSession;
let modelB: FailureModelSession;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'croupier-predictor-'));
  await trainSmallModel(join(dir, 'a'), '0.1.0-a', 1);
  await trainSmallModel(join(dir, 'b'), '0.2.0-b', 2);
  modelA = await FailureModelSession.load(join(dir, 'a', MODEL_FILE), FEATURE_WINDOW);
  modelB = await FailureModelSession.load(join(dir, 'b', MODEL_FILE), FEATURE_WINDOW);
});

afterAll(async () => {
  await modelA?.release();
  await modelB?.release();
  await rm(dir, { recursive: true, force: true });
});

describe('FailurePredictor with real ONNX models', () => {
  it('GIVEN a full window THEN each reading yields a contract-valid prediction from the model', async () => {
    const out = collect();
    const predictor = new FailurePredictor(modelA, settings, out.sink);
    for (let m = 0; m < 30; m += 1) await predictor.ingest(reading(m * 10));
    // The first 11 readings fill the window (minReadings 12); from then on, one prediction per reading.
    expect(out.predictions).toHaveLength(30 - FEATURE_WINDOW.minReadings + 1);
    for (const p of out.predictions) expect(FailurePredictionSchema.safeParse(p).success).toBe(true);
    const features = predictor.windowOf('shuffler-1')!.features()!;
    const [expected] = await modelA.predict([features]);
    expect(out.predictions.at(-1)!.probability).toBe(expected);
    expect(out.predictions.at(-1)!.modelVersion).toBe('0.1.0-a');
  });

  it('WHEN the model is switched THEN windows are kept and the next reading is predicted by the new model at once', async () => {
    const out = collect();
    const predictor = new FailurePredictor(modelA, settings, out.sink);
    for (let m = 0; m < 20; m += 1) {
      await predictor.ingest(reading(m * 10, { deviceId: 'one' }));
      await predictor.ingest(reading(m * 10, { deviceId: 'two' }));
    }
    const before = predictor.windowOf('one')!.contents.slice();
    const previous = await predictor.useModel(modelB);
    expect(previous).toBe(modelA);
    expect(predictor.windowOf('one')!.contents).toEqual(before);

    const count = out.predictions.length;
    await predictor.ingest(reading(200, { deviceId: 'one' }));
    // No warm-up: the very next reading is predicted, by the new model, over the whole kept window.
    expect(out.predictions).toHaveLength(count + 1);
    const latest = out.predictions.at(-1)!;
    expect(latest.modelVersion).toBe('0.2.0-b');
    expect(predictor.windowOf('one')!.contents).toHaveLength(before.length + 1);
    const [expected] = await modelB.predict([predictor.windowOf('one')!.features()!]);
    expect(latest.probability).toBe(expected);
    expect(predictor.stats.modelSwitches).toBe(1);
  });

  it('GIVEN a noisy misfeed series THEN alerts rise once, clear once, keep their id across a model switch, and never flap', async () => {
    const steer = join(dir, 'steer');
    const steer2 = join(dir, 'steer2');
    await mkdir(steer);
    await mkdir(steer2);
    const first = await FailureModelSession.load(await writeMisfeedModel(steer, 'steer-1'), FEATURE_WINDOW);
    const second = await FailureModelSession.load(await writeMisfeedModel(steer2, 'steer-2'), FEATURE_WINDOW);
    const out = collect();
    const predictor = new FailurePredictor(first, settings, out.sink);
    // A 6 h window smooths the noisy failing stretch, hysteresis does the rest.
    for (const r of misfeedSeries(0, 300)) {
      if (r.eventTime === reading(1_500).eventTime) await predictor.useModel(second);
      await predictor.ingest(r);
    }
    expect(out.alerts.map((a) => a.state)).toEqual(['raised', 'resolved']);
    for (const a of out.alerts) expect(MaintenanceAlertSchema.safeParse(a).success).toBe(true);
    const [raised, resolved] = out.alerts as [MaintenanceAlert, MaintenanceAlert];
    expect(resolved.alertId).toBe(raised.alertId);
    expect(raised.modelVersion).toBe('steer-1');
    expect(resolved.modelVersion).toBe('steer-2');
    expect(resolved.resolution).toBe('recovered');
    // The probability crossed the raise threshold many more times than the alert changed.
    const crossings = out.predictions.filter(
      (p, i) => i > 0 && p.probability >= 0.7 !== out.predictions[i - 1]!.probability >= 0.7,
    ).length;
    expect(crossings).toBeGreaterThanOrEqual(2);
    await first.release();
    await second.release();
  });
});

describe('FailurePredictor resumed after a restart', () => {
  it('GIVEN an alert raised before a restart WHEN the new predictor resumes it and the shuffler recovers THEN it resolves that alert and raises none; a predictor that forgot it raises a second alert instead', async () => {
    const steer = join(dir, 'steer-resume');
    await mkdir(steer);
    const model = await FailureModelSession.load(await writeMisfeedModel(steer, 'steer-1'), FEATURE_WINDOW);
    const before = collect();
    const first = new FailurePredictor(model, settings, before.sink);
    for (const r of misfeedSeries(0, 140)) await first.ingest(r);
    expect(before.alerts.map((a) => a.state)).toEqual(['raised']);
    const raised = before.alerts[0]!;

    const resumed = collect();
    const second = new FailurePredictor(model, settings, resumed.sink);
    second.resume(new Map([[raised.deviceId, { alertId: raised.alertId, raisedAt: raised.eventTime }]]));
    const forgot = collect();
    const third = new FailurePredictor(model, settings, forgot.sink);
    for (const r of misfeedSeries(140, 300)) {
      await second.ingest(r);
      await third.ingest(r);
    }

    expect(resumed.alerts.map((a) => [a.state, a.alertId])).toEqual([['resolved', raised.alertId]]);
    expect(forgot.alerts.map((a) => a.state)).toEqual(['raised', 'resolved']);
    expect(forgot.alerts[0]!.alertId).not.toBe(raised.alertId);
    await model.release();
  });
});

describe('FailureModel contract', () => {
  it('GIVEN a model card for another feature set THEN loading is refused', async () => {
    const other = join(dir, 'other');
    await mkdir(other);
    const card = JSON.parse(await readFile(join(dir, 'a', MODEL_CARD_FILE), 'utf8'));
    await writeFile(
      join(other, MODEL_CARD_FILE),
      JSON.stringify({ ...card, featureNames: [...card.featureNames].reverse() }),
    );
    await writeFile(join(other, MODEL_FILE), await readFile(join(dir, 'a', MODEL_FILE)));
    await expect(FailureModelSession.load(join(other, MODEL_FILE), FEATURE_WINDOW)).rejects.toBeInstanceOf(
      ModelContractError,
    );
  });

  it('GIVEN a model trained for another window THEN loading is refused', async () => {
    await expect(
      FailureModelSession.load(join(dir, 'a', MODEL_FILE), { ...FEATURE_WINDOW, durationMs: 3_600_000 }),
    ).rejects.toThrow(/expects window/);
  });
});
