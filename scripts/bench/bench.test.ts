import { matchesTopicFilter } from '@croupier/contracts';
import { describe, expect, it } from 'vitest';
import { costScenarios } from './cost-inputs.js';
import { type CostInputs, costModel } from './cost-model.js';
import type { BenchFigures } from './figures.js';
import { PRICES } from './prices.js';
import { parseProcStatTicks, parseProcStatus } from './proc-stats.js';
import { REFERENCE_FLOOR } from './reference-floor.js';
import { renderBenchmarks } from './render.js';
import type { SlotDeployment } from './slot-deployment.js';

/** Dollar amounts are sums of products of decimal prices: equal to 12 decimal places is exact here. */
const EXACT = 12;

const inputs: CostInputs = {
  events: 1_000_000,
  slotEventsPerMonth: 100_000_000,
  hoursPerMonth: 730,
  croupier: {
    envelopesPerEvent: 0.01,
    iotUnitsPerEvent: 0.01,
    rulesPerEnvelope: 1,
    actionsPerEnvelope: 1,
    kinesisUnitsPerEvent: 0.01,
    firehoseBilledBytesPerEvent: 51.2,
    shards: 2,
    extendedRetention: true,
    consumers: [{ id: 'SlotProcessor', memoryMb: 1024, recordsPerInvocation: 10, msPerEvent: 2 }],
    writeRequestUnitsPerEvent: 1.2,
  },
  perEventApi: { memoryMb: 1024, billedMsPerInvocation: 2, writeRequestUnitsPerEvent: 1.2 },
  batchedKinesis: { eventsPerRequest: 100, eventBytes: 400, shards: 1 },
};

const deployment: SlotDeployment = {
  shards: 2,
  retentionHours: 72,
  rulesPerEnvelope: 1,
  actionsPerEnvelope: 1,
  consumers: [
    { id: 'SlotProcessor', memoryMb: 1024, batchSize: 200, batchingWindowSeconds: 1 },
    { id: 'SlotKpiWindow', memoryMb: 512, batchSize: 1000, batchingWindowSeconds: 5 },
  ],
  uplinkMaxDelayMs: 2_000,
  uplinkBudgetBytes: 20_224,
};

const rates = (records: number, seconds: number) => ({
  invocations: 10,
  median: records / seconds,
  p10: records / seconds / 2,
  records,
  seconds,
});

const figures: BenchFigures = {
  run: {
    command: 'npm run bench',
    quick: false,
    startedAt: '2026-11-22T03:00:00.000Z',
    finishedAt: '2026-11-22T03:09:00.000Z',
    node: 'v20.20.2',
    cpuModel: 'Test CPU',
    cpus: 2,
    memoryBytes: 8 * 2 ** 30,
    loadAtStart: [7.5, 6.25, 5],
    loadAtEnd: [8, 7, 6],
  },
  polling: {
    measured: true,
    seconds: 14,
    figures: {
      shufflers: 64,
      perGateway: 8,
      seconds: 10,
      intervalMs: 100,
      gateways: 8,
      targetPollsPerSecond: 640,
      okPollsPerSecond: 630.5,
      failedPollsPerSecond: 0,
      skippedPollsPerSecond: 2,
      modbusRequestsPerSecond: 631,
      telemetryPerSecond: 40,
      cpuPercentOfOneCore: 30,
      cpuMicrosecondsPerPoll: 480,
      rssBytes: 130e6,
    },
  },
  inference: { measured: false, reason: 'failed (exit 1): model training ran out of memory' },
  uplink: {
    measured: true,
    seconds: 50,
    figures: {
      events: 20_000,
      meanEventJsonBytes: 367.6,
      sizing: [
        {
          compression: 'brotli',
          billingUnits: 4,
          envelopes: 18,
          eventsPerEnvelope: 1111.1,
          bytesPerEvent: 17.4,
          unitsPer1000Events: 3.45,
          batchingEventsPerSecond: 4000,
        },
      ],
      samples: [{ events: 21, bytes: 1_500 }],
      endToEnd: {
        compression: 'brotli',
        billingUnits: 4,
        fsync: 'always',
        seconds: 6.5,
        eventsPerSecond: 3_076.9,
        envelopes: 20,
        wireBytesPerEvent: 17.8,
        unitsPer1000Events: 4,
        meteredUnitsPer1000Events: 4,
        kinesisUnitsPer1000Events: 1,
        firehoseBilledBytesPerEvent: 20.48,
        processCpuMsPer1000Events: 300,
        rssBytes: 180e6,
      },
    },
  },
  rules: { measured: false, reason: 'stopped after 360 s' },
  dataPlane: { measured: false, reason: 'stopped after 360 s' },
  processors: {
    measured: true,
    seconds: 20,
    figures: {
      batchSize: 100,
      slotEvents: 4_000,
      slotEnvelopes: 1_000,
      slot: rates(1_000, 8),
      slotReplay: rates(500, 2),
      shuffler: rates(600, 3),
      kpiWindow: rates(1_000, 0.4),
      offersPublished: 3,
      offerDecisionsByReason: { 'milestone reached': 3 },
      writesByCommand: { PutItemCommand: 600 },
      writeRequests: 600,
      writeRequestsPer1000Events: 150,
      writeRequestUnits: 4_800,
      writeRequestUnitsPer1000Events: 1_200,
      replayWriteRequests: 0,
      replayWritesByCommand: {},
      shufflerReadings: 6_000,
      timeSeriesRecords: 6_000,
    },
  },
  latency: {
    measured: false,
    reason: 'the end-to-end latency benchmark is not in this checkout yet',
  },
  floor: {
    measured: true,
    seconds: 60,
    figures: {
      sampleSeconds: 20,
      shufflers: 8,
      machines: 16,
      processes: [
        { name: 'start command', pid: 100, rssBytes: 400e6, peakRssBytes: 450e6, cpuPercentOfOneCore: 40 },
        { name: 'com.croupier.Uplink', pid: 101, rssBytes: 90e6, peakRssBytes: 95e6, cpuPercentOfOneCore: 3.5 },
      ],
    },
  },
};

describe('GIVEN the cost model with fixed inputs and the list prices', () => {
  const [croupier, perEvent, batched] = costModel(inputs, PRICES);
  const usd = (path: typeof croupier, item: string) => path!.lines.find((l) => l.item.startsWith(item))!.usd;

  it('WHEN Croupier’s path is priced THEN every line is quantity × list price', () => {
    expect(usd(croupier, 'IoT Core messages')).toBeCloseTo(0.01, EXACT); // 10,000 units × $1/M
    expect(usd(croupier, 'IoT rules triggered')).toBeCloseTo(0.0015, EXACT); // 10,000 × $0.15/M
    expect(usd(croupier, 'IoT rule actions')).toBeCloseTo(0.0015, EXACT);
    expect(usd(croupier, 'Kinesis PUT payload units')).toBeCloseTo(0.00014, EXACT); // 10,000 × $0.014/M
    expect(usd(croupier, 'Kinesis shard-hours')).toBeCloseTo(0.219, EXACT); // 2 × 730 h × 1 M / 100 M × $0.015
    expect(usd(croupier, 'Kinesis extended retention')).toBeCloseTo(0.292, EXACT); // 14.6 shard-h × $0.02
    expect(usd(croupier, 'Firehose ingestion')).toBeCloseTo((51.2e6 / 2 ** 30) * 0.029, EXACT);
    expect(usd(croupier, 'Lambda SlotProcessor: invocations')).toBeCloseTo(0.0002, EXACT); // 10,000 / 10 × $0.20/M
    expect(usd(croupier, 'Lambda SlotProcessor: GB-s')).toBeCloseTo(0.0266668, EXACT); // 2,000 GB-s × $0.0000133334
    expect(usd(croupier, 'DynamoDB write request units')).toBeCloseTo(0.75, EXACT); // 1.2 M × $0.625/M
    expect(croupier!.totalUsd).toBeCloseTo(
      0.01 + 0.0015 + 0.0015 + 0.00014 + 0.219 + 0.292 + (51.2e6 / 2 ** 30) * 0.029 + 0.0002 + 0.0266668 + 0.75,
      EXACT,
    );
    expect(croupier!.byCategory.state).toBeCloseTo(0.75, EXACT);
  });

  it('WHEN the per-event API Gateway path is priced THEN it pays a request and an invocation per event', () => {
    expect(perEvent!.lines.map((l) => l.usd)).toEqual([3.5, 0.2, expect.any(Number), 0.75]);
    expect(usd(perEvent, 'Lambda GB-s')).toBeCloseTo(0.0266668, EXACT);
    expect(perEvent!.totalUsd).toBeCloseTo(4.4766668, EXACT);
  });

  it('WHEN batches of 100 to Kinesis are priced THEN requests are per batch and records per event', () => {
    expect(usd(batched, 'API Gateway REST requests')).toBeCloseTo(0.035, EXACT); // 10,000 × $3.50/M
    expect(usd(batched, 'Kinesis PUT payload units')).toBeCloseTo(0.014, EXACT); // 1 M × $0.014/M
    expect(usd(batched, 'Kinesis shard-hours')).toBeCloseTo(0.1095, EXACT); // 7.3 shard-h × $0.015
    expect(usd(batched, 'Firehose ingestion')).toBeCloseTo((5.12e9 / 2 ** 30) * 0.029, EXACT); // 1 M × 5 KB
    expect(batched!.totalUsd).toBeCloseTo(0.035 + 0.014 + 0.1095 + (5.12e9 / 2 ** 30) * 0.029, EXACT);
    expect(batched!.byCategory.state).toBe(0);
  });
});

describe('GIVEN one run’s Uplink and processor figures', () => {
  it('WHEN cost inputs are derived THEN the reference floor uses the envelope it fills within the batching delay', () => {
    const [reference, saturated] = costScenarios(
      figures.uplink.measured ? figures.uplink.figures : (undefined as never),
      figures.processors.measured ? figures.processors.figures : (undefined as never),
      deployment,
      REFERENCE_FLOOR,
    );
    // 272.16 M events / 30 days / 10 cores = 10.5 events/s per core × 2 s = 21 events per envelope.
    expect(reference!.inputs.croupier.envelopesPerEvent).toBe(1 / 21);
    expect(reference!.inputs.croupier.iotUnitsPerEvent).toBe(1 / 21); // 1,500 B + topic < 5 KB
    expect(reference!.inputs.croupier.firehoseBilledBytesPerEvent).toBe(5_120 / 21);
    expect(reference!.inputs.croupier.writeRequestUnitsPerEvent).toBe(1.2);
    expect(reference!.inputs.croupier.consumers[0]).toEqual({
      id: 'SlotProcessor',
      memoryMb: 1024,
      // 105 events/s / 21 per envelope / 2 shards × 1 s window
      recordsPerInvocation: 272_160_000 / (30 * 86_400) / 21 / 2,
      msPerEvent: 2, // 8 s over 4,000 events
    });
    expect(reference!.inputs.perEventApi.billedMsPerInvocation).toBe(2);
    expect(reference!.inputs.batchedKinesis).toEqual({ eventsPerRequest: 100, eventBytes: 368, shards: 1 });
    expect(saturated!.inputs.croupier.envelopesPerEvent).toBe(20 / 20_000);
    expect(saturated!.inputs.croupier.iotUnitsPerEvent).toBe(0.004);
    expect(saturated!.inputs.croupier.consumers.map((c) => c.recordsPerInvocation)).toEqual([200, 1000]);
  });
});

describe('GIVEN a figures object', () => {
  const render = () => renderBenchmarks({ figures, deployment, prices: PRICES, floor: REFERENCE_FLOOR });

  it('WHEN BENCHMARKS.md is rendered THEN it states the run, the load and the measured figures', () => {
    const text = render();
    expect(text).toBe(render());
    expect(text).toContain('one run of `npm run bench` on this machine, 2026-11-22T03:00:00.000Z');
    expect(text).toContain('load average 7.5 / 6.25 / 5 (1 / 5 / 15 min) at the start and 8 / 7 / 6 at the end');
    expect(text).toContain(
      '| Edge polling (ShufflerMonitor) | 630.5 polls/s of 640 wanted, 30.0 % of one core, 130 MB RSS |',
    );
    expect(text).toContain(
      '| DynamoDB writes per 1,000 slot events | 150.0 write requests = 1,200 write request units |',
    );
    expect(text).toContain('| com.croupier.Uplink | 90 MB | 95 MB | 3.5 |');
  });

  it('WHEN a benchmark has no figures THEN the file says so instead of giving a number', () => {
    const text = render();
    expect(text).toContain(
      '| End-to-end latency p50 / p99 | **not measured in this run: the end-to-end latency benchmark is not in this checkout yet** |',
    );
    expect(text).toContain('- inference: failed (exit 1): model training ran out of memory');
    expect(text).toContain('- rules: stopped after 360 s');
  });

  it('WHEN the cost model renders THEN its totals are the model’s and every list price names region and source', () => {
    const text = render();
    const [reference] = costScenarios(
      figures.uplink.measured ? figures.uplink.figures : (undefined as never),
      figures.processors.measured ? figures.processors.figures : (undefined as never),
      deployment,
      REFERENCE_FLOOR,
    );
    const [croupier, perEvent] = costModel(reference!.inputs, PRICES);
    expect(text).toContain(
      `Croupier $${croupier!.totalUsd.toFixed(4)}; per-event API Gateway $${perEvent!.totalUsd.toFixed(4)}`,
    );
    for (const price of Object.values(PRICES)) expect(text).toContain(price.source);
    expect(text).toContain('### List prices used (us-east-1, on-demand, USD)');
  });

  it('WHEN the latency benchmark ran THEN its percentiles are in the headline', () => {
    const summary = (p50Ms: number, p99Ms: number, samples: number) => ({ samples, p50Ms, p99Ms, maxMs: p99Ms });
    const text = renderBenchmarks({
      figures: {
        ...figures,
        latency: {
          measured: true,
          seconds: 120,
          figures: {
            rating: summary(850, 2_400, 300),
            offer: summary(900, 1_900, 4),
            gamesPublished: 320,
            offersShown: 4,
            pollMs: 100,
            measuredSeconds: 90,
            machinesPlaying: 16,
            slotTimeScale: 60,
          },
        },
      },
      deployment,
      prices: PRICES,
      floor: REFERENCE_FLOOR,
    });
    expect(text).toContain(
      '| End-to-end latency (local floor) | SMIB game event → rating in DynamoDB: p50 850 ms, p99 2,400 ms (300 events); offer-earning event → machine display: p50 900 ms, p99 1,900 ms (4 offers) |',
    );
    expect(text).not.toContain('- latency:');
  });

  it('WHEN the Uplink benchmark failed THEN no cost is computed', () => {
    const text = renderBenchmarks({
      figures: { ...figures, uplink: { measured: false, reason: 'stopped after 360 s' } },
      deployment,
      prices: PRICES,
      floor: REFERENCE_FLOOR,
    });
    expect(text).toContain('Not computed: it needs the Uplink and processor figures of this run');
    expect(text).not.toContain('### Summary');
  });
});

describe('GIVEN /proc text and MQTT topic filters', () => {
  it('WHEN /proc/<pid>/status and stat are parsed THEN RSS, peak RSS and CPU ticks come out', () => {
    expect(parseProcStatus('Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n')).toEqual({
      rssBytes: 102_400 * 1024,
      peakRssBytes: 204_800 * 1024,
    });
    const stat = '4242 (node (tsx) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 25 0 0 20 0 11 0 100 0 0';
    expect(parseProcStatTicks(stat)).toBe(175);
  });

  it('WHEN a slot topic is matched against rule filters THEN only the slot rule matches', () => {
    expect(matchesTopicFilter('croupier/+/+/slot', 'croupier/desert-palms/floor-core-10/slot')).toBe(true);
    expect(matchesTopicFilter('croupier/+/+/shuffler', 'croupier/desert-palms/floor-core-10/slot')).toBe(false);
    expect(matchesTopicFilter('croupier/#', 'croupier/desert-palms/floor-core-10/slot')).toBe(true);
    expect(matchesTopicFilter('croupier/+/+', 'croupier/desert-palms/floor-core-10/slot')).toBe(false);
  });
});
