import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SlotEvent } from '@croupier/contracts';
import { createSlotFloorModel, SlotFloorModelConfig, SlotFloorSimulation, SlotUplinkForm } from '@croupier/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTableNames } from '../../src/common/table-names.js';
import { createSlotHandler } from '../../src/handlers/slot-processor.js';
import type { RatingConfig } from '../../src/rating/rating-config.js';
import { storedPlayerFromItem } from '../../src/rating/rating-items.js';
import { readPlayerSessions } from '../../src/rating/session-reader.js';
import { holdPpm } from '../../src/rating/theo.js';
import { type DynamoHarness, startDynamo } from './support/dynamo-harness.js';
import { batches, type EnvelopeSpec, envelopeRecords } from './support/kinesis-batch.js';

const tables = defaultTableNames();
const KEY = new Uint8Array(Array.from({ length: 32 }, (_, i) => i + 7));
const START = Date.parse('2026-11-21T02:00:00Z');
const rating: RatingConfig = {
  timeZone: 'America/Los_Angeles',
  gamingDayStartHour: 6,
  adtTrips: 10,
  abandonedAfterMs: 30 * 60_000,
  tiers: { silver: 5_000, gold: 25_000, platinum: 100_000 },
};

describe('slot processor against the slot simulator ground truth', () => {
  let harness: DynamoHarness;
  const model = createSlotFloorModel(
    SlotFloorModelConfig.parse({
      seed: 'cloud-rating',
      property: { propertyId: 'test-casino', timeZone: rating.timeZone, gamingDayStartHour: rating.gamingDayStartHour },
      floor: {
        zones: [
          { zoneId: 'main-floor', banks: 2, machinesPerBank: 4, games: { 'penny-video': 1, 'quarter-reels': 1 } },
          { zoneId: 'high-limit', banks: 1, machinesPerBank: 2, games: { 'high-limit-reels': 1 } },
        ],
      },
      players: { count: 40, tripsPerMonthMedian: 6 },
    }),
    KEY,
  );
  const simulation = new SlotFloorSimulation(model, { startMs: START, endMs: START + 2 * 86_400_000 });

  beforeAll(async () => {
    harness = await startDynamo();
    // Uplink as a floor would: SlotGateway's form of each event, one core per zone, envelopes of up to 25.
    const form = new SlotUplinkForm(KEY);
    const pending = new Map<string, SlotEvent[]>();
    const envelopes: EnvelopeSpec<'slot'>[] = [];
    const seqs = new Map<string, number>();
    const flush = (core: string) => {
      const events = pending.get(core) ?? [];
      if (events.length === 0) return;
      const seq = seqs.get(core) ?? 0;
      seqs.set(core, seq + 1);
      envelopes.push({ stream: 'slot', property: 'test-casino', core, seq, events });
      pending.set(core, []);
    };
    for (const { event, machine } of simulation.events()) {
      const core = `core-${machine.identity.location.zone}`;
      pending.set(core, [...(pending.get(core) ?? []), form.convert(event, machine.identity)]);
      if (pending.get(core)!.length >= 25) flush(core);
    }
    for (const core of [...pending.keys()]) flush(core);
    const handler = createSlotHandler({ dynamo: harness.doc, rating, now: () => START + 3 * 86_400_000 });
    for (const event of batches(envelopeRecords(envelopes), 100)) {
      expect((await handler(event)).batchItemFailures).toEqual([]);
    }
  });
  afterAll(async () => harness?.close());

  it('GIVEN every carded session THEN coin-in, games and win equal the ground truth exactly, and theo is Σ wager × hold exactly', async () => {
    const carded = simulation.truth.sessions.filter((s) => s.carded);
    expect(carded.length).toBeGreaterThan(20);
    const tokens = [...new Set(carded.map((s) => s.playerToken!))];
    const sessions = new Map(
      (await Promise.all(tokens.map((t) => readPlayerSessions(harness.doc, tables, t, { limit: 1000 })))).flatMap(
        (page) => page.sessions.map((s) => [s.sessionId, s] as const),
      ),
    );
    expect(sessions.size).toBe(carded.length);
    for (const truth of carded) {
      const session = sessions.get(truth.sessionId!)!;
      expect(session.coinInCents).toBe(truth.coinInCents);
      expect(session.games).toBe(truth.games);
      expect(session.winCents).toBe(truth.winCents);
      expect(session.theoMicros).toBe(truth.coinInCents * holdPpm(truth.theoreticalHold));
      // The simulator sums theo in IEEE doubles: equal within its stated rounding bound.
      expect(Math.abs(session.theoMicros / 1e6 - truth.theoCents)).toBeLessThanOrEqual(
        truth.games * 2 ** -52 * truth.theoCents + 1e-9,
      );
      if (truth.cardOutReason) {
        expect(session.status).toBe(truth.cardOutReason === 'removed' ? 'closed' : 'abandoned');
      }
    }
  });

  it('GIVEN each carded player THEN trips are the simulator’s gaming days and ADT is the mean theo of the last N', async () => {
    const byPlayer = new Map<string, Map<string, number>>();
    for (const s of simulation.truth.sessions.filter((x) => x.carded)) {
      const trips = byPlayer.get(s.playerToken!) ?? new Map<string, number>();
      for (const [day, play] of Object.entries(s.byGamingDay)) {
        trips.set(day, (trips.get(day) ?? 0) + play.coinInCents * holdPpm(s.theoreticalHold));
      }
      byPlayer.set(s.playerToken!, trips);
    }
    for (const trip of simulation.truth.trips.filter((t) => t.playerToken)) {
      expect(byPlayer.get(trip.playerToken!)?.has(trip.gamingDay)).toBe(true);
    }
    for (const [token, trips] of byPlayer) {
      const item = (await harness.doc.send(new GetCommand({ TableName: tables.players, Key: { playerToken: token } })))
        .Item;
      const state = storedPlayerFromItem(token, item).state;
      const last = [...trips]
        .filter(([, micros]) => micros > 0)
        .sort(([a], [b]) => (a < b ? 1 : -1))
        .slice(0, rating.adtTrips);
      expect(Object.keys(state.trips).sort()).toEqual(last.map(([day]) => day).sort());
      const total = last.reduce((sum, [, micros]) => sum + micros, 0);
      expect(state.adtCents).toBe(last.length === 0 ? 0 : total / (last.length * 1_000_000));
    }
  });
});
