/**
 * Type declaration for aedes-persistence-level's async persistence, which ships none. aedes 1.x takes
 * any object with its persistence methods (typed `any` there), so only what the floor calls or overrides is declared.
 */
declare module 'aedes-persistence-level/asyncPersistence.js' {
  /** aedes persistence (sessions, subscriptions, queued QoS 1 messages, retained, wills) over LevelDB. */
  class AsyncLevelPersistence {
    /** `db`: a level database, or anything with the part of its API the persistence uses. */
    constructor(db: object);
    setup(broker: unknown): Promise<void>;
    /** Stores `packet` for each offline-capable subscription in `subs`. */
    outgoingEnqueueCombi(subs: unknown[], packet: unknown): Promise<unknown>;
    /** The messages stored for `client`'s session, oldest first. */
    outgoingStream(client: { readonly id: string }): import('node:stream').Readable;
    /** Records `packet` as in flight to `client` under its message id, before aedes writes it. */
    outgoingUpdate(client: { readonly id: string }, packet: unknown): Promise<unknown>;
  }
  export default AsyncLevelPersistence;
}
