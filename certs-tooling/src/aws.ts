/**
 * AWS-facing entry point, kept apart from the certificate library so that importing
 * `@croupier/certs-tooling` never loads the AWS SDK or the aws-crt native module.
 */
export {
  type FleetProvisioningOptions,
  fleetProvisioningOptionsSchema,
  type ProvisionedDevice,
  provisionByClaim,
} from './fleet-provisioning.js';
export {
  type RegisterCoreOptions,
  type RegisteredCore,
  registerCore,
  registerCoreOptionsSchema,
} from './register-core.js';
