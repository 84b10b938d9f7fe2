import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CoreHealth, ShufflerTelemetry, SlotEvent } from '@croupier/contracts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultTableNames } from '../../src/common/table-names.js';
import { KpiStore } from '../../src/kpi/kpi-store.js';
import { handleKpiWindow, type KpiWindowPorts, type TumblingWindowEvent } from '../../src/kpi/kpi-window.js';
import { countOpenAlerts } from '../../src/kpi/open-alerts.js';
import { type DynamoHarness, startDynamo } from './support/dynamo-harness.js';
import { envelopeRecords } from './support/kinesis-batch.js';
import { eventId } from './support/play.js';

const tables = defaultTableNames();
const START = '2026-11-21T20:00:00Z';
const END = '2026-11-21T20:02:00Z';
const T = Date.parse(START);

const game = (zone: string, wagerCents: number, playerToken?: string): SlotEvent => ({
  eventId: eventId(T + 1_000),
  eventTime: T + 1_000,
  schemaVersion: '1.0',
  machineId: `slot-${zone}`,
  type: 'game_played',
  gameId: 'g',
  paytableId: 'p',
  theoreticalHold: 0.08,
  denominationCents: 1,
  wagerCents,
  winCents: 0,
  location: { bank: 'b', zone, x: 1, y: 1 },
  ...(playerToken ? { playerToken, sessionId: eventId(T) } : {}),
});

const windowEvent = (
  shardId: string,
  records: ReturnType<typeof envelopeRecords>,
  state: Record<string, unknown>,
  final: boolean,
): TumblingWindowEvent => ({
  Records: records,
  window: { start: START, end: END },
  state,
  shardId,
  eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/slot-events',
  isFinalInvokeForWindow: final,
  isWindowTerminatedEarly: false,
});

/** Captures the EMF lines Powertools writes to stdout. */
function captureEmf() {
  const lines: Record<string, unknown>[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) if (line.includes('"_aws"')) lines.push(JSON.parse(line));
    return true;
  });
  return { lines, restore: () => spy.mockRestore() };
}

describe('KPI tumbling windows', () => {
  let harness: DynamoHarness;
  let ports: (source: 'slot' | 'shuffler') => KpiWindowPorts;

  beforeAll(async () => {
    harness = await startDynamo();
    ports = (source) => ({
      source,
      store: new KpiStore(harness.doc, tables.kpis),
      metrics: new Metrics({ namespace: 'Croupier', serviceName: `kpi-${source}` }),
      logger: new Logger({ logLevel: 'SILENT' }),
      openAlerts: () => countOpenAlerts(harness.doc, tables.alerts),
      now: () => T + 130_000,
    });
  });
  afterAll(async () => harness?.close());

  it('GIVEN play over a 2-minute window on two shards WHEN the windows close THEN per-minute KPIs are stored, summed across shards, and published as EMF', async () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    const first = envelopeRecords([
      { stream: 'slot', property: 'p', core: 'core-1', seq: 1, events: [game('main', 100, a), game('vip', 1_000, b)] },
    ]);
    const second = envelopeRecords([
      { stream: 'slot', property: 'p', core: 'core-1', seq: 2, events: [game('main', 300, a), game('main', 200)] },
    ]);
    const slot = ports('slot');
    const r1 = await handleKpiWindow(windowEvent('shard-0', first, {}, false), slot);
    // The first envelope delivered again (a retry) is not counted twice.
    const r2 = await handleKpiWindow(windowEvent('shard-0', [...first, ...second], r1.state, false), slot);
    expect(r2.state).toMatchObject({ coinInByZone: { main: 600, vip: 1_000 }, games: 4 });
    expect(r2.state.players).toHaveLength(2);

    const emf = captureEmf();
    const final = await handleKpiWindow(windowEvent('shard-0', [], r2.state, true), slot);
    const other = envelopeRecords([
      { stream: 'slot', property: 'p', core: 'core-2', seq: 1, events: [game('main', 400)] },
    ]);
    await handleKpiWindow(windowEvent('shard-1', other, {}, true), slot);
    emf.restore();
    expect(final).toEqual({ state: {}, batchItemFailures: [] });

    const store = new KpiStore(harness.doc, tables.kpis);
    const read = async (metric: string) => (await store.read(metric, START, END, { limit: 10 })).points;
    expect(await read('coin_in_per_minute#main')).toEqual([
      { metric: 'coin_in_per_minute#main', windowStart: START, value: 300 + 200 },
    ]);
    expect((await read('coin_in_per_minute#vip'))[0]!.value).toBe(500);
    expect((await read('games_per_minute'))[0]!.value).toBe(2 + 0.5);
    expect((await read('active_carded_players'))[0]!.value).toBe(2);

    const zones = emf.lines.filter((l) => 'Zone' in l).map((l) => [l.Zone, l.CoinInCentsPerMinute]);
    expect(zones).toEqual([
      ['main', 300],
      ['vip', 500],
      ['main', 200],
    ]);
    const summary = emf.lines.find((l) => 'GamesPerMinute' in l)!;
    expect(summary).toMatchObject({ GamesPerMinute: 2, ActiveCardedPlayers: 2, service: 'kpi-slot' });
    const aws = summary._aws as {
      Timestamp: number;
      CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[];
    };
    expect(aws.Timestamp).toBe(T);
    expect(aws.CloudWatchMetrics[0]!.Namespace).toBe('Croupier');
    expect(aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name).sort()).toEqual([
      'ActiveCardedPlayers',
      'GamesPerMinute',
    ]);

    // A retried final invocation rewrites its shard's contribution instead of adding it again.
    const quiet = captureEmf();
    await handleKpiWindow(windowEvent('shard-0', [], r2.state, true), slot);
    quiet.restore();
    expect((await read('coin_in_per_minute#main'))[0]!.value).toBe(500);
  });

  it('GIVEN open and resolved alerts WHEN the device window closes THEN open alerts are counted floor-wide', async () => {
    for (const [alertId, state] of [
      ['a1', 'raised'],
      ['a2', 'acknowledged'],
      ['a3', 'resolved'],
    ] as const) {
      await harness.doc.send(
        new PutCommand({ TableName: tables.alerts, Item: { deviceId: 'shf-9', alertId, state, raisedAt: START } }),
      );
    }
    const emf = captureEmf();
    await handleKpiWindow(windowEvent('shard-0', [], {}, true), ports('shuffler'));
    emf.restore();
    const points = (await new KpiStore(harness.doc, tables.kpis).read('open_alerts', START, END, { limit: 10 })).points;
    expect(points.map((p) => p.value)).toEqual([2]);
    expect(emf.lines.find((l) => 'OpenAlerts' in l)).toMatchObject({ OpenAlerts: 2 });
  });

  it('GIVEN core health beside shuffler telemetry on the shuffler stream WHEN the device window folds them THEN the fault is counted and nothing is refused', async () => {
    const telemetry: ShufflerTelemetry = {
      eventId: eventId(T + 2_000),
      eventTime: T + 2_000,
      schemaVersion: '1.0',
      type: 'shuffler_telemetry',
      deviceId: 'shf-1',
      game: 'blackjack',
      counters: { shufflesTotal: 10, misfeedsTotal: 0, jamsTotal: 1, cardCountErrorsTotal: 0 },
      gauges: {
        shufflesPerHour: 30,
        cycleTimeSeconds: 50,
        motorCurrentAmps: 1.2,
        temperatureCelsius: 35,
        hoursSinceService: 10,
      },
      state: 'fault',
      faultCode: 'jam',
      sensors: { inputTrayOptical: true, outputTrayOptical: true, cardCounter: true, doorClosed: true },
    };
    const health: CoreHealth = {
      eventId: eventId(T + 3_000),
      eventTime: T + 3_000,
      schemaVersion: '1.0',
      type: 'core_health',
      core: 'core-1',
      component: 'com.croupier.Uplink',
      componentVersion: '1.0.0',
      state: 'running',
      metrics: { 'spool.depth': 0 },
    };
    const records = [
      ...envelopeRecords([{ stream: 'shuffler', property: 'vegas', core: 'core-1', seq: 1, events: [telemetry] }]),
      ...envelopeRecords([{ stream: 'health', property: 'vegas', core: 'core-1', seq: 1, events: [health] }]),
    ];
    const shufflerPorts = ports('shuffler');
    const warn = vi.spyOn(shufflerPorts.logger, 'warn');
    const { state } = await handleKpiWindow(windowEvent('shard-1', records, {}, false), shufflerPorts);
    expect(state).toMatchObject({ faults: 1 });
    expect(warn).not.toHaveBeenCalled();
  });
});
