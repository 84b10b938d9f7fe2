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
import { reading } from './support/telemetry.js';

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
    // One reading every 10 minutes, 10 shuffles each. Misfeeds per shuffle: ~0.05 (p≈0.002), then
    // ~0.25 (p≈0.88, noisy enough to cross 0.7 now and then), then ~0.02. A 6 h window smooths, hysteresis does the rest.
    let shuffles = 0;
    let misfeeds = 0;
    let seed = 3;
    const rnd = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 300; i += 1) {
      if (i === 150) await predictor.useModel(second);
      const rate = i < 80 ? 0.05 : i < 180 ? 0.25 : 0.02;
      shuffles += 10;
      misfeeds += Math.round(10 * rate * 2 * rnd());
      await predictor.ingest(reading(i * 10, { shuffles, misfeeds }));
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
