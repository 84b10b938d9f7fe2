import { SegmentLogSettings } from '@croupier/edge-kit';
import { z } from 'zod';

/** FailurePredictor's configuration, as the recipe's DefaultConfiguration and deployments merge it. */
export const PredictorConfig = z.object({
  /**
   * Pins the ONNX model to run. Empty (the default): the predictor starts on `failure-model.onnx` in
   * the FailureModel version it was started with (`FAILURE_MODEL_DIR`, set by the recipe) and then
   * follows the newest valid version folder beside it, switching live. Set: exactly this model, and
   * new FailureModel versions are ignored until it is emptied again.
   */
  modelPath: z.string().max(1024).default(''),
  /** How new FailureModel versions are noticed while `modelPath` is empty. */
  modelWatch: z
    .object({
      /** Quiet time after a change in a version folder before it is looked at (and to see it settled). */
      debounceMs: z.int().min(50).max(600_000).default(2_000),
      /** Full rescan period, for filesystems where change events do not arrive. */
      rescanMs: z.int().min(1_000).max(86_400_000).default(60_000),
    })
    .default({ debounceMs: 2_000, rescanMs: 60_000 }),
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
  /**
   * How predictions and alerts reach Uplink; read at start. Each is written to the outbox before it is
   * published and stays there until confirmed, so a kill of the predictor loses none of them: the next
   * start publishes again what was never confirmed.
   */
  delivery: z
    .object({
      confirmBy: z
        .enum(['uplink', 'broker'])
        .default('uplink')
        .describe(
          'uplink: each prediction and alert is resent until Uplink acknowledges it on croupier/local/uplink/acks (an Uplink of the same release, acknowledging the alert stream); broker: local pub/sub acknowledging the publish is enough',
        ),
      resendAfterMs: z
        .int()
        .min(100)
        .max(600_000)
        .default(5_000)
        .describe('First resend of an event while nothing later has been confirmed either (Uplink down or behind)'),
      skippedAfterMs: z
        .int()
        .min(0)
        .max(600_000)
        .default(1_000)
        .describe('An event held this much longer than one Uplink confirmed was lost on the way: resent at once'),
      maxResendAfterMs: z.int().min(100).max(3_600_000).default(60_000).describe('Cap of the doubling wait'),
      maxHeld: z
        .int()
        .min(100)
        .max(1_000_000)
        .default(10_000)
        .describe('Unconfirmed events resent from memory; older ones wait in the outbox for the next start'),
      outbox: z
        .object({
          directory: z
            .string()
            .min(1)
            .default('outbox')
            .describe(
              'Predictions and alerts written before they are published, until confirmed; relative to the work directory',
            ),
          segmentBytes: SegmentLogSettings.segmentBytes,
          fsync: SegmentLogSettings.fsync,
        })
        .prefault({}),
    })
    .prefault({}),
  openAlerts: z
    .object({
      path: z
        .string()
        .min(1)
        .default('open-alerts.json')
        .describe('Alerts raised and not yet resolved, by device; relative to the work directory; read at start'),
    })
    .prefault({}),
  /** Least telemetry time between two predictions of one shuffler. */
  predictEveryMs: z.int().min(0).max(86_400_000).default(60_000),
  maxDevices: z.int().min(1).max(100_000).default(2_048),
  healthIntervalMs: z.int().min(1_000).max(3_600_000).default(60_000),
});
export type PredictorConfig = z.infer<typeof PredictorConfig>;

/** Where the model is: the pinned path, else the FailureModel version directory from the environment. */
export function resolveModelPath(config: PredictorConfig, env: NodeJS.ProcessEnv): string {
  if (config.modelPath) return config.modelPath;
  const dir = startedModelDir(env);
  if (!dir) throw new Error('no modelPath configured and FAILURE_MODEL_DIR is not set');
  return `${dir}/failure-model.onnx`;
}

/** The FailureModel version directory the predictor was started with (`FAILURE_MODEL_DIR`), without trailing slashes. */
export function startedModelDir(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.FAILURE_MODEL_DIR?.replace(/\/+$/, '');
  return dir || undefined;
}
