import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_CARD_FILE, MODEL_FILE } from '@croupier/failure-predictor/model-contract';
import { type ModelFiles, ModelPackageError } from './model-package.js';

/** Reads `failure-model.onnx` and `model-card.json` from a model folder (e.g. the training job's `/opt/ml/model`). */
export async function readModelFolder(dir: string): Promise<ModelFiles> {
  const read = (file: string) =>
    readFile(join(dir, file)).catch((error: NodeJS.ErrnoException) => {
      throw new ModelPackageError(`cannot read ${join(dir, file)}: ${error.code ?? error.message}`);
    });
  const [model, card] = await Promise.all([read(MODEL_FILE), read(MODEL_CARD_FILE)]);
  return { model, card };
}
