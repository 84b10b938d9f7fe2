import type { Tier } from '@croupier/contracts';

/** One machine on the floor map: where it stands and what it took in the window. */
export interface MachineCell {
  readonly machineId: string;
  readonly zone: string;
  readonly bank: string;
  /** Floor-plan position, metres. */
  readonly x: number;
  readonly y: number;
  readonly gameId: string;
  readonly denominationCents: number;
  /** Rated coin-in of the window, cents. */
  readonly coinInCents: number;
  readonly games: number;
  /** Whether a carded session is open on it now. */
  readonly occupied: boolean;
}

/** Floor-wide figures of the window. */
export interface FloorKpis {
  readonly coinInCents: number;
  readonly theoCents: number;
  readonly winCents: number;
  readonly games: number;
  /** Games per minute of the latest closed KPI window (every game, carded or not). */
  readonly gamesPerMinute: number;
  /** Carded players with an open session now. */
  readonly activePlayers: number;
  /** Actual hold: (coin-in − win) ÷ coin-in, or null without coin-in. */
  readonly holdPct: number | null;
  /** Theoretical hold: theo ÷ coin-in, or null without coin-in. */
  readonly theoHoldPct: number | null;
  readonly openAlerts: number;
  /** Coin-in per minute by zone, cents, of the latest closed KPI window. */
  readonly coinInPerMinuteByZone: Readonly<Record<string, number>>;
}

/** An offer as the dashboard lists it. */
export interface OfferLine {
  readonly offerId: string;
  readonly kind: string;
  readonly valueCents: number;
  readonly status: string;
  readonly decidedAt: number;
}

/** A carded player in session now. */
export interface PlayerLine {
  /** The first 12 hex digits of the HMAC token: enough to tell players apart on screen. */
  readonly player: string;
  readonly tier: Tier;
  readonly adtCents: number;
  readonly machineId: string;
  readonly zone: string | null;
  readonly sessionStartedAt: number;
  readonly sessionGames: number;
  readonly sessionCoinInCents: number;
  readonly sessionTheoCents: number;
  readonly offers: readonly OfferLine[];
}

/** A shuffler's health. */
export interface ShufflerLine {
  readonly deviceId: string;
  readonly tableId: string | null;
  readonly game: string | null;
  readonly state: string;
  /** Latest predicted probability of failure within the model's horizon, or null before any prediction. */
  readonly failureRisk: number | null;
  readonly modelVersion: string | null;
  readonly temperatureCelsius: number | null;
  readonly motorCurrentAmps: number | null;
  readonly hoursSinceService: number | null;
  readonly openAlerts: number;
  readonly lastSeenAt: number;
}

/** An open maintenance alert. */
export interface AlertLine {
  readonly deviceId: string;
  readonly alertId: string;
  readonly state: 'raised' | 'acknowledged';
  readonly cause: string;
  readonly severity: string;
  readonly message: string;
  readonly raisedAt: number;
  readonly probability: number | null;
}

/** One rate of the pipeline. */
export interface FlowLine {
  readonly name: string;
  readonly total: number;
  readonly perSecond: number;
}

/** One Kinesis stream as its processor sees it. */
export interface StreamLag {
  readonly processor: string;
  readonly stream: string;
  /** Age of the oldest record not yet processed (Lambda's IteratorAge), ms. */
  readonly iteratorAgeMs: number;
  /** Envelope made on the core → processor done with it, of the latest processed record, ms. */
  readonly endToEndLatencyMs: number | null;
  readonly recordsProcessed: number;
}

/** The latest CoreHealth of one component. */
export interface ComponentHealthLine {
  readonly core: string;
  readonly component: string;
  readonly state: string;
  readonly reportedAt: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** Pipeline health, or why there is none. */
export type PipelineView =
  | {
      readonly available: true;
      readonly eventsPerSecond: number;
      readonly flows: readonly FlowLine[];
      readonly streams: readonly StreamLag[];
      readonly spoolDepth: number | null;
      readonly spoolOldestAgeMs: number | null;
      readonly components: readonly ComponentHealthLine[];
    }
  | { readonly available: false; readonly reason: string };

/** Everything the dashboard shows at one instant. */
export interface DashboardSnapshot {
  /** Wall-clock time the snapshot was taken. */
  readonly generatedAt: number;
  /** The floor's own clock: the newest event time seen (simulated floors run ahead of the wall clock). */
  readonly floorTime: number;
  readonly windowMs: number;
  readonly kpis: FloorKpis;
  readonly machines: readonly MachineCell[];
  readonly players: readonly PlayerLine[];
  readonly shufflers: readonly ShufflerLine[];
  readonly alerts: readonly AlertLine[];
  readonly pipeline: PipelineView;
}

/** The sections of a snapshot a delta may carry. */
export const SNAPSHOT_SECTIONS = ['kpis', 'machines', 'players', 'shufflers', 'alerts', 'pipeline'] as const;
export type SnapshotSection = (typeof SNAPSHOT_SECTIONS)[number];

/** What changed between two snapshots: the clock fields always, and every section that differs. */
export type SnapshotDelta = Pick<DashboardSnapshot, 'generatedAt' | 'floorTime' | 'windowMs'> &
  Partial<Pick<DashboardSnapshot, SnapshotSection>>;
