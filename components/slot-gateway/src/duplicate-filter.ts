/**
 * Remembers recently seen event ids to drop retransmissions. Bounded twice: at most `maxEntries` ids,
 * none older than `windowMs` (by arrival time). Insertion order of a Map is arrival order, so the
 * oldest entries are always at the front.
 */
export class DuplicateFilter {
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    private readonly windowMs: number,
  ) {}

  /** True the first time `id` is seen inside the window; false for a repeat. */
  firstSeen(id: string, now: number): boolean {
    this.#expire(now);
    if (this.#seen.has(id)) return false;
    this.#seen.set(id, now);
    if (this.#seen.size > this.maxEntries) {
      const oldest = this.#seen.keys().next().value as string;
      this.#seen.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  #expire(now: number): void {
    for (const [id, at] of this.#seen) {
      if (now - at <= this.windowMs) break;
      this.#seen.delete(id);
    }
  }
}
