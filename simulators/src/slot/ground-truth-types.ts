/** Ground truth records: what really happened on the simulated floor, for end-to-end checks. */

/** Play attributed to one gaming day inside a session (a session can cross the gaming-day boundary). */
export interface DayPlay {
  games: number;
  coinInCents: number;
  /** Σ wager × theoretical hold over the day's games in event order; unrounded cents. */
  theoCents: number;
}

/** One session on one machine, from its first event to its last. */
export interface SessionTruth {
  /** eventId of the session's first event; equals `sessionId` for a carded session. */
  readonly sessionKey: string;
  /** The card-in's eventId, as the cloud names the session; null for uncarded play. */
  readonly sessionId: string | null;
  readonly playerId: string;
  readonly carded: boolean;
  readonly cardNumber: string | null;
  readonly playerToken: string | null;
  readonly machineId: string;
  readonly theoreticalHold: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly cardOutReason: 'removed' | 'abandoned' | null;
  readonly games: number;
  readonly coinInCents: number;
  /** Paid to the player by games (jackpot handpays included), as PlayerSession.winCents. */
  readonly winCents: number;
  /** The casino's actual win: coin-in minus what games paid. */
  readonly actualWinCents: number;
  /** Σ wager × theoretical hold in event order, unrounded cents (IEEE double, relative error ≤ games × 2^-53). */
  readonly theoCents: number;
  readonly billInCents: number;
  readonly ticketOutCents: number;
  readonly jackpotHandpayCents: number;
  readonly cancelledCreditCents: number;
  /** Play per gaming day, for trips. */
  readonly byGamingDay: Readonly<Record<string, DayPlay>>;
}

/** A trip: one player's play on one gaming day (the unit of average daily theoretical). */
export interface TripTruth {
  readonly playerId: string;
  readonly playerToken: string | null;
  readonly gamingDay: string;
  sessions: number;
  games: number;
  coinInCents: number;
  /** Σ of the day's theo over the player's sessions, in the order the sessions ended. */
  theoCents: number;
}

/** One emitted event, reduced to what checks need. */
export interface EventTruth {
  readonly eventId: string;
  readonly machineId: string;
  readonly type: string;
  readonly eventTime: number;
  readonly wagerCents?: number;
  readonly winCents?: number;
  readonly amountCents?: number;
  /** The session the event belongs to, when it belongs to one. */
  readonly sessionKey?: string;
}
