import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { repoPath } from './paths.js';

/** The fleet deployment template every property's thing group is deployed from. */
export const FLEET_DEPLOYMENT_TEMPLATE = 'recipes/floor-core.deployment.yaml';

/** Reads the fleet deployment template from the repository. */
export function readFleetDeploymentTemplate(): string {
  return readFileSync(repoPath(FLEET_DEPLOYMENT_TEMPLATE), 'utf8');
}

/**
 * FailureModel is deliberately absent from the fleet deployment: its versions are created and
 * deployed by the training pipeline to the model thing group. Listing it here too would give the
 * fleet two owners of one component.
 */
export const PIPELINE_OWNED_COMPONENTS: readonly string[] = ['com.croupier.FailureModel'];

const CROUPIER_PREFIX = 'com.croupier.';
const SemanticVersion = z.string().regex(/^\d+\.\d+\.\d+$/, 'semantic version MAJOR.MINOR.PATCH');
const Count = z.int().min(1);

/** One component of the template: AWS components pin a version, Croupier components take their recipe's. */
const TemplateComponent = z
  .object({
    componentVersion: SemanticVersion.optional(),
    merge: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/**
 * The rendered template, in the camelCase shape of the Greengrass `CreateDeployment` API (which is
 * also what `AWS::GreengrassV2::Deployment` takes, bar one nested key). Strict: a misspelt key fails
 * synthesis instead of being dropped.
 */
export const FleetDeploymentDocument = z
  .object({
    deploymentName: z.string().min(1).max(256),
    deploymentPolicies: z
      .object({
        failureHandlingPolicy: z.enum(['ROLLBACK', 'DO_NOTHING']),
        componentUpdatePolicy: z
          .object({
            action: z.enum(['NOTIFY_COMPONENTS', 'SKIP_NOTIFY_COMPONENTS']),
            timeoutInSeconds: Count,
          })
          .strict(),
        configurationValidationPolicy: z.object({ timeoutInSeconds: Count }).strict(),
      })
      .strict(),
    iotJobConfiguration: z
      .object({
        jobExecutionsRolloutConfig: z
          .object({
            maximumPerMinute: z.int().min(1).max(1000),
            exponentialRate: z
              .object({
                baseRatePerMinute: z.int().min(1).max(1000),
                incrementFactor: z.number().min(1.1).max(5),
                rateIncreaseCriteria: z
                  .object({ numberOfNotifiedThings: Count.optional(), numberOfSucceededThings: Count.optional() })
                  .strict()
                  .refine((c) => Object.keys(c).length === 1, 'exactly one of the two criteria'),
              })
              .strict()
              .optional(),
          })
          .strict(),
        abortConfig: z
          .object({
            criteriaList: z
              .array(
                z
                  .object({
                    failureType: z.enum(['FAILED', 'REJECTED', 'TIMED_OUT', 'ALL']),
                    action: z.literal('CANCEL'),
                    thresholdPercentage: z.number().min(0).max(100),
                    minNumberOfExecutedThings: Count,
                  })
                  .strict(),
              )
              .min(1),
          })
          .strict(),
        timeoutConfig: z.object({ inProgressTimeoutInMinutes: Count }).strict().optional(),
      })
      .strict(),
    components: z.record(z.string().regex(/^(com\.croupier|aws\.greengrass)\.[A-Za-z0-9.]+$/), TemplateComponent),
  })
  .strict()
  .superRefine((doc, ctx) => {
    for (const [name, component] of Object.entries(doc.components)) {
      const path = ['components', name];
      if (PIPELINE_OWNED_COMPONENTS.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `${name} is deployed by the training pipeline and must not be in the fleet deployment`,
        });
      } else if (name.startsWith(CROUPIER_PREFIX) && component.componentVersion !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `${name}: the version comes from the component's recipe.yaml; remove componentVersion`,
        });
      } else if (!name.startsWith(CROUPIER_PREFIX) && component.componentVersion === undefined) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `${name}: AWS-provided components need a pinned componentVersion`,
        });
      }
    }
  });
export type FleetDeploymentDocument = z.infer<typeof FleetDeploymentDocument>;

/** Values the template's `{{name}}` placeholders take for one property. */
export interface FleetDeploymentParameters {
  readonly property: string;
  /** MachineIdentity list for SlotGateway. */
  readonly machines: readonly unknown[];
  /** ShufflerMonitor `buses` and `devices`. */
  readonly shufflerBuses: Readonly<Record<string, unknown>>;
  readonly shufflerDevices: readonly unknown[];
  /**
   * The player-token key as a CloudFormation dynamic reference (a CDK token). Never a literal key:
   * rendering refuses anything that looks like one.
   */
  readonly playerTokenKeyHex: string;
}

/** A component as `AWS::GreengrassV2::Deployment` takes it; the merge is a JSON string. */
export interface DeploymentComponentSpec {
  readonly componentVersion: string;
  readonly configurationUpdate?: { readonly merge: string };
}

/** The rendered fleet deployment, ready for `CfnDeployment` (everything but the target). */
export interface FleetDeployment {
  readonly deploymentName: string;
  readonly components: Readonly<Record<string, DeploymentComponentSpec>>;
  readonly deploymentPolicies: FleetDeploymentDocument['deploymentPolicies'];
  readonly iotJobConfiguration: Record<string, unknown>;
}

const PLACEHOLDER = /\{\{(\w+)\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{(\w+)\}\}$/;
/** 32 bytes or more of hex: what a literal player-token key looks like. */
const LITERAL_KEY = /^([0-9a-fA-F]{2}){32,}$/;

function lookup(parameters: Readonly<Record<string, unknown>>, name: string): unknown {
  if (!Object.hasOwn(parameters, name))
    throw new Error(`${FLEET_DEPLOYMENT_TEMPLATE} uses unknown parameter {{${name}}}`);
  return parameters[name];
}

function substitute(value: unknown, parameters: Readonly<Record<string, unknown>>): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(value);
    if (whole) return lookup(parameters, whole[1] as string);
    return value.replace(PLACEHOLDER, (_, name: string) => String(lookup(parameters, name)));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, parameters));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [substitute(k, parameters), substitute(v, parameters)]),
    );
  }
  return value;
}

/**
 * Renders the fleet deployment template for one property: substitutes the parameters, validates
 * the document, and takes each Croupier component's version from its recipe (`recipeVersions`,
 * component name → version). Pure; throws an error naming every problem.
 */
export function renderFleetDeployment(
  template: string,
  parameters: FleetDeploymentParameters,
  recipeVersions: ReadonlyMap<string, string>,
): FleetDeployment {
  if (LITERAL_KEY.test(parameters.playerTokenKeyHex)) {
    throw new Error('playerTokenKeyHex must be a Secrets Manager dynamic reference, never a literal key');
  }
  const parsed = FleetDeploymentDocument.safeParse(substitute(parseYaml(template), { ...parameters }));
  if (!parsed.success) {
    throw new Error(`${FLEET_DEPLOYMENT_TEMPLATE} is not a valid fleet deployment:\n${z.prettifyError(parsed.error)}`);
  }
  const doc = parsed.data;
  const components: Record<string, DeploymentComponentSpec> = {};
  for (const [name, component] of Object.entries(doc.components)) {
    const componentVersion = component.componentVersion ?? recipeVersions.get(name);
    if (componentVersion === undefined) {
      throw new Error(`${FLEET_DEPLOYMENT_TEMPLATE} deploys ${name}, but no components/*/recipe.yaml declares it`);
    }
    components[name] = {
      componentVersion,
      ...(Object.keys(component.merge).length > 0
        ? { configurationUpdate: { merge: JSON.stringify(component.merge) } }
        : {}),
    };
  }
  const { jobExecutionsRolloutConfig, ...job } = doc.iotJobConfiguration;
  const { exponentialRate, ...rollout } = jobExecutionsRolloutConfig;
  return {
    deploymentName: doc.deploymentName,
    components,
    deploymentPolicies: doc.deploymentPolicies,
    iotJobConfiguration: {
      ...job,
      jobExecutionsRolloutConfig: {
        ...rollout,
        ...(exponentialRate
          ? {
              exponentialRate: {
                ...exponentialRate,
                // The L1 types this nested object as `any` and passes it through as written, and
                // CloudFormation expects it in PascalCase (unlike the API the template follows).
                rateIncreaseCriteria: {
                  ...(exponentialRate.rateIncreaseCriteria.numberOfNotifiedThings !== undefined
                    ? { NumberOfNotifiedThings: exponentialRate.rateIncreaseCriteria.numberOfNotifiedThings }
                    : {}),
                  ...(exponentialRate.rateIncreaseCriteria.numberOfSucceededThings !== undefined
                    ? { NumberOfSucceededThings: exponentialRate.rateIncreaseCriteria.numberOfSucceededThings }
                    : {}),
                },
              },
            }
          : {}),
      },
    },
  };
}
