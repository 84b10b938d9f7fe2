import { ATTRIBUTE_FLOAT, ATTRIBUTE_INT, ModelProto, ONNX_FLOAT } from './onnx-schema.js';

/** What the graph is called and how it identifies itself. */
export interface GraphNaming {
  readonly inputName: string;
  readonly outputName: string;
  readonly opset: number;
  readonly producerVersion: string;
  readonly docString: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** One operator of a graph, in the default ONNX domain. */
export interface GraphNode {
  readonly name: string;
  readonly opType: string;
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly attribute?: readonly {
    readonly name: string;
    readonly type: number;
    readonly f?: number;
    readonly i?: number;
  }[];
}

/** A float32 constant of the graph (weights, biases). */
export interface FloatInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly values: readonly number[];
}

/** The layers of a FailureModel graph: `nodes` compute the tensor `logit` from an input `inputWidth` features wide. */
export interface LogitGraph {
  readonly name: string;
  readonly inputWidth: number;
  readonly nodes: readonly GraphNode[];
  readonly initializers: readonly FloatInitializer[];
}

/** The tensor every FailureModel graph computes before its final Sigmoid. */
export const LOGIT = 'logit';

const tensorType = (dims: (number | string)[]) => ({
  tensorType: {
    elemType: ONNX_FLOAT,
    shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
  },
});

/** A Gemm node: output = input · weights + bias (alpha = beta = 1, nothing transposed). */
export function gemm(name: string, input: string, weights: string, bias: string, output: string): GraphNode {
  return {
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
  };
}

/**
 * Serialises a FailureModel as an ONNX ModelProto: the graph's nodes, then Sigmoid(logit) as the output
 * probability, batch dimension `N` left symbolic. Any ONNX runtime loads the result.
 */
export function failureModelToOnnx(graph: LogitGraph, naming: GraphNaming): Uint8Array {
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
      name: graph.name,
      node: [...graph.nodes, { name: 'probability', opType: 'Sigmoid', input: [LOGIT], output: [naming.outputName] }],
      initializer: graph.initializers.map((t) => ({
        name: t.name,
        dataType: ONNX_FLOAT,
        dims: [...t.dims],
        floatData: [...t.values],
      })),
      input: [{ name: naming.inputName, type: tensorType(['N', graph.inputWidth]) }],
      output: [{ name: naming.outputName, type: tensorType(['N', 1]) }],
    },
  });
  return ModelProto.encode(message).finish();
}
