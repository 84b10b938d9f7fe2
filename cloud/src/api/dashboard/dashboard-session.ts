import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Caller } from '../authentication.js';

/** Name of the dashboard's session cookie (scoped to `/dashboard`). */
export const SESSION_COOKIE = 'croupier_dashboard';

const SessionClaims = z.object({ sub: z.string().min(1).max(256), exp: z.number().int() });

/**
 * Browser sessions of the dashboard, as HttpOnly cookies.
 *
 * Why a cookie and not the bearer token in the page: the token is exchanged once (`POST
 * /dashboard/session` with the `Authorization` header, or a one-time sign-in code) for a cookie the
 * page's script can never read (HttpOnly), that is sent only to `/dashboard` on this origin
 * (SameSite=Strict, Path) and that expires on its own. A script injected into the page could not
 * steal a long-lived credential, the token never sits in `localStorage`, the URL, the history or a
 * Referer, and `EventSource` (which cannot set headers) is authenticated by the browser.
 *
 * The cookie is stateless — `base64url(claims).base64url(HMAC-SHA256)` — so every Lambda instance
 * and the local server verify it alike with the same key. A session only ever reads: whoever holds
 * the cookie gets the `read` role, whatever the token that opened it could do.
 */
export class DashboardSessions {
  constructor(
    private readonly key: Uint8Array,
    readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    if (key.byteLength < 32) throw new RangeError('the session key needs at least 256 bits');
  }

  /** A session cookie value for a caller. */
  issue(caller: Caller): string {
    const claims = Buffer.from(JSON.stringify({ sub: caller.id, exp: this.clock() + this.ttlMs })).toString(
      'base64url',
    );
    return `${claims}.${this.sign(claims)}`;
  }

  /** The caller a cookie value stands for, or undefined when it is forged, malformed or expired. */
  verify(value: string | undefined): Caller | undefined {
    const match = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
    if (!match) return undefined;
    const expected = Buffer.from(this.sign(match[1]!), 'base64url');
    const given = Buffer.from(match[2]!, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const claims = SessionClaims.safeParse(parsed);
    if (!claims.success || claims.data.exp <= this.clock()) return undefined;
    return { id: claims.data.sub, roles: ['read'] };
  }

  private sign(claims: string): string {
    return createHmac('sha256', this.key).update(claims).digest('base64url');
  }
}

/**
 * One-time sign-in codes: what the local floor prints as the dashboard link instead of the token.
 * A code opens one session, once, within its lifetime; it is useless afterwards, so a link left in
 * a terminal or the browser history opens nothing. Codes live in this process's memory: on the
 * local floor one process serves the API; in AWS sign-in goes through the gateway's identity.
 */
export class SignInCodes {
  private readonly codes = new Map<string, { caller: Caller; expiresAt: number }>();

  constructor(
    readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A new code for the caller (256 random bits). */
  issue(caller: Caller): string {
    const now = this.clock();
    for (const [code, entry] of this.codes) if (entry.expiresAt <= now) this.codes.delete(code);
    const code = randomBytes(32).toString('base64url');
    this.codes.set(code, { caller, expiresAt: now + this.ttlMs });
    return code;
  }

  /** The caller a code was issued for, once; undefined for an unknown, used or expired code. */
  redeem(code: string | undefined): Caller | undefined {
    if (!code) return undefined;
    const entry = this.codes.get(code);
    this.codes.delete(code);
    return entry && entry.expiresAt > this.clock() ? entry.caller : undefined;
  }
}
