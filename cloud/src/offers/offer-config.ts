import { OfferKind, Tier } from '@croupier/contracts';
import { z } from 'zod';
import { MAX_RESPONSIBLE_GAMING_TTL_MS } from './responsible-gaming-cache.js';

/** How the offer engine decides. Parsed once from configuration. */
export const OfferConfig = z.object({
  /** An offer is considered each time a session's theo crosses a multiple of this (cents). */
  milestoneTheoCents: z.number().positive(),
  /** Reinvestment budget: this share of the player's theo on the current trip may be given back. */
  reinvestmentShare: z.number().gt(0).max(1),
  minOfferCents: z.int().min(1),
  /** Largest single offer per tier (cents). */
  maxOfferCents: z.record(Tier, z.int().min(1)),
  /** Offer kind per tier. */
  kindByTier: z.record(Tier, OfferKind),
  /** At least this long between two offers to one player. */
  cooldownMs: z.int().min(0),
  /** How long an offer stays valid. */
  offerTtlMs: z.int().min(60_000),
  /** How long decisions are kept for audit. */
  decisionRetentionDays: z.int().min(30),
  /** The model's score must reach this for an offer to be made. */
  minModelScore: z.number().min(0).max(1),
  harm: z.object({
    /** A session longer than this is a harm marker. */
    maxSessionMs: z.int().min(60_000),
    /** Chasing losses: net loss in the session at least this (cents)... */
    chasingLossCents: z.int().min(1),
    /** ...with at least this many bill-ins (buying back in after losing). */
    chasingBillIns: z.int().min(1),
  }),
  responsibleGamingCacheTtlMs: z.int().min(1).max(MAX_RESPONSIBLE_GAMING_TTL_MS),
  responsibleGamingCacheEntries: z.int().min(1),
});
export type OfferConfig = z.infer<typeof OfferConfig>;

/** Reference configuration of the local floor and tests. */
export const DEFAULT_OFFER_CONFIG: OfferConfig = {
  milestoneTheoCents: 500,
  reinvestmentShare: 0.25,
  minOfferCents: 500,
  maxOfferCents: { bronze: 1_000, silver: 2_500, gold: 5_000, platinum: 20_000 },
  kindByTier: { bronze: 'free_play', silver: 'free_play', gold: 'food_beverage', platinum: 'hotel' },
  cooldownMs: 30 * 60_000,
  offerTtlMs: 15 * 60_000,
  decisionRetentionDays: 5 * 365,
  minModelScore: 0.5,
  harm: { maxSessionMs: 4 * 3_600_000, chasingLossCents: 50_000, chasingBillIns: 3 },
  responsibleGamingCacheTtlMs: 30_000,
  responsibleGamingCacheEntries: 10_000,
};
