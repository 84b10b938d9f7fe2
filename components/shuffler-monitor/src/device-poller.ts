import type { ShufflerTelemetry } from '@croupier/contracts';
import { afterFailure, type BackoffPolicy, type LinkState, mayPoll, ONLINE } from './backoff.js';
import type { DeviceDefinition, PollGroup, RegisterMap } from './config.js';
import { decodePoint, type PointValue, type RawBlock } from './decode.js';
import type { ModbusBus } from './modbus-bus.js';
import { type MergePolicy, type PlannedRead, planReads } from './read-planner.js';
import { type LastReport, shouldReport } from './report-by-exception.js';
import { stampNow, toTelemetry } from './telemetry-mapper.js';

/** What polling one group of one device came to. */
export type PollOutcome = 'ok' | 'failed' | 'skipped_backoff' | 'skipped_busy';

/** Settings a poller needs beyond its device and map. */
export interface PollerSettings {
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoff: BackoffPolicy;
  readonly merge: MergePolicy;
  readonly heartbeatMs: number;
}

/** Where a poller sends what it learns. */
export interface PollerSink {
  telemetry(event: ShufflerTelemetry): void;
  /** A reading that does not make a valid event (e.g. a gauge out of contract range). */
  rejected(deviceId: string, reason: string): void;
  polled(deviceId: string, group: string, outcome: PollOutcome): void;
}

/** Per-device counters for health metrics. */
export interface DeviceStats {
  polls: number;
  failures: number;
  skippedBackoff: number;
  published: number;
  rejected: number;
}

/**
 * Polls one shuffler: runs each group's planned reads through the device's bus, keeps the latest value
 * of every point, and publishes telemetry by exception. Failed reads are retried by re-queueing them
 * behind the bus's other work, so a silent unit holds its bus for at most one timeout at a time; after
 * the retries, the device backs off exponentially and its polls are skipped until the backoff ends.
 */
export class DevicePoller {
  readonly stats: DeviceStats = { polls: 0, failures: 0, skippedBackoff: 0, published: 0, rejected: 0 };
  private link: LinkState = ONLINE;
  private readonly plans = new Map<string, PlannedRead[]>();
  private readonly busy = new Set<string>();
  private turn: Promise<unknown> = Promise.resolve();
  private readonly values = new Map<string, PointValue>();
  private readonly deadbands: ReadonlyMap<string, number>;
  private lastReport: LastReport | undefined;
  private offlineReported = false;
  private retired = false;

  constructor(
    readonly device: DeviceDefinition,
    readonly map: RegisterMap,
    private readonly bus: ModbusBus,
    private readonly settings: PollerSettings,
    private readonly sink: PollerSink,
    private readonly now: () => number = Date.now,
  ) {
    const byName = new Map(map.points.map((p) => [p.name, p]));
    for (const group of map.groups) {
      this.plans.set(
        group.name,
        planReads(
          group.points.map((n) => byName.get(n)!),
          settings.merge,
        ),
      );
    }
    this.deadbands = new Map(map.points.map((p) => [p.name, p.deadband]));
  }

  /** Current link state, for metrics and tests. */
  get linkState(): LinkState {
    return this.link;
  }

  /** Latest decoded value of every point read so far. */
  snapshot(): ReadonlyMap<string, PointValue> {
    return new Map(this.values);
  }

  /** The reads one group issues per poll. */
  planFor(group: PollGroup['name']): readonly PlannedRead[] {
    return this.plans.get(group) ?? [];
  }

  /** Carries report-by-exception state over from the poller this one replaces after a configuration change. */
  inherit(previous: DevicePoller): void {
    this.lastReport = previous.lastReport;
    for (const [k, v] of previous.values) this.values.set(k, v);
  }

  /** Stops reporting: a poll still in flight when the configuration changed must not speak for the new one. */
  retire(): void {
    this.retired = true;
  }

  /**
   * Polls one group once. Never throws: every outcome is reported to the sink. A device's groups take
   * turns, so one device never has more than one request on its bus: a silent device costs the others
   * on its line at most one timeout at a time, and once it is in backoff its queued groups are skipped.
   */
  async poll(group: string): Promise<PollOutcome> {
    let outcome: PollOutcome = 'skipped_busy';
    if (!this.busy.has(group)) {
      this.busy.add(group);
      const run = this.turn.then(() => this.pollOnce(group));
      this.turn = run.catch(() => undefined);
      try {
        outcome = await run;
      } finally {
        this.busy.delete(group);
      }
    }
    if (!this.retired) this.sink.polled(this.device.deviceId, group, outcome);
    return outcome;
  }

  private async pollOnce(group: string): Promise<PollOutcome> {
    if (!mayPoll(this.link, this.now())) {
      this.stats.skippedBackoff += 1;
      return 'skipped_backoff';
    }
    this.stats.polls += 1;
    try {
      const blocks: { read: PlannedRead; block: RawBlock }[] = [];
      for (const read of this.planFor(group)) blocks.push({ read, block: await this.readWithRetries(read) });
      // The device answered: a value that does not decode (e.g. a fault code newer firmware added) is that
      // point's problem, reported and skipped; it does not make the device look dead.
      for (const { read, block } of blocks) {
        for (const point of read.points) {
          try {
            this.values.set(point.name, decodePoint(point, block, read.address));
          } catch (error) {
            this.stats.rejected += 1;
            if (!this.retired) this.sink.rejected(this.device.deviceId, (error as Error).message);
          }
        }
      }
      this.link = ONLINE;
      this.offlineReported = false;
      this.report(false);
      return 'ok';
    } catch {
      this.stats.failures += 1;
      this.link = afterFailure(this.link, this.settings.backoff, this.now());
      if (!this.offlineReported) {
        this.offlineReported = true;
        this.report(true);
      }
      return 'failed';
    }
  }

  private async readWithRetries(read: PlannedRead) {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.settings.retries; attempt += 1) {
      try {
        return await this.bus.read(this.device.unitId, read, this.settings.timeoutMs);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  private report(offline: boolean): void {
    if (this.retired || this.values.size === 0) return;
    const now = this.now();
    if (!offline && !shouldReport(this.lastReport, this.values, this.deadbands, this.settings.heartbeatMs, now)) return;
    const event = toTelemetry(this.device, this.values, stampNow(now), offline);
    if (!event.ok) {
      // Partial snapshots right after start are expected while the slower groups have not run yet.
      if (this.hasEveryPoint()) {
        this.stats.rejected += 1;
        this.sink.rejected(this.device.deviceId, event.error.message);
      }
      return;
    }
    // After an offline report the next good reading is news whatever its values, so forget the baseline.
    this.lastReport = offline ? undefined : { at: now, values: new Map(this.values) };
    this.stats.published += 1;
    this.sink.telemetry(event.value);
  }

  private hasEveryPoint(): boolean {
    return this.map.points.every((p) => this.values.has(p.name));
  }
}
