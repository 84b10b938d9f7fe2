import { Logger } from '@aws-lambda-powertools/logger';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SlotEvent } from '@croupier/contracts';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTableNames } from '../../src/common/table-names.js';
import { createSlotHandler } from '../../src/handlers/slot-processor.js';
import { readAppliedEventIds } from '../../src/rating/applied-event-store.js';
import { appliedBucketKey } from '../../src/rating/applied-events.js';
import type { RatingConfig } from '../../src/rating/rating-config.js';
import { sessionToItem } from '../../src/rating/rating-items.js';
import { MAX_EVENTS_PER_COMMIT } from '../../src/rating/rating-store.js';
import { readPlayerSessions } from '../../src/rating/session-reader.js';
import { type DynamoHarness, startDynamo } from './support/dynamo-harness.js';
import { floorScenario, truthGamingDay } from './support/floor-scenario.js';
import { batches, envelopeRecords, kinesisRecord } from './support/kinesis-batch.js';
import { playSession } from './support/play.js';

const tables = defaultTableNames();
const rating: RatingConfig = {
  timeZone: 'UTC',
  gamingDayStartHour: 6,
  adtTrips: 5,
  abandonedAfterMs: 30 * 60_000,
  tiers: { silver: 500, gold: 2_000, platinum: 10_000 },
};
const NOW = Date.UTC(2026, 10, 21, 12);
const silent = new Logger({ logLevel: 'SILENT' });

async function scan(harness: DynamoHarness, table: string) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await harness.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...((out.Items as Record<string, unknown>[]) ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Every session as the floor API sees it: projections overlaid with the players' live copies. */
async function allSessions(harness: DynamoHarness, players: readonly string[]) {
  const out: Record<string, unknown>[] = [];
  for (const token of players) {
    const page = await readPlayerSessions(harness.doc, tables, token, { limit: 1000 });
    out.push(...page.sessions.map(sessionToItem));
  }
  return out;
}

describe('slot processor against a simulated floor', () => {
  let harness: DynamoHarness;
  const scenario = floorScenario(42, { players: 6, days: 9 });
  const records = envelopeRecords(scenario.envelopes);
  const invocations = batches(records, 10);
  let handler: ReturnType<typeof createSlotHandler>;

  beforeAll(async () => {
    harness = await startDynamo();
    handler = createSlotHandler({ dynamo: harness.doc, rating, now: () => NOW });
    for (const event of invocations) {
      const response = await handler(event);
      expect(response.batchItemFailures).toEqual([]);
    }
  });
  afterAll(async () => harness?.close());

  it('GIVEN the whole floor WHEN processed THEN coin-in, games, win and theo per session equal the ground truth exactly', async () => {
    const sessions = await allSessions(harness, scenario.players);
    expect(sessions).toHaveLength(scenario.sessions.size);
    for (const item of sessions) {
      const truth = scenario.sessions.get(String(item.sessionId))!;
      expect(item.playerToken).toBe(truth.playerToken);
      expect(item.machineId).toBe(truth.machineId);
      expect(item.coinInCents).toBe(truth.coinInCents);
      expect(item.games).toBe(truth.games);
      expect(item.winCents).toBe(truth.winCents);
      expect(BigInt(item.theoMicros as number)).toBe(truth.theoMicros);
    }
  });

  it('GIVEN sessions ended in each way THEN card-outs close them, SMIB and left-in cards abandon them', async () => {
    const sessions = await allSessions(harness, scenario.players);
    const byPlayer = new Map<string, Record<string, unknown>[]>();
    for (const item of sessions)
      byPlayer.set(String(item.playerToken), [...(byPlayer.get(String(item.playerToken)) ?? []), item]);
    for (const item of sessions) {
      const truth = scenario.sessions.get(String(item.sessionId))!;
      const later = byPlayer.get(truth.playerToken)!.some((s) => String(s.sessionId) > truth.sessionId);
      const expected =
        truth.ending === 'removed' ? 'closed' : truth.ending === 'smib_abandoned' || later ? 'abandoned' : 'open';
      expect(item.state, `session ${truth.sessionId} ended ${truth.ending}`).toBe(expected);
    }
  });

  it('GIVEN each player THEN lifetime theo, trips and ADT over the last N trips follow the definition', async () => {
    const players = await scan(harness, tables.players);
    const rated = scenario.players.filter((token) => scenario.trips.has(token));
    expect(players.map((p) => p.playerToken).sort()).toEqual([...rated].sort());
    for (const item of players) {
      const token = String(item.playerToken);
      const trips = [...scenario.trips.get(token)!].sort(([a], [b]) => (a < b ? 1 : -1));
      const last = trips.slice(0, rating.adtTrips);
      const total = last.reduce((sum, [, micros]) => sum + micros, 0n);
      expect(item.adtCents).toBe(Number(total) / (last.length * 1_000_000));
      expect(item.tripsConsidered).toBe(last.length);
      const storedTrips = Object.keys(item)
        .filter((k) => k.startsWith('trip#'))
        .sort();
      expect(storedTrips).toEqual(last.map(([day]) => `trip#${day}`).sort());
      const lifetime = [...scenario.sessions.values()]
        .filter((s) => s.playerToken === token)
        .reduce((sum, s) => sum + s.theoMicros, 0n);
      expect(BigInt(item.lifetimeTheoMicros as number)).toBe(lifetime);
      const adt = item.adtCents as number;
      const tier = adt >= 10_000 ? 'platinum' : adt >= 2_000 ? 'gold' : adt >= 500 ? 'silver' : 'bronze';
      expect(item.tier).toBe(tier);
    }
    expect(truthGamingDay(Date.UTC(2026, 10, 2, 5, 59))).toBe('2026-11-01');
  });

  it('GIVEN a batch already processed WHEN Lambda replays it THEN no table changes at all', async () => {
    const before = await Promise.all(Object.values(tables).map((t) => scan(harness, t)));
    harness.writes.clear();
    for (const event of invocations.slice(3, 6)) expect((await handler(event)).batchItemFailures).toEqual([]);
    const after = await Promise.all(Object.values(tables).map((t) => scan(harness, t)));
    expect(after).toEqual(before);
    expect([...harness.writes.values()].reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('GIVEN events already applied WHEN they arrive again in a new envelope in another batch THEN ratings and sessions do not change', async () => {
    const before = await Promise.all([scan(harness, tables.players), scan(harness, tables.sessions)]);
    const again = scenario.envelopes.slice(5, 25).flatMap((e) => e.events.filter((ev) => ev.type === 'game_played'));
    const replayed = envelopeRecords([
      { stream: 'slot', property: 'prop-1', core: 'core-a', seq: 100_000, events: again },
    ]);
    expect((await handler({ Records: replayed })).batchItemFailures).toEqual([]);
    const after = await Promise.all([scan(harness, tables.players), scan(harness, tables.sessions)]);
    expect(after).toEqual(before);
  });
});

describe('slot processor failure handling', () => {
  let harness: DynamoHarness;
  beforeAll(async () => {
    harness = await startDynamo();
  });
  afterAll(async () => harness?.close());

  it('GIVEN a player write fails once WHEN Lambda retries from the reported record THEN totals are still exact', async () => {
    const scenario = floorScenario(7, { players: 3, days: 2 });
    const records = envelopeRecords(scenario.envelopes);
    let failuresLeft = 2;
    harness.client.middlewareStack.add(
      (next, context) => async (args) => {
        const table = (args.input as { TableName?: string }).TableName;
        if (context.commandName === 'UpdateItemCommand' && table === tables.players && failuresLeft > 0) {
          failuresLeft -= 1;
          throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failSomeWrites' },
    );
    const handler = createSlotHandler({ dynamo: harness.doc, rating, now: () => NOW, logger: silent });
    // Emulate the event-source mapping: on a partial failure, resume at the earliest failed record.
    let position = 0;
    let retries = 0;
    while (position < records.length) {
      const batch = records.slice(position, position + 25);
      const { batchItemFailures } = await handler({ Records: batch } as KinesisStreamEvent);
      if (batchItemFailures.length === 0) {
        position += batch.length;
        continue;
      }
      retries += 1;
      const failedAt = Math.min(
        ...batchItemFailures.map((f) => batch.findIndex((r) => r.kinesis.sequenceNumber === f.itemIdentifier)),
      );
      expect(failedAt).toBeGreaterThanOrEqual(0);
      position += failedAt;
    }
    expect(retries).toBeGreaterThan(0);
    harness.client.middlewareStack.remove('failSomeWrites');
    const sessions = await allSessions(harness, scenario.players);
    expect(sessions).toHaveLength(scenario.sessions.size);
    for (const item of sessions) {
      const truth = scenario.sessions.get(String(item.sessionId))!;
      expect(item.coinInCents).toBe(truth.coinInCents);
      expect(BigInt(item.theoMicros as number)).toBe(truth.theoMicros);
    }
  });

  it('GIVEN the applied-event writes fail after the commits WHEN Lambda retries THEN the commit log repairs them and totals are exact', async () => {
    const scenario = floorScenario(9, { players: 3, days: 2 });
    const records = envelopeRecords(scenario.envelopes.map((e) => ({ ...e, core: 'core-m' })));
    let failuresLeft = 3;
    harness.client.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: { pk?: unknown } }).Key?.pk;
        const pk = typeof key === 'string' ? key : (key as { S?: string } | undefined)?.S;
        if (context.commandName === 'UpdateItemCommand' && pk?.startsWith('applied#') && failuresLeft > 0) {
          failuresLeft -= 1;
          throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failAppliedWrites' },
    );
    const handler = createSlotHandler({ dynamo: harness.doc, rating, now: () => NOW, logger: silent });
    let position = 0;
    let retries = 0;
    while (position < records.length) {
      const batch = records.slice(position, position + 25);
      const { batchItemFailures } = await handler({ Records: batch } as KinesisStreamEvent);
      if (batchItemFailures.length === 0) {
        position += batch.length;
        continue;
      }
      retries += 1;
      position += Math.min(
        ...batchItemFailures.map((f) => batch.findIndex((r) => r.kinesis.sequenceNumber === f.itemIdentifier)),
      );
    }
    harness.client.middlewareStack.remove('failAppliedWrites');
    expect(retries).toBeGreaterThan(0);
    const sessions = (await allSessions(harness, scenario.players)).filter((s) =>
      scenario.sessions.has(String(s.sessionId)),
    );
    expect(sessions).toHaveLength(scenario.sessions.size);
    for (const item of sessions) {
      const truth = scenario.sessions.get(String(item.sessionId))!;
      expect(item.games).toBe(truth.games);
      expect(BigInt(item.theoMicros as number)).toBe(truth.theoMicros);
    }
    const games = scenario.envelopes.flatMap((e) => e.events).filter((e) => e.type === 'game_played' && e.playerToken);
    const applied = await readAppliedEventIds(
      harness.doc,
      tables.ingest,
      games.map((g) => ({ playerToken: (g as { playerToken: string }).playerToken, eventId: g.eventId })),
    );
    expect(applied.size).toBe(games.length);
  });

  it('GIVEN a garbage record and a bad event beside good ones THEN the bad are dead-lettered and the good applied', async () => {
    const scenario = floorScenario(11, { players: 1, days: 1 });
    const [first, ...rest] = scenario.envelopes;
    const badEvent = { ...first!.events[0]!, eventId: 'not-a-uuid' };
    const withBad = { ...first!, core: 'core-z', events: [...first!.events, badEvent] };
    const good = envelopeRecords([withBad, ...rest.map((e) => ({ ...e, core: 'core-z' }))]);
    const garbage = kinesisRecord(Buffer.from('not an envelope'), 'core-z', NOW);
    const handler = createSlotHandler({ dynamo: harness.doc, rating, now: () => NOW, logger: silent });
    const response = await handler({ Records: [garbage, ...good] });
    expect(response.batchItemFailures).toEqual([]);
    const dead = (await scan(harness, tables.ingest)).filter((i) => i.pk === 'deadletter#slot-processor');
    expect(dead.map((d) => d.eventIndex ?? 'record').sort()).toEqual([first!.events.length, 'record']);
    const reasons = dead.map((d) => String(d.reason));
    expect(reasons.some((r) => r.includes('CRPE'))).toBe(true);
    expect(reasons.some((r) => r.startsWith('invalid_event: eventId'))).toBe(true);
    const sessions = (await allSessions(harness, scenario.players)).filter((s) =>
      scenario.sessions.has(String(s.sessionId)),
    );
    expect(sessions).toHaveLength(scenario.sessions.size);
    for (const item of sessions)
      expect(item.coinInCents).toBe(scenario.sessions.get(String(item.sessionId))!.coinInCents);
  });

  it('GIVEN a batch of many events for a few players THEN one conditional write per player, not per event', async () => {
    const scenario = floorScenario(5, { players: 3, days: 1 });
    const events = scenario.envelopes.flatMap((e) => e.events);
    const players = new Set(events.flatMap((e) => ('playerToken' in e && e.playerToken ? [e.playerToken] : [])));
    const handler = createSlotHandler({ dynamo: harness.doc, rating, now: () => NOW, logger: silent });
    harness.writesByTable.clear();
    await handler({
      Records: envelopeRecords([{ stream: 'slot', property: 'prop-1', core: 'core-w', seq: 0, events }]),
    });
    expect(events.length).toBeGreaterThan(30);
    expect(harness.writesByTable.get(`UpdateItemCommand ${tables.players}`)).toBe(players.size);
    // Applied events are recorded one write per player-minute bucket (plus the core's sequence state), not per event.
    const ratedTypes = new Set(['card_in', 'card_out', 'game_played', 'bill_in']);
    const rated = events.flatMap((e) => (ratedTypes.has(e.type) && 'playerToken' in e && e.playerToken ? [e] : []));
    const buckets = new Set(rated.map((e) => appliedBucketKey({ playerToken: e.playerToken!, eventId: e.eventId }).pk));
    expect(buckets.size).toBeLessThan(rated.length / 2);
    expect(harness.writesByTable.get(`UpdateItemCommand ${tables.ingest}`)).toBe(buckets.size + 1);
    expect(harness.writesByTable.get(`BatchWriteItemCommand ${tables.ingest}`)).toBeUndefined();
  });

  it('GIVEN a backlog of 1,200 events for one player in one batch THEN they are committed in chunks and counted exactly once', async () => {
    const play = playSession({
      playerToken: 'a'.repeat(64),
      machineId: 'slot-b',
      start: NOW - 86_400_000,
      games: 1_200,
      wagerCents: 25,
      hold: 0.0825,
    });
    const handler = createSlotHandler({ dynamo: harness.doc, rating, now: () => NOW, logger: silent });
    harness.writesByTable.clear();
    const event = {
      Records: envelopeRecords([
        { stream: 'slot' as const, property: 'prop-1', core: 'core-bl', seq: 0, events: play.events },
      ]),
    };
    expect((await handler(event)).batchItemFailures).toEqual([]);
    expect(harness.writesByTable.get(`UpdateItemCommand ${tables.players}`)).toBe(
      Math.ceil(play.events.length / MAX_EVENTS_PER_COMMIT),
    );
    await handler(event);
    const [session] = (await readPlayerSessions(harness.doc, tables, 'a'.repeat(64))).sessions;
    expect(session).toMatchObject({ games: 1_200, coinInCents: 30_000, theoMicros: 30_000 * 82_500 });
  });

  it('GIVEN envelopes with missing sequence numbers THEN the gaps are recorded per core', async () => {
    const scenario = floorScenario(3, { players: 1, days: 1 });
    const events = scenario.envelopes.flatMap((e) => e.events).slice(0, 3);
    const handler = createSlotHandler({ dynamo: harness.doc, rating, now: () => NOW });
    const records = envelopeRecords(
      [0, 1, 4, 9].map((seq, i) => ({
        stream: 'slot' as const,
        property: 'prop-1',
        core: 'core-gap',
        seq,
        events: [events[i % 3]!],
      })),
    );
    await handler({ Records: records });
    const ingest = await scan(harness, tables.ingest);
    const gaps = ingest.filter((i) => i.pk === 'gap#slot#core-gap').map((g) => [g.from, g.to]);
    expect(gaps).toEqual([
      [2, 3],
      [5, 8],
    ]);
    const state = ingest.find((i) => i.pk === 'seq#slot#core-gap')!;
    expect(state).toMatchObject({ lastSeq: 9, gaps: 2, missingEnvelopes: 6 });
  });
});

describe('slot processor write units in real time', () => {
  let harness: DynamoHarness;
  beforeAll(async () => {
    harness = await startDynamo();
  });
  afterAll(async () => harness?.close());

  it('GIVEN a regular with ten trips playing one event per batch THEN each player commit and each applied-event write bills one write unit', async () => {
    const playerToken = 'd'.repeat(64);
    const handler = createSlotHandler({ dynamo: harness.doc, rating, now: () => NOW, logger: silent });
    let seq = 0;
    const send = (events: readonly SlotEvent[]) =>
      handler({
        Records: envelopeRecords([
          { stream: 'slot' as const, property: 'prop-1', core: 'core-rt', seq: seq++, events },
        ]),
      });
    for (let day = 10; day >= 1; day -= 1) {
      const trip = playSession({
        playerToken,
        machineId: `slot-${day}`,
        start: NOW - day * 86_400_000,
        games: 5,
        wagerCents: 100,
        hold: 0.08,
        cardOut: true,
      });
      await send(trip.events);
    }
    const units: Record<string, number[]> = {};
    harness.client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { TableName?: string; ReturnConsumedCapacity?: string };
        if (context.commandName !== 'UpdateItemCommand') return next(args);
        input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
        const table = String(input.TableName);
        units[table] = [...(units[table] ?? []), consumed?.CapacityUnits ?? 0];
        return result;
      },
      { step: 'serialize', priority: 'high', name: 'recordUnits' },
    );
    const today = playSession({
      playerToken,
      machineId: 'slot-rt',
      start: NOW - 3_600_000,
      games: 40,
      wagerCents: 100,
      hold: 0.08,
    });
    for (const event of today.events) expect((await send([event])).batchItemFailures).toEqual([]);
    harness.client.middlewareStack.remove('recordUnits');

    const player = (await scan(harness, tables.players)).find((p) => p.playerToken === playerToken)!;
    expect(Object.keys(player).filter((k) => k.startsWith('trip#'))).toHaveLength(rating.adtTrips);
    expect(units[tables.players]).toHaveLength(today.events.length);
    expect(Math.max(...units[tables.players]!)).toBe(1);
    expect(Math.max(...units[tables.ingest]!)).toBe(1);
  });
});
