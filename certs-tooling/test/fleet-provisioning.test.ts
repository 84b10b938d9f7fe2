import { createPrivateKey, createPublicKey, randomUUID, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { Aedes, type AedesPublishPacket } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionByClaim } from '../src/fleet-provisioning.js';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueCertificate,
  issueCertificateFromCsr,
} from '../src/index.js';

const TEMPLATE = 'CroupierCoreTemplate';

/**
 * A stand-in for IoT Core's fleet-provisioning MQTT API on a real aedes broker over mTLS: it
 * answers `$aws/certificates/create-from-csr/json`, `$aws/certificates/create/json` and
 * `$aws/provisioning-templates/<template>/provision/json` on their `/accepted` topics, with the
 * payload shapes from the AWS IoT fleet-provisioning API, and records each request it received.
 */
async function startProvisioningEndpoint(ca: CertificateAuthority) {
  const broker = await Aedes.createBroker();
  const requests: { topic: string; body: Record<string, unknown> }[] = [];
  const tokens = new Map<string, string>();
  const reply = (topic: string, body: unknown) =>
    broker.publish(
      { cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(body)), qos: 0, dup: false, retain: false },
      () => {},
    );
  const handle = (topic: string, answer: (body: Record<string, unknown>) => Promise<unknown>) =>
    new Promise<void>((resolve) =>
      broker.subscribe(
        topic,
        (packet: AedesPublishPacket, done: () => void) => {
          const body = JSON.parse(packet.payload.toString()) as Record<string, unknown>;
          requests.push({ topic: packet.topic, body });
          answer(body).then(
            (response) => reply(`${topic}/accepted`, response),
            (error: Error) =>
              reply(`${topic}/rejected`, { statusCode: 400, errorCode: 'InvalidRequest', errorMessage: error.message }),
          );
          done();
        },
        resolve,
      ),
    );
  await handle('$aws/certificates/create-from-csr/json', async (body) => {
    const issued = await issueCertificateFromCsr(ca, String(body.certificateSigningRequest), {
      commonName: 'provisioned',
      usage: 'client',
    });
    const token = randomUUID();
    tokens.set(token, issued.serialNumber);
    return { certificateId: issued.serialNumber, certificatePem: issued.certPem, certificateOwnershipToken: token };
  });
  await handle('$aws/certificates/create/json', async () => {
    const issued = await issueCertificate(ca, { commonName: 'provisioned', usage: 'client' });
    const token = randomUUID();
    tokens.set(token, issued.serialNumber);
    return {
      certificateId: issued.serialNumber,
      certificatePem: issued.certPem,
      privateKey: issued.keyPem,
      certificateOwnershipToken: token,
    };
  });
  await handle(`$aws/provisioning-templates/${TEMPLATE}/provision/json`, async (body) => {
    if (!tokens.has(String(body.certificateOwnershipToken))) throw new Error('unknown certificate ownership token');
    const parameters = body.parameters as Record<string, string>;
    if (!parameters.ThingName) throw new Error('Template parameter ThingName is required');
    return { thingName: parameters.ThingName, deviceConfiguration: { property: parameters.Property ?? '' } };
  });
  const server = await issueCertificate(ca, { commonName: 'iot-endpoint', usage: 'server' });
  const listener = tls.createServer(
    { cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true },
    (socket) => broker.handle(socket),
  );
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return {
    port: (listener.address() as AddressInfo).port,
    requests,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}

describe('fleet provisioning by claim', () => {
  let ca: CertificateAuthority;
  let endpoint: Awaited<ReturnType<typeof startProvisioningEndpoint>>;
  let claim: { certPem: string; keyPem: string };

  beforeAll(async () => {
    ca = await createCertificateAuthority({ commonName: 'Croupier Test Root CA' });
    claim = await issueCertificate(ca, { commonName: 'croupier-claim', usage: 'client' });
    endpoint = await startProvisioningEndpoint(ca);
  });
  afterAll(async () => {
    await endpoint?.close();
  });

  it('GIVEN a claim certificate WHEN provisioning with a CSR THEN the device keeps its key and RegisterThing names the thing', async () => {
    endpoint.requests.length = 0;
    const device = await provisionByClaim({
      endpoint: '127.0.0.1',
      port: endpoint.port,
      caPem: ca.certPem,
      claim,
      clientId: 'claim-core-vegas-01',
      templateName: TEMPLATE,
      parameters: { ThingName: 'core-vegas-01', Property: 'vegas' },
    });
    expect(device.thingName).toBe('core-vegas-01');
    expect(device.deviceConfiguration).toEqual({ property: 'vegas' });
    const cert = new X509Certificate(device.certPem);
    expect(cert.serialNumber.toLowerCase()).toBe(device.certificateId);
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    // The certificate certifies the key generated on the device.
    const devicePublicKey = createPublicKey(createPrivateKey(device.keyPem)).export({ format: 'der', type: 'spki' });
    expect(cert.publicKey.export({ format: 'der', type: 'spki' }).equals(devicePublicKey)).toBe(true);

    expect(endpoint.requests.map((r) => r.topic)).toEqual([
      '$aws/certificates/create-from-csr/json',
      `$aws/provisioning-templates/${TEMPLATE}/provision/json`,
    ]);
    expect(String(endpoint.requests[0]!.body.certificateSigningRequest)).toMatch(
      /^-----BEGIN CERTIFICATE REQUEST-----/,
    );
    expect(endpoint.requests[1]!.body).toEqual({
      certificateOwnershipToken: expect.any(String),
      parameters: { ThingName: 'core-vegas-01', Property: 'vegas' },
    });
  });

  it('GIVEN a claim certificate WHEN provisioning with IoT-made keys THEN the returned key and certificate are kept', async () => {
    endpoint.requests.length = 0;
    const device = await provisionByClaim({
      endpoint: '127.0.0.1',
      port: endpoint.port,
      caPem: ca.certPem,
      claim,
      clientId: 'claim-core-vegas-02',
      templateName: TEMPLATE,
      parameters: { ThingName: 'core-vegas-02' },
      method: 'keys',
    });
    expect(device.thingName).toBe('core-vegas-02');
    expect(device.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(endpoint.requests.map((r) => r.topic)).toEqual([
      '$aws/certificates/create/json',
      `$aws/provisioning-templates/${TEMPLATE}/provision/json`,
    ]);
    expect(endpoint.requests[0]!.body).toEqual({});
  });

  it('GIVEN a request the template rejects WHEN provisioning THEN the flow fails with the rejection', async () => {
    await expect(
      provisionByClaim({
        endpoint: '127.0.0.1',
        port: endpoint.port,
        caPem: ca.certPem,
        claim,
        clientId: 'claim-no-name',
        templateName: TEMPLATE,
        parameters: {},
        timeoutSeconds: 5,
      }),
    ).rejects.toThrow('RegisterThing rejected: InvalidRequest: Template parameter ThingName is required');
  });

  it('GIVEN an unknown template WHEN provisioning THEN the flow fails instead of hanging', async () => {
    await expect(
      provisionByClaim({
        endpoint: '127.0.0.1',
        port: endpoint.port,
        caPem: ca.certPem,
        claim,
        clientId: 'claim-core-vegas-03',
        templateName: 'NoSuchTemplate',
        parameters: { ThingName: 'core-vegas-03' },
        timeoutSeconds: 2,
      }),
    ).rejects.toThrow(/^RegisterThing failed/);
  });
});
