import { describe, expect, it } from 'vitest';
import { claimPolicy } from '../claim-policy.js';
import { deviceGatewayPolicy, smibPolicy } from '../client-device-policy.js';
import { corePolicy, downlinkServicePolicy } from '../core-policy.js';
import { isAllowed, renderClientDeviceAuthPolicy, renderIotPolicyDocument } from '../policy.js';

describe('core policy evaluation', () => {
  const core = (action: 'connect' | 'publish' | 'subscribe' | 'receive', resource: string) =>
    isAllowed(corePolicy, 'core-a', { action, resource });

  it('GIVEN core-a THEN it connects only as itself', () => {
    expect(core('connect', 'core-a')).toBe(true);
    expect(core('connect', 'core-ab')).toBe(false);
    expect(core('connect', 'core-b')).toBe(false);
  });

  it('GIVEN core-a THEN it publishes each uplink stream under its own name only', () => {
    for (const stream of ['slot', 'shuffler', 'alert', 'health']) {
      expect(core('publish', `croupier/vegas/core-a/${stream}`)).toBe(true);
      expect(core('publish', `croupier/vegas/core-b/${stream}`)).toBe(false);
    }
    expect(core('publish', 'croupier/vegas/core-a/offers')).toBe(false);
    expect(core('publish', 'croupier/vegas/core-a/cmd/restart')).toBe(false);
    expect(core('publish', 'croupier/vegas/core-a/slotx')).toBe(false);
    expect(core('publish', 'croupier/vegas/core-ab/slot')).toBe(false);
  });

  it('GIVEN core-a THEN it subscribes to and receives only its own downlink', () => {
    expect(core('subscribe', 'croupier/vegas/core-a/offers')).toBe(true);
    expect(core('subscribe', 'croupier/vegas/core-a/cmd/#')).toBe(true);
    expect(core('subscribe', 'croupier/vegas/core-b/offers')).toBe(false);
    expect(core('subscribe', 'croupier/+/+/offers')).toBe(false);
    expect(core('subscribe', 'croupier/vegas/+/cmd/#')).toBe(false);
    expect(core('receive', 'croupier/vegas/core-a/cmd/restart')).toBe(true);
    expect(core('receive', 'croupier/vegas/core-b/cmd/restart')).toBe(false);
  });

  it('GIVEN a pattern with regex characters in the thing name THEN they match literally', () => {
    expect(isAllowed(corePolicy, 'core.1', { action: 'publish', resource: 'croupier/p/coreX1/slot' })).toBe(false);
    expect(isAllowed(corePolicy, 'core.1', { action: 'publish', resource: 'croupier/p/core.1/slot' })).toBe(true);
  });

  it('GIVEN the downlink service THEN it publishes offers and commands but nothing upstream', () => {
    const service = (resource: string) =>
      isAllowed(downlinkServicePolicy, 'croupier-floor-api', { action: 'publish', resource });
    expect(service('croupier/vegas/core-a/offers')).toBe(true);
    expect(service('croupier/vegas/core-a/cmd/restart')).toBe(true);
    expect(service('croupier/vegas/core-a/slot')).toBe(false);
  });

  it('GIVEN SMIB and gateway policies THEN an SMIB is confined to its machine id and the gateway sees all', () => {
    expect(isAllowed(smibPolicy, 'm-1', { action: 'publish', resource: 'smib/m-1/events' })).toBe(true);
    expect(isAllowed(smibPolicy, 'm-1', { action: 'publish', resource: 'smib/m-2/events' })).toBe(false);
    expect(isAllowed(smibPolicy, 'm-1', { action: 'subscribe', resource: 'smib/m-1/display' })).toBe(true);
    expect(isAllowed(smibPolicy, 'm-1', { action: 'publish', resource: 'smib/m-1/display' })).toBe(false);
    expect(isAllowed(deviceGatewayPolicy, 'core-a', { action: 'subscribe', resource: 'smib/+/events' })).toBe(true);
    expect(isAllowed(deviceGatewayPolicy, 'core-a', { action: 'publish', resource: 'smib/m-9/display' })).toBe(true);
    expect(isAllowed(deviceGatewayPolicy, 'core-a', { action: 'publish', resource: 'smib/m-9/events' })).toBe(false);
  });
});

describe('claim policy', () => {
  it('GIVEN the claim certificate THEN it may only run provisioning with its own template', () => {
    const policy = claimPolicy('CroupierCoreTemplate');
    const claim = (action: 'publish' | 'subscribe' | 'receive', resource: string) =>
      isAllowed(policy, 'claim-1', { action, resource });
    expect(claim('publish', '$aws/certificates/create-from-csr/json')).toBe(true);
    expect(claim('subscribe', '$aws/certificates/create-from-csr/json/accepted')).toBe(true);
    expect(claim('receive', '$aws/certificates/create/json/rejected')).toBe(true);
    expect(claim('publish', '$aws/provisioning-templates/CroupierCoreTemplate/provision/json')).toBe(true);
    expect(claim('publish', '$aws/provisioning-templates/OtherTemplate/provision/json')).toBe(false);
    expect(claim('publish', 'croupier/vegas/claim-1/slot')).toBe(false);
    expect(claim('subscribe', 'croupier/#')).toBe(false);
    expect(() => claimPolicy('bad/template')).toThrow(/invalid provisioning template/);
  });
});

describe('policy rendering', () => {
  it('GIVEN the core policy WHEN rendered for IoT Core THEN it is the exact policy document with thing-name variables', () => {
    const document = renderIotPolicyDocument(corePolicy, { region: 'eu-west-1', account: '123456789012' });
    const arn = 'arn:aws:iot:eu-west-1:123456789012';
    const thing = '$' + '{iot:Connection.Thing.ThingName}';
    expect(document).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iot:Connect'], Resource: [`${arn}:client/${thing}`] },
        {
          Effect: 'Allow',
          Action: ['iot:Publish'],
          Resource: ['slot', 'shuffler', 'alert', 'health'].map((s) => `${arn}:topic/croupier/*/${thing}/${s}`),
        },
        {
          Effect: 'Allow',
          Action: ['iot:Subscribe'],
          Resource: [`${arn}:topicfilter/croupier/*/${thing}/offers`, `${arn}:topicfilter/croupier/*/${thing}/cmd/#`],
        },
        {
          Effect: 'Allow',
          Action: ['iot:Receive'],
          Resource: [`${arn}:topic/croupier/*/${thing}/offers`, `${arn}:topic/croupier/*/${thing}/cmd/*`],
        },
      ],
    });
  });

  it('GIVEN the SMIB policy WHEN rendered for client-device auth THEN operations and resources use the mqtt: forms', () => {
    const thing = '$' + '{iot:Connection.Thing.ThingName}';
    expect(renderClientDeviceAuthPolicy(smibPolicy)).toEqual({
      CroupierSmibPolicy_0_connect: {
        statementDescription: smibPolicy.statements[0]!.description,
        operations: ['mqtt:connect'],
        resources: [`mqtt:clientId:${thing}`],
      },
      CroupierSmibPolicy_1_publish: {
        statementDescription: smibPolicy.statements[1]!.description,
        operations: ['mqtt:publish'],
        resources: [`mqtt:topic:smib/${thing}/events`],
      },
      CroupierSmibPolicy_2_subscribe: {
        statementDescription: smibPolicy.statements[2]!.description,
        operations: ['mqtt:subscribe'],
        resources: [`mqtt:topicfilter:smib/${thing}/display`],
      },
      CroupierSmibPolicy_3_subscribe: {
        statementDescription: smibPolicy.statements[3]!.description,
        operations: ['mqtt:subscribe'],
        resources: [`mqtt:topicfilter:smib/${thing}/acks`],
      },
    });
  });
});
