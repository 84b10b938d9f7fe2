import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_BASELINE, linearModelToOnnx, trainBaseline } from '@croupier/failure-model';
import { FEATURE_NAMES, FEATURE_SET_VERSION, FEATURE_WINDOW } from '../../src/features.js';
import { MODEL_CARD_FILE, MODEL_FILE, MODEL_INPUT, MODEL_OUTPUT, type ModelCard } from '../../src/model-contract.js';

/** Trains a small real baseline model (simulated fleet, logistic regression, ONNX) into `dir`. */
export async function trainSmallModel(dir: string, modelVersion: string, seed: number) {
  return trainBaseline({ ...DEFAULT_BASELINE, devices: 6, days: 20, seed, modelVersion, outDir: dir });
}

/**
 * A real ONNX logistic regression with chosen weights, written by the same serialiser as the trained
 * models, for tests that need to steer the probability exactly (alert transitions). Weight on
 * misfeedsPerShuffle only: p = sigmoid(40 * misfeedsPerShuffle - 8).
 */
export async function writeMisfeedModel(dir: string, modelVersion: string): Promise<string> {
  const weights = FEATURE_NAMES.map((n) => (n === 'misfeedsPerShuffle' ? 40 : 0));
  const onnx = linearModelToOnnx(
    { weights, bias: -8 },
    {
      inputName: MODEL_INPUT,
      outputName: MODEL_OUTPUT,
      opset: 13,
      producerVersion: modelVersion,
      docString: 'test',
      metadata: {},
    },
  );
  const card: ModelCard = {
    modelName: 'misfeed-steered',
    modelVersion,
    createdAt: new Date().toISOString(),
    featureSetVersion: FEATURE_SET_VERSION,
    featureNames: [...FEATURE_NAMES],
    window: { ...FEATURE_WINDOW },
    horizonHours: 24,
    input: { name: MODEL_INPUT, dtype: 'float32', shape: ['N', FEATURE_NAMES.length] },
    output: { name: MODEL_OUTPUT, dtype: 'float32', shape: ['N', 1] },
    opset: 13,
  };
  await writeFile(join(dir, MODEL_FILE), onnx);
  await writeFile(join(dir, MODEL_CARD_FILE), JSON.stringify(card));
  return join(dir, MODEL_FILE);
}
