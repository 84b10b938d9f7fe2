import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate, writeKeyMaterial } from '@croupier/certs-tooling';
import type { SmibEvent as SimSmibEvent } from '@croupier/contracts';
import { type DisplayMessage, newEventId, SCHEMA_VERSION, SmibEvent, smibEventsTopic } from '@croupier/contracts';
import { mqtt } from 'aws-iot-device-sdk-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisplayRecord } from '../../src/slot/display-log.js';
import { createSlotFloorModel, SlotFloorSimulation } from '../../src/slot/floor-simulation.js';
import type { GroundTruthDocument } from '../../src/slot/ground-truth.js';
import { runLiveFloor } from '../../src/slot/live-floor.js';
import { loadPlayerTokenKey, parseSlotScenario } from '../../src/slot/scenario.js';
import { runLiveScenario } from '../../src/slot/scenario-runner.js';
import { SimulatedClock } from '../../src/slot/simulated-clock.js';
import { SmibClient } from '../../src/slot/smib-client.js';
import { SmibFleet } from '../../src/slot/smib-fleet.js';
import { EVENING_START_MS, smallFloorConfig, TEST_TOKEN_KEY } from './fixtures.js';
import { startTlsDeviceBroker, type TlsDeviceBroker } from './tls-device-broker.js';

const OFFER_ID = '019aa6f0-0000-7000-8000-000000000001';

const until = async (check: () => boolean, what: string, timeoutMs = 15_000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('GIVEN a floor of SMIBs on a real aedes broker over mTLS', () => {
  let broker: TlsDeviceBroker;
  let fleet: SmibFleet;
  const config = smallFloorConfig({
    seed: 'mqtt-test',
    players: { count: 120, tripsPerMonthMedian: 20, sessionMinutesMedian: 15 },
  });
  const model = createSlotFloorModel(config, TEST_TOKEN_KEY);
  const machineIds = model.machines.map((m) => m.identity.machineId);
  let clock: SimulatedClock;

  beforeAll(async () => {
    broker = await startTlsDeviceBroker();
    clock = new SimulatedClock(EVENING_START_MS, Date.now(), 3_600);
    fleet = await SmibFleet.connect({
      machineIds,
      host: '127.0.0.1',
      port: broker.port,
      caPem: broker.ca.certPem,
      credentialsFor: (machineId) => issueCertificate(broker.ca, { commonName: machineId, usage: 'client' }),
      simTimeFor: (wallMs) => clock.simTimeFor(wallMs),
    });
  });

  afterAll(async () => {
    await fleet?.close();
    await broker?.close();
  });

  it("WHEN an SMIB presents another machine's certificate THEN the broker refuses it", async () => {
    const stolen = await issueCertificate(broker.ca, { commonName: 'SM-0002', usage: 'client' });
    await expect(
      SmibClient.connect({
        machineId: 'SM-0001',
        host: '127.0.0.1',
        port: broker.port,
        caPem: broker.ca.certPem,
        credentials: stolen,
        client: new mqtt.MqttClient(),
        onDisplay: () => undefined,
      }),
    ).rejects.toThrow(/SM-0001: cannot connect/);
    expect(broker.refusedConnections).toContain('SM-0001');
  });

  it('WHEN the core does not acknowledge an event THEN the SMIB sends it again with a growing wait until the core does, and ignores an acknowledgement for another machine', async () => {
    const machineId = 'SM-0901';
    const smib = await SmibClient.connect({
      machineId,
      host: '127.0.0.1',
      port: broker.port,
      caPem: broker.ca.certPem,
      credentials: await issueCertificate(broker.ca, { commonName: machineId, usage: 'client' }),
      client: new mqtt.MqttClient(),
      onDisplay: () => undefined,
      resend: { resendAfterMs: 300, maxResendAfterMs: 5_000, maxHeld: 100 },
    });
    try {
      const event: SimSmibEvent = {
        eventId: newEventId(),
        eventTime: Date.now(),
        schemaVersion: SCHEMA_VERSION,
        machineId,
        type: 'door',
        door: 'main',
        state: 'open',
      };
      const copies = () =>
        broker.messages.filter(
          (m) => (JSON.parse(m.payload.toString('utf8')) as SimSmibEvent).eventId === event.eventId,
        ).length;
      await smib.publish(event);
      // First publish, then resends 0.3 s and 0.6 s later (checked once a second).
      await until(() => copies() >= 3, 'two resends');
      expect(smib.unacknowledged).toBe(1);
      expect(smib.resent).toBeGreaterThanOrEqual(2);

      await broker.publishAck(machineId, JSON.stringify({ machineId: 'SM-0902', eventIds: [event.eventId] }));
      await until(() => smib.refusedAcks === 1, 'the refused acknowledgement');
      expect(smib.unacknowledged).toBe(1);

      await broker.publishAck(machineId, JSON.stringify({ machineId, eventIds: [event.eventId] }));
      await until(() => smib.unacknowledged === 0, 'the acknowledgement');
      // A resend already on its way when the acknowledgement landed may still arrive: wait for a quiet spell
      // longer than one resend check first.
      let last = copies();
      let quietSince = Date.now();
      await until(() => {
        if (copies() !== last) {
          last = copies();
          quietSince = Date.now();
        }
        return Date.now() - quietSince >= 1_500;
      }, 'resends to stop');
      const afterAck = copies();
      // Two resend checks later, nothing more was sent.
      await new Promise((r) => setTimeout(r, 2_100));
      expect(copies()).toBe(afterAck);
    } finally {
      await smib.close();
    }
  }, 30_000);

  it('WHEN the core sends offers THEN each SMIB records its display messages with their arrival time', async () => {
    const machineId = machineIds[0] as string;
    const offer: DisplayMessage = {
      kind: 'offer',
      offerId: OFFER_ID,
      machineId,
      text: '$10 free play - touch to accept',
      valueCents: 1_000,
      expiresAt: EVENING_START_MS + 600_000,
      sentAt: EVENING_START_MS,
    };
    const before = Date.now();
    await broker.publishDisplay(machineId, JSON.stringify(offer));
    await broker.publishDisplay(machineId, JSON.stringify({ ...offer, machineId: 'SM-9999' }));
    await broker.publishDisplay(machineId, 'not json');
    await waitFor(() => fleet.displays.length >= 3);
    const after = Date.now();

    const [good, misaddressed, garbage] = fleet.displays;
    expect(good?.message).toEqual(offer);
    expect(good?.machineId).toBe(machineId);
    expect(good?.receivedAtMs).toBeGreaterThanOrEqual(before);
    expect(good?.receivedAtMs).toBeLessThanOrEqual(after);
    expect(good?.simulatedAtMs).toBe(clock.simTimeFor(good?.receivedAtMs as number));
    expect(misaddressed?.rejected).toBe('addressed to SM-9999');
    expect(garbage?.rejected).toBe('payload is not JSON');
  });

  it('WHEN the floor plays two simulated hours THEN every published message is a valid SmibEvent of the ground truth', async () => {
    const sim = new SlotFloorSimulation(
      model,
      { startMs: EVENING_START_MS, endMs: EVENING_START_MS + 2 * 3_600_000 },
      {
        recordEvents: true,
      },
    );
    const received = broker.messages.length;
    const runClock = new SimulatedClock(EVENING_START_MS, Date.now(), 3_600);
    const stats = await runLiveFloor({
      simulation: sim,
      clock: runClock,
      publisher: { publish: (machineId, event) => fleet.get(machineId).publish(event) },
    });

    expect(stats.failed).toBe(0);
    expect(stats.acknowledged).toBe(stats.emitted);
    const truthEvents = sim.truth.events ?? [];
    expect(truthEvents.length).toBe(stats.emitted);
    expect(sim.truth.eventCounts.game_played).toBeGreaterThan(500);

    const published = broker.messages.slice(received).map((m) => {
      const parsed = SmibEvent.safeParse(JSON.parse(m.payload.toString('utf8')));
      expect(parsed.success, parsed.error?.message).toBe(true);
      const event = parsed.data as unknown as SimSmibEvent;
      expect(m.topic).toBe(smibEventsTopic(event.machineId));
      expect(m.clientId).toBe(event.machineId);
      return event;
    });
    // QoS 1 may repeat a message; the set of event ids is exactly the ground truth's.
    expect(new Set(published.map((e) => e.eventId))).toEqual(new Set(truthEvents.map((e) => e.eventId)));

    // Rebuild each session from the wire as a gateway would: a card's events on its machine, card in to card out.
    const byMachine = new Map<string, SimSmibEvent[]>();
    const seen = new Set<string>();
    for (const e of published) {
      if (seen.has(e.eventId)) continue;
      seen.add(e.eventId);
      byMachine.set(e.machineId, [...(byMachine.get(e.machineId) ?? []), e]);
    }
    const carded = sim.truth.sessions.filter((s) => s.sessionId !== null);
    expect(carded.length).toBeGreaterThan(3);
    for (const session of carded) {
      const events = (byMachine.get(session.machineId) ?? []).filter(
        (e) => e.eventTime >= session.startedAt && e.eventTime <= session.endedAt,
      );
      const games = events.filter((e) => e.type === 'game_played');
      expect(events[0]).toMatchObject({ type: 'card_in', eventId: session.sessionId, cardNumber: session.cardNumber });
      expect(events.at(-1)).toMatchObject({ type: 'card_out', cardNumber: session.cardNumber });
      expect(games.length).toBe(session.games);
      expect(games.reduce((s, g) => s + (g.type === 'game_played' ? g.wagerCents : 0), 0)).toBe(session.coinInCents);
      const theo = games.reduce((s, g) => s + (g.type === 'game_played' ? g.wagerCents * g.theoreticalHold : 0), 0);
      expect(theo).toBeCloseTo(session.theoCents, 6);
    }
  });
});

describe('GIVEN a live scenario whose SMIB certificates do not exist yet', () => {
  let broker: TlsDeviceBroker;
  let dir: string;
  beforeAll(async () => {
    broker = await startTlsDeviceBroker();
    dir = await mkdtemp(join(tmpdir(), 'slot-live-'));
    await writeKeyMaterial(join(dir, 'ca'), 'ca', broker.ca);
    await writeFile(join(dir, 'ca.pem'), broker.ca.certPem);
    await writeFile(join(dir, 'player-token.key'), `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  });
  afterAll(async () => {
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('WHEN the scenario runner plays it THEN certificates are issued per machine and ground truth matches the broker', async () => {
    const scenario = parseSlotScenario(
      {
        seed: 'live-scenario',
        property: { propertyId: 'test-casino', timeZone: 'America/Los_Angeles' },
        floor: { zones: [{ zoneId: 'main', banks: 1, machinesPerBank: 3, games: { 'penny-video': 1 } }] },
        players: { count: 60, tripsPerMonthMedian: 20, sessionMinutesMedian: 10 },
        playerTokenKeyPath: 'player-token.key',
        live: {
          start: new Date(EVENING_START_MS).toISOString(),
          durationHours: 1,
          // Sessions of a couple of hundred real milliseconds: offers can reach a player in session.
          timeScale: 3_600,
          broker: {
            host: '127.0.0.1',
            port: broker.port,
            caPath: 'ca.pem',
            certDir: 'smib-certs',
            issueMissingWith: { caDir: 'ca', caName: 'ca' },
          },
          groundTruthPath: 'out/truth.json',
          displayLogPath: 'out/displays.json',
          // The test's core side acknowledges every event, so the SMIBs disconnect as soon as it has.
          ackWaitMs: 30_000,
        },
      },
      dir,
    );
    // The core side: an offer to every machine where a card goes in, numbered by its arrival, and an
    // acknowledgement of every event. A card-in is acknowledged only once its offer is out: on the SMIB's
    // one connection the offer then arrives first, so a settled fleet has received every offer.
    const offered = new Set<string>();
    broker.onMessage((m) => {
      const event = JSON.parse(m.payload.toString('utf8')) as {
        type: string;
        eventId: string;
        machineId: string;
        eventTime: number;
      };
      const acknowledge = () =>
        broker.publishAck(event.machineId, JSON.stringify({ machineId: event.machineId, eventIds: [event.eventId] }));
      if (event.type !== 'card_in') {
        void acknowledge();
        return;
      }
      const offerId = `019aa6f0-0000-7000-8000-${String(offered.size + 1).padStart(12, '0')}`;
      offered.add(offerId);
      const offer: DisplayMessage = {
        kind: 'offer',
        offerId,
        machineId: event.machineId,
        text: 'Free buffet tonight',
        valueCents: 2_500,
        expiresAt: event.eventTime + 3_600_000,
        sentAt: event.eventTime,
      };
      void broker.publishDisplay(event.machineId, JSON.stringify(offer)).then(acknowledge);
    });
    const result = await runLiveScenario(scenario, await loadPlayerTokenKey(scenario));
    expect(result.machines).toBe(3);
    expect(result.unacknowledged).toBe(0);
    expect(result.stats.emitted).toBeGreaterThan(100);
    expect(result.stats.failed).toBe(0);
    for (const id of ['SM-0001', 'SM-0002', 'SM-0003']) {
      expect((await stat(join(dir, 'smib-certs', `${id}.key.pem`))).mode & 0o777).toBe(0o600);
    }
    const truth = JSON.parse(await readFile(join(dir, 'out/truth.json'), 'utf8')) as GroundTruthDocument;
    expect(truth.events?.length).toBe(result.stats.acknowledged + result.offerResponses);
    const onWire = new Set(
      broker.messages.map((m) => (JSON.parse(m.payload.toString('utf8')) as { eventId: string }).eventId),
    );
    expect(onWire).toEqual(new Set(truth.events?.map((e) => e.eventId)));
    const displays = JSON.parse(await readFile(join(dir, 'out/displays.json'), 'utf8')) as DisplayRecord[];
    expect(displays.length).toBe(offered.size);
    // Players answer offers that reach them in session; each answer is on the wire and in ground truth.
    const answers = broker.messages
      .map((m) => JSON.parse(m.payload.toString('utf8')) as SimSmibEvent)
      .filter((e) => e.type === 'offer_response');
    expect(answers.length).toBe(result.offerResponses);
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) {
      expect(SmibEvent.safeParse(answer).success).toBe(true);
      expect(offered).toContain(answer.type === 'offer_response' ? answer.offerId : '');
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}
