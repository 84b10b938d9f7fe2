import { createHash, randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DashboardFeed } from '@croupier/cloud/src/api/dashboard/dashboard-feed';
import { DashboardSessions, SignInCodes } from '@croupier/cloud/src/api/dashboard/dashboard-session';
import type { DashboardSnapshot } from '@croupier/cloud/src/api/dashboard/dashboard-snapshot';
import { DynamoFloorSource } from '@croupier/cloud/src/api/dashboard/dynamo-floor-source';
import { createFloorApi } from '@croupier/cloud/src/api/floor-api';
import { type LocalApiServer, serveFloorApi } from '@croupier/cloud/src/api/serve-local';
import { defaultTableNames } from '@croupier/cloud/src/common/table-names';
import { createSlotHandler } from '@croupier/cloud/src/handlers/slot-processor';
import { KpiStore } from '@croupier/cloud/src/kpi/kpi-store';
import { type DynamoHarness, startDynamo } from '@croupier/cloud/test/processing/support/dynamo-harness';
import { envelopeRecords } from '@croupier/cloud/test/processing/support/kinesis-batch';
import { eventId, playSession } from '@croupier/cloud/test/processing/support/play';
import type { MachineIdentity, SlotEvent } from '@croupier/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const tables = defaultTableNames();
const TOKEN = 'operator-token-0123456789abcdef';
const T = Date.UTC(2026, 10, 21, 19);
const PLAYER_A = 'a'.repeat(64);
const PLAYER_B = 'b'.repeat(64);
/** The floor's clock runs from an hour after the play, at wall-clock pace. */
const offset = Date.now() - (T + 3_600_000);
const clock = () => Date.now() - offset;

const machine = (machineId: string, zone: string, x: number): MachineIdentity => ({
  machineId,
  location: { bank: `${zone}-B01`, zone, x, y: 2 },
  denominationCents: 1,
  gameId: 'prairie-gold-40',
  paytable: { paytableId: 'pg-0800', theoreticalHold: 0.08 },
});
const PLAN = [
  machine('slot-1', 'main-floor', 2.4),
  machine('slot-2', 'main-floor', 3.2),
  machine('slot-3', 'high-limit', 12),
];

/** Reads server-sent events off a fetch response until `enough` is satisfied. */
async function readEvents(
  response: Response,
  enough: (events: { event: string; data: string }[]) => boolean,
): Promise<{ event: string; data: string }[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: { event: string; data: string }[] = [];
  let buffer = '';
  try {
    while (!enough(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data });
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    await reader.cancel();
  }
  return events;
}

describe('the dashboard routes of the floor API, over real DynamoDB (dynalite)', () => {
  let harness: DynamoHarness;
  let server: LocalApiServer;
  let feed: DashboardFeed;
  let codes: SignInCodes;
  let slot: ReturnType<typeof createSlotHandler>;
  let seq = 0;
  const play = async (events: readonly SlotEvent[]) => {
    await slot({
      Records: envelopeRecords([{ stream: 'slot', property: 'prop-1', core: 'core-a', seq: seq++, events }]),
    });
  };
  const call = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { redirect: 'manual', ...init });
  const bearer = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    harness = await startDynamo();
    slot = createSlotHandler({
      dynamo: harness.doc,
      rating: {
        timeZone: 'UTC',
        gamingDayStartHour: 6,
        adtTrips: 5,
        abandonedAfterMs: 1_800_000,
        tiers: { silver: 1, gold: 2, platinum: 3 },
      },
      now: clock,
    });
    await play([
      ...playSession({
        playerToken: PLAYER_A,
        machineId: 'slot-1',
        start: T,
        games: 3,
        wagerCents: 200,
        hold: 0.05,
        winCents: 100,
        cardOut: true,
      }).events,
      ...playSession({
        playerToken: PLAYER_B,
        machineId: 'slot-2',
        start: T + 3_000_000,
        games: 4,
        wagerCents: 500,
        hold: 0.1,
      }).events,
    ]);
    await harness.doc.send(
      new PutCommand({
        TableName: tables.offers,
        Item: {
          playerToken: PLAYER_B,
          offerId: eventId(T + 3_100_000),
          kind: 'free_play',
          valueCents: 1_500,
          status: 'accepted',
          decidedAt: T + 3_100_000,
          machineId: 'slot-2',
        },
      }),
    );
    await harness.doc.send(
      new PutCommand({
        TableName: tables.devices,
        Item: {
          deviceId: 'shf-007',
          version: 4,
          lastEventTime: T + 3_500_000,
          state: 'shuffling',
          game: 'blackjack',
          gauges: { temperatureCelsius: 41.5, motorCurrentAmps: 2.25, hoursSinceService: 610 },
          risk: { probability: 0.91, modelVersion: '1.2.0', at: T + 3_500_000, horizonHours: 24 },
          openAlerts: { predicted_failure: { alertId: 'x' } },
        },
      }),
    );
    await harness.doc.send(
      new PutCommand({
        TableName: tables.alerts,
        Item: {
          deviceId: 'shf-007',
          alertId: eventId(T + 3_500_000),
          state: 'raised',
          cause: 'predicted_failure',
          severity: 'critical',
          message: 'motor degradation predicted',
          raisedAt: new Date(T + 3_500_000).toISOString(),
          raisedAtMs: T + 3_500_000,
          probability: 0.91,
        },
      }),
    );
    const minute = new Date(Math.floor(clock() / 60_000) * 60_000 - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const kpis = new KpiStore(harness.doc, tables.kpis);
    await kpis.putShardContribution('games_per_minute', minute, 'shard-0', 42, Date.now());
    await kpis.putShardContribution('coin_in_per_minute#main-floor', minute, 'shard-0', 2_400, Date.now());

    feed = new DashboardFeed(
      new DynamoFloorSource(harness.doc, tables, () => PLAN),
      () => undefined,
      {
        windowMs: 8 * 3_600_000,
        abandonedAfterMs: 1_800_000,
        refreshMs: 200,
        playersListed: 10,
        offersPerPlayer: 3,
        alertsListed: 10,
      },
      clock,
    );
    codes = new SignInCodes(60_000);
    const app = createFloorApi({
      dynamo: harness.doc,
      tables,
      auth: {
        mode: 'token',
        tokens: [
          { id: 'operator', sha256: createHash('sha256').update(TOKEN).digest('hex'), roles: ['read', 'write'] },
        ],
      },
      abandonedAfterMs: 1_800_000,
      clock,
      dashboard: {
        feed,
        sessions: new DashboardSessions(randomBytes(32), 3_600_000),
        signInCodes: codes,
        secureCookies: false,
      },
    });
    server = await serveFloorApi(app, { host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    feed?.close();
    await server?.close();
    await harness?.close();
  });

  it('GIVEN no credentials THEN the page and its assets load with a strict CSP, and the data is refused', async () => {
    const page = await call('/dashboard');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/dashboard/assets/dashboard.js">');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const script = await call('/dashboard/assets/dashboard.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('EventSource');
    expect((await call('/dashboard/assets/..%2Fdashboard-routes.ts')).status).toBe(404);
    expect((await call('/dashboard/api/snapshot')).status).toBe(401);
    expect((await call('/dashboard/api/stream')).status).toBe(401);
    expect(
      (await call('/dashboard/api/snapshot', { headers: { authorization: `Bearer ${'x'.repeat(30)}` } })).status,
    ).toBe(401);
  });

  it('GIVEN the operator token THEN the snapshot shows the floor from DynamoDB', async () => {
    const response = await call('/dashboard/api/snapshot', { headers: bearer });
    expect(response.status).toBe(200);
    const snapshot = (await response.json()) as DashboardSnapshot;
    expect(snapshot.machines.map((m) => [m.machineId, m.coinInCents, m.games, m.occupied])).toEqual([
      ['slot-1', 600, 3, false],
      ['slot-2', 2_000, 4, true],
      ['slot-3', 0, 0, false],
    ]);
    expect(snapshot.kpis).toMatchObject({
      coinInCents: 2_600,
      theoCents: 230,
      games: 7,
      gamesPerMinute: 42,
      activePlayers: 1,
      openAlerts: 1,
      coinInPerMinuteByZone: { 'main-floor': 2_400 },
    });
    expect(snapshot.players).toEqual([
      expect.objectContaining({
        player: 'bbbbbbbbbbbb',
        machineId: 'slot-2',
        sessionCoinInCents: 2_000,
        sessionTheoCents: 200,
        offers: [expect.objectContaining({ kind: 'free_play', valueCents: 1_500, status: 'accepted' })],
      }),
    ]);
    expect(snapshot.shufflers).toEqual([
      expect.objectContaining({ deviceId: 'shf-007', failureRisk: 0.91, temperatureCelsius: 41.5, openAlerts: 1 }),
    ]);
    expect(snapshot.alerts).toEqual([
      expect.objectContaining({
        deviceId: 'shf-007',
        severity: 'critical',
        probability: 0.91,
        raisedAt: T + 3_500_000,
      }),
    ]);
    expect(snapshot.pipeline).toEqual({ available: false, reason: expect.any(String) });
  });

  it('GIVEN the token exchanged for a session THEN an HttpOnly cookie opens the data, never the /v1 API, and a forged one nothing', async () => {
    const exchange = await call('/dashboard/session', { method: 'POST', headers: bearer });
    expect(exchange.status).toBe(204);
    const setCookie = exchange.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^croupier_dashboard=[^;]+; Max-Age=3600; Path=\/dashboard; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0]!;
    expect((await call('/dashboard/api/snapshot', { headers: { cookie } })).status).toBe(200);
    expect((await call('/v1/devices', { headers: { cookie } })).status).toBe(401);
    const forged = `${cookie.slice(0, -2)}${cookie.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await call('/dashboard/api/snapshot', { headers: { cookie: forged } })).status).toBe(401);
    expect((await call('/dashboard/session', { method: 'POST' })).status).toBe(401);
  });

  it('GIVEN a one-time sign-in code THEN it opens one session and is refused afterwards', async () => {
    const code = codes.issue({ id: 'operator', roles: ['read', 'write'] });
    const first = await call(`/dashboard/sign-in?code=${code}`);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/dashboard');
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    expect((await call('/dashboard/api/snapshot', { headers: { cookie } })).status).toBe(200);
    const second = await call(`/dashboard/sign-in?code=${code}`);
    expect(second.headers.get('location')).toBe('/dashboard?sign-in=expired');
    expect(second.headers.get('set-cookie')).toBeNull();
  });

  it('GIVEN an open event stream WHEN more play is rated THEN a snapshot then a delta with the new figures arrive', async () => {
    const exchange = await call('/dashboard/session', { method: 'POST', headers: bearer });
    const cookie = exchange.headers.get('set-cookie')!.split(';')[0]!;
    const stream = await call('/dashboard/api/stream', { headers: { cookie } });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const more = playSession({
      playerToken: PLAYER_A,
      machineId: 'slot-3',
      start: T + 3_200_000,
      games: 5,
      wagerCents: 1_000,
      hold: 0.08,
    });
    const events = await readEvents(stream, (seen) => {
      if (seen.length === 1) void play(more.events);
      return seen.some((e) => e.event === 'delta' && 'machines' in JSON.parse(e.data));
    });
    expect(events[0]!.event).toBe('snapshot');
    const snapshot = JSON.parse(events[0]!.data) as DashboardSnapshot;
    expect(snapshot.kpis.coinInCents).toBe(2_600);
    const delta = JSON.parse(events.find((e) => e.event === 'delta' && e.data.includes('"machines"'))!.data);
    expect(delta.machines.find((m: { machineId: string }) => m.machineId === 'slot-3')).toMatchObject({
      coinInCents: 5_000,
      occupied: true,
    });
    expect(delta.kpis.coinInCents).toBe(7_600);
    expect(delta).not.toHaveProperty('shufflers');
  });
});
