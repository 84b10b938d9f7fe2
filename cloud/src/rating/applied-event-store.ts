import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { forEachConcurrently } from '../common/concurrency.js';
import { batchGetAll } from '../common/dynamo.js';
import { type AppliedEventRef, appliedBucketUpdate, eventIdsOfBucket, groupByBucket } from './applied-events.js';

/** Buckets written at once by one invocation. */
const BUCKET_WRITE_CONCURRENCY = 8;

/**
 * Which of these events the ingest table records as applied. A read path of its own so that
 * checks outside the processor (fault tests, audits) ask the same question the processor asks.
 */
export async function readAppliedEventIds(
  client: DynamoDBDocumentClient,
  ingestTable: string,
  events: readonly AppliedEventRef[],
): Promise<Set<string>> {
  const groups = groupByBucket(events);
  const items = await batchGetAll(
    client,
    ingestTable,
    groups.map(({ key }) => ({ pk: key.pk, sk: key.sk })),
    { expression: '#pk, #ids', names: { '#pk': 'pk', '#ids': 'eventIds' } },
  );
  const stored = new Map(items.map((item) => [String(item.pk), eventIdsOfBucket(item)]));
  const applied = new Set<string>();
  for (const { key, eventIds } of groups) {
    const ids = stored.get(key.pk);
    if (ids) for (const id of eventIds) if (ids.has(id)) applied.add(id);
  }
  return applied;
}

/** Records events as applied: one UpdateItem per bucket (player and minute), idempotent. */
export async function writeAppliedEventIds(
  client: DynamoDBDocumentClient,
  ingestTable: string,
  events: readonly AppliedEventRef[],
  now: number,
): Promise<void> {
  await forEachConcurrently(groupByBucket(events), BUCKET_WRITE_CONCURRENCY, async ({ key, eventIds }) => {
    await client.send(new UpdateCommand(appliedBucketUpdate(key, eventIds, ingestTable, now) as never));
  });
}
