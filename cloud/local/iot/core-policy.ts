import { UPLINK_STREAMS } from '@croupier/contracts';
import { type DevicePolicy, THING_NAME_VARIABLE as THING } from './policy.js';

/**
 * The production IoT policy of a floor core, written once. The CDK app renders it with
 * `renderIotPolicyDocument(corePolicy, { region, account })` and the local IoT Core evaluates it.
 *
 * A core connects only as itself, publishes only its own uplink streams and subscribes only to its
 * own downlink. `*` stands for the property segment: a core's property is fixed by its deployment,
 * not by its certificate, so the thing name is what the policy pins.
 */
export const corePolicy: DevicePolicy = {
  name: 'CroupierCorePolicy',
  statements: [
    {
      description: 'A core connects with its thing name as the MQTT client id.',
      actions: ['connect'],
      resources: [THING],
    },
    {
      description: 'A core publishes uplink envelopes only under its own thing name.',
      actions: ['publish'],
      resources: UPLINK_STREAMS.map((stream) => `croupier/*/${THING}/${stream}`),
    },
    {
      description: 'A core subscribes only to its own downlink: offers and commands.',
      actions: ['subscribe'],
      resources: [`croupier/*/${THING}/offers`, `croupier/*/${THING}/cmd/#`],
    },
    {
      description: 'A core receives only its own downlink messages.',
      actions: ['receive'],
      resources: [`croupier/*/${THING}/offers`, `croupier/*/${THING}/cmd/*`],
    },
  ],
};

/**
 * The local stand-in for the cloud side that pushes downlinks (the floor API sending offers and
 * commands). In AWS that is an IAM principal calling `iot:Publish` on the same topic resources;
 * locally it is an mTLS client whose certificate CN is listed in `servicePrincipals`
 * (default `croupier-floor-api`), and its CN plays the thing name.
 */
export const downlinkServicePolicy: DevicePolicy = {
  name: 'CroupierDownlinkServicePolicy',
  statements: [
    {
      description: 'The service connects with its certificate CN as the MQTT client id.',
      actions: ['connect'],
      resources: [THING],
    },
    {
      description: 'The service publishes offers and commands to any core.',
      actions: ['publish'],
      resources: ['croupier/*/*/offers', 'croupier/*/*/cmd/*'],
    },
  ],
};
