import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Item, ttlSeconds } from '../common/dynamo.js';

/** KPIs are kept 35 days: a month of per-minute history for the dashboard. */
const KPI_RETENTION_MS = 35 * 24 * 3600 * 1000;
const SHARD_PREFIX = 'shard#';

/** One stored KPI value for one window. */
export interface KpiPoint {
  readonly metric: string;
  readonly windowStart: string;
  readonly value: number;
}

/**
 * KPIs in the kpis table: `metric` (e.g. `coin_in_per_minute#high-limit`) × `window` (ISO start).
 * Each shard's final invocation SETs its own `shard#{id}` contribution, so a retried invocation
 * rewrites the same value instead of adding it twice; readers sum the contributions. Floor-wide
 * values (open alerts) are SET as `value`.
 */
export class KpiStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putShardContribution(metric: string, windowStart: string, shardId: string, value: number, now: number) {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { metric, window: windowStart },
        UpdateExpression: 'SET #shard = :v, expiresAt = :exp, updatedAt = :now',
        ExpressionAttributeNames: { '#shard': `${SHARD_PREFIX}${shardId}` },
        ExpressionAttributeValues: { ':v': value, ':exp': ttlSeconds(now + KPI_RETENTION_MS), ':now': now },
      }),
    );
  }

  async putValue(metric: string, windowStart: string, value: number, now: number) {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { metric, window: windowStart },
        UpdateExpression: 'SET #value = :v, expiresAt = :exp, updatedAt = :now',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':v': value, ':exp': ttlSeconds(now + KPI_RETENTION_MS), ':now': now },
      }),
    );
  }

  /** A metric's windows in `[from, to)`, oldest first, one page at a time. */
  async read(
    metric: string,
    from: string,
    to: string,
    page: { limit: number; startKey?: Item },
  ): Promise<{ points: KpiPoint[]; nextKey?: Item }> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'metric = :m AND #w BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#w': 'window' },
        ExpressionAttributeValues: { ':m': metric, ':from': from, ':to': to },
        Limit: page.limit,
        ...(page.startKey ? { ExclusiveStartKey: page.startKey } : {}),
      }),
    );
    const points = ((out.Items as Item[] | undefined) ?? [])
      .filter((item) => String(item.window) < to)
      .map((item) => ({ metric, windowStart: String(item.window), value: kpiValue(item) }));
    return { points, ...(out.LastEvaluatedKey ? { nextKey: out.LastEvaluatedKey } : {}) };
  }
}

/** A stored KPI's value: its floor-wide value, or the sum of its shards' contributions. */
export function kpiValue(item: Item): number {
  if (typeof item.value === 'number') return item.value;
  return Object.entries(item)
    .filter(([name, value]) => name.startsWith(SHARD_PREFIX) && typeof value === 'number')
    .reduce((sum, [, value]) => sum + (value as number), 0);
}
