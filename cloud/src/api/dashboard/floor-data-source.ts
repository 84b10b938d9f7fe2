import type { MachineIdentity } from '@croupier/contracts';
import type { SessionState } from '../../rating/player-ledger.js';
import type { StoredPlayer } from '../../rating/rating-items.js';
import type { DeviceHealth } from '../../shuffler-health/device-health.js';
import type { AlertLine, OfferLine } from './dashboard-snapshot.js';

/** A stored KPI window: metric name, window start (ISO) and value. */
export interface KpiReading {
  readonly metric: string;
  readonly windowStart: string;
  readonly value: number;
}

/**
 * What the dashboard reads about the floor, whatever stores it: DynamoDB in AWS and on the local
 * floor (dynalite), or anything else that can answer these questions. Aggregation never sees the
 * store, so it is tested without I/O.
 */
export interface FloorDataSource {
  /** The floor plan: every machine with its position. */
  machines(): Promise<readonly MachineIdentity[]>;
  /** Sessions on the given machines that started at or after `sinceMs`. */
  sessionsSince(machineIds: readonly string[], sinceMs: number): Promise<SessionState[]>;
  /** Rated players by token, with their live sessions; unknown tokens are absent. */
  players(tokens: readonly string[]): Promise<Map<string, StoredPlayer>>;
  /** A player's newest offers (not decisions), newest first. */
  offers(token: string, limit: number): Promise<OfferLine[]>;
  /** Every shuffler's stored health. */
  devices(): Promise<DeviceHealth[]>;
  /** Raised and acknowledged maintenance alerts, newest first. */
  openAlerts(limit: number): Promise<AlertLine[]>;
  /** KPI windows of the named metrics in `[fromIso, toIso)`. */
  kpis(metrics: readonly string[], fromIso: string, toIso: string): Promise<KpiReading[]>;
}
