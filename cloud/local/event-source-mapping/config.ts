import { z } from 'zod';

/**
 * A Kinesis event source mapping, with the parameters and defaults of Lambda's
 * CreateEventSourceMapping API (names kept, so a value can be copied from a CDK/CloudFormation
 * definition unchanged), plus the few local knobs the emulated poller needs.
 */
export const kinesisEventSourceMappingSchema = z
  .object({
    /** Function name, used in the Lambda context and in on-failure records. */
    FunctionName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    /** Seconds before an invocation is abandoned as `Task timed out` (Lambda's function timeout). */
    FunctionTimeoutSeconds: z.number().int().min(1).max(900).default(60),
    StreamName: z.string().min(1),
    BatchSize: z.number().int().min(1).max(10_000).default(100),
    MaximumBatchingWindowInSeconds: z.number().min(0).max(300).default(0),
    StartingPosition: z.enum(['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']),
    /** Unix seconds; required with AT_TIMESTAMP and only allowed with it. */
    StartingPositionTimestamp: z.number().positive().optional(),
    FunctionResponseTypes: z.array(z.literal('ReportBatchItemFailures')).default([]),
    BisectBatchOnFunctionError: z.boolean().default(false),
    /** -1: retry until the record expires. */
    MaximumRetryAttempts: z.number().int().min(-1).max(10_000).default(-1),
    /** -1: never discard for age. AWS requires at least 60 otherwise. */
    MaximumRecordAgeInSeconds: z
      .number()
      .int()
      .min(-1)
      .max(604_800)
      .refine((v) => v === -1 || v >= 60, 'MaximumRecordAgeInSeconds must be -1 or 60..604800')
      .default(-1),
    /** 0: no tumbling windows. */
    TumblingWindowInSeconds: z.number().int().min(0).max(900).default(0),
    /** Local only: how often an idle shard is polled. Lambda polls each shard once per second. */
    pollIntervalMs: z.number().int().min(1).default(1000),
    /** Local only: pause before retrying a failed batch (Lambda backs off between retries). */
    retryDelayMs: z.number().int().min(0).default(1000),
  })
  .superRefine((value, ctx) => {
    if ((value.StartingPosition === 'AT_TIMESTAMP') !== (value.StartingPositionTimestamp !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['StartingPositionTimestamp'],
        message: 'StartingPositionTimestamp is required with AT_TIMESTAMP and allowed only with it',
      });
    }
  });

export type KinesisEventSourceMappingInput = z.input<typeof kinesisEventSourceMappingSchema>;
export type KinesisEventSourceMappingConfig = z.output<typeof kinesisEventSourceMappingSchema>;

/** Lambda's synchronous invocation payload limit: a batch never grows past it. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** A tumbling window's state may not exceed 1 MB; past that Lambda terminates the window early. */
export const MAX_WINDOW_STATE_BYTES = 1024 * 1024;
