import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type LinearModel, linearModelToOnnx } from '@croupier/failure-model';
import {
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
  FEATURE_WINDOW,
  MODEL_CARD_FILE,
  MODEL_FILE,
  MODEL_INPUT,
  MODEL_OUTPUT,
  type ModelCard,
} from '@croupier/failure-predictor';

/** Writes a real ONNX logistic model with chosen weights (by feature name) and a contract card into `dir`. */
export async function writeLinearModel(
  dir: string,
  modelVersion: string,
  weightsByName: Readonly<Record<string, number>>,
  bias: number,
): Promise<string> {
  const model: LinearModel = { weights: FEATURE_NAMES.map((n) => weightsByName[n] ?? 0), bias };
  const onnx = linearModelToOnnx(model, {
    inputName: MODEL_INPUT,
    outputName: MODEL_OUTPUT,
    opset: 13,
    producerVersion: modelVersion,
    docString: 'test model',
    metadata: {},
  });
  const card: ModelCard = {
    modelName: 'test-linear',
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
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MODEL_FILE), onnx);
  await writeFile(join(dir, MODEL_CARD_FILE), `${JSON.stringify(card, null, 2)}\n`);
  return dir;
}
