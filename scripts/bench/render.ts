import { type CostScenario, costScenarios, GAME_ANALYTICS_BATCH } from './cost-inputs.js';
import { costModel, type PathCost } from './cost-model.js';
import type { BenchFigures, Measured } from './figures.js';
import type { PriceList } from './prices.js';
import { eventsPerCorePerSecond, type ReferenceFloor } from './reference-floor.js';
import type { SlotDeployment } from './slot-deployment.js';

/** What BENCHMARKS.md is rendered from: the run's figures and the fixed context the cost model needs. */
export interface RenderInput {
  readonly figures: BenchFigures;
  readonly deployment: SlotDeployment;
  readonly prices: PriceList;
  readonly floor: ReferenceFloor;
}

const num = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes: number) => `${num(bytes / 1e6, 0)} MB`;
const usd = (value: number) => (value === 0 ? '$0' : `$${value < 0.01 ? value.toFixed(5) : value.toFixed(4)}`);
const table = (head: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []) => {
  const align = head.map((_, i) => (right.includes(i) ? '---:' : '---'));
  return [head, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
};
const unmeasured = (m: Measured<unknown>) => (m.measured ? '' : `not measured in this run: ${m.reason}`);

function costSection(input: RenderInput): { lines: string[]; headline: string[][] } {
  const { figures, deployment, prices, floor } = input;
  if (!figures.uplink.measured || !figures.processors.measured) {
    const why = [unmeasured(figures.uplink), unmeasured(figures.processors)].filter(Boolean).join('; ');
    return {
      lines: ['## Cost model', '', `Not computed: it needs the Uplink and processor figures of this run (${why}).`],
      headline: [['Cost per million slot events', `not computed (${why})`]],
    };
  }
  const scenarios: CostScenario[] = costScenarios(
    figures.uplink.figures,
    figures.processors.figures,
    deployment,
    floor,
  );
  const bills = scenarios.map((s) => ({ scenario: s, paths: costModel(s.inputs, prices) }));
  const reference = bills[0]!;
  const pathTable = (paths: readonly PathCost[]) =>
    table(
      ['path', 'line item', 'category', 'quantity', 'list price', '$ per million slot events'],
      paths.flatMap((p) => [
        ...p.lines.map((l) => [
          p.title,
          l.item,
          l.category,
          num(l.quantity, l.quantity < 10 ? 4 : 0),
          `$${prices[l.price].usd} per ${num(prices[l.price].per)} ${prices[l.price].unit}`,
          usd(l.usd),
        ]),
        [`**${p.title}**`, '**total**', '', '', '', `**${usd(p.totalUsd)}**`],
      ]),
      [3, 5],
    );
  const summary = table(
    ['scenario', 'path', 'ingest', 'compute', 'state (DynamoDB)', 'total'],
    bills.flatMap(({ scenario, paths }) =>
      paths.map((p) => [
        scenario.title,
        p.title,
        usd(p.byCategory.ingest),
        usd(p.byCategory.compute),
        usd(p.byCategory.state),
        `**${usd(p.totalUsd)}**`,
      ]),
    ),
    [2, 3, 4, 5],
  );
  const uplink = figures.uplink.figures;
  const processors = figures.processors.figures;
  const croupierRef = reference.paths.find((p) => p.id === 'croupier')!;
  const perEvent = reference.paths.find((p) => p.id === 'perEventApi')!;
  const batched = reference.paths.find((p) => p.id === 'batchedKinesis')!;
  const lines = [
    '## Cost model: dollars per million slot events',
    '',
    'Computed by `scripts/bench/cost-model.ts` from this run’s measurements, the definitions the CDK app deploys',
    '(`cloud/definitions/streams.ts`, `cloud/definitions/topic-rules.ts`, `PROCESSORS` in',
    '`cloud/infra/stacks/processing-stack.ts`) and Uplink’s recipe defaults. Nothing below is typed in by hand',
    'except the list prices and the reference floor’s traffic.',
    '',
    '**Inputs measured in this run**',
    '',
    `- Slot event: ${num(uplink.meanEventJsonBytes, 0)} B of JSON on average (Uplink benchmark events).`,
    `- Uplink envelopes (${uplink.endToEnd.compression}, ${uplink.endToEnd.billingUnits} × 5 KB budget): ${scenarios.map((s) => `${s.title}: ${s.envelope}`).join('; ')}.`,
    `- DynamoDB: ${num(processors.writeRequestUnitsPer1000Events, 0)} write request units per 1,000 slot events (${num(processors.writeRequestsPer1000Events, 1)} write requests; a batch write bills per item and per KB), slot processor over ${num(processors.slotEvents)} events in ${num(processors.slotEnvelopes)} envelopes against dynalite.`,
    `- Lambda duration: handler time per slot event measured against dynalite on this loaded machine (slot processor ${num((processors.slot.seconds * 1000) / processors.slotEvents, 3)} ms, KPI window ${num((processors.kpiWindow.seconds * 1000) / processors.slotEvents, 3)} ms). DynamoDB answers in single-digit ms, so these overstate Lambda GB-s for every path alike.`,
    '',
    '**Deployment read from the definitions**',
    '',
    `- Slot stream: ${deployment.shards} shards, ${deployment.retentionHours} h retention${deployment.retentionHours > 24 ? ' (extended retention billed)' : ''}; ${deployment.rulesPerEnvelope} IoT rule with ${deployment.actionsPerEnvelope} action per slot envelope.`,
    `- Slot stream consumers: ${deployment.consumers.map((c) => `${c.id} (${c.memoryMb} MB, batch ${c.batchSize}, window ${c.batchingWindowSeconds} s)`).join(', ')}. Reference-floor invocations carry what arrives per shard within the batching window (at least one record); busy-core ones carry a full batch.`,
    `- Uplink: envelopes close at ${num(deployment.uplinkBudgetBytes)} B or after ${num(deployment.uplinkMaxDelayMs)} ms.`,
    '',
    '**Assumptions**',
    '',
    `- Reference floor (docs/cost-estimate.md): ${num(floor.machines)} machines, ${num(floor.slotEventsPerMonth / 1e6, 1)} M slot events a month, ${floor.slotCores} slot cores (${num(eventsPerCorePerSecond(floor), 1)} events/s per core); shard-hours (${floor.hoursPerMonth} h a month) are spread over that traffic.`,
    '- Per-event API Gateway path (casino reference architecture): one REST request and one Lambda invocation per event, the same Lambda memory as the slot processor, billed for the measured handler time per event (Lambda rounds up to 1 ms), and the same DynamoDB writes as Croupier (same domain logic).',
    `- Batches of ${GAME_ANALYTICS_BATCH} (AWS game analytics pipeline): one REST request per ${GAME_ANALYTICS_BATCH} events, one Kinesis record per event, Firehose from the stream to S3 (each record billed as at least 5 KB), shards sized for ${floor.peakToAverage}× the average rate, 24 h retention. Its Lambda authorizer, Firehose transform Lambda and format conversion are left out, and it keeps no real-time state (no DynamoDB writes per event): its total is a lower bound and covers less than the other two paths.`,
    '- Not in any path: data transfer, CloudWatch, KMS, S3 storage and requests, Firehose dynamic partitioning, DynamoDB reads and storage, IoT connectivity and Greengrass per-core fees (fixed per core, not per event). First pricing tier everywhere; no free tier.',
    '',
    '### Summary',
    '',
    summary,
    '',
    `On the reference floor Croupier costs ${usd(croupierRef.totalUsd)} per million slot events against ${usd(perEvent.totalUsd)} for the per-event API Gateway path (${num(perEvent.totalUsd / croupierRef.totalUsd, 1)}×) and ${usd(batched.totalUsd)} for batches of ${GAME_ANALYTICS_BATCH} to Kinesis, which keeps no real-time state; getting events into AWS (ingest) costs Croupier ${usd(croupierRef.byCategory.ingest)} against ${usd(batched.byCategory.ingest)} and ${usd(perEvent.byCategory.ingest)}. ${num((croupierRef.byCategory.state / croupierRef.totalUsd) * 100)} % of Croupier’s bill is DynamoDB writes for real-time ratings and offers.`,
    '',
    ...bills.flatMap(({ scenario, paths }) => [`### ${scenario.title}`, '', pathTable(paths), '']),
    '### List prices used (us-east-1, on-demand, USD)',
    '',
    'Verification: **verified** = number read on an AWS page; **corroborated** = the AWS page did not render the number',
    'in the stored copy, a third-party transcription of it gives the same; **memory** = from the author’s knowledge,',
    'not checked in this run. Check every price against the linked page before relying on the totals.',
    '',
    table(
      ['service', 'item', 'price', 'verification', 'source', 'evidence'],
      Object.values(prices).map((p) => [
        p.service,
        p.item,
        `$${p.usd} per ${num(p.per)} ${p.unit}`,
        p.verification,
        p.source,
        p.evidence,
      ]),
    ),
  ];
  return {
    lines,
    headline: [
      [
        'Cost per million slot events (reference floor)',
        `Croupier ${usd(croupierRef.totalUsd)}; per-event API Gateway ${usd(perEvent.totalUsd)}; batches of ${GAME_ANALYTICS_BATCH} to Kinesis ${usd(batched.totalUsd)} (no real-time state)`,
      ],
    ],
  };
}

/** Renders BENCHMARKS.md from one run's figures. Pure: the same input gives the same text. */
export function renderBenchmarks(input: RenderInput): string {
  const { figures: f } = input;
  const run = f.run;
  const cost = costSection(input);
  const headline: string[][] = [];
  const sections: string[] = [];

  if (f.polling.measured) {
    const p = f.polling.figures;
    headline.push([
      'Edge polling (ShufflerMonitor)',
      `${num(p.okPollsPerSecond, 1)} polls/s of ${num(p.targetPollsPerSecond)} wanted, ${num(p.cpuPercentOfOneCore, 1)} % of one core, ${mb(p.rssBytes)} RSS`,
    ]);
    sections.push(
      '## Edge: ShufflerMonitor polling',
      '',
      `${p.shufflers} simulated shufflers behind ${p.gateways} Modbus TCP gateways (simulators in another process), status group every ${p.intervalMs} ms, measured for ${p.seconds} s.`,
      '',
      table(
        ['figure', 'value'],
        [
          ['polls/s ok (target)', `${num(p.okPollsPerSecond, 1)} (${num(p.targetPollsPerSecond)})`],
          ['polls/s failed / skipped', `${num(p.failedPollsPerSecond, 1)} / ${num(p.skippedPollsPerSecond, 1)}`],
          ['Modbus requests/s (merged reads)', num(p.modbusRequestsPerSecond, 1)],
          ['telemetry published/s (by exception)', num(p.telemetryPerSecond, 1)],
          ['CPU', `${num(p.cpuPercentOfOneCore, 1)} % of one core (${num(p.cpuMicrosecondsPerPoll)} µs per poll)`],
          ['RSS', mb(p.rssBytes)],
        ],
      ),
      '',
    );
  } else sections.push('## Edge: ShufflerMonitor polling', '', unmeasured(f.polling), '');

  if (f.inference.measured) {
    const i = f.inference.figures;
    headline.push([
      'Inference latency (FailurePredictor)',
      `p50 ${num(i.perReadingP50Ms, 3)} ms, p99 ${num(i.perReadingP99Ms, 3)} ms per reading`,
    ]);
    sections.push(
      '## Edge: FailurePredictor inference',
      '',
      `Baseline model ${i.modelVersion}, ${i.shufflers} shufflers with full windows (${i.windowReadings} readings each).`,
      '',
      table(
        ['figure', 'value'],
        [
          [
            'per reading (window + features + ONNX + hysteresis)',
            `p50 ${num(i.perReadingP50Ms, 3)} ms, p99 ${num(i.perReadingP99Ms, 3)} ms (${num(i.predictions)} predictions)`,
          ],
          ['ONNX batch of 64', `${num(i.onnxBatch64Ms, 3)} ms, ${num(i.onnxRowsPerSecond)} rows/s`],
          ['RSS', mb(i.rssBytes)],
        ],
      ),
      '',
    );
  } else sections.push('## Edge: FailurePredictor inference', '', unmeasured(f.inference), '');

  if (f.uplink.measured) {
    const u = f.uplink.figures;
    const e = u.endToEnd;
    headline.push([
      'Uplink',
      `${num(e.eventsPerSecond)} slot events/s end to end (fsync ${e.fsync}); ${num(e.wireBytesPerEvent, 1)} B and ${num(e.meteredUnitsPer1000Events / 1000, 5)} billable IoT units per event`,
    ]);
    sections.push(
      '## Edge: Uplink throughput, bytes and billable IoT units per event',
      '',
      `${num(u.events)} slot events, ${num(u.meanEventJsonBytes)} B of JSON each on average.`,
      '',
      'Envelope sizing (pure batching, no I/O):',
      '',
      table(
        [
          'compression',
          'target',
          'envelopes',
          'events/envelope',
          'bytes/event',
          'units/1,000 events',
          'batching events/s',
        ],
        u.sizing.map((r) => [
          r.compression,
          `${r.billingUnits} × 5 KB`,
          num(r.envelopes),
          num(r.eventsPerEnvelope),
          num(r.bytesPerEvent, 1),
          num(r.unitsPer1000Events, 2),
          num(r.batchingEventsPerSecond),
        ]),
        [2, 3, 4, 5, 6],
      ),
      '',
      `End to end through real aedes brokers over mutual TLS, fsynced spool (${e.compression}, ${e.billingUnits} × 5 KB budget):`,
      '',
      table(
        ['figure', 'value'],
        [
          [
            'events/s',
            `${num(e.eventsPerSecond)} (${num(u.events)} events in ${num(e.seconds, 2)} s, ${num(e.envelopes)} envelopes)`,
          ],
          ['bytes per event on the wire', num(e.wireBytesPerEvent, 1)],
          [
            'billable 5 KB IoT units per 1,000 events (payload / payload + topic)',
            `${num(e.unitsPer1000Events, 2)} / ${num(e.meteredUnitsPer1000Events, 2)}`,
          ],
          ['Kinesis PUT payload units per 1,000 events', num(e.kinesisUnitsPer1000Events, 2)],
          [
            'CPU per 1,000 events (whole process: Uplink, both brokers, publisher)',
            `${num(e.processCpuMsPer1000Events, 1)} ms`,
          ],
          ['RSS (same process)', mb(e.rssBytes)],
        ],
      ),
      '',
      ...u.samples.map(
        (s) =>
          `One envelope of ${s.events} events (the reference floor’s fill, see the cost model): ${num(s.bytes)} B.`,
      ),
      '',
    );
  } else sections.push('## Edge: Uplink', '', unmeasured(f.uplink), '');

  if (f.rules.measured) {
    const r = f.rules.figures;
    headline.push([
      'IoT rules → Kinesis (local IoT Core)',
      `${num(r.messagesPerSecond)} envelopes/s of ${num(r.payloadBytes)} B`,
    ]);
    sections.push(
      '## Cloud: local IoT Core rules to Kinesis',
      '',
      `${num(r.messages)} envelopes of ${num(r.payloadBytes)} B published over mTLS with QoS 1, policy-checked, routed by the rules engine and put into kinesalite: acknowledged in ${num(r.publishAckedSeconds, 2)} s, all in Kinesis after ${num(r.deliveredToKinesisSeconds, 2)} s = **${num(r.messagesPerSecond)} envelopes/s** (${r.delivered} delivered, ${r.failed} failed, RSS growth ${mb(r.rssGrowthBytes)}).`,
      '',
    );
  } else sections.push('## Cloud: local IoT Core rules to Kinesis', '', unmeasured(f.rules), '');

  if (f.dataPlane.measured) {
    const d = f.dataPlane.figures;
    sections.push(
      '## Cloud: local data plane (event source mapping, lake delivery)',
      '',
      table(
        ['stage', 'records', 'seconds', 'records/s', 'records per invocation'],
        [
          ...d.eventSourceMapping.map((m) => [
            `event source mapping, BatchSize ${m.batchSize}`,
            num(m.records),
            num(m.seconds, 2),
            num(m.recordsPerSecond),
            num(m.recordsPerInvocation, 1),
          ]),
          [
            'lake delivery (Firehose stand-in)',
            num(d.lake.records),
            num(d.lake.seconds, 2),
            num(d.lake.recordsPerSecond),
            `${d.lake.objects} objects`,
          ],
        ],
        [1, 2, 3, 4],
      ),
      '',
    );
  } else sections.push('## Cloud: local data plane', '', unmeasured(f.dataPlane), '');

  if (f.processors.measured) {
    const p = f.processors.figures;
    headline.push([
      'Cloud slot processor',
      `${num(p.slot.median)} Kinesis records/s per invocation (median), ${num(p.slotEvents / p.slot.seconds)} events/s against dynalite`,
    ]);
    headline.push([
      'DynamoDB writes per 1,000 slot events',
      `${num(p.writeRequestsPer1000Events, 1)} write requests = ${num(p.writeRequestUnitsPer1000Events)} write request units`,
    ]);
    const row = (name: string, r: typeof p.slot) => [
      name,
      num(r.invocations),
      num(r.median),
      num(r.p10),
      num(r.records / r.seconds),
    ];
    sections.push(
      '## Cloud: stream processors against dynalite',
      '',
      `Batches of ${p.batchSize} Kinesis records; ${num(p.slotEvents)} slot events in ${num(p.slotEnvelopes)} envelopes from the simulated floor. dynalite is far slower than DynamoDB: compare within the run.`,
      '',
      table(
        ['processor', 'invocations', 'records/s median', 'records/s p10', 'records/s overall'],
        [
          row('slot processor', p.slot),
          row('slot processor, replay of applied batches', p.slotReplay),
          row('shuffler processor', p.shuffler),
          row('KPI window (fold)', p.kpiWindow),
        ],
        [1, 2, 3, 4],
      ),
      '',
      table(
        ['figure', 'value'],
        [
          [
            'DynamoDB write requests per 1,000 slot events',
            `${num(p.writeRequestsPer1000Events, 1)} (${JSON.stringify(p.writesByCommand)})`,
          ],
          ['DynamoDB write request units per 1,000 slot events', num(p.writeRequestUnitsPer1000Events)],
          ['write requests replaying 5 batches already applied', num(p.replayWriteRequests)],
          ['offers published', `${p.offersPublished} (${JSON.stringify(p.offerDecisionsByReason)})`],
          ['shuffler readings → time-series records', `${num(p.shufflerReadings)} → ${num(p.timeSeriesRecords)}`],
        ],
      ),
      '',
    );
  } else sections.push('## Cloud: stream processors', '', unmeasured(f.processors), '');

  if (f.latency.measured) {
    const l = f.latency.figures;
    const ms = (value: number | null) => (value === null ? '—' : `${num(value)} ms`);
    headline.push([
      'End-to-end latency (local floor)',
      `SMIB game event → rating in DynamoDB: p50 ${ms(l.rating.p50Ms)}, p99 ${ms(l.rating.p99Ms)} (${num(l.rating.samples)} events); offer-earning event → machine display: p50 ${ms(l.offer.p50Ms)}, p99 ${ms(l.offer.p99Ms)} (${num(l.offer.samples)} offers)`,
    ]);
    sections.push(
      '## End-to-end latency',
      '',
      `test/bench/latency.ts on a local floor at ×${l.slotTimeScale} for ${num(l.measuredSeconds)} s (${num(l.gamesPublished)} games published, ${num(l.offersShown)} offers shown). Both ends are observed from outside the pipeline; DynamoDB is polled every ${l.pollMs} ms, which bounds the rating figure’s resolution.`,
      '',
      table(
        ['path', 'samples', 'p50', 'p99', 'max'],
        [
          [
            'SMIB game event → rating in DynamoDB',
            num(l.rating.samples),
            ms(l.rating.p50Ms),
            ms(l.rating.p99Ms),
            ms(l.rating.maxMs),
          ],
          [
            'offer-earning SMIB event → machine display',
            num(l.offer.samples),
            ms(l.offer.p50Ms),
            ms(l.offer.p99Ms),
            ms(l.offer.maxMs),
          ],
        ],
        [1, 2, 3, 4],
      ),
      '',
    );
  } else {
    headline.push(['End-to-end latency p50 / p99', `**${unmeasured(f.latency)}**`]);
    sections.push('## End-to-end latency', '', `**${unmeasured(f.latency)}** No figure is given in its place.`, '');
  }

  if (f.floor.measured) {
    const fl = f.floor.figures;
    const edge = fl.processes.filter((p) => p.name.startsWith('com.croupier.'));
    headline.push([
      'RSS of each component (local floor)',
      edge.map((p) => `${p.name.replace('com.croupier.', '')} ${mb(p.rssBytes)}`).join(', '),
    ]);
    sections.push(
      '## RSS and CPU of each process on the local floor',
      '',
      `\`npm start\` on a temporary state folder with its default scenarios (${fl.shufflers} shufflers, ${fl.machines} slot machines); VmRSS and VmHWM from /proc/<pid>/status of each process in <state>/floor.json, CPU from /proc/<pid>/stat over ${num(fl.sampleSeconds, 0)} s.`,
      '',
      table(
        ['process', 'RSS', 'peak RSS', 'CPU (% of one core)'],
        fl.processes.map((p) => [p.name, mb(p.rssBytes), mb(p.peakRssBytes), num(p.cpuPercentOfOneCore, 1)]),
        [1, 2, 3],
      ),
      '',
    );
  } else {
    headline.push(['RSS of each component', unmeasured(f.floor)]);
    sections.push('## RSS and CPU of each process on the local floor', '', unmeasured(f.floor), '');
  }

  const notMeasured = (Object.entries(f) as [string, Measured<unknown> | BenchFigures['run']][])
    .filter(([key, value]) => key !== 'run' && 'measured' in value && !value.measured)
    .map(([key, value]) => `- ${key}: ${(value as { reason: string }).reason}`);

  return [
    '# Benchmarks',
    '',
    `Every figure below comes from one run of \`${run.command}\` on this machine, ${run.startedAt} to ${run.finishedAt}${run.quick ? ' (**--quick** smoke run: shorter and smaller than a full run)' : ''}.`,
    `Reproduce with \`npm run bench\` (this run took ${num((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 60_000, 1)} minutes; \`npm run bench -- --quick\` is a short smoke run).`,
    '',
    `Machine: ${run.cpus} × ${run.cpuModel}, ${num(run.memoryBytes / 2 ** 30, 1)} GiB, Node ${run.node}. **The machine was shared with other work during the run:** load average ${run.loadAtStart.join(' / ')} (1 / 5 / 15 min) at the start and ${run.loadAtEnd.join(' / ')} at the end, on ${run.cpus} cores. Absolute rates are therefore low and noisy; ratios within the run are the figures to read. Each benchmark runs in its own process, one after the other.`,
    '',
    '## Headline',
    '',
    table(['what', 'figure'], [...headline, ...cost.headline]),
    '',
    ...sections,
    ...cost.lines,
    '',
    '## Not measured in this run',
    '',
    ...(notMeasured.length > 0 ? notMeasured : ['- Every benchmark of `npm run bench` produced figures.']),
    '- Not part of `npm run bench`: `simulators/bench/shuffler.ts` and `simulators/bench/slot.ts`, which measure how many devices the simulators can play, not Croupier.',
    '- No figure here comes from AWS itself: the cloud runs on its local stand-ins (aedes for IoT Core, kinesalite, dynalite, the local event source mapping and lake delivery). DynamoDB reads are not counted.',
    '',
  ].join('\n');
}
