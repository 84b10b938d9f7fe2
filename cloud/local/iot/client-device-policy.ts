import { type DevicePolicy, THING_NAME_VARIABLE as THING } from './policy.js';

/**
 * The client-device policy of an SMIB on the core's device broker, written once. The recipes render
 * it with `renderClientDeviceAuthPolicy(smibPolicy)` into `aws.greengrass.clientdevices.Auth`
 * configuration; the local device broker evaluates it. An SMIB's thing name is its machine id.
 */
export const smibPolicy: DevicePolicy = {
  name: 'CroupierSmibPolicy',
  statements: [
    {
      description: 'An SMIB connects with its machine id as the MQTT client id.',
      actions: ['connect'],
      resources: [THING],
    },
    {
      description: 'An SMIB publishes only its own events.',
      actions: ['publish'],
      resources: [`smib/${THING}/events`],
    },
    {
      description: 'An SMIB subscribes to and receives only its own display.',
      actions: ['subscribe', 'receive'],
      resources: [`smib/${THING}/display`],
    },
    {
      description: 'An SMIB subscribes to and receives only the acknowledgements of its own events.',
      actions: ['subscribe', 'receive'],
      resources: [`smib/${THING}/acks`],
    },
  ],
};

/**
 * The core side of the device broker: what Greengrass's MQTT bridge does between the broker and
 * local pub/sub (SlotGateway reads every SMIB's events and writes every display). Locally it is an
 * mTLS client whose CN is listed in `gatewayPrincipals`, normally the core's thing name.
 */
export const deviceGatewayPolicy: DevicePolicy = {
  name: 'CroupierDeviceGatewayPolicy',
  statements: [
    {
      description: 'The gateway connects with its certificate CN as the MQTT client id.',
      actions: ['connect'],
      resources: [THING],
    },
    {
      description: 'The gateway reads every SMIB event.',
      actions: ['subscribe'],
      resources: ['smib/+/events', 'smib/*/events'],
    },
    {
      description: 'The gateway receives every SMIB event.',
      actions: ['receive'],
      resources: ['smib/*/events'],
    },
    {
      description: 'The gateway writes every display and every acknowledgement.',
      actions: ['publish'],
      resources: ['smib/*/display', 'smib/*/acks'],
    },
  ],
};
