/**
 * @packageDocumentation
 * com.croupier.FailureModel is artifact-only: an ONNX model and its card. This package holds the tooling
 * that produces the baseline model (simulated data, logistic regression, ONNX serialisation); the
 * contract the model follows is defined by FailurePredictor (`@croupier/failure-predictor`).
 */
export { type LinearModel, linearModelToOnnx } from './linear-model-onnx.js';
export { type FitOptions, fitLogisticRegression, predictLinear } from './logistic-regression.js';
export { type MlpModel, mlpLogit, mlpModelToOnnx, predictMlp } from './mlp-onnx.js';
export {
  type CardDetails,
  contractCard,
  graphNamingFor,
  type ModelFilePaths,
  writeModelFiles,
} from './model-files.js';
export type { GraphNaming } from './onnx-model.js';
export {
  BASELINE_OPSET,
  type BaselineOptions,
  type BaselineResult,
  DEFAULT_BASELINE,
  trainBaseline,
} from './train-baseline.js';
export { type DatasetOptions, type Sample, simulatedDataset } from './training-data.js';
