import { readFile } from 'node:fs/promises';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import { ApiError } from '../api-errors.js';
import type { Caller } from '../authentication.js';
import type { DashboardFeed } from './dashboard-feed.js';
import { type DashboardSessions, SESSION_COOKIE, type SignInCodes } from './dashboard-session.js';
import type { DashboardSnapshot } from './dashboard-snapshot.js';
import { snapshotDelta } from './snapshot-delta.js';

type Env = { Variables: { caller: Caller }; Bindings: { event?: unknown } };

/** What the dashboard routes need. */
export interface DashboardRoutesDependencies {
  readonly feed: DashboardFeed;
  readonly sessions: DashboardSessions;
  /** The API's own authentication (bearer token or gateway identity), for the token exchange. */
  readonly authenticate: MiddlewareHandler<Env>;
  /** One-time sign-in links; only where one process serves the API (the local floor). */
  readonly signInCodes?: SignInCodes;
  /** Sends the cookie only over HTTPS; off on the local floor's loopback HTTP. */
  readonly secureCookies: boolean;
}

/** A comment line every this often keeps proxies from closing a quiet event stream. */
const KEEP_ALIVE_MS = 15_000;

/** The page, its stylesheet and its script: a fixed list, never a path from the request. */
const ASSETS = {
  'dashboard.css': 'text/css; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
} as const;

const assetCache = new Map<string, Promise<string>>();
const asset = (name: string) => {
  let text = assetCache.get(name);
  if (!text) {
    text = readFile(new URL(`./assets/${name}`, import.meta.url), 'utf8');
    assetCache.set(name, text);
  }
  return text;
};

/**
 * The page may run only its own script and style, talk only to its own origin, and be framed by
 * nobody; the API's data is rendered with textContent, never as HTML.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/**
 * The dashboard: a static page and its assets (no data in them, so unauthenticated), a token
 * exchange for a session cookie, one-time sign-in links, and the data — a JSON snapshot and a
 * server-sent-event stream of a snapshot followed by deltas — for a session cookie or the API's
 * own credentials. Mounted at `/dashboard` of the floor API.
 */
export function createDashboardRoutes(deps: DashboardRoutesDependencies): Hono<Env> {
  const app = new Hono<Env>();
  const openSession = (c: Context<Env>, caller: Caller) =>
    setCookie(c, SESSION_COOKIE, deps.sessions.issue(caller), {
      path: '/dashboard',
      httpOnly: true,
      sameSite: 'Strict',
      secure: deps.secureCookies,
      maxAge: Math.floor(deps.sessions.ttlMs / 1000),
    });
  const sessionOrCredentials: MiddlewareHandler<Env> = async (c, next) => {
    const fromCookie = deps.sessions.verify(getCookie(c, SESSION_COOKIE));
    if (fromCookie) {
      c.set('caller', fromCookie);
      await next();
      return;
    }
    if (!c.req.header('authorization') && !c.env?.event) {
      throw new ApiError(401, 'unauthenticated', 'sign in to the dashboard first');
    }
    await deps.authenticate(c, next);
  };

  app.get('/', async (c) => c.html(await asset('dashboard.html'), 200, SECURITY_HEADERS));
  app.get('/assets/:name', async (c) => {
    const name = c.req.param('name');
    if (!Object.hasOwn(ASSETS, name)) throw new ApiError(404, 'not_found', 'no such asset');
    return c.body(await asset(name), 200, {
      ...SECURITY_HEADERS,
      'content-type': ASSETS[name as keyof typeof ASSETS],
    });
  });

  app.post('/session', deps.authenticate, (c) => {
    openSession(c, c.get('caller'));
    return c.body(null, 204, { 'cache-control': 'no-store' });
  });
  app.delete('/session', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/dashboard', secure: deps.secureCookies });
    return c.body(null, 204);
  });
  app.get('/sign-in', (c) => {
    const caller = deps.signInCodes?.redeem(c.req.query('code'));
    if (caller) openSession(c, caller);
    // The code leaves the address bar at once; a used or expired one lands on the sign-in form.
    return c.redirect(caller ? '/dashboard' : '/dashboard?sign-in=expired', 303);
  });

  app.get('/api/snapshot', sessionOrCredentials, async (c) =>
    c.json(await deps.feed.snapshot(), 200, { 'cache-control': 'no-store' }),
  );

  app.get('/api/stream', sessionOrCredentials, (c) => {
    c.header('cache-control', 'no-store');
    return streamSSE(c, async (stream) => {
      let previous: DashboardSnapshot = await deps.feed.current();
      // Writes are chained so events keep their order; a failed write means the browser has gone.
      let writing: Promise<unknown> = Promise.resolve();
      const send = (write: () => Promise<unknown>) => {
        writing = writing.then(write).catch(() => stream.abort());
      };
      send(() => stream.writeSSE({ event: 'snapshot', data: JSON.stringify(previous) }));
      const unsubscribe = deps.feed.subscribe((next) => {
        const delta = snapshotDelta(previous, next);
        previous = next;
        send(() => stream.writeSSE({ event: 'delta', data: JSON.stringify(delta) }));
      });
      stream.onAbort(unsubscribe);
      while (!stream.aborted) {
        await stream.sleep(KEEP_ALIVE_MS);
        if (!stream.aborted) send(() => stream.write(': keep-alive\n\n'));
      }
      unsubscribe();
    });
  });

  return app;
}
