import { z } from 'zod';

/** FailurePredictor's configuration, as the recipe's DefaultConfiguration and deployments merge it. */
export const PredictorConfig = z.object({
  /**
   * The ONNX model to run. Empty: `failure-model.onnx` in the directory the FailureModel dependency
   * unpacked to (`FAILURE_MODEL_DIR`, set by the recipe). A deployment that ships a new FailureModel
   * version sets this (or merges a new version), and the predictor switches models live.
   */
  modelPath: z.string().max(1024).default(''),
  alerts: z
    .object({
      raiseAt: z.number().min(0).max(1).default(0.7),
      clearAt: z.number().min(0).max(1).default(0.4),
      confirmations: z.int().min(1).max(100).default(3),
      minDwellMs: z
        .int()
        .min(0)
        .max(7 * 86_400_000)
        .default(1_800_000),
      criticalAt: z.number().min(0).max(1).default(0.9),
    })
    .default({ raiseAt: 0.7, clearAt: 0.4, confirmations: 3, minDwellMs: 1_800_000, criticalAt: 0.9 })
    .refine((a) => a.clearAt < a.raiseAt, { message: 'clearAt must be below raiseAt' }),
  /** Least telemetry time between two predictions of one shuffler. */
  predictEveryMs: z.int().min(0).max(86_400_000).default(60_000),
  maxDevices: z.int().min(1).max(100_000).default(2_048),
  healthIntervalMs: z.int().min(1_000).max(3_600_000).default(60_000),
});
export type PredictorConfig = z.infer<typeof PredictorConfig>;

/** Where the model is: the configured path, else the FailureModel artifact directory from the environment. */
export function resolveModelPath(config: PredictorConfig, env: NodeJS.ProcessEnv): string {
  if (config.modelPath) return config.modelPath;
  const dir = env.FAILURE_MODEL_DIR;
  if (!dir) throw new Error('no modelPath configured and FAILURE_MODEL_DIR is not set');
  return `${dir.replace(/\/+$/, '')}/failure-model.onnx`;
}
