import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FailureModelSession,
  FEATURE_NAMES,
  FEATURE_WINDOW,
  MODEL_INPUT,
  MODEL_OUTPUT,
  ModelCard,
} from '@croupier/failure-predictor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitLogisticRegression, predictLinear } from '../src/logistic-regression.js';
import { ModelProto } from '../src/onnx-schema.js';
import { type BaselineResult, DEFAULT_BASELINE, trainBaseline } from '../src/train-baseline.js';

let dir: string;
let result: BaselineResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'croupier-failure-model-'));
  result = await trainBaseline({ ...DEFAULT_BASELINE, devices: 8, days: 30, outDir: dir });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('logistic regression', () => {
  it('GIVEN separable-ish data THEN it recovers the direction of the true weights', () => {
    let s = 1;
    const rnd = () => {
      s = (s * 16_807) % 2_147_483_647;
      return s / 2_147_483_647;
    };
    const x = Array.from({ length: 2_000 }, () => [rnd() * 10, rnd() * 4]);
    const y = x.map(([a, b]) => (1 / (1 + Math.exp(-(0.8 * a! - 2 * b! - 1))) > rnd() ? 1 : 0));
    const model = fitLogisticRegression(x, y, { l2: 0.01, maxIterations: 50, tolerance: 1e-10, positiveWeight: 1 });
    expect(model.weights[0]).toBeGreaterThan(0.5);
    expect(model.weights[1]).toBeLessThan(-1.2);
    expect(predictLinear(model, [10, 0])).toBeGreaterThan(0.9);
  });
});

describe('baseline FailureModel', () => {
  it('writes a model card that follows the contract', async () => {
    const card = ModelCard.parse(JSON.parse(await readFile(result.cardPath, 'utf8')));
    expect(card.featureNames).toEqual(FEATURE_NAMES);
    expect(card.window).toEqual(FEATURE_WINDOW);
    expect(card.opset).toBe(13);
    expect(card.metrics?.trainSamples ?? card.training?.trainSamples).toBeGreaterThan(0);
  });

  it('writes a standard ONNX ModelProto: Gemm then Sigmoid, opset 13, named input and output', async () => {
    const decoded = ModelProto.toObject(ModelProto.decode(await readFile(result.modelPath)), { longs: Number }) as {
      opsetImport: { version: number }[];
      graph: { node: { opType: string }[]; input: { name: string }[]; output: { name: string }[] };
    };
    expect(decoded.opsetImport[0]!.version).toBe(13);
    expect(decoded.graph.node.map((n) => n.opType)).toEqual(['Gemm', 'Sigmoid']);
    expect(decoded.graph.input.map((i) => i.name)).toEqual([MODEL_INPUT]);
    expect(decoded.graph.output.map((o) => o.name)).toEqual([MODEL_OUTPUT]);
  });

  it('GIVEN held-out windows THEN onnxruntime computes what the fitted model computes', async () => {
    const session = await FailureModelSession.load(result.modelPath, FEATURE_WINDOW);
    const rows = result.holdout.slice(0, 200).map((s) => s.features);
    const onnx = await session.predict(rows);
    rows.forEach((row, i) => {
      expect(onnx[i]).toBeCloseTo(predictLinear(result.model, row), 4);
    });
    await session.release();
  });

  it('GIVEN simulated failures with precursors THEN it ranks failing windows above healthy ones', () => {
    expect(result.card.metrics?.positives).toBeGreaterThan(0);
    expect(result.card.metrics?.rocAuc).toBeGreaterThan(0.75);
  });
});
