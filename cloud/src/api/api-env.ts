import { z } from 'zod';
import { envNumber } from '../config/env.js';
import { AuthConfig } from './authentication.js';

/** Floor API configuration from the environment. */
export const ApiEnv = z
  .object({
    API_AUTH_MODE: z.enum(['gateway', 'token']),
    /** token mode: JSON `[{ "id", "sha256", "roles": ["read"|"write"] }]`, digests only. */
    API_TOKENS: z.string().optional(),
    API_WRITER_GROUP: z.string().optional(),
    ABANDONED_CARD_TIMEOUT_MINUTES: envNumber(30),
  })
  .transform((env, ctx) => {
    let tokens: unknown;
    if (env.API_AUTH_MODE === 'token') {
      try {
        tokens = JSON.parse(env.API_TOKENS ?? '');
      } catch {
        ctx.addIssue({ code: 'custom', path: ['API_TOKENS'], message: 'must be a JSON array of token digests' });
        return z.NEVER;
      }
    }
    return {
      auth:
        env.API_AUTH_MODE === 'token'
          ? { mode: 'token' as const, tokens }
          : { mode: 'gateway' as const, ...(env.API_WRITER_GROUP ? { writerGroup: env.API_WRITER_GROUP } : {}) },
      abandonedAfterMs: Math.round(env.ABANDONED_CARD_TIMEOUT_MINUTES * 60_000),
    };
  })
  .pipe(z.object({ auth: AuthConfig, abandonedAfterMs: z.int().min(60_000) }));
