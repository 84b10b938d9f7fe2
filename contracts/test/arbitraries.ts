import fc from 'fast-check';
import { SCHEMA_VERSION, type SlotEvent } from '../src/index.js';

/** A UUIDv7 string from random bits (fast-check's own uuid arbitrary cannot fix the version nibble). */
export const uuidv7 = fc
  .tuple(
    fc.bigInt({ min: 0n, max: (1n << 48n) - 1n }),
    fc.bigInt({ min: 0n, max: (1n << 12n) - 1n }),
    fc.bigInt({ min: 0n, max: (1n << 62n) - 1n }),
  )
  .map(([ms, a, b]) => {
    const hex = (v: bigint, n: number) => v.toString(16).padStart(n, '0');
    const variant = hex((b >> 48n) | 0x8000n, 4);
    return `${hex(ms >> 16n, 8)}-${hex(ms & 0xffffn, 4)}-7${hex(a, 3)}-${variant}-${hex(b & 0xffffffffffffn, 12)}`;
  });

const id = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,24}$/);
const cents = fc.integer({ min: 0, max: 10_000_000 });
const token = fc.stringMatching(/^[0-9a-f]{64}$/);
const base = {
  eventId: uuidv7,
  eventTime: fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }),
  schemaVersion: fc.constant(SCHEMA_VERSION),
};

/** Any valid slot event (a representative subset of types, with and without player tokens). */
export const slotEvent: fc.Arbitrary<SlotEvent> = fc.oneof(
  fc.record(
    {
      ...base,
      machineId: id,
      type: fc.constant('game_played' as const),
      gameId: id,
      paytableId: id,
      theoreticalHold: fc.double({ min: 0.001, max: 0.5, noNaN: true }),
      denominationCents: fc.integer({ min: 1, max: 10_000 }),
      wagerCents: cents,
      winCents: cents,
      playerToken: token,
      sessionId: uuidv7,
    },
    {
      requiredKeys: [
        'eventId',
        'eventTime',
        'schemaVersion',
        'machineId',
        'type',
        'gameId',
        'paytableId',
        'theoreticalHold',
        'denominationCents',
        'wagerCents',
        'winCents',
      ],
    },
  ),
  fc.record({ ...base, machineId: id, type: fc.constant('card_in' as const), playerToken: token }),
  fc.record({
    ...base,
    machineId: id,
    type: fc.constant('card_out' as const),
    playerToken: token,
    reason: fc.constantFrom('removed' as const, 'abandoned' as const),
  }),
  fc.record({
    ...base,
    machineId: id,
    type: fc.constant('bill_in' as const),
    amountCents: fc.integer({ min: 1, max: 10_000_00 }),
  }),
  fc.record({
    ...base,
    machineId: id,
    type: fc.constant('door' as const),
    door: fc.constantFrom('main' as const, 'belly' as const),
    state: fc.constantFrom('open' as const, 'closed' as const),
  }),
  fc.record({
    ...base,
    machineId: id,
    type: fc.constant('tilt' as const),
    code: fc.string({ minLength: 1, maxLength: 32 }),
    description: fc.string({ maxLength: 256 }),
  }),
);
