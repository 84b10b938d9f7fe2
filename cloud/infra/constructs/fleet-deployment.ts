import type { EnvironmentConfig } from '../config/schema.js';

/** A component in a Greengrass deployment, in the shape `AWS::GreengrassV2::Deployment` takes. */
export interface DeploymentComponentSpec {
  readonly componentVersion: string;
  /** Configuration merge as a JSON string, as the Greengrass API expects it. */
  readonly configurationUpdate?: { readonly merge: string };
}

/** The fleet thing group's deployment: which components at which versions, with which configuration. */
export interface FleetDeployment {
  readonly source: string;
  readonly components: Readonly<Record<string, DeploymentComponentSpec>>;
}

/**
 * The FailureModel component is deliberately absent from the fleet deployment: its versions are
 * created and deployed by the training pipeline to the model thing group. Listing it here too
 * would give the fleet two owners of one component.
 */
export const PIPELINE_OWNED_COMPONENTS: readonly string[] = ['com.croupier.FailureModel'];

/** Builds the fleet deployment from the environment configuration's typed component list. */
export function fleetDeploymentFromConfig(config: EnvironmentConfig): FleetDeployment {
  const entries = Object.entries(config.edge.deployment);
  const owned = entries.filter(([name]) => PIPELINE_OWNED_COMPONENTS.includes(name)).map(([name]) => name);
  if (owned.length > 0) {
    throw new Error(`${owned.join(', ')} is deployed by the training pipeline and must not be in the fleet deployment`);
  }
  return {
    source: `cloud/infra/config/${config.name}.json`,
    components: Object.fromEntries(
      entries.map(([name, c]) => [
        name,
        {
          componentVersion: c.version,
          ...(c.merge ? { configurationUpdate: { merge: JSON.stringify(c.merge) } } : {}),
        },
      ]),
    ),
  };
}
