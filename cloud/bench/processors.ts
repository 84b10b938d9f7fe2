/**
 * Throughput of the processors against a real dynalite, and DynamoDB write requests per 1,000 slot
 * events (counted with a middleware on the real client). Run once, briefly: `npx tsx cloud/bench/processors.ts`.
 * Figures are for comparing within one run on one machine; dynalite is far slower than DynamoDB.
 */
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ShufflerTelemetry } from '@croupier/contracts';
import type { KinesisStreamEvent } from 'aws-lambda';
import { defaultTableNames } from '../src/common/table-names.js';
import { createShufflerHandler } from '../src/handlers/shuffler-processor.js';
import { createSlotHandler } from '../src/handlers/slot-processor.js';
import { KpiStore } from '../src/kpi/kpi-store.js';
import { handleKpiWindow } from '../src/kpi/kpi-window.js';
import { DEFAULT_OFFER_CONFIG } from '../src/offers/offer-config.js';
import { createOfferStage } from '../src/offers/offer-stage-factory.js';
import { GamingDayCalendar } from '../src/rating/gaming-day.js';
import { DEFAULT_HEALTH_CONFIG } from '../src/shuffler-health/device-health.js';
import type { TimeSeriesRecord, TimeSeriesSink } from '../src/shuffler-health/time-series-sink.js';
import { startDynamo } from '../test/processing/support/dynamo-harness.js';
import { floorScenario } from '../test/processing/support/floor-scenario.js';
import { batches, envelopeRecords } from '../test/processing/support/kinesis-batch.js';
import { eventId } from '../test/processing/support/play.js';

const BATCH_SIZE = 100;
const silent = new Logger({ logLevel: 'SILENT' });
const quietMetrics = () => {
  const metrics = new Metrics({ namespace: 'CroupierBench' });
  metrics.publishStoredMetrics = () => {
    metrics.clearMetrics();
    return metrics;
  };
  return metrics;
};
const rating = {
  timeZone: 'UTC',
  gamingDayStartHour: 6,
  adtTrips: 10,
  abandonedAfterMs: 1_800_000,
  tiers: { silver: 5_000, gold: 25_000, platinum: 100_000 },
};

async function timeInvocations(events: KinesisStreamEvent[], run: (e: KinesisStreamEvent) => Promise<unknown>) {
  const rates: number[] = [];
  for (const event of events) {
    const start = performance.now();
    await run(event);
    rates.push(event.Records.length / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return {
    invocations: rates.length,
    median: rates[Math.floor(rates.length / 2)]!,
    p10: rates[Math.floor(rates.length * 0.1)]!,
  };
}

const harness = await startDynamo();
const tables = defaultTableNames();
try {
  const scenario = floorScenario(2026, { players: 40, days: 4 });
  const slotEvents = scenario.envelopes.reduce((n, e) => n + e.events.length, 0);
  const slotInvocations = batches(envelopeRecords(scenario.envelopes), BATCH_SIZE);
  let published = 0;
  const offers = createOfferStage({
    dynamo: harness.doc,
    tables,
    // Small stakes on the simulated floor: lower thresholds so the offer path is part of the measurement.
    config: {
      ...DEFAULT_OFFER_CONFIG,
      milestoneTheoCents: 100,
      minOfferCents: 50,
      cooldownMs: 600_000,
      minModelScore: 0.1,
    },
    publisher: {
      publish: async () => {
        published += 1;
      },
    },
    calendar: new GamingDayCalendar(rating.timeZone, rating.gamingDayStartHour),
  });
  const slot = createSlotHandler({ dynamo: harness.doc, rating, offers, logger: silent, metrics: quietMetrics() });
  harness.writes.clear();
  const slotRate = await timeInvocations(slotInvocations, slot);
  const writes = Object.fromEntries(harness.writes);
  const totalWrites = [...harness.writes.values()].reduce((a, b) => a + b, 0);

  harness.writes.clear();
  const replay = await timeInvocations(slotInvocations.slice(0, 5), slot);
  const replayWrites = [...harness.writes.values()].reduce((a, b) => a + b, 0);
  const replayDetail = Object.fromEntries(harness.writes);

  const telemetry: ShufflerTelemetry[] = Array.from({ length: 6_000 }, (_, i) => ({
    eventId: eventId(Date.UTC(2026, 10, 21) + i * 1_000),
    eventTime: Date.UTC(2026, 10, 21) + i * 1_000,
    schemaVersion: '1.0',
    type: 'shuffler_telemetry',
    deviceId: `shf-${i % 60}`,
    game: 'blackjack',
    counters: { shufflesTotal: i, misfeedsTotal: 0, jamsTotal: 0, cardCountErrorsTotal: 0 },
    gauges: {
      shufflesPerHour: 40,
      cycleTimeSeconds: 30,
      motorCurrentAmps: 1.4,
      temperatureCelsius: 40,
      hoursSinceService: 10 + i / 3600,
    },
    state: i % 997 === 0 ? 'fault' : 'shuffling',
    faultCode: i % 997 === 0 ? 'jam' : 'none',
    sensors: { inputTrayOptical: true, outputTrayOptical: true, cardCounter: true, doorClosed: true },
  }));
  const shufflerEnvelopes = Array.from({ length: 600 }, (_, i) => ({
    stream: 'shuffler' as const,
    property: 'prop-1',
    core: 'core-t',
    seq: i,
    events: telemetry.slice(i * 10, i * 10 + 10),
  }));
  let sunk = 0;
  const sink: TimeSeriesSink = {
    name: 'counting',
    write: async (records: readonly TimeSeriesRecord[]) => {
      sunk += records.length;
    },
  };
  const shuffler = createShufflerHandler({
    dynamo: harness.doc,
    sink,
    notifier: { notify: async () => {} },
    health: DEFAULT_HEALTH_CONFIG,
    logger: silent,
    metrics: quietMetrics(),
  });
  const shufflerRate = await timeInvocations(batches(envelopeRecords(shufflerEnvelopes), BATCH_SIZE), shuffler);

  const kpiPorts = {
    source: 'slot' as const,
    store: new KpiStore(harness.doc, tables.kpis),
    metrics: quietMetrics(),
    logger: silent,
    openAlerts: async () => 0,
    now: Date.now,
  };
  let state: Record<string, unknown> = {};
  const kpiRate = await timeInvocations(slotInvocations, async (event) => {
    const out = await handleKpiWindow(
      {
        ...event,
        window: { start: '2026-11-21T20:00:00Z', end: '2026-11-21T20:01:00Z' },
        state,
        shardId: 's0',
        isFinalInvokeForWindow: false,
      },
      kpiPorts,
    );
    state = out.state;
  });

  const row = (name: string, r: { invocations: number; median: number; p10: number }) =>
    `${name.padEnd(22)} ${String(r.invocations).padStart(5)} ${r.median.toFixed(0).padStart(10)} ${r.p10.toFixed(0).padStart(10)}`;
  console.log(`records per second per invocation (batch ${BATCH_SIZE} Kinesis records; dynalite on loopback)`);
  console.log(`${'processor'.padEnd(22)} ${'inv'.padStart(5)} ${'median'.padStart(10)} ${'p10'.padStart(10)}`);
  console.log(row('slot processor', slotRate));
  console.log(row('slot processor replay', replay));
  console.log(row('shuffler processor', shufflerRate));
  console.log(row('kpi window (fold)', kpiRate));
  console.log('');
  const decisions = ((await harness.doc.send(new ScanCommand({ TableName: tables.offers }))).Items ?? [])
    .filter((item) => String(item.offerId).startsWith('decision#'))
    .map((item) => String(item.reason).split(/[;:(]/)[0]);
  const byReason = Object.fromEntries([...new Set(decisions)].map((r) => [r, decisions.filter((d) => d === r).length]));
  console.log(`slot events: ${slotEvents} in ${scenario.envelopes.length} envelopes; offers published: ${published}`);
  console.log(`offer decisions by reason: ${JSON.stringify(byReason)}`);
  console.log(`DynamoDB write requests: ${totalWrites} ${JSON.stringify(writes)}`);
  console.log(`DynamoDB write requests per 1,000 slot events: ${((totalWrites / slotEvents) * 1000).toFixed(1)}`);
  console.log(
    `DynamoDB write requests replaying 5 batches already applied: ${replayWrites} ${JSON.stringify(replayDetail)}`,
  );
  console.log(`shuffler: ${telemetry.length} readings, ${sunk} time-series records to the sink`);
} finally {
  await harness.close();
}
