import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { ApiError } from './api-errors.js';

/** What a caller may do: read everything, or also change the list, answer offers and acknowledge alerts. */
export type Role = 'read' | 'write';

/** The authenticated caller, set on the request context. */
export interface Caller {
  readonly id: string;
  readonly roles: readonly Role[];
}

/**
 * How callers are authenticated.
 *
 * - `gateway`: behind API Gateway with IAM or Cognito authorization. The gateway has verified the
 *   caller; the app still refuses any request whose event carries no verified identity, so a
 *   misconfigured route cannot open the API. Writers are IAM principals or Cognito users in the
 *   `writerGroup`.
 * - `token`: the local floor. Bearer tokens are compared by SHA-256 digest in constant time; the
 *   configuration holds only digests, never the tokens.
 */
export const AuthConfig = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('gateway'), writerGroup: z.string().min(1).default('floor-writers') }),
  z.object({
    mode: z.literal('token'),
    tokens: z
      .array(
        z.object({
          id: z.string().min(1).max(64),
          sha256: z.string().regex(/^[0-9a-f]{64}$/),
          roles: z.array(z.enum(['read', 'write'])).min(1),
        }),
      )
      .min(1),
  }),
]);
export type AuthConfig = z.infer<typeof AuthConfig>;

/** The verified identity API Gateway puts on the Lambda event (REST API, IAM or Cognito authorizer). */
const GatewayIdentity = z.object({
  requestContext: z.object({
    identity: z.object({ userArn: z.string().nullish(), caller: z.string().nullish() }).partial().nullish(),
    authorizer: z
      .object({ claims: z.record(z.string(), z.unknown()).nullish() })
      .passthrough()
      .nullish(),
  }),
});

type Env = { Variables: { caller: Caller }; Bindings: { event?: unknown } };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** The authentication middleware for a configuration. Every route sits behind it. */
export function authenticate(config: AuthConfig): MiddlewareHandler<Env> {
  return async (c, next) => {
    c.set(
      'caller',
      config.mode === 'token' ? fromToken(config, c.req.header('authorization')) : fromGateway(config, c.env?.event),
    );
    await next();
  };
}

function fromToken(config: Extract<AuthConfig, { mode: 'token' }>, header: string | undefined): Caller {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/.exec(header ?? '');
  if (!match) throw new ApiError(401, 'unauthenticated', 'a bearer token is required');
  const digest = sha256(match[1]!);
  const known = config.tokens.find((t) => timingSafeEqual(Buffer.from(t.sha256, 'hex'), digest));
  if (!known) throw new ApiError(401, 'unauthenticated', 'unknown token');
  return { id: known.id, roles: known.roles };
}

function fromGateway(config: Extract<AuthConfig, { mode: 'gateway' }>, event: unknown): Caller {
  const parsed = GatewayIdentity.safeParse(event);
  if (!parsed.success) throw new ApiError(401, 'unauthenticated', 'no verified identity on the request');
  const { identity, authorizer } = parsed.data.requestContext;
  const claims = authorizer?.claims;
  if (claims && typeof claims.sub === 'string') {
    const groups = String(claims['cognito:groups'] ?? '').split(/[,\s]+/);
    return { id: `cognito:${claims.sub}`, roles: groups.includes(config.writerGroup) ? ['read', 'write'] : ['read'] };
  }
  if (identity?.userArn) return { id: identity.userArn, roles: ['read', 'write'] };
  throw new ApiError(401, 'unauthenticated', 'no verified identity on the request');
}

/** Refuses callers without a role. */
export function requireRole(caller: Caller, role: Role): void {
  if (!caller.roles.includes(role)) throw new ApiError(403, 'forbidden', `this needs the ${role} role`);
}
