import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbDocumentClient } from '@croupier/cloud/aws/clients';
import { LakeQueryEngine } from '@croupier/cloud/local/lake/lake-query-engine';
import { namedQuery, runNamedQuery } from '@croupier/cloud/local/lake/named-queries';
import { LOCAL_CREDENTIALS } from '@croupier/cloud/local/local-cloud';
import type { PublishedMessage } from '@croupier/cloud/local/sns/sns-emulator';
import { derivePlayerToken, LOCAL_TOPICS, type MaintenanceAlert } from '@croupier/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFloorPki } from '../../scripts/start/floor-pki.js';
import type { ShufflerGroundTruthLine } from '../../scripts/start/shuffler-floor.js';
import { type FloorProcess, repositoryRoot, startFloorProcess, until } from './support/floor-process.js';
import {
  type ExpectedSession,
  expectedClosedSessions,
  publishedSlotEvents,
  readShufflerGroundTruth,
  readSlotGroundTruth,
  type SlotGroundTruth,
} from './support/ground-truth.js';
import { readStoredStream, type StoredStream } from './support/lake-check.js';
import { type Tap, tapBroker } from './support/local-pubsub-tap.js';
import { type ResumedCloud, resumeCloud } from './support/resumed-cloud.js';

// The stream processors run in this process while the stopped floor's cloud is drained.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

/**
 * Two shufflers at ×1200 (20 simulated minutes a second). Seed 2009 plans shf-001's feed motor to
 * degrade from the first simulated hour and stall 32.1 h in, about 96 s after the fleet starts;
 * shf-002 stays healthy for the whole run (its failure is planned 178 h in).
 */
const SHUFFLER_SCENARIO = join(repositoryRoot, 'simulators', 'scenarios', 'shuffler-e2e-failure.json');
/**
 * Six machines at ×60 with short sessions. Arrivals follow the casino's local hour (ten times fewer at
 * 4 AM than in the evening) and the floor starts at the wall clock, so the population is large enough
 * that a few dozen sessions close during the run at any hour (simulated: 37 in the first 3.5 hours
 * from 4 AM, the quietest start).
 */
const SLOT_SCENARIO = join(repositoryRoot, 'simulators', 'scenarios', 'slot-e2e-live.json');
const FAILING = 'shf-001';
/** Closed carded sessions the rating checks need at least. */
const MIN_CLOSED_SESSIONS = 5;
const HEALTHY = 'shf-002';

describe('GIVEN `npm start` headless: a shuffler heading for a motor failure, a healthy one, and a six-machine slot floor', () => {
  let stateDir: string;
  let floor: FloorProcess | undefined;
  let tap: Tap | undefined;
  let resumed: ResumedCloud | undefined;
  let exitCode: number | null;
  let shufflerTruth: ShufflerGroundTruthLine[];
  let slotTruth: SlotGroundTruth;
  let sessions: Record<string, unknown>[];
  let snsAlerts: { publishedAt: number; alert: MaintenanceAlert }[];
  let lake: { slot: StoredStream; shuffler: StoredStream; alert: StoredStream };
  let leadTimes: Record<string, unknown>[];
  let playerTokenKey: { hex: string; mode: number };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'croupier-e2e-'));
    floor = await startFloorProcess(
      stateDir,
      ['--scenario', SHUFFLER_SCENARIO, '--slot-scenario', SLOT_SCENARIO, '--core', 'e2e-core-1'],
      { env: { CROUPIER_LAKE_BUFFER_SECONDS: '5' }, timeoutMs: 150_000 },
    );
    // An independent witness on the core's pub/sub: what the edge components really published.
    const pubsub = new URL(floor.floor.localPubSub.replace(/^mqtts:/, 'http:'));
    const pki = await openFloorPki(join(stateDir, 'certs'), pubsub.hostname);
    tap = await tapBroker({
      host: pubsub.hostname,
      port: Number(pubsub.port),
      identity: await pki.client('e2e-core-1-witness'),
      topics: [LOCAL_TOPICS.shufflerTelemetry, LOCAL_TOPICS.predictions, LOCAL_TOPICS.alerts, LOCAL_TOPICS.slotEvents],
    });
    await until(`the injected failure of ${FAILING} in the simulator's ground truth`, 150_000, async () => {
      const lines = await readShufflerGroundTruth(stateDir);
      return lines.some((l) => l.type === 'failure' && l.deviceId === FAILING) ? true : undefined;
    });
    // The simulator records the stall when it happens; the floor sees it only at the next poll. Stop
    // once the cloud has raised the fault from the stalled shuffler's telemetry, so that reading is in
    // Kinesis (and so in the lake once drained) rather than still on its way through the edge. (SNS is
    // no witness: the fault falls inside the predictive alert's notification cool-down.)
    const liveDynamo = createDynamoDbDocumentClient({
      endpoint: floor.floor.cloud.dynamodb,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      await until(`the cloud's fault alert for ${FAILING}`, 90_000, async () => {
        const { Items = [] } = await liveDynamo.send(
          new QueryCommand({
            TableName: 'croupier-alerts',
            KeyConditionExpression: 'deviceId = :device',
            ExpressionAttributeValues: { ':device': FAILING },
          }),
        );
        return Items.some((alert) => alert.cause === 'fault') ? true : undefined;
      });
    } finally {
      liveDynamo.destroy();
    }
    // The slot floor keeps its own clock and may have started late on a loaded machine: the session
    // checks below need a handful closed, so wait for their card-outs too.
    // SlotGateway resends what Uplink has not confirmed, so the witness counts card-outs by eventId.
    await until(`${MIN_CLOSED_SESSIONS} card-outs on the core`, 120_000, async () =>
      new Set(
        tap!.messages
          .filter((m) => m.topic === LOCAL_TOPICS.slotEvents && m.event.type === 'card_out')
          .map((m) => m.event.eventId),
      ).size >= MIN_CLOSED_SESSIONS
        ? true
        : undefined,
    );
    exitCode = await floor.stop();
    // The scenario names no key: the floor generated this one in its fresh state folder on start.
    const keyPath = join(stateDir, 'secrets', 'player-token.key');
    playerTokenKey = { hex: (await readFile(keyPath, 'utf8')).trim(), mode: (await stat(keyPath)).mode & 0o777 };
    await tap.close().catch(() => undefined);

    // A clean stop leaves the floor resumable, not drained: start its cloud again until the rating and
    // device-health processors and the lake deliveries have caught up with what reached Kinesis.
    resumed = await resumeCloud(stateDir);
    await resumed.drained(['SlotProcessor', 'ShufflerProcessor'], 60_000);
    const dynamo = createDynamoDbDocumentClient({
      endpoint: resumed.cloud.endpoints.dynamodb,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      sessions = (await dynamo.send(new ScanCommand({ TableName: 'croupier-sessions' }))).Items ?? [];
    } finally {
      dynamo.destroy();
    }
    await resumed.stop();
    resumed = undefined;

    shufflerTruth = await readShufflerGroundTruth(stateDir);
    slotTruth = await readSlotGroundTruth(stateDir);
    const snsLog = await readFile(join(stateDir, 'cloud', 'sns', 'messages.jsonl'), 'utf8').catch(() => '');
    snsAlerts = snsLog
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as PublishedMessage)
      .map((m) => ({ publishedAt: Date.parse(m.publishedAt), alert: JSON.parse(m.message) as MaintenanceAlert }));
    const lakeDir = join(stateDir, 'lake');
    lake = {
      slot: await readStoredStream(lakeDir, 'slot'),
      shuffler: await readStoredStream(lakeDir, 'shuffler'),
      alert: await readStoredStream(lakeDir, 'alert'),
    };
    const engine = await LakeQueryEngine.open(lakeDir);
    try {
      leadTimes = await runNamedQuery(engine, namedQuery('alert-lead-time'), {
        timeZone: 'America/Los_Angeles',
        gamingDayStartHour: 6,
      });
    } finally {
      engine.close();
    }
  }, 420_000);

  afterAll(async () => {
    await tap?.close().catch(() => undefined);
    await resumed?.stop();
    floor?.kill();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('WHEN Ctrl-C is sent after the failure THEN the floor stops cleanly', () => {
    expect(exitCode).toBe(0);
  });

  it('WHEN the motor degrades THEN the predictive maintenance alert reaches SNS before the failure', () => {
    const failures = shufflerTruth.filter((l) => l.type === 'failure');
    const failure = failures.find((l) => l.deviceId === FAILING);
    expect(failure).toMatchObject({ mode: 'motor_degradation', hadPrecursor: true });
    if (failure?.type !== 'failure') throw new Error('no failure in the ground truth');

    const raised = snsAlerts.filter(
      (n) => n.alert.deviceId === FAILING && n.alert.state === 'raised' && n.alert.cause === 'predicted_failure',
    );
    expect(raised.length, 'no predictive alert for the degrading shuffler reached SNS').toBeGreaterThan(0);
    const [first] = raised;
    // FailurePredictor raised it while the precursor ran, and SNS carried it before the motor stalled.
    expect(first!.alert.eventTime).toBeGreaterThanOrEqual(failure.precursorStartWallMs!);
    expect(first!.alert.eventTime).toBeLessThan(failure.wallTimeMs);
    expect(first!.publishedAt).toBeLessThan(failure.wallTimeMs);

    // `npm run query -- alert-lead-time` finds the failure in the lake's telemetry, and FailurePredictor's
    // own alert (the edge copy the lake keeps; SNS carries the cloud's) raised during the precursor.
    const lead = leadTimes.find((row) => row.device_id === FAILING);
    expect(lead).toMatchObject({ mode: 'motor_degradation' });
    const edgeAlertAt = Date.parse(`${String(lead!.first_alert_at).replace(' ', 'T')}Z`);
    expect(edgeAlertAt).toBeGreaterThanOrEqual(failure.precursorStartWallMs!);
    expect(edgeAlertAt).toBeLessThan(failure.wallTimeMs);
    expect(lead!.lead_hours).toBeGreaterThan(0);
  });

  it('WHEN a shuffler stays healthy THEN no predictive alert is raised for it', () => {
    expect(shufflerTruth.filter((l) => l.deviceId === HEALTHY)).toEqual([]);
    const raised = snsAlerts.filter(
      (n) => n.alert.deviceId === HEALTHY && n.alert.state === 'raised' && n.alert.cause === 'predicted_failure',
    );
    expect(raised).toEqual([]);
  });

  it('WHEN the slot processor has rated the floor THEN every closed session in DynamoDB equals the simulator’s ground truth', () => {
    const { published } = publishedSlotEvents(slotTruth);
    const expected: ExpectedSession[] = expectedClosedSessions(slotTruth, published);
    expect(expected.length).toBeGreaterThanOrEqual(MIN_CLOSED_SESSIONS);
    const stored = new Map(sessions.map((s) => [String(s.sessionId), s]));
    for (const session of expected) {
      // The simulator's own session record agrees with the events it published.
      expect([session.games, session.coinInCents, session.winCents]).toEqual([
        session.truth.games,
        session.truth.coinInCents,
        session.truth.winCents,
      ]);
      expect(Math.abs(session.theoMicros / 1e6 - session.truth.theoCents)).toBeLessThan(1e-6 * (session.games + 1));
      expect(stored.get(session.sessionId), `session ${session.sessionId}`).toMatchObject({
        playerToken: session.playerToken,
        machineId: session.machineId,
        state: session.state,
        games: session.games,
        coinInCents: session.coinInCents,
        winCents: session.winCents,
        theoMicros: session.theoMicros,
      });
    }
  });

  it('WHEN the floor starts THEN it tokenises cards with a key generated for this run, never one from the scenario', async () => {
    const scenario = JSON.parse(await readFile(SLOT_SCENARIO, 'utf8')) as Record<string, unknown>;
    expect(scenario).not.toHaveProperty('playerTokenKeyHex');
    expect(playerTokenKey.hex).toMatch(/^[0-9a-f]{64}$/);
    expect(playerTokenKey.mode).toBe(0o600);
    const key = Buffer.from(playerTokenKey.hex, 'hex');
    const carded = expectedClosedSessions(slotTruth, publishedSlotEvents(slotTruth).published);
    expect(carded.length).toBeGreaterThan(0);
    for (const { truth, sessionId } of carded) {
      const stored = sessions.find((s) => s.sessionId === sessionId);
      expect(stored?.playerToken).toBe(derivePlayerToken(key, truth.cardNumber!));
    }
  });

  it('WHEN the lake is read THEN every slot event the SMIBs published is stored exactly once, and nothing else', () => {
    const { published } = publishedSlotEvents(slotTruth);
    expect(slotTruth.run.stats.failed).toBe(0);
    // The SMIBs disconnected only once SlotGateway had acknowledged every event: none was in flight.
    expect(slotTruth.run.unacknowledged).toBe(0);
    const ids = new Set(published.map((e) => e.eventId));
    expect(ids.size).toBe(published.length);
    const missing = [...ids].filter((id) => !lake.slot.raw.has(id));
    const unknown = [...lake.slot.raw.keys()].filter((id) => !ids.has(id));
    expect({ missing, unknown }).toEqual({ missing: [], unknown: [] });
    expect(lake.slot.refined.size).toBe(ids.size);
    expect([...lake.slot.refined.values()].every((rows) => rows === 1)).toBe(true);
  });

  it('WHEN the lake is read THEN every reading, prediction and alert the edge published is stored exactly once', () => {
    const published = (topic: string) =>
      tap!.messages.filter((m) => m.topic === topic).map((m) => ({ id: m.event.eventId!, time: m.event.eventTime! }));
    const telemetry = published(LOCAL_TOPICS.shufflerTelemetry);
    const fromPredictor = [...published(LOCAL_TOPICS.predictions), ...published(LOCAL_TOPICS.alerts)];
    expect(telemetry.length).toBeGreaterThan(50);
    expect(fromPredictor.length).toBeGreaterThan(20);
    // Telemetry is published once; FailurePredictor resends what Uplink has not acknowledged in time,
    // so the witness may see a prediction or alert twice, always as the same event.
    expect(new Set(telemetry.map((e) => e.id)).size).toBe(telemetry.length);
    const timeById = new Map<string, number>();
    for (const e of fromPredictor) {
      if (!timeById.has(e.id)) timeById.set(e.id, e.time);
      expect(e.time).toBe(timeById.get(e.id));
    }
    for (const [stored, events] of [
      [lake.shuffler, telemetry],
      [lake.alert, fromPredictor],
    ] as const) {
      const ids = new Set(events.map((e) => e.id));
      expect(events.filter((e) => stored.refined.get(e.id) !== 1)).toEqual([]);
      // Events stored from after the witness subscribed were all published on the core.
      const since = tap!.subscribedAt + 2_000;
      const phantoms = [...stored.eventTime].filter(([id, time]) => time >= since && !ids.has(id));
      expect(phantoms).toEqual([]);
    }
  });
});
