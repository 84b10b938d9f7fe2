import { KPI_METRICS } from '../../kpi/kpi-window.js';
import type { DashboardSnapshot, OfferLine, PipelineView } from './dashboard-snapshot.js';
import {
  alertLines,
  currentSessions,
  floorKpis,
  floorTimeOf,
  machineCells,
  playerLines,
  shufflerLines,
  topOpenSessions,
} from './floor-aggregation.js';
import type { FloorDataSource } from './floor-data-source.js';
import type { PipelineReading, PipelineSource } from './pipeline-source.js';
import { pipelineView } from './pipeline-view.js';

/** How much the dashboard shows and how often it refreshes. */
export interface DashboardFeedConfig {
  /** The heatmap's and KPIs' window, back from the floor's clock (a shift: 8 h). */
  readonly windowMs: number;
  /** A session idle this long is abandoned, as the floor API says. */
  readonly abandonedAfterMs: number;
  /** Snapshots are taken at most this often, however many browsers watch. */
  readonly refreshMs: number;
  readonly playersListed: number;
  readonly offersPerPlayer: number;
  readonly alertsListed: number;
}

export const DEFAULT_FEED_CONFIG: Omit<DashboardFeedConfig, 'abandonedAfterMs'> = {
  windowMs: 8 * 3_600_000,
  refreshMs: 2_000,
  playersListed: 14,
  offersPerPlayer: 3,
  alertsListed: 20,
};

/** How far back KPI windows are read: a few one-minute windows, so a late shard still shows. */
const KPI_LOOKBACK_MS = 5 * 60_000;

type Listener = (snapshot: DashboardSnapshot) => void;

/**
 * Takes dashboard snapshots from the sources and hands them to every subscriber. One snapshot per
 * refresh interval is shared by all browsers (single flight), so the store's load does not grow
 * with the audience. The timer runs only while someone subscribes, so in Lambda, where nothing
 * subscribes between requests, a snapshot is taken on demand only.
 */
export class DashboardFeed {
  private latest: DashboardSnapshot | undefined;
  private inFlight: Promise<DashboardSnapshot> | undefined;
  private previousReading: PipelineReading | undefined;
  private floorTime = 0;
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly floor: FloorDataSource,
    /** The pipeline's source, once there is one (the local floor attaches it when its processors run). */
    private readonly pipeline: () => PipelineSource | undefined,
    private readonly config: DashboardFeedConfig,
    private readonly clock: () => number = Date.now,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** The latest snapshot if it is younger than the refresh interval, else a new one. */
  async snapshot(): Promise<DashboardSnapshot> {
    if (this.latest && this.clock() - this.latest.generatedAt < this.config.refreshMs) return this.latest;
    return this.refresh();
  }

  /** The latest snapshot whatever its age (a new subscriber gets deltas right after), else a new one. */
  async current(): Promise<DashboardSnapshot> {
    return this.latest ?? this.refresh();
  }

  /** Calls `listener` with every new snapshot until the returned function is called. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => {
        this.refresh().catch(this.onError);
      }, this.config.refreshMs);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  /** Stops refreshing (the server is closing). */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private refresh(): Promise<DashboardSnapshot> {
    this.inFlight ??= this.take()
      .then((snapshot) => {
        this.latest = snapshot;
        for (const listener of this.listeners) listener(snapshot);
        return snapshot;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async take(): Promise<DashboardSnapshot> {
    const { config } = this;
    const now = this.clock();
    const windowStart = Math.max(now, this.floorTime) - config.windowMs;
    const plan = await this.floor.machines();
    const zones = [...new Set(plan.map((m) => m.location.zone))];
    const kpiFrom = new Date(now - KPI_LOOKBACK_MS).toISOString();
    const kpiTo = new Date(now + 60_000).toISOString();
    const [projected, devices, alerts, kpis, pipeline] = await Promise.all([
      this.floor.sessionsSince(
        plan.map((m) => m.machineId),
        windowStart,
      ),
      this.floor.devices(),
      this.floor.openAlerts(config.alertsListed),
      this.floor.kpis([KPI_METRICS.gamesPerMinute, ...zones.map(KPI_METRICS.coinInPerMinute)], kpiFrom, kpiTo),
      this.readPipeline(),
    ]);
    const openTokens = projected.filter((s) => s.status === 'open').map((s) => s.playerToken);
    const players = await this.floor.players(openTokens);
    const sessions = currentSessions(projected, players, windowStart);
    const floorTime = floorTimeOf(sessions, now);
    this.floorTime = floorTime;
    const listed = topOpenSessions(sessions, floorTime, config.abandonedAfterMs, config.playersListed);
    const offers = new Map<string, OfferLine[]>(
      await Promise.all(
        listed.map(
          async (s) => [s.playerToken, await this.floor.offers(s.playerToken, config.offersPerPlayer)] as const,
        ),
      ),
    );
    const shufflers = shufflerLines(devices);
    return {
      generatedAt: now,
      floorTime,
      windowMs: config.windowMs,
      kpis: floorKpis(sessions, kpis, alerts.length, floorTime, config.abandonedAfterMs),
      machines: machineCells(plan, sessions, floorTime, config.abandonedAfterMs),
      players: playerLines(listed, players, offers),
      shufflers,
      alerts: alertLines(alerts),
      pipeline,
    };
  }

  private async readPipeline(): Promise<PipelineView> {
    const source = this.pipeline();
    if (!source) return { available: false, reason: 'pipeline metrics are not available here yet' };
    try {
      const reading = await source.read();
      const view = pipelineView(this.previousReading, reading);
      this.previousReading = reading;
      return view;
    } catch (error) {
      this.onError(error);
      return { available: false, reason: 'pipeline metrics could not be read' };
    }
  }
}
