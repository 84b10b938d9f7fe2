import { failureModelToOnnx, type GraphNaming, gemm, LOGIT } from './onnx-model.js';

/**
 * A one-hidden-layer perceptron on raw (unscaled) features:
 * p = sigmoid(relu(x · hiddenWeights + hiddenBias) · outputWeights + outputBias).
 * `hiddenWeights` is [inputs][hidden] (row-major, one row per input feature).
 */
export interface MlpModel {
  readonly hiddenWeights: readonly (readonly number[])[];
  readonly hiddenBias: readonly number[];
  readonly outputWeights: readonly number[];
  readonly outputBias: number;
}

/** The output logit of {@link MlpModel} in float64 (before the sigmoid). */
export function mlpLogit(model: MlpModel, row: readonly number[]): number {
  let logit = model.outputBias;
  for (let h = 0; h < model.hiddenBias.length; h += 1) {
    let a = model.hiddenBias[h]!;
    for (let i = 0; i < row.length; i += 1) a += row[i]! * model.hiddenWeights[i]![h]!;
    if (a > 0) logit += a * model.outputWeights[h]!;
  }
  return logit;
}

/** p = sigmoid(logit) of {@link MlpModel} in float64: the reference the ONNX graph is checked against. */
export function predictMlp(model: MlpModel, row: readonly number[]): number {
  return 1 / (1 + Math.exp(-mlpLogit(model, row)));
}

/**
 * Serialises an {@link MlpModel} as an ONNX model: Gemm, Relu, Gemm, Sigmoid (all in the default domain
 * since opset 13), batch dimension `N` symbolic. Any ONNX runtime loads it.
 */
export function mlpModelToOnnx(model: MlpModel, naming: GraphNaming): Uint8Array {
  const inputs = model.hiddenWeights.length;
  const hidden = model.hiddenBias.length;
  if (inputs === 0 || hidden === 0 || model.outputWeights.length !== hidden) {
    throw new Error(`inconsistent MLP shapes: ${inputs} inputs, ${hidden} hidden, ${model.outputWeights.length} out`);
  }
  if (model.hiddenWeights.some((row) => row.length !== hidden)) throw new Error('ragged hidden weight matrix');
  return failureModelToOnnx(
    {
      name: 'shuffler_failure_mlp',
      inputWidth: inputs,
      nodes: [
        gemm('hidden', naming.inputName, 'hidden_weights', 'hidden_bias', 'hidden_linear'),
        { name: 'hidden_activation', opType: 'Relu', input: ['hidden_linear'], output: ['hidden_relu'] },
        gemm('output', 'hidden_relu', 'output_weights', 'output_bias', LOGIT),
      ],
      initializers: [
        { name: 'hidden_weights', dims: [inputs, hidden], values: model.hiddenWeights.flat() },
        { name: 'hidden_bias', dims: [hidden], values: model.hiddenBias },
        { name: 'output_weights', dims: [hidden, 1], values: model.outputWeights },
        { name: 'output_bias', dims: [1], values: [model.outputBias] },
      ],
    },
    naming,
  );
}
