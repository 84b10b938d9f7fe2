import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  IoTClient,
  RegisterCertificateCommand,
} from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { registerCore } from '../src/register-core.js';

const iotMock = mockClient(IoTClient);
const THING_ARN = 'arn:aws:iot:eu-west-1:123456789012:thing/core-vegas-01';
const CERT_ARN = 'arn:aws:iot:eu-west-1:123456789012:cert/abc123';

/** Every request sent, in order, as [command name, input]. */
const sent = () => iotMock.calls().map((call) => [call.args[0].constructor.name, call.args[0].input]);

describe('registering a core with AWS IoT', () => {
  afterEach(() => iotMock.reset());

  it('GIVEN a certificate from our CA WHEN registering THEN thing, certificate, policy, principal and group are set up in order', async () => {
    iotMock.on(CreateThingCommand).resolves({ thingArn: THING_ARN, thingName: 'core-vegas-01' });
    iotMock.on(RegisterCertificateCommand).resolves({ certificateArn: CERT_ARN, certificateId: 'abc123' });
    const result = await registerCore(new IoTClient({ region: 'eu-west-1' }), {
      thingName: 'core-vegas-01',
      policyName: 'CroupierCorePolicy',
      thingGroupName: 'croupier-vegas-cores',
      attributes: { property: 'vegas' },
      certificate: { mode: 'register', certPem: 'CERT-PEM', caCertPem: 'CA-PEM' },
    });
    expect(sent()).toEqual([
      ['CreateThingCommand', { thingName: 'core-vegas-01', attributePayload: { attributes: { property: 'vegas' } } }],
      ['RegisterCertificateCommand', { certificatePem: 'CERT-PEM', caCertificatePem: 'CA-PEM', status: 'ACTIVE' }],
      ['AttachPolicyCommand', { policyName: 'CroupierCorePolicy', target: CERT_ARN }],
      ['AttachThingPrincipalCommand', { thingName: 'core-vegas-01', principal: CERT_ARN }],
      ['AddThingToThingGroupCommand', { thingGroupName: 'croupier-vegas-cores', thingName: 'core-vegas-01' }],
    ]);
    expect(result).toEqual({
      thingName: 'core-vegas-01',
      thingArn: THING_ARN,
      certificateArn: CERT_ARN,
      certificateId: 'abc123',
    });
  });

  it('GIVEN no certificate WHEN registering THEN IoT creates the keys and they are returned once, without a thing group call', async () => {
    iotMock.on(CreateThingCommand).resolves({ thingArn: THING_ARN });
    iotMock.on(CreateKeysAndCertificateCommand).resolves({
      certificateArn: CERT_ARN,
      certificateId: 'abc123',
      certificatePem: 'NEW-CERT',
      keyPair: { PrivateKey: 'NEW-KEY', PublicKey: 'NEW-PUB' },
    });
    const result = await registerCore(new IoTClient({ region: 'eu-west-1' }), {
      thingName: 'core-vegas-01',
      policyName: 'CroupierCorePolicy',
      certificate: { mode: 'create' },
    });
    expect(sent()).toEqual([
      ['CreateThingCommand', { thingName: 'core-vegas-01', attributePayload: { attributes: {} } }],
      ['CreateKeysAndCertificateCommand', { setAsActive: true }],
      ['AttachPolicyCommand', { policyName: 'CroupierCorePolicy', target: CERT_ARN }],
      ['AttachThingPrincipalCommand', { thingName: 'core-vegas-01', principal: CERT_ARN }],
    ]);
    expect(result.created).toEqual({ certPem: 'NEW-CERT', keyPem: 'NEW-KEY' });
    expect(iotMock.commandCalls(AddThingToThingGroupCommand)).toHaveLength(0);
  });

  it('GIVEN an invalid thing name WHEN registering THEN nothing is sent to AWS', async () => {
    await expect(
      registerCore(new IoTClient({ region: 'eu-west-1' }), {
        thingName: 'core/../x',
        policyName: 'CroupierCorePolicy',
        certificate: { mode: 'create' },
      }),
    ).rejects.toThrow(/thing names/);
    expect(iotMock.calls()).toHaveLength(0);
    expect(iotMock.commandCalls(AttachPolicyCommand)).toHaveLength(0);
    expect(iotMock.commandCalls(AttachThingPrincipalCommand)).toHaveLength(0);
  });
});
