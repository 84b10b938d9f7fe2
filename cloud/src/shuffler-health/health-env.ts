import { z } from 'zod';
import { envInt, envNumber } from '../config/env.js';
import { DEFAULT_HEALTH_CONFIG, HealthConfig } from './device-health.js';

const d = DEFAULT_HEALTH_CONFIG;

/** Shuffler-processor configuration from the function environment. */
export const HealthEnv = z
  .object({
    ALERT_TOPIC_ARN: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/),
    // Both or neither: without them telemetry is kept in the lake only (Timestream is optional).
    TIMESTREAM_DATABASE: z.string().min(3).max(256).optional(),
    TIMESTREAM_TABLE: z.string().min(3).max(256).optional(),
    ALERT_RAISE_PROBABILITY: envNumber(d.raiseProbability),
    ALERT_CRITICAL_PROBABILITY: envNumber(d.criticalProbability),
    ALERT_CLEAR_PROBABILITY: envNumber(d.clearProbability),
    ALERT_COOLDOWN_MINUTES: envInt(d.notifyCooldownMs / 60_000),
  })
  .refine((env) => (env.TIMESTREAM_DATABASE === undefined) === (env.TIMESTREAM_TABLE === undefined), {
    message: 'set TIMESTREAM_DATABASE and TIMESTREAM_TABLE together, or neither',
    path: ['TIMESTREAM_TABLE'],
  })
  .transform((env) => ({
    topicArn: env.ALERT_TOPIC_ARN,
    timestream:
      env.TIMESTREAM_DATABASE && env.TIMESTREAM_TABLE
        ? { database: env.TIMESTREAM_DATABASE, table: env.TIMESTREAM_TABLE }
        : undefined,
    health: {
      raiseProbability: env.ALERT_RAISE_PROBABILITY,
      criticalProbability: env.ALERT_CRITICAL_PROBABILITY,
      clearProbability: env.ALERT_CLEAR_PROBABILITY,
      notifyCooldownMs: env.ALERT_COOLDOWN_MINUTES * 60_000,
    },
  }))
  .pipe(
    z.object({
      topicArn: z.string(),
      timestream: z.object({ database: z.string(), table: z.string() }).or(z.undefined()),
      health: HealthConfig,
    }),
  );
