import type { MachineIdentity } from '@croupier/contracts';
import { KPI_METRICS } from '../../kpi/kpi-window.js';
import { effectiveStatus, type SessionState } from '../../rating/player-ledger.js';
import type { StoredPlayer } from '../../rating/rating-items.js';
import { microsToCents } from '../../rating/theo.js';
import type { DeviceHealth } from '../../shuffler-health/device-health.js';
import type { AlertLine, FloorKpis, MachineCell, OfferLine, PlayerLine, ShufflerLine } from './dashboard-snapshot.js';
import type { KpiReading } from './floor-data-source.js';

/**
 * The sessions of the window, each once: the sessions table's projections overlaid with the live
 * copies on the player items, which are current to the last batch (a projection of an open
 * session may lag by a minute). Pure.
 */
export function currentSessions(
  projected: readonly SessionState[],
  players: ReadonlyMap<string, StoredPlayer>,
  windowStartMs: number,
): SessionState[] {
  const byId = new Map<string, SessionState>();
  for (const session of projected) byId.set(session.sessionId, session);
  for (const player of players.values()) {
    for (const live of player.live.values()) {
      if (byId.has(live.sessionId) || live.startedAt >= windowStartMs) byId.set(live.sessionId, live);
    }
  }
  return [...byId.values()].filter((session) => session.startedAt >= windowStartMs);
}

/**
 * The floor's clock: the newest event any session saw, or the wall clock if that is later. A
 * simulated floor running faster than real time stamps events ahead of the wall clock. Pure.
 */
export function floorTimeOf(sessions: readonly SessionState[], wallNow: number): number {
  return sessions.reduce((latest, session) => Math.max(latest, session.lastEventAt), wallNow);
}

/** Whether a session counts as a player on the floor at `floorTime`. Pure. */
export const isOpen = (session: SessionState, floorTime: number, abandonedAfterMs: number) =>
  effectiveStatus(session, floorTime, abandonedAfterMs) === 'open';

/**
 * The floor map: every machine of the plan with the rated coin-in and games of the window's
 * sessions on it, and whether a carded session is open on it. Machines without play are kept
 * (they are cold cells of the heatmap). Pure.
 */
export function machineCells(
  plan: readonly MachineIdentity[],
  sessions: readonly SessionState[],
  floorTime: number,
  abandonedAfterMs: number,
): MachineCell[] {
  const totals = new Map<string, { coinInCents: number; games: number; occupied: boolean }>();
  for (const session of sessions) {
    const total = totals.get(session.machineId) ?? { coinInCents: 0, games: 0, occupied: false };
    total.coinInCents += session.coinInCents;
    total.games += session.games;
    total.occupied ||= isOpen(session, floorTime, abandonedAfterMs);
    totals.set(session.machineId, total);
  }
  return plan
    .map((machine) => {
      const total = totals.get(machine.machineId);
      return {
        machineId: machine.machineId,
        zone: machine.location.zone,
        bank: machine.location.bank,
        x: machine.location.x,
        y: machine.location.y,
        gameId: machine.gameId,
        denominationCents: machine.denominationCents,
        coinInCents: total?.coinInCents ?? 0,
        games: total?.games ?? 0,
        occupied: total?.occupied ?? false,
      };
    })
    .sort((a, b) => a.machineId.localeCompare(b.machineId));
}

/** The KPI readings of the newest window that has any, keyed by metric. Pure. */
export function latestKpiWindow(readings: readonly KpiReading[], metricPrefix: string): Map<string, number> {
  const matching = readings.filter((r) => r.metric === metricPrefix || r.metric.startsWith(`${metricPrefix}#`));
  const newest = matching.reduce<string | undefined>(
    (max, r) => (max && max > r.windowStart ? max : r.windowStart),
    undefined,
  );
  return new Map(matching.filter((r) => r.windowStart === newest).map((r) => [r.metric, r.value]));
}

/** Floor-wide figures from the window's sessions, the newest KPI windows and the open alerts. Pure. */
export function floorKpis(
  sessions: readonly SessionState[],
  kpis: readonly KpiReading[],
  openAlerts: number,
  floorTime: number,
  abandonedAfterMs: number,
): FloorKpis {
  let coinInCents = 0;
  let winCents = 0;
  let theoMicros = 0;
  let games = 0;
  const players = new Set<string>();
  for (const session of sessions) {
    coinInCents += session.coinInCents;
    winCents += session.winCents;
    theoMicros += session.theoMicros;
    games += session.games;
    if (isOpen(session, floorTime, abandonedAfterMs)) players.add(session.playerToken);
  }
  const zoneMetricPrefix = KPI_METRICS.coinInPerMinute('');
  const byZone = latestKpiWindow(kpis, zoneMetricPrefix.slice(0, -1));
  const gamesPerMinute = latestKpiWindow(kpis, KPI_METRICS.gamesPerMinute).get(KPI_METRICS.gamesPerMinute) ?? 0;
  const theoCents = microsToCents(theoMicros);
  return {
    coinInCents,
    theoCents,
    winCents,
    games,
    gamesPerMinute,
    activePlayers: players.size,
    holdPct: coinInCents > 0 ? (coinInCents - winCents) / coinInCents : null,
    theoHoldPct: coinInCents > 0 ? theoCents / coinInCents : null,
    openAlerts,
    coinInPerMinuteByZone: Object.fromEntries(
      [...byZone].map(([metric, value]) => [metric.slice(zoneMetricPrefix.length), value]),
    ),
  };
}

/** The open sessions worth listing: the highest session theo first, at most `limit`. Pure. */
export function topOpenSessions(
  sessions: readonly SessionState[],
  floorTime: number,
  abandonedAfterMs: number,
  limit: number,
): SessionState[] {
  return sessions
    .filter((session) => isOpen(session, floorTime, abandonedAfterMs))
    .sort((a, b) => b.theoMicros - a.theoMicros || a.sessionId.localeCompare(b.sessionId))
    .slice(0, limit);
}

/** Players in session with their rating and offers, in the order of `sessions`. Pure. */
export function playerLines(
  sessions: readonly SessionState[],
  players: ReadonlyMap<string, StoredPlayer>,
  offers: ReadonlyMap<string, readonly OfferLine[]>,
): PlayerLine[] {
  return sessions.map((session) => {
    const rating = players.get(session.playerToken)?.state;
    return {
      player: session.playerToken.slice(0, 12),
      tier: rating?.tier ?? 'bronze',
      adtCents: rating?.adtCents ?? 0,
      machineId: session.machineId,
      zone: session.zone ?? null,
      sessionStartedAt: session.startedAt,
      sessionGames: session.games,
      sessionCoinInCents: session.coinInCents,
      sessionTheoCents: microsToCents(session.theoMicros),
      offers: offers.get(session.playerToken) ?? [],
    };
  });
}

/** Shufflers, riskiest first. Pure. */
export function shufflerLines(devices: readonly DeviceHealth[]): ShufflerLine[] {
  return devices
    .map((device) => ({
      deviceId: device.deviceId,
      tableId: device.tableId ?? null,
      game: device.game ?? null,
      state: device.state ?? 'unknown',
      failureRisk: device.risk?.probability ?? null,
      modelVersion: device.risk?.modelVersion ?? null,
      temperatureCelsius: device.gauges?.temperatureCelsius ?? null,
      motorCurrentAmps: device.gauges?.motorCurrentAmps ?? null,
      hoursSinceService: device.gauges?.hoursSinceService ?? null,
      openAlerts: Object.keys(device.openAlerts).length,
      lastSeenAt: device.lastEventTime,
    }))
    .sort((a, b) => (b.failureRisk ?? -1) - (a.failureRisk ?? -1) || a.deviceId.localeCompare(b.deviceId));
}

/** Alerts, most severe then newest first. Pure. */
export function alertLines(alerts: readonly AlertLine[]): AlertLine[] {
  const rank = (severity: string) => (severity === 'critical' ? 0 : severity === 'warning' ? 1 : 2);
  return [...alerts].sort((a, b) => rank(a.severity) - rank(b.severity) || b.raisedAt - a.raisedAt);
}
