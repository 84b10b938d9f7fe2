import type { CoreHealth, StreamEvent } from '@croupier/contracts';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { streamById } from '../../definitions/streams.js';
import { forEachConcurrently } from '../common/concurrency.js';
import type { DeadLetterStore } from '../common/dead-letter-store.js';
import { decodeKinesisBatch } from '../common/kinesis-envelopes.js';
import type { SequenceStore } from '../ingest/sequence-store.js';
import type { SequencePoint } from '../ingest/sequence-tracker.js';
import type { AlertNotifier } from './alert-notifier.js';
import { type DeviceEvent, evaluateDevice, type HealthConfig } from './device-health.js';
import type { DeviceStore } from './device-store.js';
import { coreHealthRecord, telemetryRecord } from './telemetry-records.js';
import type { TimeSeriesRecord, TimeSeriesSink } from './time-series-sink.js';

const SHUFFLER_STREAM = streamById('shufflerTelemetry');

export interface ShufflerProcessorPorts {
  readonly sink: TimeSeriesSink;
  readonly devices: DeviceStore;
  readonly notifier: AlertNotifier;
  readonly sequences: SequenceStore;
  readonly deadLetters: DeadLetterStore;
  readonly config: HealthConfig;
  readonly now: () => number;
  readonly onError?: (message: string, error: unknown) => void;
}

/** Counts of one invocation. */
export interface ShufflerBatchSummary {
  records: number;
  events: number;
  duplicates: number;
  deadLetters: number;
  timeSeriesRecords: number;
  devices: number;
  alertsRaised: number;
  alertsResolved: number;
  notifications: number;
  failedDevices: number;
}

const MAX_CONFLICT_RETRIES = 5;
/** Devices written at once; each device's own writes stay sequential. */
const DEVICE_CONCURRENCY = 8;

const isDeviceEvent = (event: StreamEvent): event is DeviceEvent =>
  event.type === 'shuffler_telemetry' || event.type === 'failure_prediction' || event.type === 'maintenance_alert';

/**
 * The shuffler processor: envelopes of the `shuffler`, `alert` and `health` streams in; telemetry
 * to the time-series sink, device health and maintenance alerts to DynamoDB, notifications to SNS.
 * Every step is idempotent (records rewrite identically, device evaluation skips events it has seen,
 * alert ids are derived from the events that raise them), so a retried batch changes nothing.
 */
export class ShufflerProcessor {
  constructor(private readonly ports: ShufflerProcessorPorts) {}

  async process(
    event: KinesisStreamEvent,
  ): Promise<{ response: KinesisStreamBatchResponse; summary: ShufflerBatchSummary }> {
    const now = this.ports.now();
    const records = event.Records;
    const { usable, deadLetters, failed } = await decodeKinesisBatch(records, SHUFFLER_STREAM.carries);
    const summary: ShufflerBatchSummary = {
      records: records.length,
      events: 0,
      duplicates: 0,
      deadLetters: deadLetters.length,
      timeSeriesRecords: 0,
      devices: 0,
      alertsRaised: 0,
      alertsResolved: 0,
      notifications: 0,
      failedDevices: 0,
    };
    await this.ports.deadLetters.put(deadLetters, now);

    for (const stream of SHUFFLER_STREAM.carries) {
      const seqsByCore = new Map<string, SequencePoint[]>();
      for (const { envelope } of usable) {
        if (envelope.header.stream !== stream) continue;
        const point = { seq: envelope.header.seq, createdAt: envelope.header.createdAt };
        seqsByCore.set(envelope.header.core, [...(seqsByCore.get(envelope.header.core) ?? []), point]);
      }
      if (seqsByCore.size > 0) await this.ports.sequences.record(stream, seqsByCore, now);
    }

    const seen = new Set<string>();
    const series: TimeSeriesRecord[] = [];
    const byDevice = new Map<
      string,
      { events: DeviceEvent[]; origin: { property: string; core: string }; first: number }
    >();
    for (const { envelope, index } of usable) {
      const origin = { property: envelope.header.property, core: envelope.header.core };
      for (const item of envelope.events as StreamEvent[]) {
        summary.events += 1;
        if (seen.has(item.eventId)) {
          summary.duplicates += 1;
          continue;
        }
        seen.add(item.eventId);
        if (item.type === 'core_health') {
          series.push(coreHealthRecord(item as CoreHealth, origin));
          continue;
        }
        if (item.type === 'shuffler_telemetry') series.push(telemetryRecord(item, origin));
        if (!isDeviceEvent(item)) continue;
        const device = byDevice.get(item.deviceId) ?? { events: [], origin, first: index };
        device.events.push(item);
        device.origin = origin;
        byDevice.set(item.deviceId, device);
      }
    }

    await this.ports.sink.write(series);
    summary.timeSeriesRecords = series.length;
    summary.devices = byDevice.size;

    const failedRecords = new Set(failed);
    const healths = await this.ports.devices.load([...byDevice.keys()]);
    await forEachConcurrently([...byDevice], DEVICE_CONCURRENCY, async ([deviceId, { events, origin, first }]) => {
      try {
        let prior = healths.get(deviceId)!;
        for (let attempt = 0; ; attempt += 1) {
          if (attempt > MAX_CONFLICT_RETRIES) throw new Error(`device ${deviceId}: too many write conflicts`);
          if (attempt > 0) prior = (await this.ports.devices.load([deviceId])).get(deviceId)!;
          const { next, transitions } = evaluateDevice(prior, events, origin, this.ports.config);
          if (next.lastEventTime === prior.lastEventTime && transitions.length === 0) break;
          for (const { alert, notify } of transitions) {
            await this.ports.devices.record(alert, origin);
            if (notify) {
              await this.ports.notifier.notify(alert);
              summary.notifications += 1;
            }
            if (alert.state === 'raised') summary.alertsRaised += 1;
            else summary.alertsResolved += 1;
          }
          if (await this.ports.devices.commit(next, prior.version)) break;
        }
      } catch (error) {
        summary.failedDevices += 1;
        this.ports.onError?.('device health update failed; its records will be retried', error);
        failedRecords.add(records[first]!.kinesis.sequenceNumber);
      }
    });
    return {
      response: { batchItemFailures: [...failedRecords].map((itemIdentifier) => ({ itemIdentifier })) },
      summary,
    };
  }
}
