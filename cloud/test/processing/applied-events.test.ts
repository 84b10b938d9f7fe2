import { describe, expect, it } from 'vitest';
import {
  APPLIED_BUCKET_MS,
  appliedBucketKey,
  appliedBucketUpdate,
  EVENT_MARKER_RETENTION_MS,
  eventIdsOfBucket,
  groupByBucket,
  uuidV7Millis,
} from '../../src/rating/applied-events.js';
import { commitsFromItem, commitsToItem, packEventIds, unpackEventIds } from '../../src/rating/commit-log.js';
import { eventId } from './support/play.js';

const T = Date.UTC(2026, 10, 21, 20, 0, 30, 250);
const PLAYER = 'a'.repeat(64);

describe('applied-event buckets', () => {
  it('GIVEN a UUIDv7 THEN its embedded time is read back to the millisecond', () => {
    expect(uuidV7Millis(eventId(T))).toBe(T);
    expect(() => uuidV7Millis('not-a-uuid-at-all')).toThrow(/UUIDv7/);
  });

  it('GIVEN events of one player in one minute THEN they share a bucket; another minute or player does not', () => {
    const a = appliedBucketKey({ playerToken: PLAYER, eventId: eventId(T) });
    const b = appliedBucketKey({ playerToken: PLAYER, eventId: eventId(T + 29_000) });
    const nextMinute = appliedBucketKey({ playerToken: PLAYER, eventId: eventId(T + 30_000) });
    const otherPlayer = appliedBucketKey({ playerToken: 'b'.repeat(64), eventId: eventId(T) });
    expect(a).toEqual({ pk: `applied#${PLAYER}#2026-11-21T20:00`, sk: 'slot' });
    expect(b).toEqual(a);
    expect(nextMinute.pk).toBe(`applied#${PLAYER}#2026-11-21T20:01`);
    expect(otherPlayer.pk).not.toBe(a.pk);
  });

  it('GIVEN a batch with repeated ids THEN each bucket is written once with each id once', () => {
    const ids = [eventId(T), eventId(T + 1_000), eventId(T + APPLIED_BUCKET_MS)];
    const groups = groupByBucket([
      { playerToken: PLAYER, eventId: ids[0]! },
      { playerToken: PLAYER, eventId: ids[1]! },
      { playerToken: PLAYER, eventId: ids[0]! },
      { playerToken: PLAYER, eventId: ids[2]! },
    ]);
    expect(groups.map((g) => g.eventIds)).toEqual([[ids[0], ids[1]], [ids[2]]]);
  });

  it('GIVEN a bucket update THEN it adds the ids to a string set and pushes the expiry out', () => {
    const key = appliedBucketKey({ playerToken: PLAYER, eventId: eventId(T) });
    const input = appliedBucketUpdate(key, ['x', 'y'], 'ingest', T) as {
      ExpressionAttributeValues: Record<string, unknown>;
    };
    expect(input).toMatchObject({
      TableName: 'ingest',
      Key: key,
      UpdateExpression: 'ADD #ids :ids SET #expiresAt = :expiresAt',
    });
    expect(input.ExpressionAttributeValues[':ids']).toEqual(new Set(['x', 'y']));
    expect(input.ExpressionAttributeValues[':expiresAt']).toBe(Math.floor((T + EVENT_MARKER_RETENTION_MS) / 1000));
    expect(eventIdsOfBucket({ eventIds: new Set(['x']) })).toEqual(new Set(['x']));
    expect(eventIdsOfBucket({})).toEqual(new Set());
  });
});

describe('player commit log', () => {
  it('GIVEN canonical UUIDs THEN they pack to 16 bytes each and unpack unchanged', () => {
    const ids = Array.from({ length: 25 }, (_, i) => eventId(T + i));
    const packed = packEventIds(ids)!;
    expect(packed).toHaveLength(25 * 16);
    expect(unpackEventIds(packed)).toEqual(ids);
    expect(() => unpackEventIds(new Uint8Array(15))).toThrow(/15 bytes/);
  });

  it('GIVEN an id not spelled canonically THEN the commit keeps its ids as strings, exactly as given', () => {
    const upper = eventId(T).toUpperCase();
    const item = commitsToItem([
      { version: 4, eventIds: [eventId(T), upper] },
      { version: 3, eventIds: [eventId(T)] },
    ]);
    expect(item[0]).toEqual({ version: 4, eventIds: [expect.any(String), upper] });
    expect(item[1]!.ids).toBeInstanceOf(Uint8Array);
    expect(commitsFromItem(item).map((c) => c.eventIds[1] ?? c.eventIds[0])).toEqual([upper, expect.any(String)]);
  });

  it('GIVEN a commit log written before packing THEN it is still read', () => {
    const ids = [eventId(T), eventId(T + 1)];
    expect(commitsFromItem([{ version: 7, eventIds: ids }])).toEqual([{ version: 7, eventIds: ids }]);
    expect(commitsFromItem(undefined)).toEqual([]);
  });
});
