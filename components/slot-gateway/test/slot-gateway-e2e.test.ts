import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, inflateRawSync } from 'node:zlib';
import {
  DisplayMessage,
  decodeEnvelope,
  decodeEnvelopeHeader,
  derivePlayerToken,
  LOCAL_TOPICS,
  newEventId,
  offersTopic,
  SCHEMA_VERSION,
  type SlotEvent,
  SmibAck,
  smibAcksTopic,
  smibDisplayTopic,
  smibEventsTopic,
} from '@croupier/contracts';
import { createLogger, createMqttConnection } from '@croupier/edge-kit';
import { startTestFloor, type TestFloor } from '@croupier/edge-kit/testing';
import { Uplink, UplinkConfiguration } from '@croupier/uplink';
import { mqtt } from 'aws-iot-device-sdk-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlotGateway, SlotGatewayConfiguration } from '../src/index.js';

const CORE = 'core-vegas-01';
const MACHINE = 'slot-0001';
const CARD = '6011000990139424';
const KEY_HEX = randomBytes(32).toString('hex');

const until = async (check: () => boolean, what: string, timeoutMs = 20_000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

const base = (eventTime: number) => ({
  eventId: newEventId(),
  eventTime,
  schemaVersion: SCHEMA_VERSION,
  machineId: MACHINE,
});
const game = (eventTime: number, wagerCents: number) => ({
  ...base(eventTime),
  type: 'game_played',
  gameId: 'buffalo-gold',
  paytableId: 'bg-96',
  theoreticalHold: 0.04,
  denominationCents: 1,
  wagerCents,
  winCents: 0,
});

describe('SlotGateway end to end over real brokers: SMIB → SlotGateway → Uplink → IoT Core stand-in', () => {
  let dir: string;
  let floor: TestFloor;
  let gateway: SlotGateway;
  let uplink: Uplink;
  let smib: mqtt.MqttClientConnection;
  const upstreamBytes: Buffer[] = [];
  const localSlotBytes: Buffer[] = [];
  const display: Buffer[] = [];
  const acks: SmibAck[] = [];
  const lines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slot-gateway-e2e-'));
    floor = await startTestFloor(dir);
    await new Promise<void>((resolve) =>
      floor.upstream.aedes.subscribe(
        `croupier/vegas/${CORE}/slot`,
        (packet, done) => {
          upstreamBytes.push(Buffer.from(packet.payload));
          done();
        },
        resolve,
      ),
    );
    await new Promise<void>((resolve) =>
      floor.local.aedes.subscribe(
        LOCAL_TOPICS.slotEvents,
        (packet, done) => {
          localSlotBytes.push(Buffer.from(packet.payload));
          done();
        },
        resolve,
      ),
    );
    const logSink = (line: string) => lines.push(line);
    const gatewayLogger = createLogger({ component: 'com.croupier.SlotGateway', sink: logSink });
    const uplinkLogger = createLogger({ component: 'com.croupier.Uplink', sink: logSink });
    const configuration = SlotGatewayConfiguration.parse({
      playerTokenKeyHex: KEY_HEX,
      machines: [
        {
          machineId: MACHINE,
          location: { bank: 'bank-1', zone: 'main-floor', x: 10, y: 20 },
          denominationCents: 1,
          gameId: 'buffalo-gold',
          paytable: { paytableId: 'bg-96', theoreticalHold: 0.04 },
        },
      ],
      healthIntervalMs: 3_600_000,
    });
    const gatewayTransport = await floor.transport({
      componentName: 'com.croupier.SlotGateway',
      thingName: CORE,
      configuration,
      logger: gatewayLogger,
    });
    await gatewayTransport.connect();
    gateway = await SlotGateway.start({
      transport: gatewayTransport,
      logger: gatewayLogger,
      thingName: CORE,
      version: '1.0.0',
      configuration,
      workDirectory: dir,
    });
    const uplinkTransport = await floor.transport({
      componentName: 'com.croupier.Uplink',
      thingName: CORE,
      configuration: {},
      logger: uplinkLogger,
    });
    await uplinkTransport.connect();
    uplink = await Uplink.start({
      transport: uplinkTransport,
      logger: uplinkLogger,
      thingName: CORE,
      version: '1.0.0',
      configuration: UplinkConfiguration.parse({
        property: 'vegas',
        envelope: { maxDelayMs: 100 },
        healthIntervalMs: 3_600_000,
      }),
      workDirectory: dir,
    });
    const identity = await floor.pki.client(MACHINE);
    smib = createMqttConnection(
      {
        host: floor.local.host,
        port: floor.local.port,
        caPath: floor.pki.caPath,
        certPath: identity.certPath,
        keyPath: identity.keyPath,
      },
      MACHINE,
    );
    await smib.connect();
    await smib.subscribe(smibDisplayTopic(MACHINE), mqtt.QoS.AtLeastOnce, (_topic, payload) => {
      display.push(Buffer.from(payload));
    });
    await smib.subscribe(smibAcksTopic(MACHINE), mqtt.QoS.AtLeastOnce, (_topic, payload) => {
      acks.push(SmibAck.parse(JSON.parse(Buffer.from(payload).toString('utf8'))));
    });
  });

  afterAll(async () => {
    await smib?.disconnect();
    await gateway?.stop();
    await uplink?.stop();
    await floor?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN an SMIB publishing card in, games (one retransmitted), an invalid event and card out WHEN they reach the cloud THEN tokens replace the card number everywhere, the duplicate is dropped and the invalid event is dead-lettered beside the good ones, and the SMIB hears back about every event with an id', async () => {
    const t = Date.now();
    const cardIn = { ...base(t), type: 'card_in', cardNumber: CARD };
    const game1 = game(t + 1_000, 100);
    const invalid = { ...game(t + 1_500, 100), wagerCents: -5 };
    const game2 = game(t + 2_000, 250);
    const bill = { ...base(t + 2_500), type: 'bill_in', amountCents: 2_000 };
    const cardOut = { ...base(t + 3_000), type: 'card_out', cardNumber: CARD, reason: 'removed' };
    const door = { ...base(t + 4_000), type: 'door', door: 'main', state: 'open' };
    const messages = [cardIn, game1, game1, invalid, game2, bill, cardOut, door];
    for (const m of messages) {
      await smib.publish(smibEventsTopic(MACHINE), JSON.stringify(m), mqtt.QoS.AtLeastOnce);
    }
    await smib.publish(smibEventsTopic(MACHINE), '{"cardNumber":"6011000990139424", broken', mqtt.QoS.AtLeastOnce);
    const expectedIds = [cardIn, game1, game2, bill, cardOut, door].map((e) => e.eventId);

    const received = () =>
      upstreamBytes.flatMap((bytes) => {
        const decoded = decodeEnvelope(bytes);
        if (!decoded.ok) throw decoded.error;
        return decoded.value.events as SlotEvent[];
      });
    await until(() => received().length >= expectedIds.length, 'slot events upstream');
    const events = received();
    expect(events.map((e) => e.eventId)).toEqual(expectedIds);

    const token = derivePlayerToken(Buffer.from(KEY_HEX, 'hex'), CARD);
    const [inEvent, g1, g2, billIn, outEvent, doorEvent] = events as [
      SlotEvent,
      SlotEvent,
      SlotEvent,
      SlotEvent,
      SlotEvent,
      SlotEvent,
    ];
    expect(inEvent).toMatchObject({
      type: 'card_in',
      playerToken: token,
      location: { bank: 'bank-1', zone: 'main-floor' },
    });
    expect(g1).toMatchObject({ type: 'game_played', playerToken: token, sessionId: cardIn.eventId, wagerCents: 100 });
    expect(g2).toMatchObject({ type: 'game_played', playerToken: token, sessionId: cardIn.eventId, wagerCents: 250 });
    expect(billIn).toMatchObject({ type: 'bill_in', playerToken: token, sessionId: cardIn.eventId });
    expect(outEvent).toMatchObject({
      type: 'card_out',
      playerToken: token,
      sessionId: cardIn.eventId,
      reason: 'removed',
    });
    expect(doorEvent).not.toHaveProperty('playerToken');

    // The card number appears nowhere that leaves SlotGateway: not in the local slot topic, not in the
    // uplinked envelopes, compressed or inflated.
    const inflated = upstreamBytes.map((bytes) => {
      const head = decodeEnvelopeHeader(bytes);
      if (!head.ok) throw head.error;
      const body = bytes.subarray(head.value.bodyOffset);
      return head.value.compression === 'brotli' ? brotliDecompressSync(body) : inflateRawSync(body);
    });
    for (const bytes of [...localSlotBytes, ...upstreamBytes, ...inflated]) {
      expect(bytes.includes(CARD)).toBe(false);
      expect(bytes.includes('cardNumber')).toBe(false);
    }
    expect(lines.some((l) => l.includes(CARD) || l.includes(KEY_HEX))).toBe(false);

    await gateway.deadLettersFlushed();
    const letters = (await readFile(join(dir, 'dead-letter.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; payload: string; topic: string });
    expect(letters).toHaveLength(2);
    expect(letters[0]!.reason).toMatch(/wagerCents/);
    expect(JSON.parse(letters[0]!.payload).eventId).toBe(invalid.eventId);
    expect(letters[1]!.reason).toMatch(/invalid_json/);
    expect(letters[1]!.payload).not.toContain(CARD);
    // Uplink can receive an event before the local broker's acknowledgement reaches SlotGateway,
    // which counts a forward only once it is acknowledged.
    await until(() => gateway.metrics()['smib.forwarded'] === 6, 'acknowledged forwards');
    expect(gateway.metrics()).toMatchObject({
      'smib.received': 9,
      'smib.forwarded': 6,
      'smib.duplicates': 1,
      'smib.deadLettered': 2,
      'sessions.open': 0,
    });

    // Acknowledged once durable (the retransmission again, as a duplicate; the refused event too, since
    // a resend would be refused the same way). The broken message names no event to acknowledge.
    const acknowledged = () => acks.flatMap((a) => a.eventIds);
    await until(() => acknowledged().length === 8, 'acknowledgements');
    expect(acks.every((a) => a.machineId === MACHINE)).toBe(true);
    expect(new Set(acknowledged())).toEqual(new Set([...expectedIds, invalid.eventId]));
    expect(acknowledged().filter((id) => id === game1.eventId)).toHaveLength(2);

    // Uplink acknowledged every slot event once journalled, so the outbox let them all go.
    await until(
      () => gateway.metrics()['outbox.unconfirmed'] === 0 && gateway.metrics()['outbox.pending'] === 0,
      'Uplink confirming every slot event',
    );
    expect(uplink.metrics()['intake.acksSent']).toBeGreaterThan(0);
  });

  it('GIVEN an offer published by the cloud for the machine WHEN it comes down THEN Uplink relays it and the SMIB display receives a DisplayMessage', async () => {
    const offer = {
      offerId: newEventId(),
      machineId: MACHINE,
      kind: 'free_play',
      valueCents: 1_000,
      text: 'Enjoy $10 of free play',
      expiresAt: Date.now() + 600_000,
      sentAt: Date.now(),
    };
    floor.upstream.aedes.publish(
      {
        cmd: 'publish',
        topic: offersTopic('vegas', CORE),
        payload: Buffer.from(JSON.stringify(offer)),
        qos: 1,
        dup: false,
        retain: false,
      },
      () => {},
    );
    await until(() => display.length === 1, 'display message');
    const shown = DisplayMessage.parse(JSON.parse(display[0]!.toString('utf8')));
    expect(shown).toMatchObject({
      kind: 'offer',
      offerId: offer.offerId,
      machineId: MACHINE,
      valueCents: 1_000,
      text: offer.text,
    });
  });
});
