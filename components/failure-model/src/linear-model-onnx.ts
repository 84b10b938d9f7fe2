import { failureModelToOnnx, type GraphNaming, gemm, LOGIT } from './onnx-model.js';

/** A fitted logistic regression on raw (unscaled) features: p = sigmoid(x · weights + bias). */
export interface LinearModel {
  readonly weights: readonly number[];
  readonly bias: number;
}

/**
 * Serialises a logistic regression as an ONNX model: Gemm(features, W, B) then Sigmoid, batch dimension
 * `N` left symbolic. The result is a standard ModelProto any ONNX runtime loads.
 */
export function linearModelToOnnx(model: LinearModel, naming: GraphNaming): Uint8Array {
  const width = model.weights.length;
  return failureModelToOnnx(
    {
      name: 'shuffler_failure_logistic_regression',
      inputWidth: width,
      nodes: [gemm('linear', naming.inputName, 'weights', 'bias', LOGIT)],
      initializers: [
        { name: 'weights', dims: [width, 1], values: model.weights },
        { name: 'bias', dims: [1], values: [model.bias] },
      ],
    },
    naming,
  );
}
