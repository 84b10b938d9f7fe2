import type { SlotEvent } from '@croupier/contracts';

/** The card in a machine: who is playing and since which card-in. */
export interface CardSession {
  readonly playerToken: string;
  readonly sessionId: string;
}

/** Which card is in which machine, from card-in and card-out events. Pure state, no I/O. */
export class SessionTracker {
  readonly #byMachine: Map<string, CardSession>;

  /** Starts from the sessions still open when the component last stopped, if any. */
  constructor(open: Iterable<readonly [string, CardSession]> = []) {
    this.#byMachine = new Map(open);
  }

  cardIn(machineId: string, session: CardSession): void {
    this.#byMachine.set(machineId, session);
  }

  /** Ends the machine's session; returns it so the card-out can carry its session id. */
  cardOut(machineId: string): CardSession | undefined {
    const session = this.#byMachine.get(machineId);
    this.#byMachine.delete(machineId);
    return session;
  }

  /**
   * Applies a card-in or card-out already tokenised (a slot event replayed from the outbox), as
   * handling its SMIB event did; other events leave the sessions as they are.
   */
  follow(event: SlotEvent): void {
    if (event.type === 'card_in')
      this.cardIn(event.machineId, { playerToken: event.playerToken, sessionId: event.eventId });
    else if (event.type === 'card_out') this.cardOut(event.machineId);
  }

  current(machineId: string): CardSession | undefined {
    return this.#byMachine.get(machineId);
  }

  get openSessions(): number {
    return this.#byMachine.size;
  }

  /** A copy of every open session by machine id, for persisting. */
  snapshot(): Map<string, CardSession> {
    return new Map(this.#byMachine);
  }
}
