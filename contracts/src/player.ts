import { z } from 'zod';
import { Cents, EpochMillis, Identifier } from './common.js';
import { PlayerToken } from './player-token.js';

/** Loyalty tiers by average daily theoretical (ADT), lowest first. */
export const Tier = z.enum(['bronze', 'silver', 'gold', 'platinum']);
export type Tier = z.infer<typeof Tier>;

/** A rated session from card in to card out, built by the slot processor. */
export const PlayerSession = z
  .object({
    sessionId: z.uuid({ version: 'v7' }).describe('eventId of the card-in'),
    playerToken: PlayerToken,
    machineId: Identifier,
    startedAt: EpochMillis,
    endedAt: EpochMillis.optional(),
    state: z.enum(['open', 'closed', 'abandoned']),
    games: z.int().min(0),
    coinInCents: Cents,
    winCents: Cents.describe('Amount paid to the player by games'),
    theoCents: z.number().min(0).describe('Theoretical win: sum of wager × theoretical hold, unrounded'),
    lastEventAt: EpochMillis,
  })
  .meta({ id: 'PlayerSession', description: 'A rated play session.' });
export type PlayerSession = z.infer<typeof PlayerSession>;

/**
 * A player's rating. A trip is a gaming day (property-local) with play; ADT is the mean theo per trip
 * over the last N trips.
 */
export const PlayerRating = z
  .object({
    playerToken: PlayerToken,
    tier: Tier,
    adtCents: z.number().min(0).describe('Average daily theoretical over the last N trips'),
    tripsConsidered: z.int().min(0),
    lifetimeTheoCents: z.number().min(0),
    lifetimeCoinInCents: Cents,
    lifetimeGames: z.int().min(0),
    lastPlayedAt: EpochMillis.optional(),
    updatedAt: EpochMillis,
  })
  .meta({ id: 'PlayerRating', description: 'A player rating, as the floor API returns it.' });
export type PlayerRating = z.infer<typeof PlayerRating>;

export const OfferKind = z.enum(['free_play', 'food_beverage', 'hotel', 'show']);

/** An offer decided for a player in session; pushed to the machine and stored with a TTL. */
export const Offer = z
  .object({
    offerId: z.uuid({ version: 'v7' }),
    playerToken: PlayerToken,
    machineId: Identifier,
    sessionId: z.uuid({ version: 'v7' }),
    kind: OfferKind,
    valueCents: Cents,
    text: z.string().min(1).max(280),
    reason: z.string().min(1).max(512).describe('Why the engine made it, for audit'),
    decidedAt: EpochMillis,
    expiresAt: EpochMillis,
  })
  .meta({ id: 'Offer', description: 'An in-session offer.' });
export type Offer = z.infer<typeof Offer>;

/** What the cloud publishes on `croupier/{property}/{core}/offers`. */
export const OfferDownlink = z
  .object({
    offerId: z.uuid({ version: 'v7' }),
    machineId: Identifier,
    kind: OfferKind,
    valueCents: Cents,
    text: z.string().min(1).max(280),
    expiresAt: EpochMillis,
    sentAt: EpochMillis,
  })
  .meta({ id: 'OfferDownlink', description: 'An offer sent down to a core for one machine (no player identity).' });
export type OfferDownlink = z.infer<typeof OfferDownlink>;

/** The outcome of an offer. */
export const OfferResponse = z
  .object({
    offerId: z.uuid({ version: 'v7' }),
    playerToken: PlayerToken,
    response: z.enum(['accepted', 'declined', 'expired']),
    respondedAt: EpochMillis,
  })
  .meta({ id: 'OfferResponse', description: 'A player response to an offer.' });
export type OfferResponse = z.infer<typeof OfferResponse>;
