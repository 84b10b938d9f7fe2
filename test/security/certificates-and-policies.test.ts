import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRevocationList, type IssuedCertificate, issueCertificate } from '@croupier/certs-tooling';
import { streamById } from '@croupier/cloud/definitions/streams';
import type { AuthorizationDenial } from '@croupier/cloud/local/iot/authorizer';
import { type LocalIotCore, startLocalIotCore } from '@croupier/cloud/local/iot/local-iot-core';
import type { RuleOutcome } from '@croupier/cloud/local/iot/rules-engine';
import type { mqtt } from 'aws-iot-device-sdk-v2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
} from '../../cloud/local/iot/test/fixtures.js';

/*
 * Suite-level certificate and policy threats against the real local IoT Core and client-device
 * broker, as the floor runs them. The per-listener basics (foreign CA, revoked and CN ≠ client id on
 * the IoT endpoint, a core publishing under another core, SMIB events to another machine's topic)
 * are in cloud/local/iot/test/local-iot-core.test.ts; docs/security.md maps every threat to its test.
 */

const QOS1 = 1 as mqtt.QoS;
const REFUSED = 128;
const CORE = 'core-a';
const OTHER_CORE = 'core-b';
const SMIB = 'SM-0001';
const OTHER_SMIB = 'SM-0002';

describe('GIVEN the local IoT Core and client-device broker of a floor with core-a as gateway', () => {
  let pki: Pki;
  let kinesalite: Awaited<ReturnType<typeof startKinesalite>>;
  let core: LocalIotCore;
  let lakeDir: string;
  let revokedSmib: IssuedCertificate;
  const denials: AuthorizationDenial[] = [];
  const outcomes: RuleOutcome[] = [];
  const connections: mqtt.MqttClientConnection[] = [];
  const certificates = new Map<string, IssuedCertificate>();

  /** A project-CA client certificate per CN, issued once. */
  const certificate = async (commonName: string) => {
    let cert = certificates.get(commonName);
    if (!cert) {
      cert = await issueCertificate(pki.ca, { commonName, usage: 'client' });
      certificates.set(commonName, cert);
    }
    return cert;
  };
  const connect = async (
    port: number,
    cert: { certPem: string; keyPem: string },
    clientId: string,
  ): Promise<mqtt.MqttClientConnection> => {
    const connection = await connectMqtt({ ...cert, caPem: pki.ca.certPem, clientId, port });
    connections.push(connection);
    return connection;
  };
  const devices = async (commonName: string, clientId = commonName) =>
    connect(core.deviceBrokerEndpoint.port, await certificate(commonName), clientId);
  const iotCore = async (commonName: string, clientId = commonName) =>
    connect(core.iotEndpoint.port, await certificate(commonName), clientId);
  /** Publishes a message the policy refuses: IoT Core closes the connection instead of answering. */
  const refusedPublish = async (connection: mqtt.MqttClientConnection, topic: string) => {
    const interrupted = interruption(connection);
    void connection.publish(topic, '{"forged":true}', QOS1).catch(() => {});
    await interrupted;
    // Stops the client's own reconnect, which would otherwise contend for its client id.
    await connection.disconnect().catch(() => {});
  };

  beforeAll(async () => {
    pki = await createPki();
    kinesalite = await startKinesalite();
    const slotStream = streamById('slotEvents');
    await createStream(kinesalite.client, slotStream.name, slotStream.shardCount);
    lakeDir = await mkdtemp(join(tmpdir(), 'croupier-security-lake-'));
    revokedSmib = await issueCertificate(pki.ca, { commonName: 'SM-0666', usage: 'client' });
    core = await startLocalIotCore({
      tls: {
        caPem: pki.ca.certPem,
        certPem: pki.server.certPem,
        keyPem: pki.server.keyPem,
        crlPem: await createRevocationList(pki.ca, [revokedSmib.serialNumber]),
      },
      // The floor's cores are registered things of IoT Core; the SMIBs are client devices, never registered.
      iot: { servicePrincipals: ['croupier-floor-api'], corePrincipals: [CORE, OTHER_CORE] },
      deviceBroker: { gatewayPrincipals: [CORE] },
      kinesis: { endpoint: kinesalite.endpoint, credentials: TEST_CREDENTIALS },
      lakeDir,
    });
    core.events.on('denied', (d) => denials.push(d));
    core.events.on('rule', (o) => outcomes.push(o));
  });

  // Each test's clients leave with it: a client the broker dropped reconnects on its own, and two
  // live clients with one client id would take the session from each other.
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.disconnect().catch(() => {})));
  });

  afterAll(async () => {
    await core?.close();
    await kinesalite?.close();
    if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
  });

  describe('client-device broker: SMIB identity', () => {
    it('WHEN an SMIB certificate from another CA connects THEN the TLS handshake is refused and counted', async () => {
      const before = core.counters.handshakesRefused;
      const foreign = await issueCertificate(pki.foreignCa, { commonName: SMIB, usage: 'client' });
      await expect(connect(core.deviceBrokerEndpoint.port, foreign, SMIB)).rejects.toBeDefined();
      await eventually(() => core.counters.handshakesRefused > before, 'handshake refusal');
    });

    it('WHEN a revoked SMIB certificate connects THEN the TLS handshake is refused', async () => {
      const before = core.counters.handshakesRefused;
      await expect(connect(core.deviceBrokerEndpoint.port, revokedSmib, 'SM-0666')).rejects.toBeDefined();
      await eventually(() => core.counters.handshakesRefused > before, 'handshake refusal');
    });

    it('WHEN an SMIB connects with another machine id as client id THEN CONNECT is refused and the denial names both', async () => {
      await expect(devices(SMIB, OTHER_SMIB)).rejects.toBeDefined();
      expect(denials).toContainEqual(
        expect.objectContaining({ broker: 'devices', clientId: OTHER_SMIB, thingName: SMIB, action: 'connect' }),
      );
    });

    it("WHEN an SMIB connects with the core's name as client id THEN CONNECT is refused: it cannot become the gateway", async () => {
      await expect(devices(SMIB, CORE)).rejects.toBeDefined();
      expect(denials).toContainEqual(
        expect.objectContaining({ broker: 'devices', clientId: CORE, thingName: SMIB, action: 'connect' }),
      );
    });

    it('WHEN a certificate whose CN is a topic pattern connects THEN CONNECT is refused, so no CN can widen a policy', async () => {
      for (const cn of ['SM-+', 'SM-#', 'smib/SM-0002']) {
        await expect(devices(cn)).rejects.toBeDefined();
      }
      expect(denials.filter((d) => d.broker === 'devices' && d.thingName === undefined).length).toBeGreaterThanOrEqual(
        3,
      );
    });
  });

  describe('client-device broker: SMIB policy', () => {
    it("WHEN an SMIB subscribes to anything beyond its own display and acknowledgements THEN each is refused, so it reads no other machine's offers, events or acknowledgements", async () => {
      const smib = await devices(SMIB);
      expect((await smib.subscribe(`smib/${SMIB}/display`, QOS1)).qos).toBe(QOS1);
      expect((await smib.subscribe(`smib/${SMIB}/acks`, QOS1)).qos).toBe(QOS1);
      for (const filter of [
        `smib/${OTHER_SMIB}/display`,
        `smib/${OTHER_SMIB}/acks`,
        'smib/+/acks',
        'smib/+/display',
        'smib/#',
        '#',
        `smib/${SMIB}/events`,
        'croupier/#',
        '$SYS/#',
      ]) {
        expect((await smib.subscribe(filter, QOS1)).qos, filter).toBe(REFUSED);
      }
    });

    it('WHEN an SMIB publishes to a display, its own or another machine’s THEN the publish is refused: offers come only from the gateway', async () => {
      const victim = await devices(OTHER_SMIB);
      const shown: string[] = [];
      await victim.subscribe(`smib/${OTHER_SMIB}/display`, QOS1, (topic) => shown.push(topic));
      for (const topic of [`smib/${OTHER_SMIB}/display`, `smib/${SMIB}/display`]) {
        await refusedPublish(await devices(SMIB), topic);
        expect(denials).toContainEqual(
          expect.objectContaining({ broker: 'devices', thingName: SMIB, action: 'publish', resource: topic }),
        );
      }
      const gateway = await devices(CORE);
      await gateway.publish(`smib/${OTHER_SMIB}/display`, '{"kind":"offer"}', QOS1);
      await eventually(() => shown.length === 1, 'the gateway display');
      expect(shown).toEqual([`smib/${OTHER_SMIB}/display`]);
    });

    it("WHEN the gateway writes two machines' displays THEN each SMIB receives only its own", async () => {
      const received: Record<string, string[]> = { [SMIB]: [], [OTHER_SMIB]: [] };
      for (const machine of [SMIB, OTHER_SMIB]) {
        const smib = await devices(machine);
        await smib.subscribe(`smib/${machine}/display`, QOS1, (topic) => received[machine]!.push(topic));
      }
      const gateway = await devices(CORE);
      await gateway.publish(`smib/${SMIB}/display`, '{"n":1}', QOS1);
      await gateway.publish(`smib/${OTHER_SMIB}/display`, '{"n":2}', QOS1);
      await eventually(() => received[SMIB]!.length === 1 && received[OTHER_SMIB]!.length === 1, 'both displays');
      expect(received).toEqual({ [SMIB]: [`smib/${SMIB}/display`], [OTHER_SMIB]: [`smib/${OTHER_SMIB}/display`] });
    });

    it('WHEN a core that is not this broker’s gateway connects THEN it has only the SMIB policy: no SMIB events, no displays', async () => {
      const stranger = await devices(OTHER_CORE);
      expect((await stranger.subscribe('smib/+/events', QOS1)).qos).toBe(REFUSED);
      expect((await stranger.subscribe(`smib/${SMIB}/events`, QOS1)).qos).toBe(REFUSED);
      await refusedPublish(stranger, `smib/${SMIB}/display`);
    });
  });

  describe('IoT endpoint: a client device is not a core', () => {
    // Fixed F1 (docs/security.md): one CA signs cores and SMIBs, so an SMIB's certificate, taken out
    // of a slot machine, is valid TLS; only IoT Core's registry of core things keeps it out.
    it('WHEN an SMIB certificate connects to IoT Core and uplinks THEN CONNECT is refused, the denial says why, and nothing reaches Kinesis', async () => {
      const smib = await iotCore(SMIB).catch(() => undefined);
      if (smib) await smib.publish(`croupier/vegas/${SMIB}/slot`, 'CRPE-from-a-slot-machine', QOS1).catch(() => {});
      expect(smib).toBeUndefined();
      expect(denials).toContainEqual(
        expect.objectContaining({
          broker: 'iot',
          thingName: SMIB,
          action: 'connect',
          reason: expect.stringMatching(/not a thing registered/),
        }),
      );
      await core.drain();
      const records = await readAllRecords(kinesalite.client, streamById('slotEvents').name);
      expect(records.map((r) => r.partitionKey)).not.toContain(SMIB);
    });
  });

  describe("IoT endpoint: another core's topics and downlink", () => {
    it("WHEN core-a subscribes with filters that would cover core-b's downlink or uplink THEN every one is refused", async () => {
      const coreA = await iotCore(CORE);
      for (const filter of [
        `croupier/+/${OTHER_CORE}/#`,
        `croupier/vegas/${OTHER_CORE}/#`,
        'croupier/vegas/+/cmd/#',
        '+/+/+/offers',
        '#',
        `croupier/vegas/${OTHER_CORE}/slot`,
        `croupier/vegas/${CORE}/#`,
        '$SYS/#',
      ]) {
        expect((await coreA.subscribe(filter, QOS1)).qos, filter).toBe(REFUSED);
      }
    });

    it('WHEN the cloud sends core-b a command THEN core-a, subscribed to its own downlink, receives nothing and core-b receives it', async () => {
      const received: string[] = [];
      const coreA = await iotCore(CORE);
      await coreA.subscribe(`croupier/vegas/${CORE}/cmd/#`, QOS1, (topic) => received.push(`${CORE} ${topic}`));
      await coreA.subscribe(`croupier/vegas/${CORE}/offers`, QOS1, (topic) => received.push(`${CORE} ${topic}`));
      const coreB = await iotCore(OTHER_CORE);
      await coreB.subscribe(`croupier/vegas/${OTHER_CORE}/cmd/#`, QOS1, (topic) =>
        received.push(`${OTHER_CORE} ${topic}`),
      );
      const service = await iotCore('croupier-floor-api');
      await service.publish(`croupier/vegas/${OTHER_CORE}/cmd/reload`, '{}', QOS1);
      await service.publish(`croupier/vegas/${OTHER_CORE}/offers`, '{}', QOS1);
      await eventually(() => received.length >= 1, 'the command');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(received).toEqual([`${OTHER_CORE} croupier/vegas/${OTHER_CORE}/cmd/reload`]);
    });

    it('WHEN a core publishes a downlink to another core THEN it is refused: only the cloud side sends downlinks', async () => {
      await refusedPublish(await iotCore(CORE), `croupier/vegas/${OTHER_CORE}/cmd/reload`);
      expect(denials).toContainEqual(
        expect.objectContaining({
          broker: 'iot',
          thingName: CORE,
          action: 'publish',
          resource: `croupier/vegas/${OTHER_CORE}/cmd/reload`,
        }),
      );
    });

    it("WHEN core-a publishes a deeper topic that embeds core-b's name THEN no rule routes it: nothing reaches Kinesis as core-b", async () => {
      // The policy's `*` spans levels, as IoT Core's does, so this publish is allowed; the rules'
      // `croupier/+/+/slot` filters pin the level count, so it goes nowhere.
      const coreA = await iotCore(CORE);
      const topic = `croupier/vegas/${OTHER_CORE}/x/${CORE}/slot`;
      await coreA.publish(topic, 'CRPE-forged', QOS1);
      await coreA.publish(`croupier/vegas/${CORE}/slot`, 'CRPE-own', QOS1);
      await eventually(
        () => outcomes.some((o) => o.topic === `croupier/vegas/${CORE}/slot` && o.kind === 'delivered'),
        'own uplink delivered',
      );
      await core.drain();
      expect(outcomes.filter((o) => o.topic === topic)).toEqual([]);
      const records = await readAllRecords(kinesalite.client, streamById('slotEvents').name);
      expect(records.map((r) => r.partitionKey)).not.toContain(OTHER_CORE);
      expect(records.map((r) => r.data.toString())).toContain('CRPE-own');
      expect(records.map((r) => r.data.toString())).not.toContain('CRPE-forged');
    });

    it("WHEN core-a uplinks THEN the Kinesis record is keyed by its certificate's thing name, whatever the payload claims", async () => {
      const coreA = await iotCore(CORE);
      await coreA.publish(`croupier/vegas/${CORE}/slot`, `{"core":"${OTHER_CORE}"}`, QOS1);
      await eventually(
        () => outcomes.filter((o) => o.topic === `croupier/vegas/${CORE}/slot` && o.kind === 'delivered').length >= 2,
        'second uplink delivered',
      );
      const records = await readAllRecords(kinesalite.client, streamById('slotEvents').name);
      const claimed = records.find((r) => r.data.toString().includes(OTHER_CORE));
      expect(claimed?.partitionKey).toBe(CORE);
    });
  });
});
