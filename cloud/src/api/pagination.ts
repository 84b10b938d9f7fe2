import { z } from 'zod';
import { ApiError } from './api-errors.js';

/** `?limit=&cursor=` of every list endpoint. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z
    .string()
    .max(2048)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
});

const CursorKey = z.record(z.string().max(64), z.union([z.string().max(1024), z.number()]));

/** Encodes a DynamoDB LastEvaluatedKey as an opaque URL-safe cursor. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

/** Decodes a cursor back into a start key, refusing anything that is not a key this API made. */
export function decodeCursor(
  cursor: string | undefined,
  keyNames: readonly string[],
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ApiError(400, 'invalid_cursor', 'cursor is not one this API returned');
  }
  const key = CursorKey.safeParse(parsed);
  if (!key.success || Object.keys(key.data).some((name) => !keyNames.includes(name))) {
    throw new ApiError(400, 'invalid_cursor', 'cursor is not one this API returned');
  }
  return key.data;
}

/** A page of results. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

export const page = <T>(items: T[], next: Record<string, unknown> | undefined): Page<T> => {
  const nextCursor = encodeCursor(next);
  return { items, ...(nextCursor ? { nextCursor } : {}) };
};
