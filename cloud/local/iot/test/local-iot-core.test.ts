import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { createRevocationList, issueCertificate } from '@croupier/certs-tooling';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { mqtt } from 'aws-iot-device-sdk-v2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { streamById } from '../../../definitions/streams.js';
import type { AuthorizationDenial } from '../authorizer.js';
import { type LocalIotCore, startLocalIotCore } from '../local-iot-core.js';
import type { RuleErrorMessage } from '../rule-error-action.js';
import type { RuleOutcome } from '../rules-engine.js';
import {
  connectMqtt,
  createPki,
  createStream,
  eventually,
  interruption,
  type Pki,
  readAllRecords,
  startKinesalite,
  TEST_CREDENTIALS,
} from './fixtures.js';

const QOS1 = 1 as mqtt.QoS;
const SLOT_STREAM = streamById('slotEvents');

describe('local IoT Core over mTLS with the production core policy and rules', () => {
  let pki: Pki;
  let kinesalite: Awaited<ReturnType<typeof startKinesalite>>;
  let core: LocalIotCore;
  let lakeDir: string;
  let revokedAtStart: { certPem: string; keyPem: string; serialNumber: string };
  const denials: AuthorizationDenial[] = [];
  const outcomes: RuleOutcome[] = [];
  const connections: mqtt.MqttClientConnection[] = [];

  const client = async (commonName: string, clientId = commonName, issuer = () => pki.ca) => {
    const cert = await issueCertificate(issuer(), { commonName, usage: 'client' });
    return { cert, connect: (port = core.iotEndpoint.port) => connectTracked({ ...cert, clientId, port }) };
  };
  const connectTracked = async (options: { certPem: string; keyPem: string; clientId: string; port: number }) => {
    const connection = await connectMqtt({ ...options, caPem: pki.ca.certPem });
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    pki = await createPki();
    kinesalite = await startKinesalite();
    // Only slot-events exists: the other rules' actions fail, which is how the error action is exercised.
    await createStream(kinesalite.client, SLOT_STREAM.name, SLOT_STREAM.shardCount);
    lakeDir = await mkdtemp(join(tmpdir(), 'croupier-lake-'));
    revokedAtStart = await issueCertificate(pki.ca, { commonName: 'core-revoked', usage: 'client' });
    core = await startLocalIotCore({
      tls: {
        caPem: pki.ca.certPem,
        certPem: pki.server.certPem,
        keyPem: pki.server.keyPem,
        crlPem: await createRevocationList(pki.ca, [revokedAtStart.serialNumber]),
      },
      // core-a is registered as the device broker's gateway, the others as cores of the IoT endpoint.
      iot: {
        servicePrincipals: ['croupier-floor-api'],
        corePrincipals: ['core-b', 'core-c', 'core-d', 'core-revoked'],
      },
      deviceBroker: { gatewayPrincipals: ['core-a'] },
      kinesis: { endpoint: kinesalite.endpoint, credentials: TEST_CREDENTIALS },
      lakeDir,
    });
    core.events.on('denied', (d) => denials.push(d));
    core.events.on('rule', (o) => outcomes.push(o));
  });

  // Tests reuse client ids; a connection left open would reconnect and take its id back mid-test.
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.disconnect().catch(() => {})));
  });

  afterAll(async () => {
    await core?.close();
    await kinesalite?.close();
    await rm(lakeDir, { recursive: true, force: true });
  });

  describe('identity', () => {
    it('GIVEN a core certificate from the project CA WHEN its client id is its CN THEN it connects', async () => {
      const coreA = await client('core-a');
      await expect(coreA.connect()).resolves.toBeDefined();
    });

    it('GIVEN a certificate from another CA WHEN it connects THEN the TLS handshake is refused', async () => {
      const before = core.counters.handshakesRefused;
      const foreign = await client('core-a', 'core-a', () => pki.foreignCa);
      await expect(foreign.connect()).rejects.toBeDefined();
      await eventually(() => core.counters.handshakesRefused > before, 'handshake refusal');
    });

    it('GIVEN a certificate revoked in the CRL at startup WHEN it connects THEN the TLS handshake is refused', async () => {
      const before = core.counters.handshakesRefused;
      const port = core.iotEndpoint.port;
      await expect(
        connectMqtt({ ...revokedAtStart, caPem: pki.ca.certPem, clientId: 'core-revoked', port }),
      ).rejects.toBeDefined();
      await eventually(() => core.counters.handshakesRefused > before, 'handshake refusal');
    });

    it('GIVEN a connected certificate WHEN its serial is added to a new CRL THEN its session is closed and its next handshake refused', async () => {
      const port = core.iotEndpoint.port;
      // Same CN as the revoked one, different serial: the CRL decides by serial, not by name.
      const later = await issueCertificate(pki.ca, { commonName: 'core-revoked', usage: 'client' });
      const live = await connectTracked({ ...later, clientId: 'core-revoked', port });
      const interrupted = interruption(live);
      const before = core.counters.handshakesRefused;
      const crl = await createRevocationList(pki.ca, [revokedAtStart.serialNumber, later.serialNumber]);
      expect(core.updateRevocationList(crl)).toBe(1);
      await interrupted;
      await expect(
        connectMqtt({ ...later, caPem: pki.ca.certPem, clientId: 'core-revoked', port }),
      ).rejects.toBeDefined();
      await eventually(() => core.counters.handshakesRefused > before, 'handshake refusal');
    });

    it('GIVEN a certificate of the project CA whose CN is no registered core WHEN it connects to the IoT endpoint THEN CONNECT is refused and the denial says why', async () => {
      const unregistered = await client('machine-0001');
      await expect(unregistered.connect()).rejects.toBeDefined();
      expect(denials).toContainEqual({
        broker: 'iot',
        clientId: 'machine-0001',
        thingName: 'machine-0001',
        action: 'connect',
        resource: 'machine-0001',
        reason: 'certificate CN "machine-0001" is not a thing registered with this broker',
      });
    });

    it('GIVEN a valid certificate WHEN the client id differs from its CN THEN CONNECT is refused', async () => {
      const impostor = await client('core-a', 'core-b');
      await expect(impostor.connect()).rejects.toBeDefined();
      expect(denials).toContainEqual(
        expect.objectContaining({ broker: 'iot', clientId: 'core-b', thingName: 'core-a', action: 'connect' }),
      );
    });
  });

  describe('authorization', () => {
    it('GIVEN core-a WHEN it publishes under core-b THEN the publish is refused, the connection closed and nothing is routed', async () => {
      const coreA = await (await client('core-a')).connect();
      const interrupted = interruption(coreA);
      const routedBefore = outcomes.length;
      void coreA.publish('croupier/vegas/core-b/slot', Buffer.from('forged'), QOS1).catch(() => {});
      await interrupted;
      expect(denials).toContainEqual(
        expect.objectContaining({ thingName: 'core-a', action: 'publish', resource: 'croupier/vegas/core-b/slot' }),
      );
      await core.drain();
      expect(outcomes.slice(routedBefore).filter((o) => o.topic === 'croupier/vegas/core-b/slot')).toEqual([]);
      await coreA.disconnect();
    });

    it('GIVEN core-a WHEN it subscribes to its own and to core-b downlinks THEN only its own are granted', async () => {
      const coreA = await (await client('core-a')).connect();
      expect((await coreA.subscribe('croupier/vegas/core-a/offers', QOS1)).qos).toBe(1);
      expect((await coreA.subscribe('croupier/vegas/core-a/cmd/#', QOS1)).qos).toBe(1);
      expect((await coreA.subscribe('croupier/vegas/core-b/offers', QOS1)).qos).toBe(128);
      expect((await coreA.subscribe('croupier/vegas/core-b/cmd/#', QOS1)).qos).toBe(128);
      expect((await coreA.subscribe('croupier/+/+/offers', QOS1)).qos).toBe(128);
      expect((await coreA.subscribe('croupier/#', QOS1)).qos).toBe(128);
      expect((await coreA.subscribe('croupier/vegas/core-a/slot', QOS1)).qos).toBe(128);
    });

    it('GIVEN the floor API service principal WHEN it pushes an offer THEN only the addressed core receives it', async () => {
      const coreA = await (await client('core-a')).connect();
      const coreC = await (await client('core-c')).connect();
      const received: { core: string; topic: string; payload: string }[] = [];
      const record = (name: string) => (topic: string, payload: ArrayBuffer) =>
        received.push({ core: name, topic, payload: Buffer.from(payload).toString() });
      await coreA.subscribe('croupier/vegas/core-a/offers', QOS1, record('core-a'));
      await coreC.subscribe('croupier/vegas/core-c/offers', QOS1, record('core-c'));
      const floorApi = await (await client('croupier-floor-api')).connect();
      await floorApi.publish('croupier/vegas/core-a/offers', '{"offerId":"o-1"}', QOS1);
      await eventually(() => received.length === 1, 'offer delivery');
      expect(received).toEqual([
        { core: 'core-a', topic: 'croupier/vegas/core-a/offers', payload: '{"offerId":"o-1"}' },
      ]);
    });

    it('GIVEN the IoT data-plane SDK pointed at the local endpoint WHEN it publishes THEN downlinks arrive and uplinks are forbidden', async () => {
      const coreD = await (await client('core-d')).connect();
      const received: string[] = [];
      await coreD.subscribe('croupier/vegas/core-d/cmd/#', QOS1, (topic, payload) =>
        received.push(`${topic} ${Buffer.from(payload).toString()}`),
      );
      const dataPlane = new IoTDataPlaneClient({
        endpoint: core.dataPlaneEndpoint,
        region: 'us-east-1',
        credentials: TEST_CREDENTIALS,
        requestHandler: new NodeHttpHandler(),
      });
      await dataPlane.send(
        new PublishCommand({
          topic: 'croupier/vegas/core-d/cmd/reload',
          qos: 1,
          payload: Buffer.from('{"model":"v7"}'),
        }),
      );
      await eventually(() => received.length === 1, 'command delivery');
      expect(received).toEqual(['croupier/vegas/core-d/cmd/reload {"model":"v7"}']);
      await expect(
        dataPlane.send(new PublishCommand({ topic: 'croupier/vegas/core-d/slot', payload: Buffer.from('forged') })),
      ).rejects.toMatchObject({ name: 'ForbiddenException' });
      expect(denials).toContainEqual(
        expect.objectContaining({
          clientId: 'iot-data-plane',
          action: 'publish',
          resource: 'croupier/vegas/core-d/slot',
        }),
      );
      dataPlane.destroy();
    });

    it('GIVEN a core WHEN it tries to push an offer to itself THEN it is refused: downlinks come only from the cloud side', async () => {
      const coreC = await (await client('core-c')).connect();
      const interrupted = interruption(coreC);
      void coreC.publish('croupier/vegas/core-c/offers', '{}', QOS1).catch(() => {});
      await interrupted;
      expect(denials).toContainEqual(expect.objectContaining({ thingName: 'core-c', action: 'publish' }));
      await coreC.disconnect();
    });
  });

  describe('rules', () => {
    it('GIVEN a binary envelope on a core uplink WHEN the slot rule runs THEN kinesalite holds it byte for byte, keyed by the core', async () => {
      const coreA = await (await client('core-a')).connect();
      const envelope = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x00, 0xff, 0xfe]), randomBytes(2048)]);
      await coreA.publish('croupier/vegas/core-a/slot', envelope, QOS1);
      await eventually(
        () => outcomes.some((o) => o.kind === 'delivered' && o.topic === 'croupier/vegas/core-a/slot'),
        'delivery',
      );
      const records = await readAllRecords(kinesalite.client, SLOT_STREAM.name);
      expect(records).toHaveLength(1);
      expect(records[0]!.partitionKey).toBe('core-a');
      expect(records[0]!.data.equals(envelope)).toBe(true);
    });

    it('GIVEN a rule whose stream does not exist WHEN a message matches THEN the IoT error message lands under errors/ in the lake', async () => {
      const coreA = await (await client('core-a')).connect();
      const payload = Buffer.from([0x00, 0x01, 0xc3, 0x28, 0xff]);
      await coreA.publish('croupier/vegas/core-a/shuffler', payload, QOS1);
      await eventually(() => outcomes.some((o) => o.kind === 'failed'), 'error action');
      const failed = outcomes.find((o) => o.kind === 'failed');
      expect(failed).toMatchObject({ rule: 'croupier_shuffler_telemetry', topic: 'croupier/vegas/core-a/shuffler' });
      const dir = join(lakeDir, 'errors', 'iot-rules', 'croupier_shuffler_telemetry');
      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^\d{13}-[0-9a-f-]{36}$/);
      const message = JSON.parse(await readFile(join(dir, files[0]!), 'utf8')) as RuleErrorMessage;
      expect(message).toMatchObject({
        ruleName: 'croupier_shuffler_telemetry',
        topic: 'croupier/vegas/core-a/shuffler',
        clientId: 'core-a',
        base64OriginalPayload: payload.toString('base64'),
      });
      expect(message.failures).toEqual([
        expect.objectContaining({ failedAction: 'KinesisAction', failedResource: 'shuffler-telemetry' }),
      ]);
      expect(message.failures[0]!.errorMessage).toMatch(/ResourceNotFound/);
      expect(core.counters.failed).toBe(1);
    });
  });

  describe('client-device broker', () => {
    it("GIVEN an SMIB WHEN it publishes its own events THEN the gateway receives them, and another machine's topic is refused", async () => {
      const port = core.deviceBrokerEndpoint.port;
      const gateway = await (await client('core-a')).connect(port);
      const events: string[] = [];
      const granted = await gateway.subscribe('smib/+/events', QOS1, (topic) => events.push(topic));
      expect(granted.qos).toBe(1);
      const smib = await (await client('machine-0001')).connect(port);
      expect((await smib.subscribe('smib/machine-0001/display', QOS1)).qos).toBe(1);
      expect((await smib.subscribe('smib/machine-0002/display', QOS1)).qos).toBe(128);
      expect((await smib.subscribe('smib/+/events', QOS1)).qos).toBe(128);
      await smib.publish('smib/machine-0001/events', '{"type":"cardIn"}', QOS1);
      await eventually(() => events.length === 1, 'SMIB event at the gateway');
      expect(events).toEqual(['smib/machine-0001/events']);
      const interrupted = interruption(smib);
      void smib.publish('smib/machine-0002/events', '{}', QOS1).catch(() => {});
      await interrupted;
      expect(denials).toContainEqual(
        expect.objectContaining({ broker: 'devices', thingName: 'machine-0001', resource: 'smib/machine-0002/events' }),
      );
    });
  });
});
