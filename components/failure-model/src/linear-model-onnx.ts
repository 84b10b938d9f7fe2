import { ATTRIBUTE_FLOAT, ATTRIBUTE_INT, ModelProto, ONNX_FLOAT } from './onnx-schema.js';

/** A fitted logistic regression on raw (unscaled) features: p = sigmoid(x · weights + bias). */
export interface LinearModel {
  readonly weights: readonly number[];
  readonly bias: number;
}

/** What the graph is called and how it identifies itself. */
export interface GraphNaming {
  readonly inputName: string;
  readonly outputName: string;
  readonly opset: number;
  readonly producerVersion: string;
  readonly docString: string;
  readonly metadata: Readonly<Record<string, string>>;
}

const tensorType = (dims: (number | string)[]) => ({
  tensorType: {
    elemType: ONNX_FLOAT,
    shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
  },
});

/**
 * Serialises a logistic regression as an ONNX model: Gemm(features, W, B) then Sigmoid, batch dimension
 * `N` left symbolic. The result is a standard ModelProto any ONNX runtime loads.
 */
export function linearModelToOnnx(model: LinearModel, naming: GraphNaming): Uint8Array {
  const width = model.weights.length;
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
      name: 'shuffler_failure_logistic_regression',
      node: [
        {
          name: 'linear',
          opType: 'Gemm',
          input: [naming.inputName, 'weights', 'bias'],
          output: ['logit'],
          attribute: [
            { name: 'alpha', type: ATTRIBUTE_FLOAT, f: 1 },
            { name: 'beta', type: ATTRIBUTE_FLOAT, f: 1 },
            { name: 'transA', type: ATTRIBUTE_INT, i: 0 },
            { name: 'transB', type: ATTRIBUTE_INT, i: 0 },
          ],
        },
        { name: 'probability', opType: 'Sigmoid', input: ['logit'], output: [naming.outputName] },
      ],
      initializer: [
        { name: 'weights', dataType: ONNX_FLOAT, dims: [width, 1], floatData: [...model.weights] },
        { name: 'bias', dataType: ONNX_FLOAT, dims: [1], floatData: [model.bias] },
      ],
      input: [{ name: naming.inputName, type: tensorType(['N', width]) }],
      output: [{ name: naming.outputName, type: tensorType(['N', 1]) }],
    },
  });
  return ModelProto.encode(message).finish();
}
