import { createHmac } from 'node:crypto';
import { z } from 'zod';

/**
 * A player's identity as it leaves the floor: HMAC-SHA256 of the card number under the property's
 * secret key, hex. The key stays on the floor (SlotGateway configuration), so the cloud can join a
 * player's sessions without ever being able to recover the card number.
 */
export const PlayerToken = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe('HMAC-SHA256(card number) under the property key, lowercase hex; never the card number');
export type PlayerToken = z.infer<typeof PlayerToken>;

/** A loyalty card number as read by the SMIB's card reader. Only ever seen on the floor. */
export const CardNumber = z
  .string()
  .regex(/^[0-9A-Za-z]{4,32}$/)
  .describe('Card number as read by the card reader; exists only on the floor, never uplinked');

/** Derives the player token for a card number. The key must be at least 32 bytes of secret. */
export function derivePlayerToken(key: Uint8Array, cardNumber: string): PlayerToken {
  if (key.byteLength < 32) throw new RangeError('player token key must be at least 32 bytes');
  return createHmac('sha256', key).update(cardNumber, 'utf8').digest('hex');
}
