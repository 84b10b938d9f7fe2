import type { GraphNaming } from './linear-model-onnx.js';
import { ATTRIBUTE_FLOAT, ATTRIBUTE_INT, ModelProto, ONNX_FLOAT } from './onnx-schema.js';

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

const tensorType = (dims: (number | string)[]) => ({
  tensorType: {
    elemType: ONNX_FLOAT,
    shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
  },
});

const gemm = (name: string, input: string, weights: string, bias: string, output: string) => ({
  name,
  opType: 'Gemm',
  input: [input, weights, bias],
  output: [output],
  attribute: [
    { name: 'alpha', type: ATTRIBUTE_FLOAT, f: 1 },
    { name: 'beta', type: ATTRIBUTE_FLOAT, f: 1 },
    { name: 'transA', type: ATTRIBUTE_INT, i: 0 },
    { name: 'transB', type: ATTRIBUTE_INT, i: 0 },
  ],
});

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
  const message = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'croupier-failure-model',
    producerVersion: naming.producerVersion,
    domain: 'com.croupier',
    modelVersion: 1,
    docString: naming.docString,
    opsetImport: [{ domain: '', version: naming.opset }],
    metadataProps: Object.entries(naming.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'shuffler_failure_mlp',
      node: [
        gemm('hidden', naming.inputName, 'hidden_weights', 'hidden_bias', 'hidden_linear'),
        { name: 'hidden_activation', opType: 'Relu', input: ['hidden_linear'], output: ['hidden_relu'] },
        gemm('output', 'hidden_relu', 'output_weights', 'output_bias', 'logit'),
        { name: 'probability', opType: 'Sigmoid', input: ['logit'], output: [naming.outputName] },
      ],
      initializer: [
        { name: 'hidden_weights', dataType: ONNX_FLOAT, dims: [inputs, hidden], floatData: model.hiddenWeights.flat() },
        { name: 'hidden_bias', dataType: ONNX_FLOAT, dims: [hidden], floatData: [...model.hiddenBias] },
        { name: 'output_weights', dataType: ONNX_FLOAT, dims: [hidden, 1], floatData: [...model.outputWeights] },
        { name: 'output_bias', dataType: ONNX_FLOAT, dims: [1], floatData: [model.outputBias] },
      ],
      input: [{ name: naming.inputName, type: tensorType(['N', inputs]) }],
      output: [{ name: naming.outputName, type: tensorType(['N', 1]) }],
    },
  });
  return ModelProto.encode(message).finish();
}
