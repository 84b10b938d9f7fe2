import type { Stack } from 'aws-cdk-lib';
import type { EnvironmentConfig } from './schema.js';

/**
 * Physical names that more than one stack needs. Deriving them from configuration instead of
 * passing cross-stack references keeps IAM policies free of CloudFormation imports, so each
 * policy names its resources literally and cdk-nag acknowledgements can name them exactly.
 * (Account and region may still be CloudFormation pseudo parameters; they resolve in every stack.)
 */
export const names = {
  /** The lake: raw/, refined/, errors/. */
  lakeBucket: (config: EnvironmentConfig, stack: Stack) =>
    `croupier-${config.name}-lake-${stack.account}-${stack.region}`,
  /** Athena results and training datasets. */
  workBucket: (config: EnvironmentConfig, stack: Stack) =>
    `croupier-${config.name}-work-${stack.account}-${stack.region}`,
  /** GDK's naming convention: `{bucket}-{region}-{account}`. */
  artifactsBucket: (config: EnvironmentConfig, stack: Stack) =>
    `${config.edge.componentBucketPrefix}-${stack.region}-${stack.account}`,
  glueDatabase: (config: EnvironmentConfig) => `croupier_${config.name.replaceAll('-', '_')}`,
  athenaWorkGroup: (config: EnvironmentConfig) => `croupier-${config.name}`,
  /** A property's floor cores: the target of its fleet deployment. */
  propertyThingGroup: (config: EnvironmentConfig, propertyId: string) =>
    `${config.edge.fleetThingGroupPrefix}-${propertyId}`,
  /** The fleet-provisioning template a property's new cores claim with. */
  provisioningTemplate: (config: EnvironmentConfig, propertyId: string) =>
    `${config.edge.provisioningTemplatePrefix}-${propertyId}`,
  /** The Secrets Manager secret holding a property's player-token HMAC key (hex). */
  playerTokenKeySecret: (config: EnvironmentConfig, propertyId: string) =>
    `croupier/${config.name}/${propertyId}/player-token-key`,
} as const;
