import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DecodedEnvelope } from '@croupier/contracts';
import type { KinesisStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { streamById } from '../../definitions/streams.js';
import { decodeKinesisRecord } from '../common/kinesis-envelopes.js';
import type { KpiStore } from './kpi-store.js';
import { emptyWindowState, foldEnvelopes, WindowState, windowKpis } from './window-state.js';

/** The tumbling-window fields Lambda adds to a Kinesis event. */
export const TumblingWindow = z.object({
  window: z.object({ start: z.iso.datetime(), end: z.iso.datetime() }),
  state: z.record(z.string(), z.unknown()).nullish(),
  shardId: z.string().min(1),
  eventSourceARN: z.string().optional(),
  isFinalInvokeForWindow: z.boolean(),
  isWindowTerminatedEarly: z.boolean().optional(),
});
export type TumblingWindowEvent = KinesisStreamEvent & z.infer<typeof TumblingWindow>;

/** Which stream a KPI function reads: slot play, or the device streams (for open alerts and faults). */
export type KpiSource = 'slot' | 'shuffler';

/** KPI names as stored and as the API serves them. */
export const KPI_METRICS = {
  coinInPerMinute: (zone: string) => `coin_in_per_minute#${zone}`,
  gamesPerMinute: 'games_per_minute',
  activeCardedPlayers: 'active_carded_players',
  openAlerts: 'open_alerts',
  shufflerFaults: 'shuffler_faults',
} as const;

export interface KpiWindowPorts {
  readonly source: KpiSource;
  readonly store: KpiStore;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly openAlerts: () => Promise<number>;
  readonly now: () => number;
}

/**
 * One invocation of a tumbling-window KPI function. Until the window's final invocation the
 * records are folded into the state Lambda carries; the final invocation turns the state into KPIs,
 * publishes them as CloudWatch metrics (embedded metric format, timestamped at the window start)
 * and stores them for the floor API.
 */
export async function handleKpiWindow(
  event: TumblingWindowEvent,
  ports: KpiWindowPorts,
): Promise<{ state: Record<string, unknown>; batchItemFailures: { itemIdentifier: string }[] }> {
  const window = TumblingWindow.parse(event);
  const prior = WindowState.safeParse(window.state ?? {});
  if (!prior.success)
    ports.logger.warn('window state unreadable; starting the window afresh', { shardId: window.shardId });
  const envelopes: DecodedEnvelope[] = [];
  // Every envelope stream the Kinesis stream carries is read; the fold counts only what it knows.
  const carried = streamById(ports.source === 'slot' ? 'slotEvents' : 'shufflerTelemetry').carries;
  let refused = 0;
  for (const [index, record] of (event.Records ?? []).entries()) {
    const decoded = decodeKinesisRecord(record, index, carried);
    if (decoded.record) envelopes.push(decoded.record.envelope);
    refused += decoded.deadLetters.length;
  }
  // Bad records are dead-lettered by the processors reading the same stream; here they are only counted.
  if (refused > 0) ports.logger.warn('records refused by the KPI window', { refused, shardId: window.shardId });
  const state = foldEnvelopes(prior.success ? prior.data : emptyWindowState(), envelopes);
  if (!window.isFinalInvokeForWindow) return { state, batchItemFailures: [] };

  const startMs = Date.parse(window.window.start);
  const kpis = windowKpis(state, Date.parse(window.window.end) - startMs);
  const now = ports.now();
  const start = window.window.start;
  if (ports.source === 'slot') {
    for (const [zone, value] of Object.entries(kpis.coinInPerMinuteByZone)) {
      await ports.store.putShardContribution(KPI_METRICS.coinInPerMinute(zone), start, window.shardId, value, now);
      ports.metrics
        .singleMetric()
        .setTimestamp(startMs)
        .addDimension('Zone', zone)
        .addMetric('CoinInCentsPerMinute', MetricUnit.Count, value);
    }
    await ports.store.putShardContribution(KPI_METRICS.gamesPerMinute, start, window.shardId, kpis.gamesPerMinute, now);
    await ports.store.putShardContribution(
      KPI_METRICS.activeCardedPlayers,
      start,
      window.shardId,
      kpis.activeCardedPlayers,
      now,
    );
    ports.metrics.addMetric('GamesPerMinute', MetricUnit.Count, kpis.gamesPerMinute);
    ports.metrics.addMetric('ActiveCardedPlayers', MetricUnit.Count, kpis.activeCardedPlayers);
  } else {
    const open = await ports.openAlerts();
    await ports.store.putValue(KPI_METRICS.openAlerts, start, open, now);
    await ports.store.putShardContribution(KPI_METRICS.shufflerFaults, start, window.shardId, kpis.shufflerFaults, now);
    ports.metrics.addMetric('OpenAlerts', MetricUnit.Count, open);
    ports.metrics.addMetric('ShufflerFaultReadings', MetricUnit.Count, kpis.shufflerFaults);
  }
  ports.metrics.setTimestamp(startMs);
  ports.metrics.publishStoredMetrics();
  return { state: {}, batchItemFailures: [] };
}
