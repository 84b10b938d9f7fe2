import { z } from 'zod';
import { envInt, envNumber } from '../config/env.js';
import { DEFAULT_RATING_CONFIG, RatingConfig } from './rating-config.js';

const d = DEFAULT_RATING_CONFIG;

/** Rating configuration from the function environment. */
export const RatingEnv = z
  .object({
    PROPERTY_TIME_ZONE: z.string().default(d.timeZone),
    GAMING_DAY_START_HOUR: envInt(d.gamingDayStartHour),
    ADT_TRIPS: envInt(d.adtTrips),
    ABANDONED_CARD_TIMEOUT_MINUTES: envNumber(d.abandonedAfterMs / 60_000),
    TIER_SILVER_ADT_CENTS: envNumber(d.tiers.silver),
    TIER_GOLD_ADT_CENTS: envNumber(d.tiers.gold),
    TIER_PLATINUM_ADT_CENTS: envNumber(d.tiers.platinum),
  })
  .transform((env) => ({
    timeZone: env.PROPERTY_TIME_ZONE,
    gamingDayStartHour: env.GAMING_DAY_START_HOUR,
    adtTrips: env.ADT_TRIPS,
    abandonedAfterMs: Math.round(env.ABANDONED_CARD_TIMEOUT_MINUTES * 60_000),
    tiers: {
      silver: env.TIER_SILVER_ADT_CENTS,
      gold: env.TIER_GOLD_ADT_CENTS,
      platinum: env.TIER_PLATINUM_ADT_CENTS,
    },
  }))
  .pipe(RatingConfig);
