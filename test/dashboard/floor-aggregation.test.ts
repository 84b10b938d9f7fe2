import type { DashboardSnapshot } from '@croupier/cloud/src/api/dashboard/dashboard-snapshot';
import {
  alertLines,
  currentSessions,
  floorKpis,
  floorTimeOf,
  latestKpiWindow,
  machineCells,
  playerLines,
  shufflerLines,
  topOpenSessions,
} from '@croupier/cloud/src/api/dashboard/floor-aggregation';
import type { PipelineReading } from '@croupier/cloud/src/api/dashboard/pipeline-source';
import { flowLines, pipelineView } from '@croupier/cloud/src/api/dashboard/pipeline-view';
import { snapshotDelta } from '@croupier/cloud/src/api/dashboard/snapshot-delta';
import type { SessionState } from '@croupier/cloud/src/rating/player-ledger';
import { newPlayerState } from '@croupier/cloud/src/rating/player-ledger';
import type { StoredPlayer } from '@croupier/cloud/src/rating/rating-items';
import { newDeviceHealth } from '@croupier/cloud/src/shuffler-health/device-health';
import type { MachineIdentity } from '@croupier/contracts';
import { describe, expect, it } from 'vitest';

const T = Date.UTC(2026, 10, 21, 20);
const HOUR = 3_600_000;
const ABANDON = 30 * 60_000;
const token = (c: string) => c.repeat(64);

const machine = (machineId: string, zone: string, x: number, y: number): MachineIdentity => ({
  machineId,
  location: { bank: `${zone}-B01`, zone, x, y },
  denominationCents: 1,
  gameId: 'buffalo',
  paytable: { paytableId: 'pt', theoreticalHold: 0.08 },
});

const session = (over: Partial<SessionState> & Pick<SessionState, 'sessionId' | 'machineId'>): SessionState => ({
  playerToken: token('a'),
  property: 'p',
  core: 'c',
  zone: 'main-floor',
  startedAt: T,
  startedByCardIn: true,
  status: 'open',
  games: 10,
  coinInCents: 1_000,
  winCents: 900,
  theoMicros: 80 * 1_000_000,
  billIns: 0,
  billInCents: 0,
  lastEventAt: T + 60_000,
  ...over,
});

const stored = (playerToken: string, live: SessionState[], tier: 'gold' | 'bronze' = 'gold'): StoredPlayer => ({
  state: { ...newPlayerState(playerToken), tier, adtCents: 12_345 },
  live: new Map(live.map((s) => [s.sessionId, s])),
  projectedAt: new Map(),
  commits: [],
});

describe('dashboard aggregation (pure)', () => {
  const plan = [
    machine('SM-0002', 'main-floor', 3, 2),
    machine('SM-0001', 'main-floor', 2, 2),
    machine('SM-0003', 'high-limit', 10, 2),
  ];

  it('GIVEN projected sessions and fresher live copies WHEN merged THEN each session counts once, the live copy wins', () => {
    const projected = session({ sessionId: 's1', machineId: 'SM-0001', coinInCents: 500 });
    const live = { ...projected, coinInCents: 1_500, lastEventAt: T + 120_000 };
    const newer = session({ sessionId: 's2', machineId: 'SM-0002', playerToken: token('b') });
    const old = session({ sessionId: 's0', machineId: 'SM-0002', startedAt: T - 9 * HOUR });
    const merged = currentSessions(
      [projected, old],
      new Map([
        [token('a'), stored(token('a'), [live])],
        [token('b'), stored(token('b'), [newer])],
      ]),
      T - HOUR,
    );
    expect(merged.map((s) => [s.sessionId, s.coinInCents]).sort()).toEqual([
      ['s1', 1_500],
      ['s2', 1_000],
    ]);
  });

  it('GIVEN a floor simulated ahead of the wall clock THEN its clock is the newest event; else the wall clock', () => {
    expect(floorTimeOf([session({ sessionId: 's', machineId: 'm', lastEventAt: T + HOUR })], T)).toBe(T + HOUR);
    expect(floorTimeOf([session({ sessionId: 's', machineId: 'm', lastEventAt: T - HOUR })], T)).toBe(T);
  });

  it('GIVEN sessions on two machines THEN every machine of the plan is a cell with its coin-in, games and occupancy', () => {
    const sessions = [
      session({ sessionId: 's1', machineId: 'SM-0001', coinInCents: 700, games: 7 }),
      session({ sessionId: 's2', machineId: 'SM-0001', coinInCents: 300, games: 3, status: 'closed', endedAt: T }),
      session({ sessionId: 's3', machineId: 'SM-0003', coinInCents: 5_000, lastEventAt: T - HOUR }),
    ];
    const cells = machineCells(plan, sessions, T + 60_000, ABANDON);
    expect(cells.map((c) => [c.machineId, c.zone, c.x, c.coinInCents, c.games, c.occupied])).toEqual([
      ['SM-0001', 'main-floor', 2, 1_000, 10, true],
      ['SM-0002', 'main-floor', 3, 0, 0, false],
      // Idle longer than the abandonment timeout: its coin-in counts, but nobody sits there.
      ['SM-0003', 'high-limit', 10, 5_000, 10, false],
    ]);
  });

  it('GIVEN KPI windows of several minutes THEN the newest window of each metric family is used', () => {
    const readings = [
      { metric: 'games_per_minute', windowStart: '2026-11-21T20:00:00Z', value: 10 },
      { metric: 'games_per_minute', windowStart: '2026-11-21T20:01:00Z', value: 12 },
      { metric: 'coin_in_per_minute#main-floor', windowStart: '2026-11-21T20:01:00Z', value: 500 },
      { metric: 'coin_in_per_minute#high-limit', windowStart: '2026-11-21T20:01:00Z', value: 900 },
      { metric: 'coin_in_per_minute#high-limit', windowStart: '2026-11-21T20:00:00Z', value: 1 },
    ];
    expect(latestKpiWindow(readings, 'games_per_minute')).toEqual(new Map([['games_per_minute', 12]]));
    const kpis = floorKpis(
      [
        session({ sessionId: 's1', machineId: 'SM-0001', coinInCents: 1_000, winCents: 900, theoMicros: 80e6 }),
        session({ sessionId: 's2', machineId: 'SM-0002', coinInCents: 3_000, winCents: 2_700, theoMicros: 240e6 }),
      ],
      readings,
      2,
      T + 60_000,
      ABANDON,
    );
    expect(kpis).toEqual({
      coinInCents: 4_000,
      theoCents: 320,
      winCents: 3_600,
      games: 20,
      gamesPerMinute: 12,
      activePlayers: 1,
      holdPct: 0.1,
      theoHoldPct: 0.08,
      openAlerts: 2,
      coinInPerMinuteByZone: { 'main-floor': 500, 'high-limit': 900 },
    });
  });

  it('GIVEN no play THEN hold is unknown rather than zero', () => {
    const kpis = floorKpis([], [], 0, T, ABANDON);
    expect([kpis.holdPct, kpis.theoHoldPct, kpis.gamesPerMinute, kpis.activePlayers]).toEqual([null, null, 0, 0]);
  });

  it('GIVEN open and closed sessions THEN players are listed by session theo with rating and offers', () => {
    const sessions = [
      session({ sessionId: 's1', machineId: 'SM-0001', theoMicros: 10e6 }),
      session({ sessionId: 's2', machineId: 'SM-0002', playerToken: token('b'), theoMicros: 90e6 }),
      session({ sessionId: 's3', machineId: 'SM-0003', playerToken: token('c'), status: 'closed', theoMicros: 999e6 }),
    ];
    const top = topOpenSessions(sessions, T + 60_000, ABANDON, 5);
    expect(top.map((s) => s.sessionId)).toEqual(['s2', 's1']);
    const offer = { offerId: 'o1', kind: 'free_play', valueCents: 2_000, status: 'accepted', decidedAt: T };
    const lines = playerLines(top, new Map([[token('b'), stored(token('b'), [])]]), new Map([[token('b'), [offer]]]));
    expect(lines).toEqual([
      {
        player: 'bbbbbbbbbbbb',
        tier: 'gold',
        adtCents: 12_345,
        machineId: 'SM-0002',
        zone: 'main-floor',
        sessionStartedAt: T,
        sessionGames: 10,
        sessionCoinInCents: 1_000,
        sessionTheoCents: 90,
        offers: [offer],
      },
      expect.objectContaining({ player: 'aaaaaaaaaaaa', tier: 'bronze', adtCents: 0, offers: [] }),
    ]);
  });

  it('GIVEN devices with and without predictions THEN the riskiest shuffler comes first', () => {
    const lines = shufflerLines([
      { ...newDeviceHealth('shf-001'), lastEventTime: T, state: 'idle' },
      {
        ...newDeviceHealth('shf-002'),
        lastEventTime: T,
        state: 'shuffling',
        risk: { probability: 0.82, modelVersion: '1.0.3', at: T, horizonHours: 24 },
        openAlerts: {
          predicted_failure: {
            alertId: 'a',
            cause: 'predicted_failure',
            severity: 'warning',
            message: 'm',
            raisedAt: T,
            notified: true,
          },
        },
      },
      {
        ...newDeviceHealth('shf-003'),
        lastEventTime: T,
        risk: { probability: 0.1, modelVersion: '1.0.3', at: T, horizonHours: 24 },
      },
    ]);
    expect(lines.map((l) => [l.deviceId, l.failureRisk, l.openAlerts, l.state])).toEqual([
      ['shf-002', 0.82, 1, 'shuffling'],
      ['shf-003', 0.1, 0, 'unknown'],
      ['shf-001', null, 0, 'idle'],
    ]);
  });

  it('GIVEN alerts THEN critical ones come first, newest first within a severity', () => {
    const alert = (alertId: string, severity: string, raisedAt: number) => ({
      deviceId: 'shf-1',
      alertId,
      state: 'raised' as const,
      cause: 'predicted_failure',
      severity,
      message: 'm',
      raisedAt,
      probability: null,
    });
    expect(
      alertLines([
        alert('w-old', 'warning', T),
        alert('c', 'critical', T - HOUR),
        alert('w-new', 'warning', T + 1),
      ]).map((a) => a.alertId),
    ).toEqual(['c', 'w-new', 'w-old']);
  });
});

describe('pipeline view (pure)', () => {
  const reading = (at: number, counters: Record<string, number>): PipelineReading => ({
    at,
    counters,
    headlineCounter: 'edge events',
    streams: [
      {
        processor: 'SlotProcessor',
        stream: 'slot-events',
        iteratorAgeMs: 40,
        endToEndLatencyMs: 900,
        recordsProcessed: 7,
      },
    ],
    components: [
      {
        core: 'c1',
        component: 'com.croupier.Uplink',
        state: 'running',
        reportedAt: at,
        metrics: { 'spool.depth': 3, 'spool.oldestAgeMs': 1_200 },
      },
      {
        core: 'c2',
        component: 'com.croupier.Uplink',
        state: 'running',
        reportedAt: at,
        metrics: { 'spool.depth': 2, 'spool.oldestAgeMs': 5_000 },
      },
      { core: 'c1', component: 'com.croupier.SlotGateway', state: 'running', reportedAt: at, metrics: {} },
    ],
  });

  it('GIVEN two readings 2 s apart THEN rates are per second, and a counter that went down restarts from zero', () => {
    expect(flowLines({ a: 10, b: 50 }, { a: 30, b: 4, c: 6 }, 2_000)).toEqual([
      { name: 'a', total: 30, perSecond: 10 },
      { name: 'b', total: 4, perSecond: 2 },
      { name: 'c', total: 6, perSecond: 3 },
    ]);
  });

  it('GIVEN Uplink reports from two cores THEN spool depth sums and spool age is the oldest', () => {
    const view = pipelineView(reading(T, { 'edge events': 100 }), reading(T + 4_000, { 'edge events': 300 }));
    expect(view).toMatchObject({ available: true, eventsPerSecond: 50, spoolDepth: 5, spoolOldestAgeMs: 5_000 });
    if (view.available)
      expect(view.components.map((c) => `${c.core}/${c.component}`)).toEqual([
        'c1/com.croupier.SlotGateway',
        'c1/com.croupier.Uplink',
        'c2/com.croupier.Uplink',
      ]);
  });

  it('GIVEN a first reading and no Uplink report THEN rates are zero and spool figures are unknown', () => {
    const first = { ...reading(T, { 'edge events': 100 }), components: [] };
    expect(pipelineView(undefined, first)).toMatchObject({
      eventsPerSecond: 0,
      spoolDepth: null,
      spoolOldestAgeMs: null,
    });
  });
});

describe('snapshot delta (pure)', () => {
  const base: DashboardSnapshot = {
    generatedAt: T,
    floorTime: T,
    windowMs: HOUR,
    kpis: floorKpis([], [], 0, T, ABANDON),
    machines: [],
    players: [],
    shufflers: [],
    alerts: [],
    pipeline: { available: false, reason: 'r' },
  };

  it('GIVEN only the KPIs changed THEN the delta carries the clock fields and the KPIs only', () => {
    const next = { ...base, generatedAt: T + 2_000, kpis: { ...base.kpis, games: 5 } };
    expect(snapshotDelta(base, next)).toEqual({
      generatedAt: T + 2_000,
      floorTime: T,
      windowMs: HOUR,
      kpis: next.kpis,
    });
  });

  it('GIVEN a delta applied to the previous snapshot THEN it equals the next snapshot', () => {
    const next: DashboardSnapshot = {
      ...base,
      generatedAt: T + 2_000,
      floorTime: T + 600_000,
      alerts: alertLines([]),
      pipeline: { available: false, reason: 'other' },
    };
    expect({ ...base, ...snapshotDelta(base, next) }).toEqual(next);
  });
});
