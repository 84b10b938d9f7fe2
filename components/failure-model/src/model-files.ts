import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FEATURE_NAMES, FEATURE_SET_VERSION, FEATURE_WINDOW } from '@croupier/failure-predictor/features';
import {
  MODEL_CARD_FILE,
  MODEL_FILE,
  MODEL_INPUT,
  MODEL_OUTPUT,
  type ModelCard,
} from '@croupier/failure-predictor/model-contract';
import type { GraphNaming } from './onnx-model.js';

/** What a model card says beyond what FailurePredictor's contract fixes: name, version, horizon, opset, training… */
export type CardDetails = Omit<ModelCard, 'featureSetVersion' | 'featureNames' | 'window' | 'input' | 'output'>;

/** A model card under FailurePredictor's contract (its feature set, window and tensors) with `details`. */
export function contractCard(details: CardDetails): ModelCard {
  const { modelName, modelVersion, createdAt, horizonHours, opset, ...rest } = details;
  return {
    modelName,
    modelVersion,
    createdAt,
    featureSetVersion: FEATURE_SET_VERSION,
    featureNames: [...FEATURE_NAMES],
    window: { ...FEATURE_WINDOW },
    horizonHours,
    input: { name: MODEL_INPUT, dtype: 'float32', shape: ['N', FEATURE_NAMES.length] },
    output: { name: MODEL_OUTPUT, dtype: 'float32', shape: ['N', 1] },
    opset,
    ...rest,
  };
}

/** How to name the graph of the model `card` describes: its tensors, opset and version, so the two agree. */
export function graphNamingFor(
  card: ModelCard,
  docString: string,
  metadata: Readonly<Record<string, string>> = {},
): GraphNaming {
  return {
    inputName: card.input.name,
    outputName: card.output.name,
    opset: card.opset,
    producerVersion: card.modelVersion,
    docString,
    metadata,
  };
}

/** Paths of a written model. */
export interface ModelFilePaths {
  readonly modelPath: string;
  readonly cardPath: string;
}

/** Writes the ONNX model and its card side by side into `dir` (created if missing), as the component's artifacts hold them. */
export async function writeModelFiles(dir: string, onnx: Uint8Array, card: ModelCard): Promise<ModelFilePaths> {
  await mkdir(dir, { recursive: true });
  const modelPath = join(dir, MODEL_FILE);
  const cardPath = join(dir, MODEL_CARD_FILE);
  await writeFile(modelPath, onnx);
  await writeFile(cardPath, `${JSON.stringify(card, null, 2)}\n`);
  return { modelPath, cardPath };
}
