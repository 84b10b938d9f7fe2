import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FailureModelSession, FEATURE_NAMES, FEATURE_SET_VERSION, FEATURE_WINDOW } from '@croupier/failure-predictor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MlpModel, mlpLogit, mlpModelToOnnx, predictMlp } from '../src/mlp-onnx.js';
import { contractCard, graphNamingFor, writeModelFiles } from '../src/model-files.js';
import { ModelProto } from '../src/onnx-schema.js';

let s = 7;
const rnd = () => {
  s = (s * 16_807) % 2_147_483_647;
  return s / 2_147_483_647 - 0.5;
};
const width = FEATURE_NAMES.length;
const hidden = 6;
const model: MlpModel = {
  hiddenWeights: Array.from({ length: width }, () => Array.from({ length: hidden }, () => rnd() * 2)),
  hiddenBias: Array.from({ length: hidden }, () => rnd()),
  outputWeights: Array.from({ length: hidden }, () => rnd() * 3),
  outputBias: -0.5,
};
const card = contractCard({
  modelName: 'mlp-test',
  modelVersion: '9.9.9',
  createdAt: new Date().toISOString(),
  horizonHours: 48,
  opset: 13,
});
const naming = graphNamingFor(card, 'mlp test', { featureSetVersion: FEATURE_SET_VERSION });

let dir: string;
let modelPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'croupier-mlp-'));
  ({ modelPath } = await writeModelFiles(dir, mlpModelToOnnx(model, naming), card));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('MLP FailureModel graph', () => {
  it('is Gemm, Relu, Gemm, Sigmoid with a symbolic batch', () => {
    const decoded = ModelProto.toObject(ModelProto.decode(mlpModelToOnnx(model, naming)), { longs: Number }) as {
      graph: { node: { opType: string }[]; input: { type: { tensorType: { shape: { dim: unknown[] } } } }[] };
    };
    expect(decoded.graph.node.map((n) => n.opType)).toEqual(['Gemm', 'Relu', 'Gemm', 'Sigmoid']);
    expect(decoded.graph.input[0]!.type.tensorType.shape.dim).toEqual([{ dimParam: 'N' }, { dimValue: width }]);
  });

  it('GIVEN random rows THEN onnxruntime computes what the float64 reference computes', async () => {
    const session = await FailureModelSession.load(modelPath, FEATURE_WINDOW);
    const rows = Array.from({ length: 300 }, () => Array.from({ length: width }, () => rnd() * 4));
    const onnx = await session.predict(rows);
    rows.forEach((row, i) => {
      expect(onnx[i]).toBeCloseTo(predictMlp(model, row), 5);
      expect(predictMlp(model, row)).toBeCloseTo(1 / (1 + Math.exp(-mlpLogit(model, row))), 15);
    });
    await session.release();
  });

  it('GIVEN inconsistent shapes THEN it refuses to serialise', () => {
    expect(() => mlpModelToOnnx({ ...model, outputWeights: [1] }, naming)).toThrow(/inconsistent/);
  });
});
