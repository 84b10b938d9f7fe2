import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { isReadableVersion, SCHEMA_VERSION, SCHEMA_VERSION_PATTERN } from './version.js';

/** Creates an event id: UUIDv7, unique and ordered by creation time. Made once, at the source. */
export function newEventId(): string {
  return uuidv7();
}

/** UUIDv7 event id. */
export const EventId = z.uuid({ version: 'v7' }).describe('UUIDv7 made once at the source; the de-duplication key');

/** Milliseconds since the Unix epoch, UTC. */
export const EpochMillis = z
  .int()
  .min(946_684_800_000)
  .max(4_102_444_800_000)
  .describe('Milliseconds since the Unix epoch (UTC), between 2000 and 2100');

export const SchemaVersion = z
  .string()
  .regex(SCHEMA_VERSION_PATTERN)
  .refine(isReadableVersion, { message: `unsupported major version; this reader speaks ${SCHEMA_VERSION}` })
  .describe('MAJOR.MINOR of the contract the producer wrote; see VERSIONING.md');

/** A topic-safe identifier: machine, device, core, property and table ids. */
export const Identifier = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/)
  .describe('1-128 characters of A-Z a-z 0-9 _ . : -');

/** Money in integer cents of the property's currency: never floating point. */
export const Cents = z.int().min(0).max(100_000_000_000).describe('Integer cents of the property currency');

/** Fields every event carries. */
export const eventBase = {
  eventId: EventId,
  eventTime: EpochMillis,
  schemaVersion: SchemaVersion,
};
