import {
  contractCard,
  DEFAULT_BASELINE,
  graphNamingFor,
  linearModelToOnnx,
  trainBaseline,
  writeModelFiles,
} from '@croupier/failure-model';
import { FEATURE_NAMES } from '../../src/features.js';

/** Trains a small real baseline model (simulated fleet, logistic regression, ONNX) into `dir`. */
export async function trainSmallModel(dir: string, modelVersion: string, seed: number) {
  return trainBaseline({ ...DEFAULT_BASELINE, devices: 6, days: 20, seed, modelVersion, outDir: dir });
}

/**
 * A real ONNX logistic regression with chosen weights, written by the same serialiser as the trained
 * models, for tests that need to steer the probability exactly (alert transitions). Weight on
 * misfeedsPerShuffle only: p = sigmoid(40 * misfeedsPerShuffle - 8). Returns the model's path.
 */
export async function writeMisfeedModel(dir: string, modelVersion: string): Promise<string> {
  const card = contractCard({
    modelName: 'misfeed-steered',
    modelVersion,
    createdAt: new Date().toISOString(),
    horizonHours: 24,
    opset: 13,
  });
  const weights = FEATURE_NAMES.map((n) => (n === 'misfeedsPerShuffle' ? 40 : 0));
  const onnx = linearModelToOnnx({ weights, bias: -8 }, graphNamingFor(card, 'test'));
  return (await writeModelFiles(dir, onnx, card)).modelPath;
}
