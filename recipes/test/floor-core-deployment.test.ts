import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadEnvironmentConfig } from '@croupier/cloud/infra/config/load';
import { readRecipeVersions } from '@croupier/cloud/infra/constructs/component-recipes';
import { readFleetDeploymentTemplate, renderFleetDeployment } from '@croupier/cloud/infra/constructs/fleet-deployment';
import { smibAcksTopic, smibDisplayTopic, smibEventsTopic, uplinkTopic } from '@croupier/contracts';
import { deepMerge, readRecipe } from '@croupier/edge-kit';
import { MonitorConfig } from '@croupier/shuffler-monitor';
import { SlotGatewayConfiguration } from '@croupier/slot-gateway';
import { UplinkConfiguration } from '@croupier/uplink';
import { describe, expect, it } from 'vitest';

/**
 * The template as a core sees it: rendered the way the Edge stack renders it, with the value
 * CloudFormation substitutes for the key's dynamic reference at deploy time (a random key here).
 */
const { id: property, site } = loadEnvironmentConfig('prod').properties[0]!;
const KEY_REFERENCE = 'KEY_DYNAMIC_REFERENCE';
const key = randomBytes(32).toString('hex');
const rendered = renderFleetDeployment(
  readFleetDeploymentTemplate(),
  {
    property,
    machines: site.machines,
    shufflerBuses: site.shufflers.buses,
    shufflerDevices: site.shufflers.devices,
    playerTokenKeyHex: KEY_REFERENCE,
  },
  readRecipeVersions(),
);
const merge = (name: string) =>
  JSON.parse((rendered.components[name]?.configurationUpdate?.merge ?? '{}').replace(KEY_REFERENCE, key));
const recipe = (component: string) =>
  readRecipe(fileURLToPath(new URL(`../../components/${component}/recipe.yaml`, import.meta.url)));

describe('floor core fleet deployment', () => {
  it('GIVEN the Croupier recipes WHEN the deployment merges over their defaults THEN the result passes each component schema, as on a core', async () => {
    const uplink = await recipe('uplink');
    const gateway = await recipe('slot-gateway');
    const monitor = await recipe('shuffler-monitor');
    expect(UplinkConfiguration.safeParse(uplink.defaultConfiguration).success).toBe(false);
    expect(
      UplinkConfiguration.parse(deepMerge(uplink.defaultConfiguration, merge('com.croupier.Uplink'))).property,
    ).toBe(property);
    const slot = SlotGatewayConfiguration.parse(
      deepMerge(gateway.defaultConfiguration, merge('com.croupier.SlotGateway')),
    );
    expect(slot.machines).toEqual(site.machines);
    expect(slot.playerTokenKeyHex).toBe(key);
    const shufflers = MonitorConfig.parse(
      deepMerge(monitor.defaultConfiguration, merge('com.croupier.ShufflerMonitor')),
    );
    expect(shufflers.devices.map((d) => d.deviceId)).toEqual(site.shufflers.devices.map((d) => d.deviceId));
  });

  it('GIVEN Uplink access control WHEN rendered THEN PublishToIoTCore is limited to the exact uplink topics of this property and core', () => {
    const publish =
      merge('com.croupier.Uplink').accessControl['aws.greengrass.ipc.mqttproxy']['com.croupier.Uplink:mqttproxy:1'];
    expect(publish.operations).toEqual(['aws.greengrass#PublishToIoTCore']);
    // {iot:thingName} is the recipe variable the nucleus replaces with the core's thing name.
    expect(publish.resources).toEqual(
      (['slot', 'shuffler', 'alert', 'health'] as const).map((s) =>
        uplinkTopic(property, 'THING', s).replace('THING', '{iot:thingName}'),
      ),
    );
  });

  it('GIVEN client-device auth WHEN rendered THEN an SMIB may publish only its own events and subscribe only its own display and acknowledgements, and the bridge carries exactly those topics', () => {
    const auth = merge('aws.greengrass.clientdevices.Auth').deviceGroups;
    expect(auth.definitions.CroupierSmibs).toEqual({
      selectionRule: 'thingName: slot-*',
      policyName: 'SmibOwnTopicsOnly',
    });
    const policy = auth.policies.SmibOwnTopicsOnly;
    // A Greengrass policy variable, not a JavaScript template placeholder.
    const own = ['$', '{iot:Connection.Thing.ThingName}'].join('');
    expect(policy.PublishOwnEvents).toMatchObject({
      operations: ['mqtt:publish'],
      resources: [`mqtt:topic:${smibEventsTopic('X').replace('X', own)}`],
    });
    expect(policy.SubscribeOwnDisplay).toMatchObject({
      operations: ['mqtt:subscribe'],
      resources: [`mqtt:topicfilter:${smibDisplayTopic('X').replace('X', own)}`],
    });
    expect(policy.SubscribeOwnAcks).toMatchObject({
      operations: ['mqtt:subscribe'],
      resources: [`mqtt:topicfilter:${smibAcksTopic('X').replace('X', own)}`],
    });
    expect(policy.ConnectAsItself).toMatchObject({ operations: ['mqtt:connect'], resources: [`mqtt:clientId:${own}`] });
    const bridge = merge('aws.greengrass.clientdevices.mqtt.Bridge').mqttTopicMapping;
    expect(Object.values(bridge)).toEqual([
      { topic: 'smib/+/events', source: 'LocalMqtt', target: 'Pubsub' },
      { topic: 'smib/+/display', source: 'Pubsub', target: 'LocalMqtt' },
      { topic: 'smib/+/acks', source: 'Pubsub', target: 'LocalMqtt' },
    ]);
  });
});
