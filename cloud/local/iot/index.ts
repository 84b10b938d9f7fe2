export type { AuthorizationDenial } from './authorizer.js';
export { claimPolicy } from './claim-policy.js';
export { deviceGatewayPolicy, smibPolicy } from './client-device-policy.js';
export { type LocalIotCoreConfig, type LocalIotCoreConfigInput, parseLocalIotCoreConfig } from './config.js';
export { corePolicy, downlinkServicePolicy } from './core-policy.js';
export {
  type HandshakeRefusal,
  type LocalIotCore,
  type LocalIotCoreCounters,
  type LocalIotCoreEvents,
  type MqttsEndpoint,
  startLocalIotCore,
} from './local-iot-core.js';
export {
  type ClientDeviceAuthPolicy,
  type DevicePolicy,
  type IotPolicyDocument,
  isAllowed,
  type PolicyAction,
  type PolicyStatement,
  renderClientDeviceAuthPolicy,
  renderIotPolicyDocument,
  THING_NAME_VARIABLE,
} from './policy.js';
export type { RuleErrorMessage } from './rule-error-action.js';
export type { RuleOutcome } from './rules-engine.js';
