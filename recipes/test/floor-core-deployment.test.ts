import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { smibDisplayTopic, smibEventsTopic, uplinkTopic } from '@croupier/contracts';
import { deepMerge, readRecipe } from '@croupier/edge-kit';
import { SlotGatewayConfiguration } from '@croupier/slot-gateway';
import { UplinkConfiguration } from '@croupier/uplink';
import { describe, expect, it } from 'vitest';
import { renderFloorCoreDeployment, TEMPLATE_PATH } from '../scripts/render-floor-core-deployment.js';

const machines = [
  {
    machineId: 'slot-0001',
    location: { bank: 'bank-1', zone: 'main-floor', x: 1, y: 2 },
    denominationCents: 1,
    gameId: 'buffalo-gold',
    paytable: { paytableId: 'bg-96', theoreticalHold: 0.04 },
  },
];
const parameters = {
  property: 'vegas',
  region: 'us-east-1',
  account: '123456789012',
  playerTokenKeyHex: randomBytes(32).toString('hex'),
  machines,
};
const recipe = (component: string) =>
  readRecipe(fileURLToPath(new URL(`../../components/${component}/recipe.yaml`, import.meta.url)));

describe('floor core fleet deployment', async () => {
  const rendered = renderFloorCoreDeployment(await readFile(TEMPLATE_PATH, 'utf8'), parameters);
  const merge = (name: string) => JSON.parse(rendered.components[name]?.configurationUpdate?.merge ?? '{}');

  it('GIVEN the template WHEN rendered THEN it deploys every Croupier component and the AWS components they need, pinned', () => {
    expect(Object.keys(rendered.components).sort()).toEqual([
      'aws.greengrass.Nucleus',
      'aws.greengrass.clientdevices.Auth',
      'aws.greengrass.clientdevices.IPDetector',
      'aws.greengrass.clientdevices.mqtt.Bridge',
      'aws.greengrass.clientdevices.mqtt.Moquette',
      'com.croupier.FailureModel',
      'com.croupier.FailurePredictor',
      'com.croupier.ShufflerMonitor',
      'com.croupier.SlotGateway',
      'com.croupier.Uplink',
    ]);
    for (const component of Object.values(rendered.components))
      expect(component.componentVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(rendered.targetArn).toBe('arn:aws:iot:us-east-1:123456789012:thinggroup/croupier-vegas-floor-cores');
  });

  it('GIVEN the Croupier recipes WHEN the deployment merges over their defaults THEN the result passes each component schema, as on a core', async () => {
    const uplink = await recipe('uplink');
    const gateway = await recipe('slot-gateway');
    expect(UplinkConfiguration.safeParse(uplink.defaultConfiguration).success).toBe(false);
    expect(
      UplinkConfiguration.parse(deepMerge(uplink.defaultConfiguration, merge('com.croupier.Uplink'))).property,
    ).toBe('vegas');
    const slot = SlotGatewayConfiguration.parse(
      deepMerge(gateway.defaultConfiguration, merge('com.croupier.SlotGateway')),
    );
    expect(slot.machines).toEqual(machines);
    expect(rendered.components['com.croupier.ShufflerMonitor']!.configurationUpdate).toBeUndefined();
  });

  it('GIVEN Uplink access control WHEN rendered THEN PublishToIoTCore is limited to the exact uplink topics of this property and core', () => {
    const publish =
      merge('com.croupier.Uplink').accessControl['aws.greengrass.ipc.mqttproxy']['com.croupier.Uplink:mqttproxy:1'];
    expect(publish.operations).toEqual(['aws.greengrass#PublishToIoTCore']);
    // {iot:thingName} is the recipe variable the nucleus replaces with the core's thing name.
    expect(publish.resources).toEqual(
      (['slot', 'shuffler', 'alert', 'health'] as const).map((s) =>
        uplinkTopic('vegas', 'THING', s).replace('THING', '{iot:thingName}'),
      ),
    );
  });

  it('GIVEN client-device auth WHEN rendered THEN an SMIB may publish only its own events and subscribe only its own display, and the bridge carries exactly those topics', () => {
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
    expect(policy.ConnectAsItself).toMatchObject({ operations: ['mqtt:connect'], resources: [`mqtt:clientId:${own}`] });
    const bridge = merge('aws.greengrass.clientdevices.mqtt.Bridge').mqttTopicMapping;
    expect(Object.values(bridge)).toEqual([
      { topic: 'smib/+/events', source: 'LocalMqtt', target: 'Pubsub' },
      { topic: 'smib/+/display', source: 'Pubsub', target: 'LocalMqtt' },
    ]);
  });

  it('GIVEN a bad key WHEN rendering THEN it refuses before producing a deployment', () => {
    expect(() => renderFloorCoreDeployment('components: {}', { ...parameters, playerTokenKeyHex: 'abcd' })).toThrow(
      /at least 32 bytes/,
    );
  });
});
