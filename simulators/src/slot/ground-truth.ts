import type { SmibEvent } from '@croupier/contracts';
import type { FloorMachine } from './floor-plan.js';
import type { EventTruth, SessionTruth, TripTruth } from './ground-truth-types.js';
import type { SimPlayer } from './player-population.js';

/** Per machine totals over every game emitted, for hold checks. */
export interface MachineTotals {
  games: number;
  coinInCents: number;
  winCents: number;
  theoCents: number;
}

/** The ground truth document written for end-to-end tests. */
export interface GroundTruthDocument {
  readonly seed: number | string;
  readonly propertyId: string;
  readonly machines: readonly {
    machineId: string;
    zone: string;
    bank: string;
    gameId: string;
    paytableId: string;
    theoreticalHold: number;
    denominationCents: number;
    totals: MachineTotals;
  }[];
  readonly players: readonly {
    playerId: string;
    carded: boolean;
    cardNumber: string | null;
    playerToken: string | null;
  }[];
  readonly sessions: readonly SessionTruth[];
  readonly trips: readonly TripTruth[];
  readonly eventCounts: Readonly<Record<string, number>>;
  readonly events?: readonly EventTruth[];
}

/**
 * Collects exact ground truth as events are emitted: a session is recorded when its last event is
 * emitted, so the record always equals the sum of the events that actually went out. Trips add up
 * each session's per-gaming-day play in the order sessions end.
 */
export class GroundTruth {
  readonly sessions: SessionTruth[] = [];
  readonly eventCounts: Record<string, number> = {};
  readonly events: EventTruth[] | undefined;
  readonly #trips = new Map<string, TripTruth>();
  readonly #machineTotals: MachineTotals[];

  constructor(
    readonly machines: readonly FloorMachine[],
    readonly players: readonly SimPlayer[],
    options: { recordEvents: boolean },
  ) {
    this.events = options.recordEvents ? [] : undefined;
    this.#machineTotals = machines.map(() => ({ games: 0, coinInCents: 0, winCents: 0, theoCents: 0 }));
  }

  /** Records one emitted event. */
  recordEvent(event: SmibEvent, machine: FloorMachine, sessionKey: string | undefined): void {
    this.eventCounts[event.type] = (this.eventCounts[event.type] ?? 0) + 1;
    if (event.type === 'game_played') {
      const totals = this.#machineTotals[machine.index] as MachineTotals;
      totals.games += 1;
      totals.coinInCents += event.wagerCents;
      totals.winCents += event.winCents;
      totals.theoCents += event.wagerCents * event.theoreticalHold;
    }
    if (this.events === undefined) return;
    const amounts =
      event.type === 'game_played'
        ? { wagerCents: event.wagerCents, winCents: event.winCents }
        : 'amountCents' in event
          ? { amountCents: event.amountCents }
          : {};
    this.events.push({
      eventId: event.eventId,
      machineId: event.machineId,
      type: event.type,
      eventTime: event.eventTime,
      ...amounts,
      ...(sessionKey === undefined ? {} : { sessionKey }),
    });
  }

  /** Records a session whose last event has just been emitted. */
  recordSession(session: SessionTruth): void {
    this.sessions.push(session);
    for (const [gamingDay, play] of Object.entries(session.byGamingDay)) {
      const key = `${session.playerId}/${gamingDay}`;
      let trip = this.#trips.get(key);
      if (trip === undefined) {
        trip = {
          playerId: session.playerId,
          playerToken: session.playerToken,
          gamingDay,
          sessions: 0,
          games: 0,
          coinInCents: 0,
          theoCents: 0,
        };
        this.#trips.set(key, trip);
      }
      trip.sessions += 1;
      trip.games += play.games;
      trip.coinInCents += play.coinInCents;
      trip.theoCents += play.theoCents;
    }
  }

  /** Trips in the order they were first played. */
  get trips(): TripTruth[] {
    return [...this.#trips.values()];
  }

  /** Totals per machine, in floor order. */
  get machineTotals(): readonly MachineTotals[] {
    return this.#machineTotals;
  }

  /** The document for end-to-end tests. Holds card numbers: a floor-side artefact, never uplinked. */
  toDocument(meta: { seed: number | string; propertyId: string }): GroundTruthDocument {
    return {
      ...meta,
      machines: this.machines.map((m) => ({
        machineId: m.identity.machineId,
        zone: m.identity.location.zone,
        bank: m.identity.location.bank,
        gameId: m.identity.gameId,
        paytableId: m.paytable.paytableId,
        theoreticalHold: m.paytable.theoreticalHold,
        denominationCents: m.identity.denominationCents,
        totals: this.#machineTotals[m.index] as MachineTotals,
      })),
      players: this.players.map((p) => ({
        playerId: p.playerId,
        carded: p.carded,
        cardNumber: p.cardNumber ?? null,
        playerToken: p.playerToken ?? null,
      })),
      sessions: this.sessions,
      trips: this.trips,
      eventCounts: this.eventCounts,
      ...(this.events === undefined ? {} : { events: this.events }),
    };
  }
}
