/**
 * Trains the baseline FailureModel from simulated shuffler history and writes the ONNX model and its
 * model card:
 *
 *   npx tsx components/failure-model/scripts/train-baseline.ts <outDir> [modelVersion]
 */
import { resolve } from 'node:path';
import { DEFAULT_BASELINE, trainBaseline } from '../src/train-baseline.js';

const [outDir, modelVersion] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: train-baseline.ts <outDir> [modelVersion]');
  process.exit(2);
}
await trainBaseline(
  { ...DEFAULT_BASELINE, outDir: resolve(outDir), modelVersion: modelVersion ?? DEFAULT_BASELINE.modelVersion },
  (line) => console.log(line),
);
