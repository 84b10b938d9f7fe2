import { MachineIdentity } from '@croupier/contracts';
import { BusDefinition, DeviceDefinition } from '@croupier/shuffler-monitor';
import { z } from 'zod';

/** A topic-safe id (names that become IoT topic segments and policy resources). */
const TopicSegment = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'use 1-128 of A-Z a-z 0-9 _ . : -');

/** Retention periods CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const Subscriber = z.discriminatedUnion('protocol', [
  z.object({ protocol: z.literal('email'), endpoint: z.email() }),
  z.object({ protocol: z.literal('sms'), endpoint: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'E.164 phone number') }),
  z.object({ protocol: z.literal('https'), endpoint: z.url({ protocol: /^https$/ }) }),
]);

/**
 * A property id: an IoT topic segment, and the suffix of the property's thing group and
 * provisioning template names, so limited to what all of those accept.
 */
const PropertyId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1-64 of A-Z a-z 0-9 _ -');

/** What one property's floor cores need to know about the floor: the fleet deployment merges it. */
const SiteData = z
  .object({
    /** Slot machines (SlotGateway enrichment). */
    machines: z.array(MachineIdentity).min(1),
    /** Modbus lines and shufflers (ShufflerMonitor); register maps ship in the component's recipe. */
    shufflers: z.object({ buses: z.record(z.string(), BusDefinition), devices: z.array(DeviceDefinition) }).strict(),
  })
  .strict()
  .superRefine((site, ctx) => {
    const machineIds = site.machines.map((m) => m.machineId);
    for (const id of machineIds.filter((id, i) => machineIds.indexOf(id) !== i)) {
      ctx.addIssue({ code: 'custom', path: ['machines'], message: `duplicate machine "${id}"` });
    }
    for (const device of site.shufflers.devices) {
      if (!site.shufflers.buses[device.bus]) {
        ctx.addIssue({
          code: 'custom',
          path: ['shufflers', 'devices'],
          message: `${device.deviceId}: unknown bus "${device.bus}"`,
        });
      }
    }
  });

const Property = z.object({ id: PropertyId, name: z.string().min(1).max(128), site: SiteData }).strict();

/**
 * One environment's settings. One environment lives in one AWS account and region, which is why
 * resource names (streams, tables) are the fixed names from `cloud/definitions` and carry no prefix.
 */
export const EnvironmentConfig = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/),
    account: z
      .string()
      .regex(/^[0-9]{12}$/)
      .optional(),
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/),
    /** Destroy stateful resources on stack deletion; only for throwaway environments. */
    destroyOnRemoval: z.boolean(),
    properties: z
      .array(Property)
      .min(1)
      .refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, 'property ids must be unique'),
    /** The floor's clock: ratings and KPIs are kept per gaming day in this IANA time zone. */
    floor: z.object({
      timeZone: z.string().refine((tz) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'an IANA time zone, e.g. America/Los_Angeles'),
      gamingDayStartHour: z.int().min(0).max(23),
    }),
    edge: z.object({
      /** Each property's floor cores are the thing group `{prefix}-{property id}`, with its own fleet deployment. */
      fleetThingGroupPrefix: z.string().regex(/^[A-Za-z0-9_-]{1,60}$/),
      /** Thing group whose deployment the training pipeline owns (FailureModel only). */
      modelThingGroupName: z.string().regex(/^[A-Za-z0-9:_-]{1,128}$/),
      corePolicyName: TopicSegment,
      roleAliasName: z.string().regex(/^[\w=,@-]{1,128}$/),
      /** Each property has the fleet-provisioning template `{prefix}-{property id}` (at most 36 characters in all). */
      provisioningTemplatePrefix: z.string().regex(/^[0-9A-Za-z_-]{1,30}$/),
      /** Claim certificates may only connect with client ids starting with this prefix. */
      claimClientIdPrefix: TopicSegment,
      /** GDK publishes artifacts to `{prefix}-{region}-{account}`; this is that prefix. */
      componentBucketPrefix: z.string().regex(/^[a-z0-9][a-z0-9-]{2,30}$/),
    }),
    alerts: z.object({ maintenance: z.array(Subscriber), operations: z.array(Subscriber) }),
    retention: z.object({
      lakeRawDays: z.int().min(1),
      lakeRefinedDays: z.int().min(1),
      lakeErrorsDays: z.int().min(1),
      /** Days after which lake objects move to S3 Glacier Instant Retrieval. */
      lakeColdAfterDays: z.int().min(30),
      accessLogDays: z.int().min(1),
      athenaResultsDays: z.int().min(1),
      logDays: z.int().refine((d) => LOG_RETENTION_DAYS.includes(d), `one of ${LOG_RETENTION_DAYS.join(', ')}`),
      /** Dead-letter queues keep failed batches this long (SQS allows at most 14 days). */
      dlqDays: z.int().min(1).max(14),
    }),
    /**
     * Timestream for LiveAnalytics has been closed to new customers since 2025-06-20 (CloudFormation
     * validation reports it as a service in maintenance mode), so it is off unless an account that
     * already has it turns it on; telemetry is always in the lake either way.
     */
    timestream: z.discriminatedUnion('enabled', [
      z.object({ enabled: z.literal(false) }),
      z.object({
        enabled: z.literal(true),
        databaseName: z.string().regex(/^[a-zA-Z0-9_.-]{3,256}$/),
        memoryStoreHours: z.int().min(1).max(8766),
        magneticStoreDays: z.int().min(1).max(73_000),
      }),
    ]),
    api: z.object({
      rateLimit: z.number().positive(),
      burstLimit: z.int().positive(),
    }),
    ml: z.object({
      /** EventBridge schedule expression, e.g. `cron(0 6 ? * MON *)`. */
      schedule: z.string().regex(/^(cron|rate)\(.+\)$/),
      /** ECR repository (created by the ML stack) and tag the training image is pushed to by CI. */
      trainingImageRepository: z.string().regex(/^[a-z0-9][a-z0-9._/-]{1,255}$/),
      trainingImageTag: z.string().regex(/^[\w][\w.-]{0,127}$/),
      instanceType: z.string().regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/),
      maxRuntimeMinutes: z
        .int()
        .min(5)
        .max(24 * 60),
      hyperparameters: z.record(z.string(), z.string()),
      /** Metric the training job logs (regex-captured) and the minimum that lets a model ship. */
      evaluation: z.object({ metricName: z.string().min(1), metricRegex: z.string().min(1), minimum: z.number() }),
      /**
       * Major version of the FailureModel versions the pipeline creates; it must stay inside the
       * FailureModel dependency range FailurePredictor's recipe declares.
       */
      modelMajorVersion: z.int().min(1).max(999),
      /** Days of lake history in one training dataset. */
      datasetDays: z.int().min(1).max(730),
    }),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const [i, property] of config.properties.entries()) {
      const template = `${config.edge.provisioningTemplatePrefix}-${property.id}`;
      if (template.length > 36) {
        ctx.addIssue({
          code: 'custom',
          path: ['properties', i, 'id'],
          message: `provisioning template name "${template}" is longer than the 36 characters AWS IoT allows`,
        });
      }
    }
  });

export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;
