import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { EpochMillis, Identifier, type PlayerRating, PlayerToken } from '@croupier/contracts';
import { Hono } from 'hono';
import { z } from 'zod';
import { type Item, isConditionalCheckFailed } from '../common/dynamo.js';
import type { TableNames } from '../common/table-names.js';
import { KpiStore } from '../kpi/kpi-store.js';
import { OfferStore } from '../offers/offer-store.js';
import { ResponsibleGamingEntry, statusOf } from '../offers/responsible-gaming.js';
import { effectiveStatus, type SessionState } from '../rating/player-ledger.js';
import { storedPlayerFromItem } from '../rating/rating-items.js';
import { readPlayerSessions } from '../rating/session-reader.js';
import { microsToCents } from '../rating/theo.js';
import { ApiError, validate } from './api-errors.js';
import { type AuthConfig, authenticate, type Caller, requireRole } from './authentication.js';
import { createDashboardRoutes, type DashboardRoutesDependencies } from './dashboard/dashboard-routes.js';
import { decodeCursor, isRefusedStartKey, PageQuery, page, refusedCursor, startKeyAttributes } from './pagination.js';

export interface FloorApiDependencies {
  readonly dynamo: DynamoDBDocumentClient;
  readonly tables: TableNames;
  readonly auth: AuthConfig;
  readonly abandonedAfterMs: number;
  readonly clock?: () => number;
  readonly onError?: (error: unknown) => void;
  /** The dashboard at `/dashboard`; without it the API serves no page. */
  readonly dashboard?: Omit<DashboardRoutesDependencies, 'authenticate'>;
}

type Env = { Variables: { caller: Caller }; Bindings: { event?: unknown } };

const TokenParam = z.object({ token: PlayerToken });
const OfferResponseBody = z.object({ response: z.enum(['accepted', 'declined']) }).strict();
const ListingBody = z
  .object({
    kind: z.enum(['self_excluded', 'cool_off']),
    until: EpochMillis.optional(),
    note: z.string().max(512).optional(),
  })
  .strict();
const AlertsQuery = PageQuery.extend({ state: z.enum(['raised', 'acknowledged', 'resolved']).default('raised') });
const KpiQuery = PageQuery.extend({ from: z.iso.datetime(), to: z.iso.datetime() });
const KpiMetric = z.string().regex(/^[a-z_]+(#[A-Za-z0-9_.:-]{1,128})?$/);

/** A session as the API returns it: the contract's PlayerSession with its effective status. */
function sessionView(session: SessionState, now: number, abandonedAfterMs: number) {
  return {
    sessionId: session.sessionId,
    playerToken: session.playerToken,
    machineId: session.machineId,
    startedAt: session.startedAt,
    ...(session.endedAt !== undefined ? { endedAt: session.endedAt } : {}),
    state: effectiveStatus(session, now, abandonedAfterMs),
    games: session.games,
    coinInCents: session.coinInCents,
    winCents: session.winCents,
    theoCents: microsToCents(session.theoMicros),
    lastEventAt: session.lastEventAt,
  };
}

/**
 * The floor API: one Hono app served by API Gateway + Lambda in AWS and by Node on the local floor.
 * Every `/v1` route is authenticated; inputs are validated with zod; lists are paginated with opaque
 * cursors; errors are JSON with a stable code. The dashboard, if configured, authenticates its own
 * data routes (session cookie or the same credentials) and serves its data-free page openly.
 */
export function createFloorApi(deps: FloorApiDependencies): Hono<Env> {
  const { dynamo, tables } = deps;
  const clock = deps.clock ?? Date.now;
  const offers = new OfferStore(dynamo, tables, 0);
  const kpis = new KpiStore(dynamo, tables.kpis);
  const app = new Hono<Env>();

  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(error.body(), error.status);
    if (isRefusedStartKey(error)) return c.json(refusedCursor.body(), refusedCursor.status);
    deps.onError?.(error);
    return c.json({ error: { code: 'internal', message: 'internal error' } }, 500);
  });
  app.notFound((c) => c.json({ error: { code: 'not_found', message: 'no such route' } }, 404));
  const authenticated = authenticate(deps.auth);
  if (deps.dashboard)
    app.route('/dashboard', createDashboardRoutes({ ...deps.dashboard, authenticate: authenticated }));
  app.use('/v1/*', authenticated);

  app.get('/v1/players/:token', async (c) => {
    const { token } = validate(TokenParam, c.req.param(), 'player token');
    const out = await dynamo.send(new GetCommand({ TableName: tables.players, Key: { playerToken: token } }));
    if (!out.Item) throw new ApiError(404, 'not_found', 'no rated play for this player');
    const stored = storedPlayerFromItem(token, out.Item);
    const { state } = stored;
    const rating: PlayerRating = {
      playerToken: token,
      tier: state.tier,
      adtCents: state.adtCents,
      tripsConsidered: state.tripsConsidered,
      lifetimeTheoCents: microsToCents(state.lifetimeTheoMicros),
      lifetimeCoinInCents: state.lifetimeCoinInCents,
      lifetimeGames: state.lifetimeGames,
      ...(state.lastPlayedAt !== undefined ? { lastPlayedAt: state.lastPlayedAt } : {}),
      updatedAt: Number(out.Item.updatedAt ?? 0),
    };
    const current = state.currentSessionId ? stored.live.get(state.currentSessionId) : undefined;
    return c.json({
      rating,
      tripTheoCents: Object.fromEntries(
        Object.entries(state.trips).map(([day, micros]) => [day, microsToCents(micros)]),
      ),
      ...(current ? { currentSession: sessionView(current, clock(), deps.abandonedAfterMs) } : {}),
    });
  });

  app.get('/v1/players/:token/sessions', async (c) => {
    const { token } = validate(TokenParam, c.req.param(), 'player token');
    const q = validate(PageQuery, c.req.query(), 'query');
    const startKey = decodeCursor(q.cursor, {
      attributes: startKeyAttributes('sessions'),
      fixed: { playerToken: token },
    });
    const result = await readPlayerSessions(dynamo, tables, token, {
      limit: q.limit,
      ...(startKey ? { startKey } : {}),
    });
    return c.json(
      page(
        result.sessions.map((s) => sessionView(s, clock(), deps.abandonedAfterMs)),
        result.nextKey,
      ),
    );
  });

  app.get('/v1/players/:token/offers', async (c) => {
    const { token } = validate(TokenParam, c.req.param(), 'player token');
    const q = validate(PageQuery, c.req.query(), 'query');
    const startKey = decodeCursor(q.cursor, {
      attributes: startKeyAttributes('offers'),
      fixed: { playerToken: token },
    });
    const now = clock();
    const out = await dynamo.send(
      new QueryCommand({
        TableName: tables.offers,
        KeyConditionExpression: 'playerToken = :p',
        FilterExpression: 'attribute_exists(#status) AND expiresAtMs > :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':p': token, ':now': now },
        Limit: q.limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const items = ((out.Items as Item[] | undefined) ?? []).map((o) => ({
      offerId: o.offerId,
      machineId: o.machineId,
      sessionId: o.sessionId,
      kind: o.kind,
      valueCents: o.valueCents,
      text: o.text,
      reason: o.reason,
      decidedAt: o.decidedAt,
      expiresAt: o.expiresAtMs,
      status: o.status,
      ...(o.respondedAt !== undefined ? { respondedAt: o.respondedAt } : {}),
    }));
    return c.json(page(items, out.LastEvaluatedKey));
  });

  app.get('/v1/players/:token/decisions', async (c) => {
    const { token } = validate(TokenParam, c.req.param(), 'player token');
    const q = validate(PageQuery, c.req.query(), 'query');
    const startKey = decodeCursor(q.cursor, {
      attributes: startKeyAttributes('offers'),
      fixed: { playerToken: token },
    });
    const out = await dynamo.send(
      new QueryCommand({
        TableName: tables.offers,
        KeyConditionExpression: 'playerToken = :p AND begins_with(offerId, :d)',
        ExpressionAttributeValues: { ':p': token, ':d': 'decision#' },
        ScanIndexForward: false,
        Limit: q.limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const items = ((out.Items as Item[] | undefined) ?? []).map(({ expiresAt: _ttl, ...decision }) => decision);
    return c.json(page(items, out.LastEvaluatedKey));
  });

  app.post('/v1/players/:token/offers/:offerId/response', async (c) => {
    requireRole(c.get('caller'), 'write');
    const { token, offerId } = validate(
      TokenParam.extend({ offerId: z.uuid({ version: 'v7' }) }),
      c.req.param(),
      'path',
    );
    const body = validate(OfferResponseBody, await c.req.json().catch(() => undefined), 'body');
    const recorded = await offers.respond({
      offerId,
      playerToken: token,
      response: body.response,
      respondedAt: clock(),
    });
    if (!recorded) throw new ApiError(409, 'offer_not_open', 'the offer is unknown, expired or already answered');
    return c.json({ offerId, response: body.response });
  });

  app.get('/v1/responsible-gaming', async (c) => {
    const q = validate(PageQuery, c.req.query(), 'query');
    const startKey = decodeCursor(q.cursor, { attributes: startKeyAttributes('responsibleGaming') });
    const out = await dynamo.send(
      new ScanCommand({
        TableName: tables.responsibleGaming,
        Limit: q.limit,
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const now = clock();
    const items = ((out.Items as Item[] | undefined) ?? []).map((item) => ({
      ...item,
      inForce: statusOf(ResponsibleGamingEntry.safeParse(item).data, now).kind === 'listed',
    }));
    return c.json(page(items, out.LastEvaluatedKey));
  });

  app.get('/v1/responsible-gaming/:token', async (c) => {
    const { token } = validate(TokenParam, c.req.param(), 'player token');
    const entry = await offers.freshResponsibleGaming(token);
    if (!entry) throw new ApiError(404, 'not_found', 'player is not on the list');
    return c.json({ ...entry, inForce: statusOf(entry, clock()).kind === 'listed' });
  });

  app.put('/v1/responsible-gaming/:token', async (c) => {
    const caller = c.get('caller');
    requireRole(caller, 'write');
    const { token } = validate(TokenParam, c.req.param(), 'player token');
    const body = validate(ListingBody, await c.req.json().catch(() => undefined), 'body');
    const now = clock();
    const entry = validate(
      ResponsibleGamingEntry,
      { playerToken: token, ...body, since: now, updatedBy: caller.id, updatedAt: now },
      'listing',
    );
    await dynamo.send(new PutCommand({ TableName: tables.responsibleGaming, Item: entry }));
    return c.json(entry, 200);
  });

  app.delete('/v1/responsible-gaming/:token', async (c) => {
    requireRole(c.get('caller'), 'write');
    const { token } = validate(TokenParam, c.req.param(), 'player token');
    await dynamo.send(new DeleteCommand({ TableName: tables.responsibleGaming, Key: { playerToken: token } }));
    return c.body(null, 204);
  });

  app.get('/v1/devices', async (c) => {
    const q = validate(PageQuery, c.req.query(), 'query');
    const startKey = decodeCursor(q.cursor, { attributes: startKeyAttributes('devices') });
    const out = await dynamo.send(
      new ScanCommand({
        TableName: tables.devices,
        Limit: q.limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    return c.json(page((out.Items as Item[] | undefined) ?? [], out.LastEvaluatedKey));
  });

  app.get('/v1/devices/:deviceId', async (c) => {
    const { deviceId } = validate(z.object({ deviceId: Identifier }), c.req.param(), 'device id');
    const out = await dynamo.send(new GetCommand({ TableName: tables.devices, Key: { deviceId } }));
    if (!out.Item) throw new ApiError(404, 'not_found', 'unknown device');
    return c.json(out.Item);
  });

  app.get('/v1/alerts', async (c) => {
    const q = validate(AlertsQuery, c.req.query(), 'query');
    const startKey = decodeCursor(q.cursor, {
      attributes: startKeyAttributes('alerts', 'byState'),
      fixed: { state: q.state },
    });
    const out = await dynamo.send(
      new QueryCommand({
        TableName: tables.alerts,
        IndexName: 'byState',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':s': q.state },
        ScanIndexForward: false,
        Limit: q.limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    return c.json(page((out.Items as Item[] | undefined) ?? [], out.LastEvaluatedKey));
  });

  app.post('/v1/alerts/:deviceId/:alertId/acknowledge', async (c) => {
    const caller = c.get('caller');
    requireRole(caller, 'write');
    const { deviceId, alertId } = validate(
      z.object({ deviceId: Identifier, alertId: z.uuid({ version: 'v7' }) }),
      c.req.param(),
      'path',
    );
    try {
      const out = await dynamo.send(
        new UpdateCommand({
          TableName: tables.alerts,
          Key: { deviceId, alertId },
          UpdateExpression: 'SET #s = :ack, acknowledgedBy = :by, acknowledgedAt = :at',
          ConditionExpression: '#s = :raised',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':ack': 'acknowledged', ':raised': 'raised', ':by': caller.id, ':at': clock() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return c.json(out.Attributes);
    } catch (error) {
      if (isConditionalCheckFailed(error))
        throw new ApiError(409, 'alert_not_raised', 'only a raised alert can be acknowledged');
      throw error;
    }
  });

  app.get('/v1/kpis/:metric', async (c) => {
    const metric = validate(KpiMetric, c.req.param('metric'), 'metric');
    const q = validate(KpiQuery, c.req.query(), 'query');
    if (Date.parse(q.from) >= Date.parse(q.to)) throw new ApiError(400, 'invalid_request', 'from must be before to');
    const startKey = decodeCursor(q.cursor, { attributes: startKeyAttributes('kpis'), fixed: { metric } });
    const isoSeconds = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const result = await kpis.read(metric, isoSeconds(q.from), isoSeconds(q.to), {
      limit: q.limit,
      ...(startKey ? { startKey } : {}),
    });
    return c.json(page(result.points, result.nextKey));
  });

  return app;
}
