import { linearModelToOnnx } from '@croupier/failure-model';
import {
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
  FEATURE_WINDOW,
  MODEL_INPUT,
  MODEL_OUTPUT,
  type ModelCard,
} from '@croupier/failure-predictor';
import type { ModelFiles } from '../model-package.js';

/** A card that follows the FailureModel contract, with overrides for the cases that must not. */
export function modelCard(modelVersion: string, over: Record<string, unknown> = {}): ModelCard {
  return {
    modelName: 'shuffler-failure',
    modelVersion,
    createdAt: '2026-11-22T01:00:00.000Z',
    featureSetVersion: FEATURE_SET_VERSION,
    featureNames: [...FEATURE_NAMES],
    window: { ...FEATURE_WINDOW },
    horizonHours: 24,
    input: { name: MODEL_INPUT, dtype: 'float32', shape: ['N', FEATURE_NAMES.length] },
    output: { name: MODEL_OUTPUT, dtype: 'float32', shape: ['N', 1] },
    opset: 13,
    ...over,
  } as ModelCard;
}

/** A real ONNX logistic regression (the baseline's serialiser) and its card, as a training job writes them. */
export function modelFiles(modelVersion: string, cardOverrides: Record<string, unknown> = {}): ModelFiles {
  const model = linearModelToOnnx(
    { weights: FEATURE_NAMES.map((_, i) => i / 10), bias: -2 },
    {
      inputName: MODEL_INPUT,
      outputName: MODEL_OUTPUT,
      opset: 13,
      producerVersion: modelVersion,
      docString: 'test',
      metadata: {},
    },
  );
  const card = new TextEncoder().encode(JSON.stringify(modelCard(modelVersion, cardOverrides)));
  return { model, card };
}
