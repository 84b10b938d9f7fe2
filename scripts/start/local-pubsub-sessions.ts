import LevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
import { ClassicLevel } from 'classic-level';

/**
 * The local pub/sub broker's session store: aedes persistence over LevelDB, with the steps aedes
 * waits on before it delivers a message resolved in the order aedes asked for them.
 *
 * aedes numbers each message as it accepts it, stores it for every persistent session it matches,
 * then hands it to each subscriber, which records it as in flight before writing it to the socket.
 * Both steps are LevelDB writes, and LevelDB finishes writes out of order under load. Out of order,
 * the first step made a connected client drop the earlier message as a copy (it drops any message
 * numbered below one it has been given: moscajs/aedes#955), left stored until the client's next
 * reconnect; the second sent a client its messages out of order, so an SMIB's game could reach
 * SlotGateway ahead of the card-in that opens its session. Resolving each step in call order keeps
 * delivery in the order the broker accepted messages; the writes themselves still run concurrently.
 */
class OrderedLevelPersistence extends LevelPersistence {
  #lastEnqueue: Promise<unknown> = Promise.resolve();
  readonly #lastUpdate = new Map<string, Promise<unknown>>();

  override outgoingEnqueueCombi(subs: unknown[], packet: unknown): Promise<unknown> {
    const [inOrder, tail] = afterPrevious(this.#lastEnqueue, super.outgoingEnqueueCombi(subs, packet));
    this.#lastEnqueue = tail;
    return inOrder;
  }

  override outgoingUpdate(client: { readonly id: string }, packet: unknown): Promise<unknown> {
    const [inOrder, tail] = afterPrevious(
      this.#lastUpdate.get(client.id) ?? Promise.resolve(),
      super.outgoingUpdate(client, packet),
    );
    this.#lastUpdate.set(client.id, tail);
    void tail.then(() => {
      if (this.#lastUpdate.get(client.id) === tail) this.#lastUpdate.delete(client.id);
    });
    return inOrder;
  }
}

/**
 * `step`'s outcome, settled no sooner than `previous`; and the tail the next step waits on, which
 * never rejects, so one failed step does not fail the ones queued behind it.
 */
function afterPrevious<T>(previous: Promise<unknown>, step: Promise<T>): [Promise<T>, Promise<unknown>] {
  const inOrder = Promise.all([previous, step]).then(([, outcome]) => outcome);
  return [inOrder, inOrder.catch(() => {})];
}

/** An open session store: the persistence to give aedes, and the database to close after the broker. */
export interface LocalPubSubSessions {
  readonly persistence: LevelPersistence;
  close(): Promise<void>;
}

/** Opens (creating if needed) the session store in `dir`. */
export function openLocalPubSubSessions(dir: string): LocalPubSubSessions {
  const db = new ClassicLevel<string, Buffer>(dir, { valueEncoding: 'buffer' });
  return { persistence: new OrderedLevelPersistence(db), close: () => db.close() };
}
