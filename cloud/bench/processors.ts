/**
 * Throughput of the processors against a real dynalite, and DynamoDB write requests per 1,000 slot
 * events (counted with a middleware on the real client). Run once, briefly: `npx tsx cloud/bench/processors.ts`.
 * Figures are for comparing within one run on one machine; dynalite is far slower than DynamoDB.
 * `benchProcessors` returns the same figures, plus write request units, to `npm run bench`.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
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
import { type DynamoHarness, startDynamo } from '../test/processing/support/dynamo-harness.js';
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

/** Throughput of one handler over a list of Kinesis invocations. */
export interface InvocationRates {
  readonly invocations: number;
  /** Kinesis records per second per invocation. */
  readonly median: number;
  readonly p10: number;
  readonly records: number;
  /** Wall time spent inside the handler over every invocation. */
  readonly seconds: number;
}

async function timeInvocations(
  events: KinesisStreamEvent[],
  run: (e: KinesisStreamEvent) => Promise<unknown>,
): Promise<InvocationRates> {
  const rates: number[] = [];
  let seconds = 0;
  for (const event of events) {
    const start = performance.now();
    await run(event);
    const elapsed = (performance.now() - start) / 1000;
    seconds += elapsed;
    rates.push(event.Records.length / elapsed);
  }
  rates.sort((a, b) => a - b);
  return {
    invocations: rates.length,
    median: rates[Math.floor(rates.length / 2)]!,
    p10: rates[Math.floor(rates.length * 0.1)]!,
    records: events.reduce((n, e) => n + e.Records.length, 0),
    seconds,
  };
}

/** What the processors benchmark measures. */
export interface ProcessorsBenchFigures {
  readonly batchSize: number;
  readonly slotEvents: number;
  readonly slotEnvelopes: number;
  readonly slot: InvocationRates;
  readonly slotReplay: InvocationRates;
  readonly shuffler: InvocationRates;
  readonly kpiWindow: InvocationRates;
  readonly offersPublished: number;
  readonly offerDecisionsByReason: Readonly<Record<string, number>>;
  /** Write requests by command name while the slot processor ran once over every batch. */
  readonly writesByCommand: Readonly<Record<string, number>>;
  readonly writeRequests: number;
  readonly writeRequestsPer1000Events: number;
  /**
   * Write request units: the capacity dynalite reports for each successful write (item size
   * rounded up to 1 KB, per item of a batch), plus one per write refused by its condition, which
   * DynamoDB also bills.
   */
  readonly writeRequestUnits: number;
  readonly writeRequestUnitsPer1000Events: number;
  readonly replayWriteRequests: number;
  readonly replayWritesByCommand: Readonly<Record<string, number>>;
  readonly shufflerReadings: number;
  readonly timeSeriesRecords: number;
}

/** Sums the write capacity DynamoDB (here dynalite) reports for every write sent through the harness client. */
function countWriteUnits(harness: DynamoHarness): { units: number } {
  const counter = { units: 0 };
  const writes = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
  harness.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!writes.has(String(context.commandName))) return next(args);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      try {
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : [])
          counter.units += Number((c as { CapacityUnits?: number }).CapacityUnits ?? 0);
        return result;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') counter.units += 1;
        throw error;
      }
    },
    { step: 'serialize', priority: 'high', name: 'countWriteRequestUnits' },
  );
  return counter;
}

/** Runs the slot, shuffler and KPI processors over a simulated floor against dynalite and returns the figures. */
export async function benchProcessors(): Promise<ProcessorsBenchFigures> {
  const harness = await startDynamo();
  const tables = defaultTableNames();
  const wru = countWriteUnits(harness);
  try {
    const scenario = floorScenario(2026, { players: 40, days: 4 });
    const slotEvents = scenario.envelopes.reduce((n, e) => n + e.events.length, 0);
    const slotInvocations = batches(envelopeRecords(scenario.envelopes), BATCH_SIZE);
    // The floor is replayed days after it was played: the offer stage's clock follows the replayed
    // play (the latest event of the batch in hand), or every offer would be refused as stale.
    const envelopeEnds = scenario.envelopes.map((e) => Math.max(...e.events.map((event) => event.eventTime)));
    const batchEnds = new Map(
      slotInvocations.map((batch, i) => [batch, Math.max(...envelopeEnds.slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE))]),
    );
    let replayedNow = 0;
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
      clock: () => replayedNow,
    });
    const handler = createSlotHandler({ dynamo: harness.doc, rating, offers, logger: silent, metrics: quietMetrics() });
    const slot = (event: KinesisStreamEvent) => {
      replayedNow = batchEnds.get(event) ?? replayedNow;
      return handler(event);
    };
    harness.writes.clear();
    wru.units = 0;
    const slotRate = await timeInvocations(slotInvocations, slot);
    const writes = Object.fromEntries(harness.writes);
    const totalWrites = [...harness.writes.values()].reduce((a, b) => a + b, 0);
    const slotUnits = wru.units;

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

    const decisions = ((await harness.doc.send(new ScanCommand({ TableName: tables.offers }))).Items ?? [])
      .filter((item) => String(item.offerId).startsWith('decision#'))
      .map((item) => String(item.reason).split(/[;:(]/)[0]!);
    return {
      batchSize: BATCH_SIZE,
      slotEvents,
      slotEnvelopes: scenario.envelopes.length,
      slot: slotRate,
      slotReplay: replay,
      shuffler: shufflerRate,
      kpiWindow: kpiRate,
      offersPublished: published,
      offerDecisionsByReason: Object.fromEntries(
        [...new Set(decisions)].map((r) => [r, decisions.filter((d) => d === r).length]),
      ),
      writesByCommand: writes,
      writeRequests: totalWrites,
      writeRequestsPer1000Events: (totalWrites / slotEvents) * 1000,
      writeRequestUnits: slotUnits,
      writeRequestUnitsPer1000Events: (slotUnits / slotEvents) * 1000,
      replayWriteRequests: replayWrites,
      replayWritesByCommand: replayDetail,
      shufflerReadings: telemetry.length,
      timeSeriesRecords: sunk,
    };
  } finally {
    await harness.close();
  }
}

async function main(): Promise<void> {
  const f = await benchProcessors();
  const row = (name: string, r: InvocationRates) =>
    `${name.padEnd(22)} ${String(r.invocations).padStart(5)} ${r.median.toFixed(0).padStart(10)} ${r.p10.toFixed(0).padStart(10)}`;
  console.log(`records per second per invocation (batch ${f.batchSize} Kinesis records; dynalite on loopback)`);
  console.log(`${'processor'.padEnd(22)} ${'inv'.padStart(5)} ${'median'.padStart(10)} ${'p10'.padStart(10)}`);
  console.log(row('slot processor', f.slot));
  console.log(row('slot processor replay', f.slotReplay));
  console.log(row('shuffler processor', f.shuffler));
  console.log(row('kpi window (fold)', f.kpiWindow));
  console.log('');
  console.log(`slot events: ${f.slotEvents} in ${f.slotEnvelopes} envelopes; offers published: ${f.offersPublished}`);
  console.log(`offer decisions by reason: ${JSON.stringify(f.offerDecisionsByReason)}`);
  console.log(`DynamoDB write requests: ${f.writeRequests} ${JSON.stringify(f.writesByCommand)}`);
  console.log(`DynamoDB write requests per 1,000 slot events: ${f.writeRequestsPer1000Events.toFixed(1)}`);
  console.log(
    `DynamoDB write requests replaying 5 batches already applied: ${f.replayWriteRequests} ${JSON.stringify(f.replayWritesByCommand)}`,
  );
  console.log(`shuffler: ${f.shufflerReadings} readings, ${f.timeSeriesRecords} time-series records to the sink`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
