import { z } from 'zod';
import { defaultStateRoot } from './state-folder.js';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

/**
 * Configuration of the local cloud, read once from the environment. Every port may be 0 (pick a
 * free one); the defaults are fixed so a developer's tools and the local floor find the stand-ins
 * at the same addresses every run.
 */
export const localCloudConfigSchema = z.object({
  CROUPIER_STATE_DIR: z.string().min(1).default(defaultStateRoot),
  /** Loopback unless told otherwise: the stand-ins have no authentication of their own. */
  CROUPIER_HOST: z.string().min(1).default('127.0.0.1'),
  CROUPIER_KINESIS_PORT: port(4567),
  CROUPIER_DYNAMODB_PORT: port(4568),
  CROUPIER_SNS_PORT: port(4575),
  CROUPIER_IOT_PORT: port(8883),
  CROUPIER_DEVICE_BROKER_PORT: port(8884),
  /** HTTP endpoint of the IoT data-plane Publish API (downlinks from the cloud side). */
  CROUPIER_IOT_DATA_PLANE_PORT: port(4580),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** The account id in every ARN the stand-ins make. */
  CROUPIER_ACCOUNT_ID: z
    .string()
    .regex(/^\d{12}$/)
    .default('000000000000'),
  /** Firehose buffering hints for lake delivery. */
  CROUPIER_LAKE_BUFFER_MB: z.coerce.number().positive().max(128).default(5),
  CROUPIER_LAKE_BUFFER_SECONDS: z.coerce.number().min(0).max(900).default(60),
  /** How often expired DynamoDB items are deleted (DynamoDB TTL stand-in). */
  CROUPIER_TTL_SWEEP_SECONDS: z.coerce.number().positive().default(60),
  CROUPIER_TIMESTREAM_DATABASE: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{3,256}$/)
    .default('croupier'),
  CROUPIER_TIMESTREAM_MEMORY_STORE_HOURS: z.coerce.number().int().min(1).max(8766).default(24),
  /** Set to `false` to run without the local IoT Core (no certificates needed). */
  CROUPIER_LOCAL_IOT: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

export type LocalCloudConfig = z.output<typeof localCloudConfigSchema>;

/** Parses the environment; throws one readable error listing every bad variable. */
export function parseLocalCloudConfig(env: NodeJS.ProcessEnv): LocalCloudConfig {
  const result = localCloudConfigSchema.safeParse(env);
  if (!result.success) throw new Error(`invalid local cloud configuration:\n${z.prettifyError(result.error)}`);
  return result.data;
}

/** Timestream tables the processors write, as the CDK storage stack declares them. */
export const TIMESTREAM_TABLE_NAMES = ['shuffler_telemetry', 'core_health'] as const;

/** SNS topics the CDK alerts stack declares, by the names the local stand-in gives them. */
export const SNS_TOPIC_NAMES = {
  maintenance: 'croupier-maintenance-alerts',
  operations: 'croupier-operational-alarms',
} as const;
