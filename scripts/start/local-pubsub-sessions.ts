import { Readable } from 'node:stream';
import LevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
import { ClassicLevel } from 'classic-level';
import { SealedValueStore } from './sealed-value-store.js';

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
 * For the same reason a reconnected session's queue is resent before anything newer is delivered.
 */
class OrderedLevelPersistence extends LevelPersistence {
  #lastEnqueue: Promise<unknown> = Promise.resolve();
  readonly #lastUpdate = new Map<string, Promise<unknown>>();
  readonly #flushes = new Map<string, Flush>();

  override outgoingEnqueueCombi(subs: unknown[], packet: unknown): Promise<unknown> {
    const [inOrder, tail] = afterPrevious(this.#lastEnqueue, super.outgoingEnqueueCombi(subs, packet));
    this.#lastEnqueue = tail;
    return inOrder;
  }

  /**
   * The messages queued for a reconnected session, which aedes resends while it already delivers new
   * ones live. New ones wait until the queue has been resent, or they would overtake it.
   */
  override outgoingStream(client: { readonly id: string }): Readable {
    let resolveDone!: () => void;
    const flush: Flush = {
      client,
      resent: new Set(),
      read: undefined,
      updated: new Set(),
      done: new Promise<void>((resolve) => {
        resolveDone = resolve;
      }),
      settle: () => {
        if (flush.read !== undefined && flush.updated.size >= flush.read) resolveDone();
      },
      abandon: () => resolveDone(),
      heldTail: Promise.resolve(),
    };
    this.#flushes.get(client.id)?.abandon();
    this.#flushes.set(client.id, flush);
    void flush.done.then(() => {
      if (this.#flushes.get(client.id) !== flush) return;
      this.#flushes.delete(client.id);
      // Deliveries after the flush queue behind those it held.
      this.#lastUpdate.set(client.id, flush.heldTail);
    });
    const queued = super.outgoingStream(client);
    return Readable.from(
      (async function* () {
        let complete = false;
        try {
          for await (const packet of queued) {
            flush.resent.add(packetKey(packet));
            yield packet;
          }
          complete = true;
        } finally {
          // The stream reads ahead of aedes: the flush is over once aedes has updated all it read.
          // A resend cut short (the client went) holds nothing back any longer.
          flush.read = flush.resent.size;
          if (complete) flush.settle();
          else flush.abandon();
        }
      })(),
    );
  }

  /** A client has gone: live deliveries its unfinished resend was holding back go ahead. */
  releaseClient(client: { readonly id: string }): void {
    const flush = this.#flushes.get(client.id);
    if (flush?.client === client) flush.abandon();
  }

  override outgoingUpdate(client: { readonly id: string }, packet: unknown): Promise<unknown> {
    const flush = this.#flushes.get(client.id);
    if (flush && !flush.resent.has(packetKey(packet))) {
      const [inOrder, tail] = afterPrevious(
        flush.heldTail,
        flush.done.then(() => super.outgoingUpdate(client, packet)),
      );
      flush.heldTail = tail;
      return inOrder;
    }
    const [inOrder, tail] = afterPrevious(
      this.#lastUpdate.get(client.id) ?? Promise.resolve(),
      super.outgoingUpdate(client, packet),
    );
    this.#lastUpdate.set(client.id, tail);
    if (flush) {
      const key = packetKey(packet);
      void tail.then(() => {
        flush.updated.add(key);
        flush.settle();
      });
    }
    void tail.then(() => {
      if (this.#lastUpdate.get(client.id) === tail) this.#lastUpdate.delete(client.id);
    });
    return inOrder;
  }
}

/** A reconnected session's queue being resent, and the live deliveries held until it has been. */
interface Flush {
  /** The connection being resent to (a later one with the same client id has a flush of its own). */
  readonly client: object;
  /** Messages the resend has read from the store, by broker id and number. */
  readonly resent: Set<string>;
  /** How many it read in all, once it has read the whole queue. */
  read: number | undefined;
  /** Resent messages aedes has recorded as in flight. */
  readonly updated: Set<string>;
  /** Settles when every message of the queue has been recorded in flight, so written in order. */
  readonly done: Promise<void>;
  /** Settles `done` if the resend is complete. */
  readonly settle: () => void;
  /** Settles `done` now: the resend will not complete. */
  readonly abandon: () => void;
  heldTail: Promise<unknown>;
}

/** A message's identity in the store: the broker run that accepted it and its number there. */
function packetKey(packet: unknown): string {
  const { brokerId, brokerCounter } = packet as { brokerId?: unknown; brokerCounter?: unknown };
  return `${String(brokerId)}:${String(brokerCounter)}`;
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
  /** To be called for every client that disconnects (aedes `clientDisconnect`). */
  releaseClient(client: { readonly id: string }): void;
  close(): Promise<void>;
}

/** Opens (creating if needed) the session store in `dir`, its values sealed with `sealingKey`. */
export function openLocalPubSubSessions(dir: string, sealingKey: Buffer): LocalPubSubSessions {
  const db = new ClassicLevel<string, Buffer>(dir, { valueEncoding: 'buffer' });
  const persistence = new OrderedLevelPersistence(new SealedValueStore(db, sealingKey));
  return { persistence, releaseClient: (client) => persistence.releaseClient(client), close: () => db.close() };
}
