import { z } from 'zod';
import { FAILURE_MODEL_COMPONENT } from './failure-model-recipe.js';

const ThingGroupArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iot:[a-z0-9-]+:\d{12}:thinggroup\/[\w:-]+$/, 'a thing group ARN');

/**
 * Where and how a FailureModel release goes: validated once, from the Lambda's environment or the
 * model loop's options. The defaults roll a model out gently: a few cores first, faster as they
 * succeed, and the whole rollout cancelled when a tenth of the first cores fail.
 */
export const ReleaseTarget = z.object({
  /** `arn:aws:greengrass:{region}:{account}:components:com.croupier.FailureModel`. */
  componentArn: z
    .string()
    .regex(
      new RegExp(
        `^arn:aws[a-z-]*:greengrass:[a-z0-9-]+:\\d{12}:components:${FAILURE_MODEL_COMPONENT.replaceAll('.', '\\.')}$`,
      ),
      `the ARN of ${FAILURE_MODEL_COMPONENT} (without :versions:)`,
    ),
  /** The component-artifacts bucket (GDK's `{prefix}-{region}-{account}`). */
  artifactsBucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
  /** The thing group whose deployment the release revises (it owns FailureModel). */
  modelThingGroupArn: ThingGroupArn,
  deploymentName: z.string().min(1).max(256),
  /** FailureModel's major version (FailurePredictor's dependency range names it). */
  majorVersion: z.int().min(0).max(999),
  /** Greengrass root on the cores: artifacts land in `{root}/packages/artifacts/{component}/{version}/`. */
  greengrassRoot: z
    .string()
    .regex(/^\/[\w./-]*[^/]$/, 'an absolute path without a trailing slash')
    .default('/greengrass/v2'),
  rollout: z
    .object({
      baseRatePerMinute: z.int().min(1).max(1000).default(5),
      incrementFactor: z.number().min(1.1).max(5).default(2),
      /** Succeeded cores before the rate is raised by `incrementFactor`. */
      numberOfSucceededThings: z.int().min(1).default(5),
      maximumPerMinute: z.int().min(1).max(1000).default(50),
    })
    .default({ baseRatePerMinute: 5, incrementFactor: 2, numberOfSucceededThings: 5, maximumPerMinute: 50 }),
  abort: z
    .object({
      /** Cancel the rollout when this share (percent) of executed cores failed… */
      thresholdPercentage: z.number().min(0).max(100).default(10),
      /** …once at least this many have run. */
      minNumberOfExecutedThings: z.int().min(1).default(5),
    })
    .default({ thresholdPercentage: 10, minNumberOfExecutedThings: 5 }),
  /** A core that has not finished its deployment in this time counts as failed. */
  inProgressTimeoutMinutes: z.int().min(1).max(10_080).default(60),
  /** How long components get to acknowledge the update, and to validate the new configuration. */
  componentUpdateTimeoutSeconds: z.int().min(1).max(3_600).default(60),
  /** How long to wait for Greengrass to check the new version's artifacts (DEPLOYABLE). */
  deployableTimeoutMs: z.int().min(1_000).max(900_000).default(300_000),
  deployablePollMs: z.int().min(0).max(60_000).default(5_000),
});
export type ReleaseTarget = z.infer<typeof ReleaseTarget>;
export type ReleaseTargetInput = z.input<typeof ReleaseTarget>;
