import type { Tier } from '@croupier/contracts';
import { z } from 'zod';

/** ADT thresholds (cents) from which each tier starts; bronze is everyone below silver. */
export const TierThresholds = z
  .object({
    silver: z.number().min(0),
    gold: z.number().min(0),
    platinum: z.number().min(0),
  })
  .refine((t) => t.silver <= t.gold && t.gold <= t.platinum, { message: 'tier thresholds must not decrease' });

/** How players are rated. Parsed once from configuration. */
export const RatingConfig = z.object({
  /** IANA time zone of the property: gaming days are property-local. */
  timeZone: z.string().refine(
    (zone) => {
      try {
        new Intl.DateTimeFormat('en-CA', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'unknown IANA time zone' },
  ),
  /** Hour (local) at which a gaming day starts; play before it belongs to the previous day. */
  gamingDayStartHour: z.int().min(0).max(23),
  /** N: ADT is the mean theo over the player's last N trips. */
  adtTrips: z.int().min(1).max(365),
  /** A session with no activity for this long is considered abandoned. */
  abandonedAfterMs: z
    .int()
    .min(60_000)
    .max(24 * 3600 * 1000),
  tiers: TierThresholds,
});
export type RatingConfig = z.infer<typeof RatingConfig>;

/** Reference configuration of the local floor and tests. */
export const DEFAULT_RATING_CONFIG: RatingConfig = {
  timeZone: 'America/Los_Angeles',
  gamingDayStartHour: 6,
  adtTrips: 10,
  abandonedAfterMs: 30 * 60_000,
  tiers: { silver: 5_000, gold: 25_000, platinum: 100_000 },
};

/** The tier a given ADT earns. */
export function tierFor(adtCents: number, tiers: RatingConfig['tiers']): Tier {
  if (adtCents >= tiers.platinum) return 'platinum';
  if (adtCents >= tiers.gold) return 'gold';
  if (adtCents >= tiers.silver) return 'silver';
  return 'bronze';
}
