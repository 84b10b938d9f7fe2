import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * A deterministic UUIDv7 for an offer: the time part is when it was decided, the rest comes from
 * the session and milestone it answers, so deciding the same milestone twice names the same offer
 * and the conditional put refuses the second.
 */
export function offerIdFor(sessionId: string, milestone: number, decidedAt: number): string {
  const random = createHash('sha256').update(`${sessionId}#${milestone}`).digest().subarray(0, 16);
  return uuidv7({ msecs: decidedAt, random: Uint8Array.from(random), seq: 0 });
}
