import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A DynamoDB item as the document client returns it. */
export type Item = Record<string, unknown>;

/** BatchGetItem takes at most 100 keys per request. */
const BATCH_GET_LIMIT = 100;
const MAX_UNPROCESSED_ROUNDS = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads many items of one table by key, 100 keys per request, retrying unprocessed keys with
 * exponential backoff as DynamoDB asks. Missing items are simply absent from the result.
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Item[],
  projection?: { expression: string; names: Record<string, string> },
): Promise<Item[]> {
  const items: Item[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
    let pending: Item[] = keys.slice(start, start + BATCH_GET_LIMIT);
    for (let round = 0; pending.length > 0; round += 1) {
      if (round >= MAX_UNPROCESSED_ROUNDS) throw new Error(`BatchGetItem on ${tableName} left keys unprocessed`);
      if (round > 0) await sleep(25 * 2 ** round);
      const out = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ConsistentRead: true,
              ...(projection
                ? { ProjectionExpression: projection.expression, ExpressionAttributeNames: projection.names }
                : {}),
            },
          },
        }),
      );
      items.push(...((out.Responses?.[tableName] as Item[] | undefined) ?? []));
      pending = (out.UnprocessedKeys?.[tableName]?.Keys as Item[] | undefined) ?? [];
    }
  }
  return items;
}

/** Whether an error is a failed condition of a single-item write. */
export function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** Epoch seconds, as DynamoDB TTL attributes want them. */
export const ttlSeconds = (epochMs: number) => Math.floor(epochMs / 1000);
