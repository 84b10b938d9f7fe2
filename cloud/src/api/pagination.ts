import { z } from 'zod';
import { type KeyDefinition, tableById } from '../../definitions/tables.js';
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

/**
 * What a list endpoint's cursor must decode to: exactly the attributes of the start key DynamoDB
 * expects (the table's key, plus the index's key when the query reads an index), each of its type,
 * and, for the attributes the request itself fixes (the queried partition), exactly the request's
 * values. Anything else would be refused by DynamoDB as a start key, or would page through another
 * partition than the one asked for.
 */
export interface CursorShape {
  readonly attributes: readonly KeyDefinition[];
  readonly fixed?: Readonly<Record<string, string>>;
}

/** The start-key attributes of a table (by logical id), or of one of its global secondary indexes. */
export function startKeyAttributes(tableId: string, indexName?: string): KeyDefinition[] {
  const table = tableById(tableId);
  const keys = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])];
  if (indexName === undefined) return keys;
  const index = table.globalSecondaryIndexes?.find((candidate) => candidate.name === indexName);
  if (!index) throw new Error(`table ${tableId} has no index ${indexName}`);
  const indexKeys = [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])];
  return [...keys, ...indexKeys.filter((key) => !keys.some((known) => known.name === key.name))];
}

/** DynamoDB's limits on a key attribute: non-empty, at most 1,024 bytes for a sort key (2,048 for a partition key). */
const keyValue = (type: KeyDefinition['type']) => (type === 'S' ? z.string().min(1).max(1024) : z.number().finite());

function invalidCursor(reason: string): ApiError {
  return new ApiError(400, 'invalid_cursor', `cursor is not one this API returned for this request: ${reason}`);
}

/** Encodes a DynamoDB LastEvaluatedKey as an opaque URL-safe cursor. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

/**
 * Decodes a cursor back into a start key, refusing with `400 invalid_cursor` anything that is not a
 * start key this API could have returned for this very request (see {@link CursorShape}).
 */
export function decodeCursor(cursor: string | undefined, shape: CursorShape): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('not JSON');
  }
  const schema = z.object(Object.fromEntries(shape.attributes.map((key) => [key.name, keyValue(key.type)]))).strict();
  const key = schema.safeParse(parsed);
  if (!key.success) {
    throw invalidCursor(`expected exactly the key attributes ${shape.attributes.map((a) => a.name).join(', ')}`);
  }
  for (const [name, value] of Object.entries(shape.fixed ?? {})) {
    if (key.data[name] !== value) throw invalidCursor(`${name} differs from the request's`);
  }
  return key.data;
}

/**
 * The answer to a start key DynamoDB refused even so, e.g. a sort key outside the range the request
 * queries: the cursor is the caller's input, so this is a 400 like any other bad cursor.
 */
export const refusedCursor = new ApiError(
  400,
  'invalid_cursor',
  'cursor is not one this API returned for this request: DynamoDB refused it as a start key',
);

/** Whether DynamoDB refused a request because of its `ExclusiveStartKey`. */
export function isRefusedStartKey(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'ValidationException') return false;
  return /starting key|exclusive ?start ?key/i.test(error.message);
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
