import { derivePlayerToken, type PlayerToken } from '@croupier/contracts';
import type { Rng } from '../random/index.js';
import { GAME_CATALOGUE, type GameKind } from './game-catalogue.js';
import type { PopulationConfig } from './scenario.js';

/** A simulated player. Card number and token exist only for carded players. */
export interface SimPlayer {
  readonly index: number;
  /** Simulator-side id, stable for a seed; never sent anywhere. */
  readonly playerId: string;
  readonly carded: boolean;
  readonly cardNumber?: string;
  readonly playerToken?: PlayerToken;
  readonly tripsPerMonth: number;
  /** Games per hour of play. */
  readonly pace: number;
  readonly sessionMinutesMedian: number;
  readonly tripBudgetMedianCents: number;
  /** Where in a game's bet ladder this player sits, 0 (minimum bet) to 1 (maximum bet). */
  readonly betLevel: number;
  /** Relative liking per catalogue game key. */
  readonly gameWeights: Readonly<Record<string, number>>;
}

/** Spread across players of the log-normal medians: σ of the underlying normal. */
const TRIP_RATE_SIGMA = 0.9;
const BUDGET_SIGMA = 0.8;
const SESSION_SIGMA = 0.4;

/** Players favour one kind of game, as floors see video, reel and poker regulars. */
const KIND_SHARES: Readonly<Record<GameKind, number>> = { 'video-slot': 0.6, 'reel-slot': 0.25, 'video-poker': 0.15 };
const FAVOURITE_WEIGHT = 1;
const OTHER_WEIGHT = 0.05;

/** Budgets this many times the median make a player a high-limit regular. */
const HIGH_LIMIT_BUDGET_FACTOR = 4;

/**
 * Builds the population. Carded players get a unique 10-digit card number (random prefix, player
 * index suffix) and their token under the property key, so ground truth joins the cloud's records.
 */
export function buildPopulation(config: PopulationConfig, rng: Rng, tokenKey: Uint8Array): SimPlayer[] {
  const kinds = Object.keys(KIND_SHARES) as GameKind[];
  const kindWeights = kinds.map((k) => KIND_SHARES[k]);
  const players: SimPlayer[] = [];
  for (let index = 0; index < config.count; index += 1) {
    const r = rng.fork(`player:${index}`);
    const carded = r.bernoulli(config.cardedShare);
    const budgetFactor = Math.exp(r.normal(0, BUDGET_SIGMA));
    const favourite = kinds[r.weightedIndex(kindWeights)] as GameKind;
    const highLimit = budgetFactor >= HIGH_LIMIT_BUDGET_FACTOR;
    const gameWeights: Record<string, number> = {};
    for (const game of Object.values(GAME_CATALOGUE)) {
      const liked = game.kind === favourite && (game.key !== 'high-limit-reels' || highLimit);
      gameWeights[game.key] = liked ? FAVOURITE_WEIGHT : OTHER_WEIGHT;
    }
    const cardNumber = carded ? `${r.int(1000, 9999)}${String(index + 1).padStart(6, '0')}` : undefined;
    const [paceMin, paceMax] = config.pace;
    players.push({
      index,
      playerId: `P-${String(index + 1).padStart(7, '0')}`,
      carded,
      ...(cardNumber === undefined ? {} : { cardNumber, playerToken: derivePlayerToken(tokenKey, cardNumber) }),
      tripsPerMonth: Math.min(25, config.tripsPerMonthMedian * Math.exp(r.normal(0, TRIP_RATE_SIGMA))),
      pace: r.uniform(paceMin, paceMax),
      sessionMinutesMedian: config.sessionMinutesMedian * Math.exp(r.normal(0, SESSION_SIGMA)),
      tripBudgetMedianCents: config.tripBudgetMedianCents * budgetFactor,
      // Bigger budgets bet higher up the ladder.
      betLevel: Math.min(0.999, Math.max(0, r.uniform(0, 0.6) + 0.2 * Math.log2(budgetFactor))),
      gameWeights,
    });
  }
  return players;
}
