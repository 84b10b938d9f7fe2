import type { ShufflerGame } from '@croupier/contracts';

/** How a shuffler works for one game: what it shuffles, how long a cycle takes, how often tables ask for one. */
export interface GameProfile {
  readonly game: ShufflerGame;
  /** Decks loaded per shuffle. */
  readonly decks: number;
  /** Cards fed through the rollers per shuffle. */
  readonly cardsPerShuffle: number;
  /** Healthy cycle time of one shuffle, seconds. */
  readonly nominalCycleSeconds: number;
  /** Shuffles per hour at peak demand. */
  readonly peakShufflesPerHour: number;
  /** Healthy mean motor current while shuffling, amperes. */
  readonly nominalMotorCurrentAmps: number;
}

/** Profiles per game: multi-deck shoes take longer and are shuffled less often than a single poker deck. */
export const GAME_PROFILES: Readonly<Record<ShufflerGame, GameProfile>> = {
  blackjack: {
    game: 'blackjack',
    decks: 6,
    cardsPerShuffle: 312,
    nominalCycleSeconds: 60,
    peakShufflesPerHour: 20,
    nominalMotorCurrentAmps: 1.2,
  },
  baccarat: {
    game: 'baccarat',
    decks: 8,
    cardsPerShuffle: 416,
    nominalCycleSeconds: 110,
    peakShufflesPerHour: 10,
    nominalMotorCurrentAmps: 1.4,
  },
  poker: {
    game: 'poker',
    decks: 1,
    cardsPerShuffle: 52,
    nominalCycleSeconds: 25,
    peakShufflesPerHour: 30,
    nominalMotorCurrentAmps: 0.9,
  },
};

/**
 * Share of peak demand at a UTC hour of day: a casino floor is open around the clock, busiest around
 * 22:00 and quietest around 10:00 (never below 40% of peak).
 */
export function demandAt(timeMs: number): number {
  const hour = (timeMs / 3_600_000) % 24;
  return 0.7 + 0.3 * Math.cos((2 * Math.PI * (hour - 22)) / 24);
}
