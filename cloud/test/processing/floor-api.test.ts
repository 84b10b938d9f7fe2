import { createHash } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFloorApi } from '../../src/api/floor-api.js';
import { type LocalApiServer, serveFloorApi } from '../../src/api/serve-local.js';
import { defaultTableNames } from '../../src/common/table-names.js';
import { createSlotHandler } from '../../src/handlers/slot-processor.js';
import { KpiStore } from '../../src/kpi/kpi-store.js';
import { type DynamoHarness, startDynamo } from './support/dynamo-harness.js';
import { envelopeRecords } from './support/kinesis-batch.js';
import { eventId, playSession } from './support/play.js';

const tables = defaultTableNames();
const READER = 'reader-token-0123456789abcdef';
const WRITER = 'writer-token-0123456789abcdef';
const digest = (t: string) => createHash('sha256').update(t).digest('hex');
const T = Date.UTC(2026, 10, 21, 19);
const PLAYER = 'f'.repeat(64);

describe('floor API', () => {
  let harness: DynamoHarness;
  let server: LocalApiServer;
  const now = T + 3_600_000;
  const call = async (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const token = init.token === undefined ? READER : init.token;
    const response = await fetch(`${server.url}${path}`, {
      ...init,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field below
    const body: any = response.status === 204 ? undefined : await response.json();
    return { status: response.status, body };
  };

  beforeAll(async () => {
    harness = await startDynamo();
    const slot = createSlotHandler({
      dynamo: harness.doc,
      rating: {
        timeZone: 'UTC',
        gamingDayStartHour: 6,
        adtTrips: 5,
        abandonedAfterMs: 1_800_000,
        tiers: { silver: 1, gold: 2, platinum: 3 },
      },
      now: () => now,
    });
    const first = playSession({
      playerToken: PLAYER,
      machineId: 'slot-1',
      start: T,
      games: 3,
      wagerCents: 200,
      hold: 0.05,
      cardOut: true,
    });
    const second = playSession({
      playerToken: PLAYER,
      machineId: 'slot-2',
      start: T + 600_000,
      games: 4,
      wagerCents: 100,
      hold: 0.1,
    });
    await slot({
      Records: envelopeRecords([
        { stream: 'slot', property: 'prop-1', core: 'core-a', seq: 0, events: [...first.events, ...second.events] },
      ]),
    });
    const offerId = eventId(T + 700_000);
    await harness.doc.send(
      new PutCommand({
        TableName: tables.offers,
        Item: {
          playerToken: PLAYER,
          offerId,
          machineId: 'slot-2',
          kind: 'free_play',
          valueCents: 500,
          text: '$5 free play',
          reason: 'r',
          decidedAt: T,
          expiresAtMs: now + 600_000,
          expiresAt: 0,
          status: 'sent',
          sessionId: second.sessionId,
        },
      }),
    );
    await harness.doc.send(
      new PutCommand({
        TableName: tables.alerts,
        Item: {
          deviceId: 'shf-1',
          alertId: eventId(T),
          state: 'raised',
          raisedAt: new Date(T).toISOString(),
          cause: 'fault',
          severity: 'critical',
          message: 'jam',
        },
      }),
    );
    await new KpiStore(harness.doc, tables.kpis).putShardContribution(
      'games_per_minute',
      '2026-11-21T19:00:00Z',
      's0',
      12,
      now,
    );
    const app = createFloorApi({
      dynamo: harness.doc,
      tables,
      auth: {
        mode: 'token',
        tokens: [
          { id: 'dashboard', sha256: digest(READER), roles: ['read'] },
          { id: 'host-desk', sha256: digest(WRITER), roles: ['read', 'write'] },
        ],
      },
      abandonedAfterMs: 1_800_000,
      clock: () => now,
    });
    server = await serveFloorApi(app, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await harness?.close();
  });

  it('GIVEN no token or an unknown one THEN 401; GIVEN a reader writing THEN 403', async () => {
    expect(await call(`/v1/players/${PLAYER}`, { token: null })).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthenticated' } },
    });
    expect((await call(`/v1/players/${PLAYER}`, { token: 'x'.repeat(30) })).status).toBe(401);
    const put = await call(`/v1/responsible-gaming/${PLAYER}`, {
      method: 'PUT',
      body: JSON.stringify({ kind: 'self_excluded' }),
    });
    expect(put).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
  });

  it('GIVEN a rated player THEN profile, rating and current session; a bad token is a 400 naming the field', async () => {
    const { status, body } = await call(`/v1/players/${PLAYER}`);
    expect(status).toBe(200);
    expect(body.rating).toMatchObject({
      playerToken: PLAYER,
      lifetimeCoinInCents: 1_000,
      lifetimeGames: 7,
      lifetimeTheoCents: 70,
    });
    // Idle for longer than the abandoned-card timeout: reported as abandoned before any card-out arrives.
    expect(body.currentSession).toMatchObject({
      machineId: 'slot-2',
      state: 'abandoned',
      coinInCents: 400,
      theoCents: 40,
    });
    expect(await call('/v1/players/not-a-token')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', issues: [{ path: 'token' }] } },
    });
    expect((await call(`/v1/players/${'0'.repeat(64)}`)).status).toBe(404);
  });

  it('GIVEN two sessions WHEN paged one at a time THEN the cursor leads to the second, and a forged cursor is refused', async () => {
    const first = await call(`/v1/players/${PLAYER}/sessions?limit=1`);
    expect(first.body.items).toHaveLength(1);
    const second = await call(`/v1/players/${PLAYER}/sessions?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(new Set([first.body.items[0].machineId, second.body.items[0].machineId])).toEqual(
      new Set(['slot-1', 'slot-2']),
    );
    const forged = Buffer.from(JSON.stringify({ other: 'x' })).toString('base64url');
    expect((await call(`/v1/players/${PLAYER}/sessions?cursor=${forged}`)).body.error.code).toBe('invalid_cursor');
    expect((await call(`/v1/players/${PLAYER}/sessions?limit=1000`)).status).toBe(400);
  });

  it('GIVEN a current offer THEN it is listed and answered once', async () => {
    const list = await call(`/v1/players/${PLAYER}/offers`);
    expect(list.body.items).toMatchObject([{ kind: 'free_play', valueCents: 500, status: 'sent' }]);
    const offerId = list.body.items[0].offerId;
    const path = `/v1/players/${PLAYER}/offers/${offerId}/response`;
    expect(await call(path, { method: 'POST', token: WRITER, body: JSON.stringify({ response: 'accepted' }) })).toEqual(
      {
        status: 200,
        body: { offerId, response: 'accepted' },
      },
    );
    expect(
      (await call(path, { method: 'POST', token: WRITER, body: JSON.stringify({ response: 'declined' }) })).status,
    ).toBe(409);
    expect((await call(path, { method: 'POST', token: WRITER, body: '{"response":"maybe"}' })).status).toBe(400);
  });

  it('GIVEN the responsible-gaming list THEN a host lists, reads, pages and removes a player, with validation', async () => {
    const bad = await call(`/v1/responsible-gaming/${PLAYER}`, {
      method: 'PUT',
      token: WRITER,
      body: JSON.stringify({ kind: 'cool_off' }),
    });
    expect(bad).toMatchObject({ status: 400, body: { error: { issues: [{ path: 'until' }] } } });
    const put = await call(`/v1/responsible-gaming/${PLAYER}`, {
      method: 'PUT',
      token: WRITER,
      body: JSON.stringify({ kind: 'cool_off', until: now + 86_400_000, note: 'asked at the desk' }),
    });
    expect(put).toMatchObject({ status: 200, body: { kind: 'cool_off', updatedBy: 'host-desk', since: now } });
    expect((await call(`/v1/responsible-gaming/${PLAYER}`)).body).toMatchObject({ kind: 'cool_off', inForce: true });
    expect((await call('/v1/responsible-gaming?limit=10')).body.items).toMatchObject([
      { playerToken: PLAYER, inForce: true },
    ]);
    expect((await call(`/v1/responsible-gaming/${PLAYER}`, { method: 'DELETE', token: WRITER })).status).toBe(204);
    expect((await call(`/v1/responsible-gaming/${PLAYER}`)).status).toBe(404);
  });

  it('GIVEN a raised alert THEN it is listed by state and acknowledged once; devices and KPIs read back', async () => {
    const raised = await call('/v1/alerts?state=raised');
    expect(raised.body.items).toMatchObject([{ deviceId: 'shf-1', cause: 'fault' }]);
    const { deviceId, alertId } = raised.body.items[0];
    const ack = await call(`/v1/alerts/${deviceId}/${alertId}/acknowledge`, { method: 'POST', token: WRITER });
    expect(ack.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'host-desk' });
    expect(
      (await call(`/v1/alerts/${deviceId}/${alertId}/acknowledge`, { method: 'POST', token: WRITER })).status,
    ).toBe(409);
    expect((await call('/v1/devices/shf-404')).status).toBe(404);
    const kpis = await call('/v1/kpis/games_per_minute?from=2026-11-21T18:00:00Z&to=2026-11-21T20:00:00Z');
    expect(kpis.body.items).toEqual([{ metric: 'games_per_minute', windowStart: '2026-11-21T19:00:00Z', value: 12 }]);
    expect((await call('/v1/kpis/games_per_minute?from=2026-11-21T20:00:00Z&to=2026-11-21T18:00:00Z')).status).toBe(
      400,
    );
  });

  it('GIVEN gateway mode behind API Gateway THEN a request without a verified identity is refused and one with it served', async () => {
    const lambda = handle(
      createFloorApi({
        dynamo: harness.doc,
        tables,
        auth: { mode: 'gateway', writerGroup: 'floor-writers' },
        abandonedAfterMs: 1_800_000,
      }),
    );
    const event = (requestContext: Record<string, unknown>) =>
      ({
        httpMethod: 'GET',
        path: `/v1/players/${PLAYER}`,
        resource: '/{proxy+}',
        headers: {},
        multiValueHeaders: {},
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        pathParameters: null,
        stageVariables: null,
        body: null,
        isBase64Encoded: false,
        requestContext: {
          httpMethod: 'GET',
          path: `/prod/v1/players/${PLAYER}`,
          stage: 'prod',
          requestId: 'r',
          ...requestContext,
        },
      }) as unknown as LambdaEvent;
    const anonymous = (await lambda(event({ identity: {} }))) as { statusCode: number; body: string };
    expect(anonymous.statusCode).toBe(401);
    const signed = await lambda(
      event({ identity: { userArn: 'arn:aws:iam::123456789012:role/dashboard' } }),
      {} as never,
    );
    expect(signed.statusCode).toBe(200);
    expect(JSON.parse(signed.body).rating.playerToken).toBe(PLAYER);
  });
});
