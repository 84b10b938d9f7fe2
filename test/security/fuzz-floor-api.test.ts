import { createHash } from 'node:crypto';
import { createFloorApi } from '@croupier/cloud/src/api/floor-api';
import { defaultTableNames } from '@croupier/cloud/src/common/table-names';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoHarness, startDynamo } from '../../cloud/test/processing/support/dynamo-harness.js';
import { anyJson, runs } from './support/fuzz.js';

/*
 * The floor API (the same Hono app API Gateway + Lambda serve) under arbitrary routes, methods,
 * query strings, headers, bodies, cursors and gateway events, against real dynalite tables.
 * Properties: it never answers 5xx, every error is a JSON body with a stable code, nobody without a
 * valid identity gets anything but 401, and a reader never changes anything.
 */

const READER = 'reader-token-0123456789abcdef';
const WRITER = 'writer-token-0123456789abcdef';
const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const TOKEN = 'a'.repeat(64);
const UUID7 = '01936f7e-1c2a-7b3d-8e4f-5a6b7c8d9e01';

/** A path segment: valid ids and tokens, and hostile text (encoded so it stays one segment). */
const segment = fc.oneof(
  fc.constantFrom(TOKEN, UUID7, 'SH-07', 'shuffles', 'coin_in#SM-0001', '..', '%00', '%2F', ''),
  fc.string({ maxLength: 80 }).map(encodeURIComponent),
  fc.stringMatching(/^[0-9a-f]{1,70}$/),
);

/** Every route shape the API has, with random segments in its parameters, plus unknown routes. */
const path = fc.oneof(
  segment.map((t) => `/v1/players/${t}`),
  fc.tuple(segment, fc.constantFrom('sessions', 'offers', 'decisions')).map(([t, r]) => `/v1/players/${t}/${r}`),
  fc.tuple(segment, segment).map(([t, o]) => `/v1/players/${t}/offers/${o}/response`),
  fc.constant('/v1/responsible-gaming'),
  segment.map((t) => `/v1/responsible-gaming/${t}`),
  fc.constant('/v1/devices'),
  segment.map((d) => `/v1/devices/${d}`),
  fc.constant('/v1/alerts'),
  fc.tuple(segment, segment).map(([d, a]) => `/v1/alerts/${d}/${a}/acknowledge`),
  segment.map((m) => `/v1/kpis/${m}`),
  fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
);

/** A cursor holding exactly `key`, as an attacker would forge it. */
const forged = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

/**
 * A cursor: random text, base64url of any JSON, or a forged key made of any of the API's key
 * attributes with any values (fixed F4, docs/security.md; the named forgeries are asserted below).
 */
const cursor = fc.oneof(
  fc.string({ maxLength: 100 }),
  anyJson.map((value) => Buffer.from(JSON.stringify(value) ?? '').toString('base64url')),
  fc
    .dictionary(
      fc.constantFrom(
        'playerToken',
        'sessionId',
        'offerId',
        'deviceId',
        'alertId',
        'state',
        'raisedAt',
        'metric',
        'window',
      ),
      fc.oneof(fc.constantFrom(TOKEN, UUID7, 'raised', ''), fc.string({ maxLength: 20 }), fc.integer(), anyJson),
    )
    .map(forged),
);

const query = fc
  .record(
    {
      limit: fc.oneof(fc.integer({ min: -5, max: 500 }).map(String), fc.string({ maxLength: 10 })),
      cursor,
      state: fc.oneof(fc.constantFrom('raised', 'acknowledged', 'resolved'), fc.string({ maxLength: 10 })),
      from: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string({ maxLength: 30 }),
      ),
      to: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string({ maxLength: 30 }),
      ),
    },
    { requiredKeys: [] },
  )
  .map((q) => new URLSearchParams(q as Record<string, string>).toString());

const body = fc.oneof(
  fc.constant(undefined),
  anyJson.map((v) => JSON.stringify(v) ?? ''),
  fc.constantFrom(
    '{"response":"accepted"}',
    '{"kind":"self_excluded","note":"x"}',
    '{"kind":"cool_off","until":1}',
    '{',
    '{"response":"accepted","extra":1}',
  ),
  fc.string({ maxLength: 300 }),
);

const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS');

const authorization = fc.oneof(
  fc.constant(undefined),
  fc.constant(`Bearer ${READER}`),
  fc.constant(`Bearer ${WRITER}`),
  fc.string({ maxLength: 100 }),
  fc.stringMatching(/^Bearer [A-Za-z0-9._~+/=-]{16,64}$/),
);

const request = fc.record({
  method,
  path,
  query,
  body,
  authorization,
  contentType: fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded'),
  extraHeader: fc.tuple(fc.stringMatching(/^x-[a-z-]{1,20}$/), fc.string({ maxLength: 100 })),
});

type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

function init(r: FuzzRequest): RequestInit {
  const headers = new Headers();
  if (r.authorization !== undefined) {
    try {
      headers.set('authorization', r.authorization);
    } catch {
      // A header value fetch itself refuses never reaches an API.
    }
  }
  if (r.contentType) headers.set('content-type', r.contentType);
  try {
    headers.set(r.extraHeader[0], r.extraHeader[1]);
  } catch {
    // As above.
  }
  const hasBody = r.body !== undefined && !['GET', 'HEAD'].includes(r.method);
  return { method: r.method, headers, ...(hasBody ? { body: r.body } : {}) };
}

/** The error body's `code: message`, or undefined when it has none. */
const errorCode = async (response: Response) => {
  const { error } = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
  return typeof error?.code === 'string' ? `${error.code}: ${String(error.message)}` : undefined;
};

/** Without a valid identity a caller learns nothing but 401, or 404 for a route that does not exist at all. */
const refusedUnauthenticated = (status: number, error: string | undefined) =>
  status === 401 || (status === 404 && error === 'not_found: no such route');

describe('GIVEN the floor API on real dynalite tables', () => {
  let harness: DynamoHarness;
  const internalErrors: unknown[] = [];
  const tokenApi = () =>
    createFloorApi({
      dynamo: harness.doc,
      tables: defaultTableNames(),
      auth: {
        mode: 'token',
        tokens: [
          { id: 'reader', sha256: digest(READER), roles: ['read'] },
          { id: 'writer', sha256: digest(WRITER), roles: ['read', 'write'] },
        ],
      },
      abandonedAfterMs: 1_800_000,
      onError: (error) => internalErrors.push(error),
    });

  beforeAll(async () => {
    harness = await startDynamo();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('WHEN sent arbitrary routes, methods, queries, headers, bodies and cursors THEN it never answers 5xx and every error is JSON with a code', async () => {
    internalErrors.length = 0;
    const app = tokenApi();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const response = await app.request(`${r.path}?${r.query}`, init(r));
        expect(response.status, `${r.method} ${r.path}?${r.query}`).toBeLessThan(500);
        const error = response.status >= 400 && r.method !== 'HEAD' ? await errorCode(response) : undefined;
        if (response.status >= 400 && r.method !== 'HEAD') expect(typeof error).toBe('string');
        if (r.authorization !== `Bearer ${READER}` && r.authorization !== `Bearer ${WRITER}`) {
          // A HEAD answer has no body to tell an unknown route from a refused one.
          if (r.method === 'HEAD') expect([401, 404]).toContain(response.status);
          else expect(refusedUnauthenticated(response.status, error)).toBe(true);
        }
        if (r.authorization === `Bearer ${READER}` && ['PUT', 'DELETE', 'POST'].includes(r.method)) {
          expect(response.status).toBeGreaterThanOrEqual(400);
        }
      }),
      { numRuns: runs(400) },
    );
    expect(internalErrors).toEqual([]);
  });

  // Fixed F4 (docs/security.md): a cursor must be exactly the start key of the route's table or index,
  // each attribute of its type, with the partition the request queries; DynamoDB never sees another.
  it("WHEN a cursor is forged with part of a key, a mistyped or extra attribute, another partition's key, or a key outside the range THEN the API answers 400 invalid_cursor, never 500", async () => {
    internalErrors.length = 0;
    const app = tokenApi();
    const reader = { headers: { authorization: `Bearer ${READER}` } };
    const alertKey = { deviceId: 'SH-01', alertId: UUID7, state: 'raised', raisedAt: '2026-11-21T00:00:00Z' };
    const kpiRange = 'from=2026-11-21T00:00:00Z&to=2026-11-21T01:00:00Z';
    const requests = [
      `/v1/alerts?cursor=${forged({ raisedAt: 0 })}`,
      `/v1/alerts?cursor=${forged({ ...alertKey, raisedAt: 0 })}`,
      `/v1/alerts?cursor=${forged({ ...alertKey, extra: 'x' })}`,
      `/v1/alerts?state=raised&cursor=${forged({ ...alertKey, state: 'resolved' })}`,
      `/v1/players/${TOKEN}/sessions?cursor=${forged({ playerToken: 'b'.repeat(64), sessionId: UUID7 })}`,
      `/v1/players/${TOKEN}/sessions?cursor=${forged({ playerToken: TOKEN, sessionId: '' })}`,
      `/v1/players/${TOKEN}/offers?cursor=${forged({ playerToken: TOKEN })}`,
      `/v1/devices?cursor=${forged({ deviceId: 7 })}`,
      `/v1/kpis/coin_in?${kpiRange}&cursor=${forged({ metric: 'games', window: '2026-11-21T00:10:00Z' })}`,
      `/v1/kpis/coin_in?${kpiRange}&cursor=${forged({ metric: 'coin_in', window: '1999-01-01T00:00:00Z' })}`,
    ];
    const answers: [string, number, unknown][] = [];
    for (const request of requests) {
      const response = await app.request(request, reader);
      answers.push([request, response.status, (await errorCode(response))?.split(':')[0]]);
    }
    expect(answers).toEqual(requests.map((request) => [request, 400, 'invalid_cursor']));
    expect(internalErrors).toEqual([]);
  });

  it('WHEN a cursor is the whole start key of the same request THEN it is accepted', async () => {
    const app = tokenApi();
    const reader = { headers: { authorization: `Bearer ${READER}` } };
    const sessions = await app.request(
      `/v1/players/${TOKEN}/sessions?cursor=${forged({ playerToken: TOKEN, sessionId: UUID7 })}`,
      reader,
    );
    const alerts = await app.request(
      `/v1/alerts?state=raised&cursor=${forged({ deviceId: 'SH-01', alertId: UUID7, state: 'raised', raisedAt: '2026-11-21T00:00:00Z' })}`,
      reader,
    );
    expect([sessions.status, alerts.status]).toEqual([200, 200]);
  });

  it('WHEN behind API Gateway with arbitrary request contexts THEN only a verified identity gets past 401, and nothing answers 5xx', async () => {
    internalErrors.length = 0;
    const app = createFloorApi({
      dynamo: harness.doc,
      tables: defaultTableNames(),
      auth: { mode: 'gateway', writerGroup: 'floor-writers' },
      abandonedAfterMs: 1_800_000,
      onError: (error) => internalErrors.push(error),
    });
    const event = fc.oneof(
      anyJson,
      fc.record({ requestContext: anyJson }),
      fc.record({
        requestContext: fc.record({
          identity: fc.oneof(anyJson, fc.record({ userArn: fc.oneof(fc.constant(null), fc.string()) })),
          authorizer: fc.oneof(anyJson, fc.record({ claims: fc.oneof(anyJson, fc.record({ sub: anyJson })) })),
        }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(path, event, async (p, e) => {
        const response = await app.request(p, { method: 'GET' }, { event: e });
        expect(response.status).toBeLessThan(500);
        const context = (e as { requestContext?: { identity?: { userArn?: unknown }; authorizer?: unknown } } | null)
          ?.requestContext;
        const claims = (context?.authorizer as { claims?: { sub?: unknown } } | null | undefined)?.claims;
        const verified =
          (typeof context?.identity?.userArn === 'string' && context.identity.userArn.length > 0) ||
          typeof claims?.sub === 'string';
        if (!verified) expect(refusedUnauthenticated(response.status, await errorCode(response))).toBe(true);
      }),
      { numRuns: runs(300) },
    );
    expect(internalErrors).toEqual([]);
  });
});
