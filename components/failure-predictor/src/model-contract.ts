import { z } from 'zod';

/**
 * The FailureModel contract: what any model FailurePredictor runs must look like. An ONNX graph with
 * one float32 input `features` of shape [N, F] (F = the feature set's length, in its order) and one
 * float32 output `failure_probability` of shape [N, 1] in [0, 1]: the probability that the shuffler fails
 * within `horizonHours`. Operators from the default ONNX domain at opset ≤ {@link MAX_OPSET}. Next to the
 * model, a model card (JSON) names the feature set, the window and the horizon; see
 * components/failure-model/README.md.
 */
export const MODEL_INPUT = 'features';
export const MODEL_OUTPUT = 'failure_probability';
/** Highest default-domain opset the bundled onnxruntime-node must support for our models. */
export const MAX_OPSET = 21;
/** File names inside a FailureModel component's artifacts. */
export const MODEL_FILE = 'failure-model.onnx';
export const MODEL_CARD_FILE = 'model-card.json';

/** The model card shipped beside every FailureModel. */
export const ModelCard = z.object({
  modelName: z.string().min(1).max(64),
  modelVersion: z.string().regex(/^[0-9A-Za-z.+-]{1,64}$/),
  createdAt: z.iso.datetime(),
  featureSetVersion: z.string().min(1),
  featureNames: z.array(z.string()).min(1),
  window: z.object({ durationMs: z.int().positive(), minReadings: z.int().positive() }),
  horizonHours: z.number().positive().max(720),
  input: z.object({ name: z.literal(MODEL_INPUT), dtype: z.literal('float32'), shape: z.tuple([z.string(), z.int()]) }),
  output: z.object({
    name: z.literal(MODEL_OUTPUT),
    dtype: z.literal('float32'),
    shape: z.tuple([z.string(), z.literal(1)]),
  }),
  opset: z.int().min(7).max(MAX_OPSET),
  /** Suggested alert thresholds from evaluation; FailurePredictor's configuration may override them. */
  thresholds: z.object({ raiseAt: z.number().min(0).max(1), clearAt: z.number().min(0).max(1) }).optional(),
  training: z.record(z.string(), z.unknown()).optional(),
  metrics: z.record(z.string(), z.number()).optional(),
});
export type ModelCard = z.infer<typeof ModelCard>;
