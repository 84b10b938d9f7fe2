import { type Item, ttlSeconds } from '../common/dynamo.js';

/** How long an applied event id is remembered: beyond Kinesis retention (72 h) plus a floor spool outage. */
export const EVENT_MARKER_RETENTION_MS = 14 * 24 * 3600 * 1000;

/**
 * Width of one bucket of applied event ids, by the time inside the event id. A player plays one
 * machine at a time and a slot game takes seconds, so a minute holds a few dozen ids at most and
 * its item stays near 1 KB: adding to it costs about one write unit however many ids a batch adds.
 */
export const APPLIED_BUCKET_MS = 60_000;

/** Sort key of every applied-events bucket in the ingest table. */
const APPLIED_SORT_KEY = 'slot';
const APPLIED_PREFIX = 'applied#';

/** Key of an applied-events bucket in the ingest table. */
export interface AppliedBucketKey {
  readonly pk: string;
  readonly sk: string;
}

/** An event as the de-duplication sees it: its id and the player it rates. */
export interface AppliedEventRef {
  readonly playerToken: string;
  readonly eventId: string;
}

/**
 * Milliseconds since the epoch encoded in a UUIDv7's first 48 bits. Contracts make every event id
 * a UUIDv7 at the source, so a duplicate carries the same id and therefore the same time.
 */
export function uuidV7Millis(eventId: string): number {
  const hex = eventId.slice(0, 8) + eventId.slice(9, 13);
  const millis = Number.parseInt(hex, 16);
  if (!/^[0-9a-f]{12}$/i.test(hex) || !Number.isSafeInteger(millis)) throw new Error(`not a UUIDv7: ${eventId}`);
  return millis;
}

/**
 * The bucket remembering that an event was applied: one item per player per minute of event-id
 * time. It depends on nothing but the player token and the event id, so every copy of an event
 * finds the same bucket. Pure.
 */
export function appliedBucketKey(event: AppliedEventRef): AppliedBucketKey {
  const start = Math.floor(uuidV7Millis(event.eventId) / APPLIED_BUCKET_MS) * APPLIED_BUCKET_MS;
  return {
    pk: `${APPLIED_PREFIX}${event.playerToken}#${new Date(start).toISOString().slice(0, 16)}`,
    sk: APPLIED_SORT_KEY,
  };
}

/** Events grouped by their bucket, buckets and ids each once, in first-seen order. Pure. */
export function groupByBucket(
  events: readonly AppliedEventRef[],
): { key: AppliedBucketKey; eventIds: readonly string[] }[] {
  const groups = new Map<string, { key: AppliedBucketKey; eventIds: Set<string> }>();
  for (const event of events) {
    const key = appliedBucketKey(event);
    const group = groups.get(key.pk) ?? { key, eventIds: new Set<string>() };
    group.eventIds.add(event.eventId);
    groups.set(key.pk, group);
  }
  return [...groups.values()].map(({ key, eventIds }) => ({ key, eventIds: [...eventIds] }));
}

/**
 * The write that records events as applied: ADD their ids to the bucket's string set (adding an id
 * already there changes nothing, so repeating it is harmless) and push the bucket's expiry out. Pure.
 */
export function appliedBucketUpdate(
  key: AppliedBucketKey,
  eventIds: readonly string[],
  ingestTable: string,
  now: number,
): Record<string, unknown> {
  return {
    TableName: ingestTable,
    Key: key,
    UpdateExpression: 'ADD #ids :ids SET #expiresAt = :expiresAt',
    ExpressionAttributeNames: { '#ids': 'eventIds', '#expiresAt': 'expiresAt' },
    ExpressionAttributeValues: {
      ':ids': new Set(eventIds),
      ':expiresAt': ttlSeconds(now + EVENT_MARKER_RETENTION_MS),
    },
  };
}

/** The event ids a stored bucket item holds (the document client reads a string set as a Set). */
export function eventIdsOfBucket(item: Item): ReadonlySet<string> {
  const ids = item.eventIds;
  return ids instanceof Set ? new Set([...ids].map(String)) : new Set();
}
