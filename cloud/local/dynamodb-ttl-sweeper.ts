import { BatchWriteItemCommand, type DynamoDBClient, paginateScan, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '../definitions/tables.js';

/**
 * DynamoDB TTL for dynalite, which has no UpdateTimeToLive: deletes items whose TTL attribute
 * (epoch seconds, a Number) is in the past, for every table that declares a `ttlAttribute`. Like
 * DynamoDB, items without the attribute or with a non-number value never expire, and expiry is
 * eventual (one sweep per interval), so code must not rely on an item vanishing at the second.
 */
export class DynamoDbTtlSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: readonly TableDefinition[],
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep(Date.now())
        .catch((error: unknown) => {
          this.onError(error);
          return 0;
        })
        .finally(() => {
          this.running = undefined;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over every TTL table; returns how many items were deleted. */
  async sweep(nowMs: number): Promise<number> {
    let deleted = 0;
    const nowSeconds = Math.floor(nowMs / 1000);
    for (const table of this.tables) {
      if (!table.ttlAttribute) continue;
      const keyNames = [table.partitionKey.name, ...(table.sortKey ? [table.sortKey.name] : [])];
      const pages = paginateScan(
        { client: this.client },
        {
          TableName: table.name,
          FilterExpression: '#ttl < :now',
          ExpressionAttributeNames: Object.fromEntries([
            ['#ttl', table.ttlAttribute],
            ...keyNames.map((name, i) => [`#k${i}`, name]),
          ]),
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
          ProjectionExpression: keyNames.map((_, i) => `#k${i}`).join(', '),
        },
      );
      for await (const page of pages) {
        const requests: WriteRequest[] = (page.Items ?? []).map((key) => ({ DeleteRequest: { Key: key } }));
        for (let i = 0; i < requests.length; i += 25) {
          let pending: WriteRequest[] = requests.slice(i, i + 25);
          while (pending.length > 0) {
            const result = await this.client.send(
              new BatchWriteItemCommand({ RequestItems: { [table.name]: pending } }),
            );
            pending = result.UnprocessedItems?.[table.name] ?? [];
          }
        }
        deleted += requests.length;
      }
    }
    return deleted;
  }
}
