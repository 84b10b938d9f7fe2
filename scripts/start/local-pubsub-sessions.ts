import LevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
import { ClassicLevel } from 'classic-level';

/**
 * The local pub/sub broker's session store: aedes persistence over LevelDB, with queued messages
 * handed back to the broker in the order it numbered them.
 *
 * aedes numbers each message as it accepts it, stores it for every persistent session it matches,
 * then delivers it; a connected client drops any message numbered below one it has already been
 * given, taking it for a copy from an overlapping subscription (moscajs/aedes#955). LevelDB writes
 * finish out of order under load, so a later message could overtake an earlier one and the earlier
 * one was dropped: stored, never delivered, until the client's next reconnect. Resolving the stores
 * in call order (the broker calls them in number order) keeps delivery in number order; the writes
 * themselves still run concurrently.
 */
class OrderedLevelPersistence extends LevelPersistence {
  #lastEnqueue: Promise<unknown> = Promise.resolve();

  override outgoingEnqueueCombi(subs: unknown[], packet: unknown): Promise<unknown> {
    const write = super.outgoingEnqueueCombi(subs, packet);
    const inOrder = Promise.all([this.#lastEnqueue, write]).then(([, stored]) => stored);
    this.#lastEnqueue = inOrder.catch(() => {});
    return inOrder;
  }
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
