import type { PayShapeEntry } from './paytable-model.js';

/** The kinds of game on the floor; each has its own pace of play and paytable shape. */
export type GameKind = 'video-slot' | 'reel-slot' | 'video-poker';

/** A game title as the floor carries it: what it pays, what it costs, and the holds it is certified at. */
export interface GameDefinition {
  /** Catalogue key, used in scenario files. */
  readonly key: string;
  readonly gameId: string;
  readonly kind: GameKind;
  readonly manufacturer: string;
  /** Denominations a machine of this game can be set to, cents per credit. */
  readonly denominationsCents: readonly number[];
  /** Bets a player can make, in credits; each a multiple of `payDenominator` so every win is whole credits. */
  readonly betCredits: readonly number[];
  /** Certified hold range [min, max]; each machine is set to one value in it. */
  readonly holdRange: readonly [number, number];
  readonly payDenominator: number;
  readonly shape: readonly PayShapeEntry[];
}

/**
 * Pays in tenths of the total bet (a 40-line penny game pays line hits below the bet), with a
 * free-games feature folded into the 10×–100× outcomes and a progressive-like top award.
 */
const VIDEO_SLOT_SHAPE: readonly PayShapeEntry[] = [
  { label: 'line-0.2x', pay: 2, frequency: 0.1 },
  { label: 'line-0.5x', pay: 5, frequency: 0.09 },
  { label: 'line-1x', pay: 10, frequency: 0.07 },
  { label: 'line-2x', pay: 20, frequency: 0.045 },
  { label: 'line-5x', pay: 50, frequency: 0.02 },
  { label: 'feature-10x', pay: 100, frequency: 0.009 },
  { label: 'feature-25x', pay: 250, frequency: 0.005 },
  { label: 'feature-50x', pay: 500, frequency: 0.0022 },
  { label: 'feature-100x', pay: 1000, frequency: 0.0006 },
  { label: 'major-500x', pay: 5000, frequency: 0.00004 },
  { label: 'grand-2500x', pay: 25000, frequency: 0.000004 },
  { label: 'mega-10000x', pay: 100000, frequency: 0.0000004 },
];

/** Three-reel stepper: cherries, bars and sevens, pays per credit bet. */
const REEL_SLOT_SHAPE: readonly PayShapeEntry[] = [
  { label: 'any-cherry', pay: 2, frequency: 0.082 },
  { label: 'any-bar', pay: 5, frequency: 0.036 },
  { label: 'single-bar', pay: 10, frequency: 0.012 },
  { label: 'double-bar', pay: 25, frequency: 0.0042 },
  { label: 'triple-bar', pay: 40, frequency: 0.0021 },
  { label: 'red-seven', pay: 100, frequency: 0.0006 },
  { label: 'blue-seven', pay: 200, frequency: 0.00018 },
  { label: 'wild-seven', pay: 1000, frequency: 0.00002 },
  { label: 'top-award', pay: 2500, frequency: 0.000004 },
];

/**
 * Jacks or Better 9/6 at max bet (5 credits), pays per credit, frequencies of optimal play
 * (return 99.54%). A hold other than 0.46% scales the winning frequencies, as a different pay schedule would.
 */
const VIDEO_POKER_SHAPE: readonly PayShapeEntry[] = [
  { label: 'jacks-or-better', pay: 1, frequency: 0.214585 },
  { label: 'two-pair', pay: 2, frequency: 0.129279 },
  { label: 'three-of-a-kind', pay: 3, frequency: 0.074449 },
  { label: 'straight', pay: 4, frequency: 0.011229 },
  { label: 'flush', pay: 6, frequency: 0.011015 },
  { label: 'full-house', pay: 9, frequency: 0.011512 },
  { label: 'four-of-a-kind', pay: 25, frequency: 0.002363 },
  { label: 'straight-flush', pay: 50, frequency: 0.000109 },
  { label: 'royal-flush', pay: 800, frequency: 0.0000248 },
];

/**
 * The games a floor can carry. Hold ranges follow what regulators' monthly reports show for each
 * denomination: pennies hold the most, dollar reels and video poker the least.
 */
export const GAME_CATALOGUE: Readonly<Record<string, GameDefinition>> = {
  'penny-video': {
    key: 'penny-video',
    gameId: 'prairie-gold-40',
    kind: 'video-slot',
    manufacturer: 'Simulated Gaming',
    denominationsCents: [1],
    betCredits: [40, 80, 120, 200, 400],
    holdRange: [0.08, 0.12],
    payDenominator: 10,
    shape: VIDEO_SLOT_SHAPE,
  },
  'nickel-video': {
    key: 'nickel-video',
    gameId: 'dragon-pearls-30',
    kind: 'video-slot',
    manufacturer: 'Simulated Gaming',
    denominationsCents: [5],
    betCredits: [30, 60, 90, 150],
    holdRange: [0.07, 0.1],
    payDenominator: 10,
    shape: VIDEO_SLOT_SHAPE,
  },
  'quarter-reels': {
    key: 'quarter-reels',
    gameId: 'triple-sevens-3r',
    kind: 'reel-slot',
    manufacturer: 'Simulated Gaming',
    denominationsCents: [25],
    betCredits: [1, 2, 3],
    holdRange: [0.06, 0.09],
    payDenominator: 1,
    shape: REEL_SLOT_SHAPE,
  },
  'dollar-reels': {
    key: 'dollar-reels',
    gameId: 'blazing-bars-3r',
    kind: 'reel-slot',
    manufacturer: 'Simulated Gaming',
    denominationsCents: [100],
    betCredits: [1, 2, 3],
    holdRange: [0.04, 0.06],
    payDenominator: 1,
    shape: REEL_SLOT_SHAPE,
  },
  'high-limit-reels': {
    key: 'high-limit-reels',
    gameId: 'diamond-sevens-3r',
    kind: 'reel-slot',
    manufacturer: 'Simulated Gaming',
    denominationsCents: [500, 2500],
    betCredits: [1, 2],
    holdRange: [0.03, 0.05],
    payDenominator: 1,
    shape: REEL_SLOT_SHAPE,
  },
  'video-poker': {
    key: 'video-poker',
    gameId: 'jacks-or-better-9-6',
    kind: 'video-poker',
    manufacturer: 'Simulated Gaming',
    denominationsCents: [25, 100],
    betCredits: [5],
    holdRange: [0.005, 0.03],
    payDenominator: 1,
    shape: VIDEO_POKER_SHAPE,
  },
};

/** Catalogue keys, for scenario validation. */
export const GAME_KEYS = Object.keys(GAME_CATALOGUE);
