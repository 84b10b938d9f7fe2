import { z } from 'zod';
import { envInt, envNumber } from '../config/env.js';
import { DEFAULT_OFFER_CONFIG, OfferConfig } from './offer-config.js';

const d = DEFAULT_OFFER_CONFIG;

/** Offer-engine configuration from the function environment; tier tables keep their defaults. */
export const OfferEnv = z
  .object({
    IOT_DATA_ENDPOINT: z.url({ protocol: /^https?$/ }),
    OFFER_MILESTONE_THEO_CENTS: envNumber(d.milestoneTheoCents),
    OFFER_REINVESTMENT_SHARE: envNumber(d.reinvestmentShare),
    OFFER_MIN_CENTS: envInt(d.minOfferCents),
    OFFER_COOLDOWN_MINUTES: envNumber(d.cooldownMs / 60_000),
    OFFER_TTL_MINUTES: envNumber(d.offerTtlMs / 60_000),
    OFFER_MIN_MODEL_SCORE: envNumber(d.minModelScore),
    HARM_MAX_SESSION_HOURS: envNumber(d.harm.maxSessionMs / 3_600_000),
    HARM_CHASING_LOSS_CENTS: envInt(d.harm.chasingLossCents),
    HARM_CHASING_BILL_INS: envInt(d.harm.chasingBillIns),
    RESPONSIBLE_GAMING_CACHE_SECONDS: envNumber(d.responsibleGamingCacheTtlMs / 1000),
  })
  .transform((env) => ({
    iotDataEndpoint: env.IOT_DATA_ENDPOINT,
    config: {
      ...d,
      milestoneTheoCents: env.OFFER_MILESTONE_THEO_CENTS,
      reinvestmentShare: env.OFFER_REINVESTMENT_SHARE,
      minOfferCents: env.OFFER_MIN_CENTS,
      cooldownMs: Math.round(env.OFFER_COOLDOWN_MINUTES * 60_000),
      offerTtlMs: Math.round(env.OFFER_TTL_MINUTES * 60_000),
      minModelScore: env.OFFER_MIN_MODEL_SCORE,
      harm: {
        maxSessionMs: Math.round(env.HARM_MAX_SESSION_HOURS * 3_600_000),
        chasingLossCents: env.HARM_CHASING_LOSS_CENTS,
        chasingBillIns: env.HARM_CHASING_BILL_INS,
      },
      responsibleGamingCacheTtlMs: Math.round(env.RESPONSIBLE_GAMING_CACHE_SECONDS * 1000),
    },
  }))
  .pipe(z.object({ iotDataEndpoint: z.string(), config: OfferConfig }));
