/**
 * How far the intake journal may be committed when envelopes are spooled out of intake order: events
 * are batched per lake hour, and a full envelope of one hour is spooled while an earlier event of
 * another hour still waits for its own. Committing through a spooled envelope's last event would then
 * also commit that waiting event, and a crash would lose it. Items are added in intake (journal) order;
 * the commit point is the last item of the longest settled run from the oldest one.
 */
export class CommitPoint<T> {
  readonly #order: T[] = [];
  #head = 0;
  readonly #settled = new Set<T>();

  /** Items added and not yet behind the commit point. */
  get size(): number {
    return this.#order.length - this.#head;
  }

  /** Takes an item in intake order. */
  add(item: T): void {
    this.#order.push(item);
  }

  /**
   * Marks items as safe to commit (spooled, or dropped for good) and returns the item the journal may
   * now be committed through, or `undefined` when an older item is still outstanding.
   */
  settle(items: Iterable<T>): T | undefined {
    for (const item of items) this.#settled.add(item);
    let through: T | undefined;
    while (this.#head < this.#order.length && this.#settled.has(this.#order[this.#head]!)) {
      through = this.#order[this.#head]!;
      this.#settled.delete(through);
      this.#head += 1;
    }
    // Drop the passed prefix once it is most of the array, so memory follows what is outstanding.
    if (this.#head > 1_024 && this.#head * 2 > this.#order.length) {
      this.#order.splice(0, this.#head);
      this.#head = 0;
    }
    return through;
  }
}
