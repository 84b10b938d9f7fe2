import type { Item } from '../common/dynamo.js';

/** The event ids a player commit applied, kept on the player item until their markers are surely written. */
export interface CommitRecord {
  readonly version: number;
  readonly eventIds: readonly string[];
}

/** How many recent commits the player item remembers: enough to cover a retry racing another shard's commit. */
export const REMEMBERED_COMMITS = 3;

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_BYTES = 16;

/**
 * Packs canonical (lower-case) UUIDs into one binary value, 16 bytes each instead of 37 as a list of
 * strings: the log is rewritten with every commit, and DynamoDB bills an update by the item's size.
 * Returns undefined when an id is not canonical, so it is kept as written rather than re-spelled. Pure.
 */
export function packEventIds(eventIds: readonly string[]): Uint8Array | undefined {
  if (!eventIds.every((id) => CANONICAL_UUID.test(id))) return undefined;
  const bytes = new Uint8Array(eventIds.length * UUID_BYTES);
  eventIds.forEach((id, i) => {
    bytes.set(Buffer.from(id.replaceAll('-', ''), 'hex'), i * UUID_BYTES);
  });
  return bytes;
}

/** The ids {@link packEventIds} packed, spelled canonically. Pure. */
export function unpackEventIds(bytes: Uint8Array): string[] {
  if (bytes.length % UUID_BYTES !== 0) throw new Error(`packed event ids of ${bytes.length} bytes`);
  const ids: string[] = [];
  for (let at = 0; at < bytes.length; at += UUID_BYTES) {
    const hex = Buffer.from(bytes.subarray(at, at + UUID_BYTES)).toString('hex');
    ids.push(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`);
  }
  return ids;
}

/** The commit log as stored on the player item: ids packed when they can be. Pure. */
export function commitsToItem(commits: readonly CommitRecord[]): Item[] {
  return commits.map(({ version, eventIds }) => {
    const packed = packEventIds(eventIds);
    return packed ? { version, ids: packed } : { version, eventIds: [...eventIds] };
  });
}

/** Reads the commit log, packed or as a list of strings (the shape written before packing). Pure. */
export function commitsFromItem(value: unknown): CommitRecord[] {
  if (!Array.isArray(value)) return [];
  return (value as Item[]).map((c) => ({
    version: typeof c.version === 'number' ? c.version : 0,
    eventIds:
      c.ids instanceof Uint8Array ? unpackEventIds(c.ids) : Array.isArray(c.eventIds) ? c.eventIds.map(String) : [],
  }));
}
